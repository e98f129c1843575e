// (n1) With random Antrea-native policies next to NetworkPolicies and SIG tiers, the evaluator
// agrees with a slow reading of docs/antrea-network-policy.md written here from the JSON spec:
// Tiers by priority (static and Tier objects), policies by priority, rules in order, first match;
// Pass skips the other Tiers to the NetworkPolicies; baseline only for pods no NetworkPolicy
// isolates; ingress from the pod's own node always allowed. Addresses through node:net.
// (c2)/(c3) for Antrea run in cilium-properties with the same generators.
import assert from 'node:assert/strict';
import type { CniPolicy, Pod } from '../../../src/core/model.ts';
import type { Cluster, Connection, ResolvedEndpoint, Verdict } from '../../../src/core/netpol/index.ts';
import { antreaClusterArb } from './antrea-arbitraries.ts';
import { assertSidesAgree, findPod, inCidr, nsLabels, referenceStart, ruleOutcome, selectorHolds, subjectHolds } from './property-helpers.ts';

type Json = Record<string, any>;
type D = 'Ingress' | 'Egress';
const TIER_PRIORITY: Record<string, number> = { emergency: 50, securityops: 100, networkops: 150, platform: 200, application: 250, baseline: 253 };

function tierPriority(cluster: Cluster, p: CniPolicy): number {
  const name = (p.spec as Json).tier ?? 'application';
  const custom = (cluster.cniPolicies ?? []).find((t) => t.kind === 'AntreaTier' && t.metadata.name === name);
  return custom ? (custom.spec as Json).priority : TIER_PRIORITY[name]!;
}

function ruleApplies(cluster: Cluster, p: CniPolicy, r: Json, pod: Pod): boolean {
  if (pod.hostNetwork) return false;
  if (p.kind === 'AntreaNetworkPolicy' && pod.metadata.namespace !== p.metadata.namespace) return false;
  const spec = p.spec as Json;
  const entries: Json[] = spec.appliedTo?.length ? spec.appliedTo : r.appliedTo ?? [];
  return entries.some((e) => selectorHolds(e.podSelector ?? {}, pod.metadata.labels ?? {}) && (e.namespaceSelector === undefined || selectorHolds(e.namespaceSelector, nsLabels(cluster, pod.metadata.namespace))));
}

function peerHolds(cluster: Cluster, p: CniPolicy, peer: Json, other: ResolvedEndpoint, subject: Pod): boolean {
  if (peer.ipBlock) return other.address !== undefined && inCidr(peer.ipBlock.cidr, other.address) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(e, other.address!));
  if (peer.nodeSelector) {
    const node = other.kind === 'node' ? cluster.nodes.find((n) => n.metadata.name === other.node) : undefined;
    return !!node && selectorHolds(peer.nodeSelector, node.metadata.labels ?? {});
  }
  const pod = findPod(cluster, other);
  if (!pod || other.kind !== 'pod') return false;
  const ns = pod.metadata.namespace;
  const inNs = peer.namespaces ? ns === subject.metadata.namespace
    : peer.namespaceSelector ? selectorHolds(peer.namespaceSelector, nsLabels(cluster, ns))
      : p.kind === 'AntreaClusterNetworkPolicy' || ns === p.metadata.namespace;
  return inNs && selectorHolds(peer.podSelector ?? {}, pod.metadata.labels ?? {});
}

function portsHold(r: Json, c: Connection, destination: Pod | undefined): boolean {
  if (!r.ports && !r.protocols) return true;
  return (r.ports ?? []).some((x: Json) => {
    if ((x.protocol ?? 'TCP') !== c.protocol) return false;
    if (x.port === undefined) return true;
    if (typeof x.port === 'string') return !!destination?.containerPorts.some((cp) => cp.name === x.port && (cp.protocol ?? 'TCP') === c.protocol && cp.containerPort === c.port);
    return x.port <= c.port && c.port <= (x.endPort ?? x.port);
  });
}

/** The first rule of an Antrea policy that applies to `subject` and matches, as its action. */
function antreaAction(cluster: Cluster, p: CniPolicy, d: D, subject: Pod, other: ResolvedEndpoint, c: Connection, destination: Pod | undefined): string | undefined {
  for (const r of ((p.spec as Json)[d === 'Ingress' ? 'ingress' : 'egress'] ?? []) as Json[]) {
    if (!ruleApplies(cluster, p, r, subject)) continue;
    const peers: Json[] = r[d === 'Ingress' ? 'from' : 'to'] ?? [];
    if (peers.length > 0 && !peers.some((x) => peerHolds(cluster, p, x, other, subject))) continue;
    if (!portsHold(r, c, destination)) continue;
    return r.action;
  }
  return undefined;
}

// Antrea runs ClusterNetworkPolicy's Admin tier at Tier priority 220, AdminNetworkPolicy at 251.
const ADMIN_AT: Record<string, number> = { ClusterNetworkPolicy: 220, AdminNetworkPolicy: 251 };
const SIG_ACTION: Record<string, string | undefined> = { allow: 'Allow', deny: 'Drop', next: 'Pass' };

function referenceSide(cluster: Cluster, v: Verdict, npOnly: Verdict, d: D): boolean {
  const start = referenceStart(cluster, v, d);
  if (!start) return true;
  const { subject, other, destination } = start;
  const c = v.connection;
  const antrea = (cluster.cniPolicies ?? []).filter((p) => p.kind !== 'AntreaTier').sort((a, b) => tierPriority(cluster, a) - tierPriority(cluster, b) || (a.spec as Json).priority - (b.spec as Json).priority);
  if (antrea.length === 0) {
    if (start.admin !== 'next') return start.admin === 'allow';
  } else {
    // One list: the Antrea Tiers but baseline (not for ingress from the pod's own node) and the Admin tier.
    const ownNode = d === 'Ingress' && other.kind === 'node' && other.node !== undefined && other.node === subject.nodeName;
    type Unit = { at: number; priority: number; action: () => string | undefined };
    const units: Unit[] = [
      ...antrea.filter((p) => tierPriority(cluster, p) !== 253 && !ownNode).map((p) => ({ at: tierPriority(cluster, p), priority: (p.spec as Json).priority, action: () => antreaAction(cluster, p, d, subject, other, c, destination) })),
      ...(cluster.clusterPolicies ?? []).filter((p) => p.spec.tier === 'Admin' && subjectHolds(cluster, p, subject)).map((p) => ({ at: ADMIN_AT[p.kind]!, priority: p.spec.priority, action: () => SIG_ACTION[ruleOutcome(cluster, p, d, other, c, destination) ?? 'none'] })),
    ].sort((a, b) => a.at - b.at || a.priority - b.priority);
    for (const u of units) {
      const action = u.action();
      if (action === 'Pass') break;
      if (action !== undefined) return action === 'Allow';
    }
  }
  const np = d === 'Egress' ? npOnly.egress : npOnly.ingress;
  if (np.isolatedBy.length > 0) return np.allowed;
  const ownNode = d === 'Ingress' && other.kind === 'node' && other.node !== undefined && other.node === subject.nodeName;
  const base = ownNode ? undefined : antrea.filter((p) => tierPriority(cluster, p) === 253).map((p) => antreaAction(cluster, p, d, subject, other, c, destination)).find((a) => a !== undefined);
  if (base !== undefined) return base === 'Allow';
  return start.baseline() !== 'deny';
}

describe('netpol Antrea properties', function () {
  this.timeout(60000);

  it('(n1) the evaluator agrees with a direct reading of the Antrea rules', () => {
    const decided = { allow: 0, deny: 0, baseline: 0 };
    assertSidesAgree(antreaClusterArb, referenceSide, 1000, (side) => {
      if (side.decidedBy.tier === 'Antrea') decided[side.decidedBy.antreaTier === 'baseline' ? 'baseline' : side.allowed ? 'allow' : 'deny']++;
    });
    assert.ok(decided.allow > 40 && decided.deny > 100 && decided.baseline > 25, `Antrea decided too few sides: ${JSON.stringify(decided)}`);
  });
});
