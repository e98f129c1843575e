// prune under the SIG tiers: removing an allow-all placeholder hands the pods no other
// NetworkPolicy selects back to the Baseline tier, and the plan says what that denies.
import assert from 'node:assert/strict';
import { pruneConnectivity } from '../../../src/core/prune.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import type { CniPolicy } from '../../../src/core/model.ts';
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

// The same model as the proof: Calico's tiers and Cilium's rules decide what removing it denies.
describe('core/prune: the placeholder beside Cilium and Calico policies', () => {
  const m = e2eModel();
  const placeholder = placeholderPolicy('x', { name: 'cis-default-allow', template: 'allow-all', version: 't' });
  const onlyA = policy('x', 'a-ingress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{}] });
  const prune = (cniPolicies: CniPolicy[]) => pruneConnectivity({ ...m, policies: [placeholder, onlyA], clusterPolicies: [], cniPolicies }, [placeholder]).byNamespace.get('x')!;
  const tier = (name: string, order?: number): CniPolicy => ({ kind: 'CalicoTier', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec: order === undefined ? {} : { order } });
  const denyY = (name: string, spec: Record<string, unknown>): CniPolicy => ({
    kind: 'CalicoGlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name },
    spec: { selector: "projectcalico.org/namespace == 'x'", ingress: [{ action: 'Deny', source: { namespaceSelector: "ns == 'y'" } }], ...spec },
  });
  const fromY = (r: ReturnType<typeof prune>) => r.details.filter((c) => c.from.kind === 'pod' && c.from.pod.namespace === 'y');

  it('a Calico tier after the default tier: pods the placeholder isolated now reach it, and its Deny is listed by tier, policy and rule', () => {
    const r = prune([tier('default', 1_000_000), tier('late'), denyY('late.deny-y', { tier: 'late' })]);
    assert.equal(r.unchanged, false);
    assert.deepEqual([...new Set(fromY(r).map((c) => c.to.kind === 'pod' ? c.to.pod.name : ''))].sort(), ['b', 'c']);
    assert.ok(fromY(r).every((c) => c.description.includes('CalicoGlobalNetworkPolicy late.deny-y ingress rule ingress[0] (tier late, order Infinity)')), fromY(r).map((c) => c.description).join('\n'));
  });

  it('a default-tier Calico Deny after the NetworkPolicies (order 2000) takes effect once the placeholder goes; one before them (500) decided already', () => {
    assert.ok(fromY(prune([denyY('deny-y', { order: 2000 })])).length > 0);
    const before = prune([denyY('deny-y', { order: 500 })]);
    assert.deepEqual([fromY(before), before.unproven], [[], []]);
  });

  it('a Cilium rule selecting b: removing the placeholder leaves its allow list alone to decide', () => {
    const cilium: CniPolicy = { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'b-from-a', namespace: 'x' }, spec: { endpointSelector: { matchLabels: { pod: 'b' } }, ingress: [{ fromEndpoints: [{ matchLabels: { pod: 'a' } }] }] } };
    const r = prune([cilium]);
    assert.ok(r.details.length > 0 && r.details.every((c) => c.to.kind === 'pod' && c.to.pod.name === 'b'), r.denied.join('\n'));
  });

  it('a Calico policy of a tier that is not read: not proven, named, never "unchanged"', () => {
    const r = prune([tier('default', 1_000_000), denyY('ghost.deny-y', { tier: 'ghost' })]);
    assert.equal(r.unchanged, false);
    assert.ok(r.unproven.some((l) => /not proven: CalicoGlobalNetworkPolicy ghost\.deny-y .*tier ghost: no Tier object of that name was read/.test(l)), r.unproven.join('\n'));
  });
});
