// (k1) With random Calico policies of the default tier next to NetworkPolicies and SIG tiers, the
// evaluator agrees with a slow reading of docs.tigera.io written here from the JSON spec (orders,
// the Kubernetes NetworkPolicies at 1000, first match, Log, Pass, end-of-tier deny; addresses
// through node:net, selectors through the selector parser, which has tests of its own).
// (c2)/(c3) for Calico run in cni-properties with the same generators.
import assert from 'node:assert/strict';
import type { CniPolicy, Pod } from '../../../src/core/model.ts';
import { parseCalicoSelector } from '../../../src/core/netpol/calico-selector.ts';
import type { Cluster, Connection, ResolvedEndpoint, Verdict } from '../../../src/core/netpol/index.ts';
import { calicoClusterArb } from './calico-policy-arbitraries.ts';
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

function referenceSide(cluster: Cluster, v: Verdict, npOnly: Verdict, d: D): boolean {
  const start = referenceStart(cluster, v, d);
  if (!start) return true;
  const { subject, other, destination } = start;
  if (start.admin !== 'next') return start.admin === 'allow';
  const np = d === 'Egress' ? npOnly.egress : npOnly.ingress;
  const baseline = () => start.baseline() !== 'deny';
  const calico = (cluster.cniPolicies ?? []).filter((p) => applies(cluster, p, subject, d));
  if (calico.length === 0) return np.isolatedBy.length > 0 ? np.allowed : baseline();
  type Entry = { order: number; p?: CniPolicy };
  const entries: Entry[] = [...calico.map((p) => ({ order: (p.spec as Json).order ?? Infinity, p })), ...(np.isolatedBy.length > 0 ? [{ order: 1000 }] : [])];
  entries.sort((a, b) => a.order - b.order);
  for (const e of entries) {
    if (!e.p) {
      if (np.allowedBy.length > 0) return true;
      continue;
    }
    for (const r of (e.p.spec as Json)[d === 'Ingress' ? 'ingress' : 'egress'] ?? []) {
      if (!ruleMatches(cluster, e.p, r, d, other, v.connection, destination) || r.action === 'Log') continue;
      if (r.action === 'Pass') return baseline();
      return r.action === 'Allow';
    }
  }
  return false; // the end of the tier: some policy of it applies here
}

describe('netpol Calico properties', function () {
  this.timeout(60000);

  it('(k1) the evaluator agrees with a direct reading of the Calico rules', () => {
    let decidedByCalico = 0;
    assertSidesAgree(calicoClusterArb, referenceSide, 1000, (side) => {
      if (side.decidedBy.tier === 'Calico') decidedByCalico++;
    });
    assert.ok(decidedByCalico > 100, `Calico decided only ${decidedByCalico} sides`);
  });
});
