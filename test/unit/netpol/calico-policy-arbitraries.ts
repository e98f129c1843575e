// fast-check generators for random Calico policies (projectcalico.org/v3) of the default tier,
// over the pools of arbitraries.ts, with distinct orders (ties and order 1000 are "not proven",
// tested apart) so that the model decides them.
import fc from 'fast-check';
import type { CniPolicy } from '../../../src/core/model.ts';
import type { Cluster } from '../../../src/core/netpol/index.ts';
import { NAMESPACES, tieredClusterArb } from './arbitraries.ts';

type Json = Record<string, unknown>;

const selector = fc.constantFrom("app == 'web'", "app != 'db'", 'has(tier)', 'all()', "app in {'web', 'api'}", "!has(app)", "pcns.team == 'red'", "projectcalico.org/namespace == 'a'");
const nsSelector = fc.constantFrom("team == 'red'", "projectcalico.org/name == 'b'", 'all()', "!has(team)");
const nets = fc.constantFrom(['10.244.0.0/24'], ['0.0.0.0/0'], ['8.8.0.0/16', '10.0.0.4/30'], ['::/0']);
const peer: fc.Arbitrary<Json> = fc.record({ selector, namespaceSelector: nsSelector, nets, notNets: nets }, { requiredKeys: [] });
const ports = fc.array(fc.constantFrom<number | string>(53, 80, '8000:8100', 'http', 443), { minLength: 1, maxLength: 2 });

const rule = (d: 'Ingress' | 'Egress'): fc.Arbitrary<Json> =>
  fc.record({
    action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log', 'Allow', 'Deny'),
    protocol: fc.option(fc.constantFrom<string | number>('TCP', 'UDP', 'SCTP', 'ICMP', 6, 17), { nil: undefined }),
    notProtocol: fc.option(fc.constantFrom('UDP'), { nil: undefined, freq: 8 }),
    ipVersion: fc.option(fc.constantFrom(4, 6), { nil: undefined, freq: 6 }),
    peer: fc.option(peer, { nil: undefined }),
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

export const calicoPolicyArb = (order: number): fc.Arbitrary<CniPolicy> =>
  fc.record({
    global: fc.boolean(),
    namespace: fc.constantFrom(...NAMESPACES),
    selector: fc.option(selector, { nil: undefined }),
    namespaceSelector: fc.option(nsSelector, { nil: undefined, freq: 4 }),
    types: fc.option(fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']), { nil: undefined }),
    ingress: fc.array(rule('Ingress'), { maxLength: 2 }),
    egress: fc.array(rule('Egress'), { maxLength: 2 }),
    withOrder: fc.boolean(),
  }).map((r): CniPolicy => {
    const spec: Json = { ingress: r.ingress, egress: r.egress };
    if (r.withOrder) spec.order = order;
    if (r.selector !== undefined) spec.selector = r.selector;
    if (r.global && r.namespaceSelector !== undefined) spec.namespaceSelector = r.namespaceSelector;
    if (r.types) spec.types = r.types;
    return r.global
      ? { kind: 'CalicoGlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name: `gnp-${order}` }, spec }
      : { kind: 'CalicoNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name: `np-${order}`, namespace: r.namespace }, spec };
  });

/** A tiered cluster with up to three Calico policies of distinct orders (at most one without an order). */
export const calicoClusterArb: fc.Arbitrary<Cluster> = fc
  .tuple(tieredClusterArb, fc.uniqueArray(fc.constantFrom(10, 500, 999, 1001, 2000), { maxLength: 3 }), fc.boolean())
  .chain(([cluster, orders, sig]) => fc.tuple(...orders.map(calicoPolicyArb)).map((cni) => {
    // Two policies without an order would tie (both last): keep the first one's missing order only.
    let unordered = 0;
    const policies = cni.map((p, i) => ((p.spec as Json).order === undefined && unordered++ > 0 ? { ...p, spec: { ...p.spec, order: orders[i]! } } : p));
    return { ...cluster, clusterPolicies: sig ? cluster.clusterPolicies ?? [] : [], cniPolicies: policies };
  }));
