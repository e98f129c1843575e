// The policy index a watch keeps across batches (policy-index.ts) against one built at once from the
// same policies. The watch patches it per namespace on every change and reads "after" as an
// overlay; both must be exactly what indexing the current list afresh gives, and a comparison over
// them exactly the comparison over the lists. (The watch-level property, a whole proof from the
// store, is in test/unit/watch/incremental.test.ts; this one also sees what a proof's result hides:
// the totals and the namespaces no target is in.)
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { NetworkPolicy } from '../../../src/core/model.ts';
import { compareConnectivity } from '../../../src/core/netpol/index.ts';
import { compilePolicies } from '../../../src/core/netpol/compile.ts';
import { indexPolicies, KeptPolicyIndex, type PolicyIndex } from '../../../src/core/netpol/policy-index.ts';
import { clusterArb, NAMESPACES, policyArb } from './arbitraries.ts';
import { policy } from './fixtures.ts';

// Content the API server would reject: a compile problem each, which the totals must count too.
const invalidArb = fc.constantFrom(...NAMESPACES).chain((namespace) =>
  fc.constantFrom('nope', '10.0.0.0/33').map((cidr) => policy(namespace, `bad-${cidr}`, { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr } }] }] })),
);
const listArb = fc.array(fc.oneof({ weight: 4, arbitrary: policyArb() }, { weight: 1, arbitrary: invalidArb }), { maxLength: 3 });
// One namespace's list replaced (an empty list: its last policy, or the namespace, went).
const patchArb = fc.record({ namespace: fc.constantFrom(...NAMESPACES), list: listArb }).map(({ namespace, list }) => ({
  namespace,
  list: list.map((p) => ({ ...p, metadata: { ...p.metadata, namespace } })),
}));

function sameIndex(actual: PolicyIndex, expected: PolicyIndex): void {
  for (const ns of NAMESPACES) assert.deepEqual(actual.in(ns), expected.in(ns), `policies of ${ns}`);
  const texts = (i: PolicyIndex) => i.ipBlocks().map((b) => b.text).sort();
  assert.deepEqual(texts(actual), texts(expected), 'ipBlocks');
  assert.deepEqual(actual.problems(), expected.problems(), 'problems');
}

function flatten(lists: ReadonlyMap<string, readonly NetworkPolicy[]>): NetworkPolicy[] {
  return NAMESPACES.flatMap((ns) => [...(lists.get(ns) ?? [])]);
}

describe('policy index: kept and patched equals built at once', () => {
  it('after any sequence of per-namespace replacements, and as an overlay of further ones', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { minLength: 1, maxLength: 10 }), fc.array(patchArb, { maxLength: 3 }), (history, overlay) => {
        const kept = new KeptPolicyIndex();
        const current = new Map<string, NetworkPolicy[]>(NAMESPACES.map((ns) => [ns, []]));
        for (const { namespace, list } of history) {
          kept.set(namespace, list);
          current.set(namespace, list);
          sameIndex(kept, indexPolicies(flatten(current)));
        }
        const replacing = new Map(overlay.map(({ namespace, list }) => [namespace, list] as const));
        const after = kept.replaced(new Map([...replacing].map(([ns, list]) => [ns, compilePolicies(list)])));
        sameIndex(after, indexPolicies(flatten(new Map([...current, ...replacing]))));
        sameIndex(kept, indexPolicies(flatten(current)));
      }),
      { numRuns: 300 },
    );
  });

  it('a comparison over the kept index and its overlay equals the comparison over the lists', () => {
    fc.assert(
      fc.property(clusterArb, fc.array(patchArb, { maxLength: 4 }), fc.array(policyArb(), { maxLength: 3 }), (cluster, earlier, added) => {
        // Earlier states of the store, then the one compared: what a long-lived index went through.
        const kept = new KeptPolicyIndex();
        for (const { namespace, list } of earlier) kept.set(namespace, list);
        for (const ns of NAMESPACES) kept.set(ns, cluster.policies.filter((p) => p.metadata.namespace === ns));
        const lists = new Map<string, ReturnType<typeof compilePolicies>>();
        for (const p of added) lists.set(p.metadata.namespace, [...(lists.get(p.metadata.namespace) ?? kept.in(p.metadata.namespace)), ...compilePolicies([p])]);
        const scope = { namespaces: [...new Set(added.map((p) => p.metadata.namespace))], includeNewlyAllowed: true };
        const before = NAMESPACES.flatMap((ns) => cluster.policies.filter((p) => p.metadata.namespace === ns));
        const after = NAMESPACES.flatMap((ns) => [...before.filter((p) => p.metadata.namespace === ns), ...added.filter((p) => p.metadata.namespace === ns)]);
        assert.deepEqual(compareConnectivity(cluster, kept, kept.replaced(lists), scope), compareConnectivity(cluster, before, after, scope));
      }),
      { numRuns: 150 },
    );
  });
});
