// Properties of the tiered model on random clusters with random Admin and Baseline policies:
// (t1) the evaluator agrees with a slow, direct reading of the SIG API text, written here without
//      the evaluator's code (addresses through node:net's BlockList, selectors by hand);
// (t2) the two-sided comparison is exact: every sample of every class has the class's verdicts
//      before and after, and every connection whose verdict changes lies in a class.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Cluster, Verdict } from '../../../src/core/netpol/index.ts';
import { assertSidesAgree, judged, referenceStart } from './property-helpers.ts';
import { connectionArb, tieredClusterArb } from './arbitraries.ts';
import { assertComparisonExact } from './exact-property.ts';
import { placeholderPolicy, type TemplateName } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';

const RUNS = { numRuns: 200 };

/** One side, read straight from the API text; the NetworkPolicy tier's verdict comes from the plain NetworkPolicy evaluator. */
function referenceSide(cluster: Cluster, v: Verdict, npOnly: Verdict, d: 'Ingress' | 'Egress'): boolean {
  const start = referenceStart(cluster, v, d);
  if (!start) return true;
  const { subject, other, destination } = start;
  if (start.admin !== 'next') return start.admin === 'allow';
  const np = d === 'Egress' ? npOnly.egress : npOnly.ingress;
  if (np.isolatedBy.length > 0) return np.allowed;
  return start.baseline() !== 'deny';
}

describe('netpol tier properties', function () {
  this.timeout(30000);

  it('(t1) the evaluator agrees with a direct reading of the tier rules', () => {
    assertSidesAgree(tieredClusterArb, referenceSide, RUNS.numRuns);
  });

  it('(t2) the two-sided comparison is exact under tiers', () => assertComparisonExact(tieredClusterArb, RUNS.numRuns));

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
