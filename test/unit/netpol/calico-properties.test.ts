// (k1) With random Calico policies in random tiers next to NetworkPolicies and SIG tiers, the
// evaluator agrees with a slow reading of docs.tigera.io and Calico's Tier type written here from
// the JSON spec (tiers by order then name around kube-admin, default and kube-baseline; policies
// by order then name; the Kubernetes NetworkPolicies at 1000 of the default tier; first match,
// Log, Pass, end-of-tier defaultAction; addresses through node:net, selectors through the selector
// parser, which has tests of its own).
// (c2)/(c3) for Calico run in cni-properties with the same generators.
import assert from 'node:assert/strict';
import type { CniPolicy, Pod } from '../../../src/core/model.ts';
import { parseCalicoSelector } from '../../../src/core/netpol/calico-selector.ts';
import type { Cluster, Connection, ResolvedEndpoint, Verdict } from '../../../src/core/netpol/index.ts';
import { calicoClusterArb, calicoConnectionsArb } from './calico-policy-arbitraries.ts';
import { assertSidesAgree, findPod, inCidr, nsLabels, referenceStart } from './property-helpers.ts';

type Json = Record<string, any>;
type D = 'Ingress' | 'Egress';

const holds = (expr: string | undefined, lookup: (k: string) => string | undefined) => {
  if (expr === undefined) return true;
  const s = parseCalicoSelector(expr);
  return s.ok && s.evaluate(lookup) === true;
};
const own = (l: Record<string, string>, k: string) => (Object.hasOwn(l, k) ? l[k] : undefined);
const podLookup = (cluster: Cluster, pod: Pod) => (k: string) => {
  if (k === 'projectcalico.org/namespace') return pod.metadata.namespace;
  if (k === 'projectcalico.org/orchestrator') return 'k8s';
  if (k.startsWith('pcns.')) return own(nsLabels(cluster, pod.metadata.namespace), k.slice(5));
  return own(pod.metadata.labels ?? {}, k);
};
const nsLookup = (cluster: Cluster, ns: string) => (k: string) => (k === 'projectcalico.org/name' ? ns : own(nsLabels(cluster, ns), k));
const PROTO: Record<string, string> = { '6': 'TCP', '17': 'UDP', '132': 'SCTP' };
const proto = (x: unknown) => (x === undefined ? undefined : PROTO[String(x)] ?? String(x));

function applies(cluster: Cluster, p: CniPolicy, pod: Pod, d: D): boolean {
  const s = p.spec as Json;
  if (pod.hostNetwork) return false;
  if (p.kind === 'CalicoNetworkPolicy' && pod.metadata.namespace !== p.metadata.namespace) return false;
  if (p.kind === 'CalicoGlobalNetworkPolicy' && !holds(s.namespaceSelector, nsLookup(cluster, pod.metadata.namespace))) return false;
  if (!holds(s.selector, podLookup(cluster, pod))) return false;
  const types: string[] = s.types ?? [...((s.ingress ?? []).length > 0 || (s.egress ?? []).length === 0 ? ['Ingress'] : []), ...((s.egress ?? []).length > 0 ? ['Egress'] : [])];
  return types.includes(d);
}

function portIn(list: unknown[], c: Connection, destination: Pod | undefined): boolean {
  return list.some((x) => {
    const m = /^(\d+)(?::(\d+))?$/.exec(String(x));
    if (m) return Number(m[1]) <= c.port && c.port <= Number(m[2] ?? m[1]);
    return !!destination?.containerPorts.some((cp) => cp.name === x && (cp.protocol ?? 'TCP') === c.protocol && cp.containerPort === c.port);
  });
}

function ruleMatches(cluster: Cluster, p: CniPolicy, r: Json, d: D, other: ResolvedEndpoint, c: Connection, destination: Pod | undefined): boolean {
  if (r.protocol !== undefined && proto(r.protocol) !== c.protocol) return false;
  if (r.notProtocol !== undefined && proto(r.notProtocol) === c.protocol) return false;
  if (r.ipVersion !== undefined && (other.address === undefined || (other.address.includes(':') ? 6 : 4) !== r.ipVersion)) return false;
  const peer: Json = (d === 'Ingress' ? r.source : r.destination) ?? {};
  const dst: Json = r.destination ?? {};
  if (peer.nets && !(other.address && peer.nets.some((n: string) => inCidr(n, other.address!)))) return false;
  if (peer.notNets && other.address && peer.notNets.some((n: string) => inCidr(n, other.address!))) return false;
  if (peer.selector !== undefined || peer.namespaceSelector !== undefined) {
    const pod = other.kind === 'pod' ? findPod(cluster, other) : undefined;
    if (!pod) return false;
    if (peer.namespaceSelector !== undefined ? !holds(peer.namespaceSelector, nsLookup(cluster, pod.metadata.namespace)) : p.kind === 'CalicoNetworkPolicy' && pod.metadata.namespace !== p.metadata.namespace) return false;
    if (!holds(peer.selector, podLookup(cluster, pod))) return false;
  }
  if (dst.ports && !portIn(dst.ports, c, destination)) return false;
  if (dst.notPorts && portIn(dst.notPorts, c, destination)) return false;
  return true;
}

type Outcome = 'allow' | 'deny' | 'next';

/** The tiers in Calico's order: the Tier objects, and the built-ins where absent (tier.go). */
function referenceTiers(cluster: Cluster): { name: string; order: number; defaultAction: string }[] {
  const objects = (cluster.cniPolicies ?? []).filter((p) => p.kind === 'CalicoTier').map((t) => ({ name: t.metadata.name, order: (t.spec as Json).order ?? Infinity, defaultAction: (t.spec as Json).defaultAction ?? 'Deny' }));
  const builtIn = [{ name: 'kube-admin', order: 1000, defaultAction: 'Pass' }, { name: 'default', order: 1_000_000, defaultAction: 'Deny' }, { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' }];
  const all = [...objects, ...builtIn.filter((b) => !objects.some((o) => o.name === b.name))];
  return all.sort((a, b) => (a.order !== b.order ? (a.order < b.order ? -1 : 1) : a.name < b.name ? -1 : 1));
}

const byOrderThenName = (a: CniPolicy, b: CniPolicy) => {
  const [x, y] = [(a.spec as Json).order ?? Infinity, (b.spec as Json).order ?? Infinity];
  return x !== y ? (x < y ? -1 : 1) : a.metadata.name < b.metadata.name ? -1 : 1;
};

function firstMatch(cluster: Cluster, policies: CniPolicy[], d: D, start: NonNullable<ReturnType<typeof referenceStart>>, c: Connection): Outcome | undefined {
  for (const p of policies) {
    for (const r of (p.spec as Json)[d === 'Ingress' ? 'ingress' : 'egress'] ?? []) {
      if (!ruleMatches(cluster, p, r, d, start.other, c, start.destination) || r.action === 'Log') continue;
      return r.action === 'Pass' ? 'next' : r.action === 'Allow' ? 'allow' : 'deny';
    }
  }
  return undefined;
}

/** Calico's default tier: the Kubernetes NetworkPolicies as one policy at order 1000 (all Allow). */
function defaultTier(cluster: Cluster, calico: CniPolicy[], np: Verdict['egress'], d: D, start: NonNullable<ReturnType<typeof referenceStart>>, c: Connection): Outcome {
  if (calico.length === 0) return np.isolatedBy.length > 0 ? (np.allowed ? 'allow' : 'deny') : 'next';
  const order = (p: CniPolicy) => (p.spec as Json).order ?? Infinity;
  const early = firstMatch(cluster, calico.filter((p) => order(p) < 1000), d, start, c);
  if (early) return early;
  if (np.allowedBy.length > 0) return 'allow';
  return firstMatch(cluster, calico.filter((p) => order(p) > 1000), d, start, c) ?? 'deny';
}

function referenceSide(cluster: Cluster, v: Verdict, npOnly: Verdict, d: D): boolean {
  const start = referenceStart(cluster, v, d);
  if (!start) return true;
  const np = d === 'Egress' ? npOnly.egress : npOnly.ingress;
  const policies = (cluster.cniPolicies ?? []).filter((p) => p.kind !== 'CalicoTier' && applies(cluster, p, start.subject, d)).sort(byOrderThenName);
  const inTier = (name: string) => policies.filter((p) => ((p.spec as Json).tier ?? 'default') === name);
  for (const t of referenceTiers(cluster)) {
    // The SIG tiers stand where Calico puts kube-admin and kube-baseline.
    const outcome = t.name === 'kube-admin' ? start.admin
      : t.name === 'kube-baseline' ? start.baseline()
        : t.name === 'default' ? defaultTier(cluster, inTier('default'), np, d, start, v.connection)
          : inTier(t.name).length === 0 ? 'next' : firstMatch(cluster, inTier(t.name), d, start, v.connection) ?? (t.defaultAction === 'Pass' ? 'next' : 'deny');
    if (outcome !== 'next') return outcome === 'allow';
  }
  return true; // every tier passed or did not apply: the pod's profile allows
}

describe('netpol Calico properties', function () {
  this.timeout(60000);

  it('(k1) the evaluator agrees with a direct reading of the Calico rules', () => {
    let decidedByCalico = 0;
    let decidedByOtherTier = 0;
    assertSidesAgree(calicoClusterArb, referenceSide, 1000, (side) => {
      if (side.decidedBy.tier === 'Calico') decidedByCalico++;
      if (side.decidedBy.tier === 'Calico' && side.decidedBy.calicoTier !== 'default') decidedByOtherTier++;
    }, calicoConnectionsArb);
    assert.ok(decidedByCalico > 100 && decidedByOtherTier > 100, `Calico decided only ${decidedByCalico} sides, ${decidedByOtherTier} of them in other tiers`);
  });
});
