// fast-check generators for random Calico policies (projectcalico.org/v3) in random tiers, over the
// pools of arbitraries.ts. Tiers: the `default` Tier object always, and up to two more at orders on
// each side of kube-admin (1,000), default (1,000,000) and kube-baseline (10,000,000), ties and no
// order included, defaultAction Deny or Pass. Policy orders may repeat (names break the tie); order
// 1000 of the default tier is "not proven", tested apart. Two policies in three are namespaced, and
// the peer pools lean towards what decides a verdict and is easy to get wrong: a namespaced
// policy's selector alone (own namespace only), and notNets carved out of nets.
import fc from 'fast-check';
import type { CniPolicy } from '../../../src/core/model.ts';
import type { Cluster, Connection } from '../../../src/core/netpol/index.ts';
import { connectionArb, NAMESPACES, tieredClusterArb } from './arbitraries.ts';

type Json = Record<string, unknown>;

const selector = fc.constantFrom("app == 'web'", "app != 'db'", 'has(tier)', 'all()', "app in {'web', 'api'}", "!has(app)", "pcns.team == 'red'", "projectcalico.org/namespace == 'a'");
// Selectors that match pods of every namespace: with a namespaced policy only the scope tells them apart.
const broadSelector = fc.constantFrom('all()', "!has(app)", "app != 'db'", 'has(tier)');
const nsSelector = fc.constantFrom("team == 'red'", "projectcalico.org/name == 'b'", 'all()', "!has(team)");
const nets = fc.constantFrom(['10.244.0.0/24'], ['0.0.0.0/0'], ['8.8.0.0/16', '10.0.0.4/30'], ['::/0']);
// Pods are 10.244.0.10 and up (arbitraries.ts): these cut some of them, or nodes, out of `nets`.
const carved = fc.record({ nets: fc.constantFrom(['0.0.0.0/0'], ['10.0.0.0/8'], ['10.244.0.0/24']), notNets: fc.constantFrom(['10.244.0.8/29'], ['10.244.0.10/31'], ['10.244.0.12/30'], ['10.0.0.4/30']) });
const peer: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: broadSelector.map((s) => ({ selector: s })), weight: 5 },
  { arbitrary: carved, weight: 3 },
  { arbitrary: fc.record({ notNets: nets }), weight: 1 },
  { arbitrary: fc.record({ selector, namespaceSelector: nsSelector, nets, notNets: nets }, { requiredKeys: [] }), weight: 4 },
);
const ports = fc.array(fc.constantFrom<number | string>(53, 80, '8000:8100', 'http', 443), { minLength: 1, maxLength: 2 });

const rule = (d: 'Ingress' | 'Egress'): fc.Arbitrary<Json> =>
  fc.record({
    action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log', 'Allow', 'Deny'),
    protocol: fc.option(fc.constantFrom<string | number>('TCP', 'UDP', 'SCTP', 'ICMP', 6, 17), { nil: undefined }),
    notProtocol: fc.option(fc.constantFrom('UDP'), { nil: undefined, freq: 8 }),
    ipVersion: fc.option(fc.constantFrom(4, 6), { nil: undefined, freq: 6 }),
    peer: fc.option(peer, { nil: undefined, freq: 3 }),
    ports: fc.option(ports, { nil: undefined }),
    notPorts: fc.option(fc.constant([53]), { nil: undefined, freq: 6 }),
  }).map((r) => {
    const out: Json = { action: r.action };
    const tcpish = r.protocol === 'TCP' || r.protocol === 'UDP' || r.protocol === 'SCTP' || r.protocol === 6 || r.protocol === 17;
    if (r.protocol !== undefined) out.protocol = r.protocol;
    if (r.notProtocol !== undefined && r.protocol === undefined) out.notProtocol = r.notProtocol;
    if (r.ipVersion !== undefined) out.ipVersion = r.ipVersion;
    // Ports need a protocol that has them (Calico rejects others); they are destination ports.
    const dst: Json = {};
    if (r.ports && tcpish) dst.ports = r.ports;
    if (r.notPorts && tcpish) dst.notPorts = r.notPorts;
    const [peerKey, localKey] = d === 'Ingress' ? ['source', 'destination'] : ['destination', 'source'];
    const peerSide: Json = { ...(r.peer ?? {}), ...(d === 'Egress' ? dst : {}) };
    if (Object.keys(peerSide).length > 0) out[peerKey] = peerSide;
    if (d === 'Ingress' && Object.keys(dst).length > 0) out[localKey] = dst;
    return out;
  });

/** A policy of `tier` at `order`; its name is `<tier>.<kind>-<i>` outside the default tier, as v1 storage names it. */
export const calicoPolicyArb = (order: number, i: number, tier = 'default', namespaces: readonly string[] = NAMESPACES): fc.Arbitrary<CniPolicy> =>
  fc.record({
    global: fc.constantFrom(false, false, true), // namespaced ones have the own-namespace scope to get right
    namespace: fc.constantFrom(...namespaces),
    selector: fc.option(selector, { nil: undefined }),
    namespaceSelector: fc.option(nsSelector, { nil: undefined, freq: 4 }),
    types: fc.option(fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']), { nil: undefined }),
    ingress: fc.array(rule('Ingress'), { maxLength: 2 }),
    egress: fc.array(rule('Egress'), { maxLength: 2 }),
    withOrder: fc.boolean(),
  }).map((r): CniPolicy => {
    const spec: Json = { ingress: r.ingress, egress: r.egress };
    if (tier !== 'default') spec.tier = tier;
    if (r.withOrder) spec.order = order;
    if (r.selector !== undefined) spec.selector = r.selector;
    if (r.global && r.namespaceSelector !== undefined) spec.namespaceSelector = r.namespaceSelector;
    if (r.types) spec.types = r.types;
    const name = `${tier === 'default' ? '' : `${tier}.`}${r.global ? 'gnp' : 'np'}-${i}`;
    return r.global
      ? { kind: 'CalicoGlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec }
      : { kind: 'CalicoNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name, namespace: r.namespace }, spec };
  });

const TIER_NAMES = ['alpha', 'beta'] as const;
// Before kube-admin, between it and default (twice: a tie broken by name), before kube-baseline, after it, none.
const tierArb = (name: string) => fc.record({ order: fc.constantFrom(500, 500, 5000, 5000, 2_000_000, 20_000_000, undefined), defaultAction: fc.constantFrom('Deny', 'Pass', undefined) })
  .map((t): CniPolicy => ({ kind: 'CalicoTier', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec: { ...(t.order === undefined ? {} : { order: t.order }), ...(t.defaultAction ? { defaultAction: t.defaultAction } : {}) } }));
const DEFAULT_TIER: CniPolicy = { kind: 'CalicoTier', apiVersion: 'projectcalico.org/v3', metadata: { name: 'default' }, spec: { order: 1_000_000, defaultAction: 'Deny' } };

/** A tiered cluster with up to three Calico policies in up to three tiers (at most one policy without an order per tier). */
export const calicoClusterArb: fc.Arbitrary<Cluster> = fc
  .tuple(
    tieredClusterArb,
    fc.subarray([...TIER_NAMES]),
    fc.array(fc.record({ order: fc.constantFrom(10, 500, 999, 1001, 2000), tier: fc.constantFrom('default', 'default', ...TIER_NAMES) }), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
  )
  .chain(([cluster, tierNames, slots, sig]) => fc.tuple(
    fc.tuple(...tierNames.map(tierArb)),
    // A policy only joins a tier that exists (one that does not is "not proven", tested apart).
    // A namespaced policy lives where pods are: elsewhere it would decide nothing.
    fc.tuple(...slots.map((s, i) => calicoPolicyArb(s.order, i, tierNames.includes(s.tier as typeof TIER_NAMES[number]) ? s.tier : 'default', [...new Set(cluster.pods.map((p) => p.metadata.namespace))]))),
  ).map(([tiers, cni]) => {
    // Two policies without an order in one tier would tie at "infinity": give the later ones theirs.
    const unordered = new Set<string>();
    const policies = cni.map((p, i) => {
      const t = String((p.spec as Json).tier ?? 'default');
      if ((p.spec as Json).order !== undefined) return p;
      if (!unordered.has(t)) return unordered.add(t), p;
      return { ...p, spec: { ...p.spec, order: slots[i]!.order } };
    });
    return { ...cluster, clusterPolicies: sig ? cluster.clusterPolicies ?? [] : [], cniPolicies: [DEFAULT_TIER, ...tiers, ...policies] };
  }));

/**
 * Connections for the Calico properties: the usual random ones, and pod-to-pod ones across
 * namespaces, where a namespaced policy's peer selector (own namespace only) is told apart.
 */
export function calicoConnectionsArb(cluster: Cluster): fc.Arbitrary<Connection[]> {
  const pairs = cluster.pods.flatMap((a) => cluster.pods.filter((b) => b.metadata.namespace !== a.metadata.namespace).map((b) => [a, b] as const));
  const across = pairs.length === 0 ? fc.constant([]) : fc.array(
    fc.tuple(fc.constantFrom(...pairs), fc.constantFrom(53, 80, 443, 8080), fc.constantFrom('TCP' as const, 'UDP' as const)).map(([[a, b], port, protocol]): Connection => ({
      from: { kind: 'pod', namespace: a.metadata.namespace, name: a.metadata.name }, to: { kind: 'pod', namespace: b.metadata.namespace, name: b.metadata.name }, port, protocol,
    })),
    { maxLength: 10 },
  );
  return fc.tuple(fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 }), across).map(([a, b]) => [...a, ...b]);
}
