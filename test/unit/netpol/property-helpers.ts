// Shared by the tier, Cilium, Calico and Antrea property tests: slow, direct helpers that never use the evaluator's
// matching code (addresses through node:net's BlockList, selectors by hand).
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import type { ClusterPolicy, ClusterPolicyPeer, ClusterPolicyRule, LabelSelector, Labels, Pod } from '../../../src/core/model.ts';
import { createEvaluator, EndpointError, type Cluster, type Connection, type ConnectionClass, type ResolvedEndpoint, type Verdict } from '../../../src/core/netpol/index.ts';
import { connectionArb } from './arbitraries.ts';

export function selectorHolds(s: LabelSelector, labels: Labels): boolean {
  const okLabels = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const okExpr = (s.matchExpressions ?? []).every((e) => {
    const has = k(labels, e.key);
    if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'Exists') return has;
    return !has;
  });
  return okLabels && okExpr;
}
export const k = (l: Labels, key: string) => Object.prototype.hasOwnProperty.call(l, key);

export function nsLabels(cluster: Cluster, namespace: string): Labels {
  const n = cluster.namespaces.find((x) => x.metadata.name === namespace);
  return { ...(n?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

export function findPod(cluster: Cluster, e: ResolvedEndpoint): Pod | undefined {
  if (e.kind !== 'pod') return undefined;
  return cluster.pods.find((p) => p.metadata.namespace === e.pod.namespace && p.metadata.name === e.pod.name);
}

export function inCidr(cidr: string, address: string): boolean {
  const [base, bits] = cidr.split('/');
  const family = net.isIPv6(base!) ? 'ipv6' : 'ipv4';
  if ((net.isIPv6(address) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new net.BlockList();
  list.addSubnet(base!, Number(bits), family);
  return list.check(address, family);
}

export function judged(cluster: Cluster, c: Connection): Verdict | undefined {
  try {
    const v = createEvaluator(cluster).evaluate(c);
    const hasAddress = (e: Verdict['from']) => e.kind === 'external' || e.address !== undefined;
    return hasAddress(v.from) && hasAddress(v.to) ? v : undefined;
  } catch (e) {
    if (e instanceof EndpointError) return undefined;
    throw e;
  }
}

export function samplePorts(cls: ConnectionClass): number[] {
  return [cls.ports.from, Math.floor((cls.ports.from + cls.ports.to) / 2), cls.ports.to];
}

export function inClass(cls: ConnectionClass, v: Verdict): boolean {
  const c = v.connection;
  const holds = (e: ConnectionClass['from'], r: ResolvedEndpoint) => {
    if (e.kind === 'pod') return r.kind === 'pod' && r.pod.namespace === e.pod.namespace && r.pod.name === e.pod.name && r.address === e.address;
    return r.kind !== 'pod' && r.address !== undefined && e.ranges.some((x) => addressBetween(r.address!, x.start, x.end));
  };
  return cls.protocol === c.protocol && cls.ports.from <= c.port && c.port <= cls.ports.to && holds(cls.from, v.from) && holds(cls.to, v.to);
}

export function addressBetween(a: string, start: string, end: string): boolean {
  const family = net.isIPv6(a) ? 'ipv6' : 'ipv4';
  if ((net.isIPv6(start) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new net.BlockList();
  list.addRange(start, end, family);
  return list.check(a, family);
}


export function peerHolds(cluster: Cluster, peer: ClusterPolicyPeer, other: ResolvedEndpoint): boolean {
  const pod = findPod(cluster, other);
  if ('namespaces' in peer) return !!pod && selectorHolds(peer.namespaces, nsLabels(cluster, pod.metadata.namespace));
  if ('pods' in peer) return !!pod && selectorHolds(peer.pods.namespaceSelector, nsLabels(cluster, pod.metadata.namespace)) && selectorHolds(peer.pods.podSelector, pod.metadata.labels ?? {});
  if ('networks' in peer) return other.address !== undefined && peer.networks.some((c) => inCidr(c, other.address!));
  if ('nodes' in peer) {
    if (other.kind !== 'node' || other.node === undefined) return false;
    const node = cluster.nodes.find((n) => n.metadata.name === other.node);
    return !!node && selectorHolds(peer.nodes, node.metadata.labels ?? {});
  }
  return false;
}

export function portHolds(rule: ClusterPolicyRule, c: Connection, destination: Pod | undefined): boolean {
  if (!rule.ports) return true;
  return rule.ports.some((p) => {
    if ('namedPort' in p) return !!destination?.containerPorts.some((cp) => cp.name === p.namedPort && (cp.protocol ?? 'TCP') === c.protocol && cp.containerPort === c.port);
    return p.protocol === c.protocol && p.port <= c.port && c.port <= (p.endPort ?? p.port);
  });
}

export type Outcome = 'allow' | 'deny' | 'next';

/** Is `subject` in the policy's subject (never a hostNetwork pod)? */
export function subjectHolds(cluster: Cluster, p: ClusterPolicy, subject: Pod): boolean {
  if (subject.hostNetwork === true) return false;
  const s = p.spec.subject;
  const labels = nsLabels(cluster, subject.metadata.namespace);
  return 'namespaces' in s ? selectorHolds(s.namespaces, labels) : selectorHolds(s.pods.namespaceSelector, labels) && selectorHolds(s.pods.podSelector, subject.metadata.labels ?? {});
}

/** The first rule of `p` matching the connection, as an outcome; undefined when none does. */
export function ruleOutcome(cluster: Cluster, p: ClusterPolicy, d: 'Ingress' | 'Egress', other: ResolvedEndpoint, c: Connection, destination: Pod | undefined): Outcome | undefined {
  for (const r of d === 'Ingress' ? p.spec.ingress : p.spec.egress) {
    if (!r.peers.some((peer) => peerHolds(cluster, peer, other)) || !portHolds(r, c, destination)) continue;
    return r.action === 'Pass' ? 'next' : r.action === 'Accept' ? 'allow' : 'deny';
  }
  return undefined;
}

export function tier(cluster: Cluster, policies: ClusterPolicy[], subject: Pod, d: 'Ingress' | 'Egress', other: ResolvedEndpoint, c: Connection, destination: Pod | undefined): Outcome {
  const chosen = policies.filter((p) => subjectHolds(cluster, p, subject)).sort((a, b) => a.spec.priority - b.spec.priority);
  for (const p of chosen) {
    const outcome = ruleOutcome(cluster, p, d, other, c, destination);
    if (outcome) return outcome;
  }
  return 'next';
}


/**
 * What every reference reading of one side starts with, from the API texts: the subject pod and the
 * other end (undefined when the subject is not a pod: nothing judges that side), the destination
 * for named ports, the Admin tier's outcome, and the Baseline tier's, to call when reached.
 */
export function referenceStart(cluster: Cluster, v: Verdict, d: 'Ingress' | 'Egress') {
  const subjectEnd = d === 'Egress' ? v.from : v.to;
  const other = d === 'Egress' ? v.to : v.from;
  const subject = findPod(cluster, subjectEnd);
  if (!subject || subjectEnd.kind !== 'pod') return undefined;
  const destination = d === 'Ingress' ? subject : findPod(cluster, other);
  const cps = cluster.clusterPolicies ?? [];
  const inTier = (t: 'Admin' | 'Baseline') => tier(cluster, cps.filter((p) => p.spec.tier === t), subject, d, other, v.connection, destination);
  return { subject, other, destination, admin: inTier('Admin'), baseline: () => inTier('Baseline') };
}

type Reference = (cluster: Cluster, v: Verdict, npOnly: Verdict, d: 'Ingress' | 'Egress') => boolean;

/**
 * The first property of every tiered suite: on random clusters and connections, each side the
 * evaluator judges agrees with `reference`, a direct reading of the API text that gets the plain
 * NetworkPolicy verdict for the NetworkPolicy tier. `seen` is shown each side (to check that the
 * generators reach what the suite is about).
 */
export function assertSidesAgree(
  clusters: fc.Arbitrary<Cluster>,
  reference: Reference,
  numRuns: number,
  seen: (side: Verdict['egress']) => void = () => {},
  connections: (cluster: Cluster) => fc.Arbitrary<Connection[]> = (cluster) => fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 }),
): void {
  const scenario = clusters.chain((cluster) => fc.tuple(fc.constant(cluster), connections(cluster)));
  fc.assert(
    fc.property(scenario, ([cluster, connections]) => {
      const npOnlyEval = createEvaluator({ ...cluster, clusterPolicies: [], cniPolicies: [], ciliumMode: 'default' });
      for (const c of connections) {
        const v = judged(cluster, c);
        if (!v) continue;
        const npOnly = npOnlyEval.evaluate(c);
        for (const d of ['Egress', 'Ingress'] as const) {
          const side: Verdict['egress'] = d === 'Egress' ? v.egress : v.ingress;
          seen(side);
          assert.equal(side.allowed, reference(cluster, v, npOnly, d), `${d} ${JSON.stringify(c)} ${JSON.stringify(side.decidedBy)} ${JSON.stringify(cluster.cniPolicies)} mode ${cluster.ciliumMode}`);
        }
      }
    }),
    { numRuns },
  );
}
