// Properties of the tiered model on random clusters with random Admin and Baseline policies:
// (t1) the evaluator agrees with a slow, direct reading of the SIG API text, written here without
//      the evaluator's code (addresses through node:net's BlockList, selectors by hand);
// (t2) the two-sided comparison is exact: every sample of every class has the class's verdicts
//      before and after, and every connection whose verdict changes lies in a class.
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import type { ClusterPolicy, ClusterPolicyPeer, ClusterPolicyRule, LabelSelector, Labels, Pod, Protocol } from '../../../src/core/model.ts';
import { compareConnectivity, createEvaluator, type Cluster, type Connection, type ConnectionClass, type ResolvedEndpoint, type Verdict } from '../../../src/core/netpol/index.ts';
import { connectionArb, judged, policyArb, tieredClusterArb } from './arbitraries.ts';
import { placeholderPolicy, type TemplateName } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';

const RUNS = { numRuns: 200 };

function selectorHolds(s: LabelSelector, labels: Labels): boolean {
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
const k = (l: Labels, key: string) => Object.prototype.hasOwnProperty.call(l, key);

function nsLabels(cluster: Cluster, namespace: string): Labels {
  const n = cluster.namespaces.find((x) => x.metadata.name === namespace);
  return { ...(n?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

function findPod(cluster: Cluster, e: ResolvedEndpoint): Pod | undefined {
  if (e.kind !== 'pod') return undefined;
  return cluster.pods.find((p) => p.metadata.namespace === e.pod.namespace && p.metadata.name === e.pod.name);
}

function inCidr(cidr: string, address: string): boolean {
  const [base, bits] = cidr.split('/');
  const family = net.isIPv6(base!) ? 'ipv6' : 'ipv4';
  if ((net.isIPv6(address) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new net.BlockList();
  list.addSubnet(base!, Number(bits), family);
  return list.check(address, family);
}

function peerHolds(cluster: Cluster, peer: ClusterPolicyPeer, other: ResolvedEndpoint): boolean {
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

function portHolds(rule: ClusterPolicyRule, c: Connection, destination: Pod | undefined): boolean {
  if (!rule.ports) return true;
  return rule.ports.some((p) => {
    if ('namedPort' in p) return !!destination?.containerPorts.some((cp) => cp.name === p.namedPort && (cp.protocol ?? 'TCP') === c.protocol && cp.containerPort === c.port);
    return p.protocol === c.protocol && p.port <= c.port && c.port <= (p.endPort ?? p.port);
  });
}

type Outcome = 'allow' | 'deny' | 'next';

function tier(cluster: Cluster, policies: ClusterPolicy[], subject: Pod, d: 'Ingress' | 'Egress', other: ResolvedEndpoint, c: Connection, destination: Pod | undefined): Outcome {
  const chosen = policies
    .filter((p) => subject.hostNetwork !== true)
    .filter((p) => {
      const s = p.spec.subject;
      const labels = nsLabels(cluster, subject.metadata.namespace);
      return 'namespaces' in s ? selectorHolds(s.namespaces, labels) : selectorHolds(s.pods.namespaceSelector, labels) && selectorHolds(s.pods.podSelector, subject.metadata.labels ?? {});
    })
    .sort((a, b) => a.spec.priority - b.spec.priority);
  for (const p of chosen) {
    for (const r of d === 'Ingress' ? p.spec.ingress : p.spec.egress) {
      if (!r.peers.some((peer) => peerHolds(cluster, peer, other)) || !portHolds(r, c, destination)) continue;
      return r.action === 'Pass' ? 'next' : r.action === 'Accept' ? 'allow' : 'deny';
    }
  }
  return 'next';
}

/** One side, read straight from the API text; the NetworkPolicy tier's verdict comes from the plain NetworkPolicy evaluator. */
function referenceSide(cluster: Cluster, v: Verdict, npOnly: Verdict, d: 'Ingress' | 'Egress'): boolean {
  const subjectEnd = d === 'Egress' ? v.from : v.to;
  const other = d === 'Egress' ? v.to : v.from;
  const subject = findPod(cluster, subjectEnd);
  if (!subject || subjectEnd.kind !== 'pod') return true;
  const destination = d === 'Ingress' ? subject : findPod(cluster, other);
  const cps = cluster.clusterPolicies ?? [];
  const admin = tier(cluster, cps.filter((p) => p.spec.tier === 'Admin'), subject, d, other, v.connection, destination);
  if (admin !== 'next') return admin === 'allow';
  const np = d === 'Egress' ? npOnly.egress : npOnly.ingress;
  if (np.isolatedBy.length > 0) return np.allowed;
  const baseline = tier(cluster, cps.filter((p) => p.spec.tier === 'Baseline'), subject, d, other, v.connection, destination);
  return baseline !== 'deny';
}


function samplePorts(cls: ConnectionClass): number[] {
  return [cls.ports.from, Math.floor((cls.ports.from + cls.ports.to) / 2), cls.ports.to];
}

function inClass(cls: ConnectionClass, v: Verdict): boolean {
  const c = v.connection;
  const holds = (e: ConnectionClass['from'], r: ResolvedEndpoint) => {
    if (e.kind === 'pod') return r.kind === 'pod' && r.pod.namespace === e.pod.namespace && r.pod.name === e.pod.name && r.address === e.address;
    return r.kind !== 'pod' && r.address !== undefined && e.ranges.some((x) => addressBetween(r.address!, x.start, x.end));
  };
  return cls.protocol === c.protocol && cls.ports.from <= c.port && c.port <= cls.ports.to && holds(cls.from, v.from) && holds(cls.to, v.to);
}

function addressBetween(a: string, start: string, end: string): boolean {
  const family = net.isIPv6(a) ? 'ipv6' : 'ipv4';
  if ((net.isIPv6(start) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new net.BlockList();
  list.addRange(start, end, family);
  return list.check(a, family);
}

describe('netpol tier properties', function () {
  this.timeout(30000);

  it('(t1) the evaluator agrees with a direct reading of the tier rules', () => {
    const scenario = tieredClusterArb.chain((cluster) => fc.tuple(fc.constant(cluster), fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 })));
    fc.assert(
      fc.property(scenario, ([cluster, connections]) => {
        const npOnlyEval = createEvaluator({ ...cluster, clusterPolicies: [] });
        for (const c of connections) {
          const v = judged(cluster, c);
          if (!v) continue;
          const npOnly = npOnlyEval.evaluate(c);
          for (const d of ['Egress', 'Ingress'] as const) {
            const side: Verdict['egress'] = d === 'Egress' ? v.egress : v.ingress;
            assert.equal(side.allowed, referenceSide(cluster, v, npOnly, d), `${d} ${JSON.stringify(c)} ${JSON.stringify(side.decidedBy)}`);
          }
        }
      }),
      RUNS,
    );
  });

  it('(t2) the two-sided comparison is exact under tiers', () => {
    const scenario = tieredClusterArb.chain((cluster) =>
      fc.tuple(fc.constant(cluster), fc.array(policyArb(undefined, 'after'), { maxLength: 2 }), fc.subarray(cluster.policies), fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 })),
    );
    fc.assert(
      fc.property(scenario, ([cluster, added, kept, connections]) => {
        const before = cluster.policies;
        const after = [...kept, ...added];
        const b = createEvaluator({ ...cluster, policies: before });
        const a = createEvaluator({ ...cluster, policies: after });
        const r = compareConnectivity(cluster, before, after, { includeNewlyAllowed: true });
        for (const [list, was] of [[r.denied, true], [r.allowed, false]] as const) {
          for (const cls of list) {
            const from = cls.from.kind === 'pod' ? { kind: 'pod' as const, namespace: cls.from.pod.namespace, name: cls.from.pod.name, ip: cls.from.address } : { kind: 'ip' as const, ip: cls.from.ranges[0]!.start };
            const to = cls.to.kind === 'pod' ? { kind: 'pod' as const, namespace: cls.to.pod.namespace, name: cls.to.pod.name, ip: cls.to.address } : { kind: 'ip' as const, ip: cls.to.ranges[0]!.start };
            for (const port of samplePorts(cls)) {
              const c = { from, to, port, protocol: cls.protocol as Protocol };
              assert.equal(b.evaluate(c).allowed, was, `before: ${cls.description}`);
              assert.equal(a.evaluate(c).allowed, !was, `after: ${cls.description}`);
            }
          }
        }
        for (const c of connections) {
          const v0 = judged({ ...cluster, policies: before }, c);
          const v1 = judged({ ...cluster, policies: after }, c);
          if (!v0 || !v1 || v0.allowed === v1.allowed) continue;
          const list = v0.allowed ? r.denied : r.allowed;
          assert.ok(list.some((cls) => inClass(cls, v1)), `no class holds ${JSON.stringify(v1.from)} -> ${JSON.stringify(v1.to)} ${c.protocol} ${c.port} (${v0.allowed ? 'denied' : 'opened'})`);
        }
      }),
      RUNS,
    );
  });

  it('(t3) remediate\'s proof: where it says unchanged, every probe keeps its verdict (can-reach agrees); where a probe changes, the namespace is refused', () => {
    const scenario = tieredClusterArb.chain((cluster) =>
      fc.tuple(fc.constant(cluster), fc.constantFrom<TemplateName>('allow-all', 'cluster-internal', 'select-none'), fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 })),
    );
    const flips = { denied: 0, opened: 0 };
    fc.assert(
      fc.property(scenario, ([cluster, template, connections]) => {
        const before = cluster.policies.filter((p) => p.metadata.namespace !== 'a');
        const create = placeholderPolicy('a', { name: 'cis-default-allow', template, version: 't' });
        const state = { namespaces: cluster.namespaces, pods: cluster.pods, nodes: cluster.nodes, policies: before, clusterPolicies: cluster.clusterPolicies ?? [], cniPolicies: [], unreadable: [] };
        const proof = proveCreates(state, [create], create).namespaces.get('a')!;
        const unchanged = proof.denied.length + proof.opened.length + proof.unproven.length === 0;
        const b = { ...cluster, policies: before };
        const a = { ...cluster, policies: [...before, create] };
        for (const c of connections) {
          const v0 = judged(b, c);
          const v1 = judged(a, c);
          if (!v0 || !v1) continue;
          if (v0.allowed === v1.allowed) continue;
          assert.ok(!unchanged, `proof said unchanged for ${template}, but ${JSON.stringify(c)} went ${v0.allowed} -> ${v1.allowed}`);
          // Each way is reported as such: a denial among `denied`, an opening among `opened` (unless unproven).
          if (proof.unproven.length === 0) assert.ok((v0.allowed ? proof.denied : proof.opened).length > 0, `${template}: ${JSON.stringify(c)} went ${v0.allowed} -> ${v1.allowed}, not listed that way`);
          flips[v0.allowed ? 'denied' : 'opened']++;
        }
        if (template === 'select-none') assert.ok(unchanged, 'select-none changes nothing');
      }),
      { numRuns: 400 },
    );
    // The generators must reach both kinds of change, or this property proves little.
    assert.ok(flips.denied > 0 && flips.opened > 0, JSON.stringify(flips));
  });
});
