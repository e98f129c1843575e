// Audit beside cluster-wide policies: CIS 5.3.2 still counts NetworkPolicy objects; coverage by a
// cluster-wide policy is a note, or COVERED when the user opts in; the placeholder notes know tiers.
import assert from 'node:assert/strict';
import { audit } from '../../../src/core/audit.ts';
import type { CniPolicy } from '../../../src/core/model.ts';
import { cnp, fromNamespaces, inNamespaces, podsIn, rule } from '../netpol/fixtures.ts';
import { FIXED_NOW, namespace, ours, policy, scope, snapshot } from '../builders.ts';

const baseline = cnp('isolate-tenants', 'Baseline', 10, { subject: inNamespaces({ tenant: 'yes' }), ingress: [rule('Deny', [fromNamespaces()])] });
const admin = cnp('protect', 'Admin', 5, { subject: inNamespaces(), egress: [rule('Accept', [fromNamespaces({ 'kubernetes.io/metadata.name': 'kube-system' })])] });
const tenant = (name: string) => namespace(name, { labels: { tenant: 'yes' } });

describe('core/audit: cluster-wide policies', () => {
  it('a namespace without NetworkPolicies stays FAIL, with a note naming what covers it', () => {
    const r = audit(snapshot({ namespaces: [tenant('a'), namespace('b')], clusterPolicies: [baseline, admin] }), scope(), FIXED_NOW);
    const [a, b] = r.findings;
    assert.deepEqual([a!.status, a!.notes.map((n) => n.message)], ['FAIL', ['covered by ClusterNetworkPolicy isolate-tenants (Baseline tier, priority 10)', 'covered by ClusterNetworkPolicy protect (Admin tier, priority 5)']]);
    assert.deepEqual([b!.status, b!.notes.map((n) => n.message)], ['FAIL', ['covered by ClusterNetworkPolicy protect (Admin tier, priority 5)']]);
    assert.equal(r.compliant, false);
  });

  it('--count-cluster-policies: COVERED counts as passing, and an uncovered namespace still fails', () => {
    const r = audit(snapshot({ namespaces: [tenant('a'), namespace('b')], clusterPolicies: [baseline] }), scope(), FIXED_NOW, { countClusterPolicies: true });
    assert.deepEqual(r.findings.map((f) => `${f.namespace} ${f.status}`), ['a COVERED', 'b FAIL']);
    assert.deepEqual([r.summary.covered, r.summary.failed, r.summary.checked, r.compliant], [1, 1, 2, false]);
    const ok = audit(snapshot({ namespaces: [tenant('a')], clusterPolicies: [baseline] }), scope(), FIXED_NOW, { countClusterPolicies: true });
    assert.equal(ok.compliant, true);
  });

  it('a policy without rules covers nothing', () => {
    const never = cnp('never', 'Baseline', 1, { subject: podsIn({}, {}), ingress: [] });
    const r = audit(snapshot({ namespaces: [namespace('a')], clusterPolicies: [never] }), scope(), FIXED_NOW, { countClusterPolicies: true });
    assert.equal(r.findings[0]!.status, 'FAIL');
  });

  it('CNI kinds: a namespaced one in the namespace, a cluster-wide one that selects its pods', () => {
    const cnpol: CniPolicy = { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'web', namespace: 'a' }, spec: { endpointSelector: {}, ingress: [{}] } };
    const ccnp: CniPolicy = { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'all' }, spec: { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }] } };
    const r = audit(snapshot({ namespaces: [namespace('a'), namespace('b')], cniPolicies: [cnpol, ccnp] }), scope(), FIXED_NOW);
    assert.deepEqual(r.findings.map((f) => f.notes.map((n) => n.message)), [
      ['covered by CiliumNetworkPolicy a/web', 'covered by CiliumClusterwideNetworkPolicy all'],
      ['covered by CiliumClusterwideNetworkPolicy all'],
    ]);
  });

  it('an allow-all placeholder overrides a Baseline deny too; a select-none one overrides nothing', () => {
    const allowAll = audit(snapshot({ namespaces: [tenant('a')], policies: [ours('a')], clusterPolicies: [baseline, admin] }), scope(), FIXED_NOW);
    assert.deepEqual(allowAll.findings[0]!.notes.filter((n) => n.kind === 'placeholder-overrides').map((n) => n.message), [
      'placeholder overrides 1 stricter policy incl. Baseline-tier ClusterNetworkPolicy/isolate-tenants (policies are additive; remove it with `kubectl cis-netpol prune`)',
    ]);
    const none = audit(snapshot({ namespaces: [tenant('a')], policies: [ours('a', { template: 'select-none' })], clusterPolicies: [baseline] }), scope(), FIXED_NOW);
    assert.deepEqual(none.findings[0]!.notes.filter((n) => n.kind !== 'covered-by').map((n) => n.message), ['only policy is the cis-netpol placeholder cis-default-allow, which selects no pod and enforces nothing']);
    const mixed = audit(snapshot({ namespaces: [namespace('a')], policies: [ours('a', { template: 'select-none' }), policy('a', 'web')] }), scope(), FIXED_NOW);
    assert.deepEqual(mixed.findings[0]!.notes, []);
  });
});
