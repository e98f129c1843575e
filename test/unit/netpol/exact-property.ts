// The exactness property of the two-sided comparison, shared by the tier, Cilium and Calico suites:
// every sample of every class has the class's verdicts before and after, and every sampled connection
// whose verdict changes lies in a class of its own way (denied or opened).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Protocol } from '../../../src/core/model.ts';
import { compareConnectivity, createEvaluator, type Cluster, type ConnectionClass } from '../../../src/core/netpol/index.ts';
import { connectionArb, policyArb } from './arbitraries.ts';
import { inClass, judged, samplePorts } from './property-helpers.ts';

function end(e: ConnectionClass['from']) {
  return e.kind === 'pod' ? { kind: 'pod' as const, namespace: e.pod.namespace, name: e.pod.name, ip: e.address } : { kind: 'ip' as const, ip: e.ranges[0]!.start };
}

export function assertComparisonExact(clusters: fc.Arbitrary<Cluster>, numRuns: number): void {
  const scenario = clusters.chain((cluster) =>
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
          for (const port of samplePorts(cls)) {
            const c = { from: end(cls.from), to: end(cls.to), port, protocol: cls.protocol as Protocol };
            assert.equal(b.evaluate(c).allowed, was, `before: ${cls.description}`);
            assert.equal(a.evaluate(c).allowed, !was, `after: ${cls.description}`);
          }
        }
      }
      for (const c of connections) {
        const v0 = judged({ ...cluster, policies: before }, c);
        const v1 = judged({ ...cluster, policies: after }, c);
        if (!v0 || !v1 || v0.allowed === v1.allowed) continue;
        assert.ok((v0.allowed ? r.denied : r.allowed).some((cls) => inClass(cls, v1)), `no class holds ${JSON.stringify(v1.from)} -> ${JSON.stringify(v1.to)} ${c.protocol} ${c.port} (${v0.allowed ? 'denied' : 'opened'})`);
      }
    }),
    { numRuns },
  );
}
