// Properties of the tiered model on random clusters with random Admin and Baseline policies:
// (t1) the evaluator agrees with a slow, direct reading of the SIG API text, written here without
//      the evaluator's code (addresses through node:net's BlockList, selectors by hand);
// (t2) the two-sided comparison is exact: every sample of every class has the class's verdicts
//      before and after, and every connection whose verdict changes lies in a class.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Protocol } from '../../../src/core/model.ts';
import { compareConnectivity, createEvaluator, type Cluster, type Connection, type ResolvedEndpoint, type Verdict } from '../../../src/core/netpol/index.ts';
import { findPod, inClass, judged, samplePorts, tier } from './property-helpers.ts';
import { connectionArb, policyArb, tieredClusterArb } from './arbitraries.ts';
import { placeholderPolicy, type TemplateName } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';

const RUNS = { numRuns: 200 };

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
