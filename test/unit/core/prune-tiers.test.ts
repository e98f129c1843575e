// prune under the SIG tiers: removing an allow-all placeholder hands the pods no other
// NetworkPolicy selects back to the Baseline tier, and the plan says what that denies.
import assert from 'node:assert/strict';
import { pruneConnectivity } from '../../../src/core/prune.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import { cnp, e2eModel, fromNamespaces, inNamespaces, policy, rule } from '../netpol/fixtures.ts';

describe('core/prune: the placeholder beside cluster-wide tiers', () => {
  const m = e2eModel();
  const placeholder = placeholderPolicy('x', { name: 'cis-default-allow', template: 'allow-all', version: 't' });
  const onlyA = policy('x', 'a-ingress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{}] });
  const state = (clusterPolicies: ReturnType<typeof cnp>[]) => ({ ...m, policies: [placeholder, onlyA], clusterPolicies });

  it('a Baseline deny comes back for the pods no other policy selects, named with its rule', () => {
    const baseline = cnp('isolate-x', 'Baseline', 10, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Deny', [fromNamespaces({ ns: 'y' })], undefined, 'no-y')] });
    const r = pruneConnectivity(state([baseline]), [placeholder]).byNamespace.get('x')!;
    assert.equal(r.unchanged, false);
    assert.ok(r.details.length > 0 && r.details.every((c) => c.to.kind === 'pod' && c.to.pod.name !== 'a'), r.denied.join('\n'));
    assert.ok(r.details.some((c) => /denied by ClusterNetworkPolicy\/isolate-x rule no-y in the Baseline tier/.test(c.description)), r.details.map((c) => c.description).join('\n'));
  });

  it('without the Baseline policy, removing it denies nothing (a allows all ingress; b and c become non-isolated)', () => {
    const r = pruneConnectivity(state([]), [placeholder]).byNamespace.get('x')!;
    assert.deepEqual([r.unchanged, r.denied], [true, []]);
  });
});
