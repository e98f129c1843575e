// The remediation proof under cluster-wide policies: what the placeholder would deny, open, or
// cannot be vouched for, per namespace, for today's pods and for pods started later.
import assert from 'node:assert/strict';
import type { ClusterPolicy, CniPolicy, NetworkPolicy, PolicyApiRead } from '../../../src/core/model.ts';
import { placeholderPolicy, type TemplateName } from '../../../src/core/placeholder.ts';
import { proveCreates, type ProofState } from '../../../src/core/proof.ts';
import { cnp, e2eModel, fromNamespaces, inNamespaces, networks, podsIn, rule } from '../netpol/fixtures.ts';

function state(clusterPolicies: ClusterPolicy[], extra: Partial<ProofState> = {}): ProofState {
  const m = e2eModel();
  return { namespaces: m.namespaces, pods: m.pods, nodes: m.nodes, policies: [], clusterPolicies, cniPolicies: [], unreadable: [], ...extra };
}

function prove(s: ProofState, namespaces: string[], template: TemplateName = 'allow-all') {
  const creates: NetworkPolicy[] = namespaces.map((n) => placeholderPolicy(n, { name: 'cis-default-allow', template, version: 't' }));
  return proveCreates(s, creates, creates[0]);
}

const baselineDeny = cnp('isolate-x', 'Baseline', 10, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Deny', [fromNamespaces()], undefined, 'deny-from-all-namespaces')] });
const adminDeny = cnp('protect-x', 'Admin', 10, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Deny', [fromNamespaces({ ns: 'y' })])] });

describe('core/proof: the placeholder under cluster-wide policies', () => {
  it('a Baseline deny: the placeholder opens it, for today\'s pods and for future ones, and the lines name the rule', () => {
    const r = prove(state([baselineDeny]), ['x', 'y']);
    const x = r.namespaces.get('x')!;
    assert.deepEqual([x.denied, x.unproven], [[], []]);
    assert.ok(x.opened.some((l) => /^ingress to all 3 pods in ns x from all 3 pods in ns y on all ports/.test(l)), x.opened.join('\n'));
    assert.ok(x.opened.some((l) => l.startsWith('ingress to any pod in x (now or later) from ')), x.opened.join('\n'));
    assert.deepEqual(r.namespaces.get('y'), { denied: [], opened: [], unproven: [] });
  });

  it('an Admin deny is decided before NetworkPolicies: nothing changes', () => {
    const r = prove(state([adminDeny]), ['x']);
    assert.deepEqual(r.namespaces.get('x'), { denied: [], opened: [], unproven: [] });
  });

  it('a Baseline deny for labelled pods only: future pods with those labels are checked too', () => {
    const webOnly = cnp('isolate-web', 'Baseline', 10, { subject: podsIn({ ns: 'x' }, { app: 'web' }), ingress: [rule('Deny', [fromNamespaces()])] });
    const x = prove(state([webOnly]), ['x']).namespaces.get('x')!;
    assert.deepEqual(x.opened.length > 0 && x.opened.every((l) => l.startsWith('ingress to any pod in x labelled app=web (now or later)')), true, x.opened.join('\n'));
  });

  it('a Baseline egress deny to the internet is opened for egress only', () => {
    const noInternet = cnp('no-internet', 'Baseline', 10, { subject: inNamespaces({ ns: 'x' }), egress: [rule('Deny', [networks('0.0.0.0/0')])] });
    const x = prove(state([noInternet]), ['x']).namespaces.get('x')!;
    assert.ok(x.opened.length > 0 && x.opened.every((l) => l.startsWith('egress from ')), x.opened.join('\n'));
  });

  it('select-none changes nothing anywhere, whatever else is there', () => {
    const cilium: CniPolicy = { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'lockdown' }, spec: { endpointSelector: {} } };
    const unreadable: PolicyApiRead[] = [{ group: 'crd.antrea.io', version: 'v1beta1', resource: 'clusternetworkpolicies', kind: 'AntreaClusterNetworkPolicy', state: 'unreadable', message: 'Forbidden' }];
    const r = prove(state([baselineDeny], { cniPolicies: [cilium], unreadable }), ['x'], 'select-none');
    assert.deepEqual(r.namespaces.get('x'), { denied: [], opened: [], unproven: [] });
  });

  it('a namespaced Antrea policy with a part the model cannot decide (FQDN) makes its own namespace unproven, not others', () => {
    const antrea: CniPolicy = { kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: 'db', namespace: 'x' }, spec: { priority: 5, appliedTo: [{ podSelector: { matchLabels: { app: 'db' } } }], egress: [{ action: 'Allow', to: [{ fqdn: '*.example.com' }] }] } };
    const r = prove(state([], { cniPolicies: [antrea] }), ['x', 'y']);
    assert.match(r.namespaces.get('x')!.unproven.join('\n'), /^not proven: AntreaNetworkPolicy x\/db \(.*\) may select pods started here later and has parts the proof cannot model: egress\[0\]\.to\[0\] has fqdn "\*\.example\.com"/);
    assert.deepEqual(r.namespaces.get('y')!.unproven, []);
  });

  it('an Antrea ClusterNetworkPolicy is modelled: a Drop in the application Tier comes before the NetworkPolicies, so nothing changes', () => {
    const acnp: CniPolicy = { kind: 'AntreaClusterNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: 'lockdown' }, spec: { priority: 5, appliedTo: [{ namespaceSelector: {} }], ingress: [{ action: 'Drop' }] } };
    const r = prove(state([], { cniPolicies: [acnp] }), ['x', 'y']);
    for (const n of ['x', 'y']) assert.deepEqual(r.namespaces.get(n), { denied: [], opened: [], unproven: [] });
  });

  it('the same Drop in the baseline Tier is opened by the placeholder, which isolates the pods (and future ones), and named', () => {
    const acnp: CniPolicy = { kind: 'AntreaClusterNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: 'lockdown' }, spec: { priority: 5, tier: 'baseline', appliedTo: [{ namespaceSelector: {} }], ingress: [{ action: 'Drop', name: 'no-ingress' }] } };
    const x = prove(state([], { cniPolicies: [acnp] }), ['x']).namespaces.get('x')!;
    assert.deepEqual([x.denied, x.unproven], [[], []]);
    assert.ok(x.opened.some((l) => /^ingress to all 3 pods in ns x from .*dropped by AntreaClusterNetworkPolicy lockdown ingress rule ingress\[0\] \(no-ingress\), tier baseline/.test(l)), x.opened.join('\n'));
    assert.ok(x.opened.some((l) => l.startsWith('ingress to any pod in x (now or later) from ')), x.opened.join('\n'));
  });

  it('a Cilium policy is modelled: a clusterwide one isolating every pod is opened by the placeholder, and named', () => {
    const ccnp: CniPolicy = { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'lockdown' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] } };
    const r = prove(state([], { cniPolicies: [ccnp] }), ['x', 'y']);
    for (const n of ['x', 'y']) {
      const p = r.namespaces.get(n)!;
      assert.deepEqual([p.denied, p.unproven], [[], []]);
      assert.ok(p.opened.length > 0 && p.opened.every((l) => /^ingress to .* from 0\.0\.0\.0\/0 .*today isolated by CiliumClusterwideNetworkPolicy lockdown spec/.test(l)), p.opened.join('\n'));
    }
  });

  it('a Cilium policy with parts the model cannot decide names the pods it selects today; one without rules applies to nothing (as Cilium documents)', () => {
    const web: CniPolicy = { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'a-only', namespace: 'x' }, spec: { endpointSelector: { matchLabels: { pod: 'a' } }, egress: [{ toFQDNs: [{ matchName: 'example.com' }] }] } };
    const empty: CniPolicy = { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'no-rules', namespace: 'x' }, spec: { endpointSelector: {} } };
    const x = prove(state([], { cniPolicies: [web, empty] }), ['x']).namespaces.get('x')!;
    assert.equal(x.unproven.length, 1);
    assert.match(x.unproven[0]!, /CiliumNetworkPolicy x\/a-only \(.*egress\) selects pods a here and has parts the proof cannot model: spec.egress\[0\] has toFQDNs/);
  });

  it('an unreadable policy API is named in every namespace', () => {
    const unreadable: PolicyApiRead[] = [{ group: 'policy.networking.k8s.io', version: 'v1alpha2', resource: 'clusternetworkpolicies', kind: 'ClusterNetworkPolicy', state: 'unreadable', message: 'Forbidden: list clusternetworkpolicies' }];
    const r = prove(state([], { unreadable }), ['x']);
    assert.deepEqual(r.namespaces.get('x')!.unproven, ['could not read clusternetworkpolicies.policy.networking.k8s.io (Forbidden: list clusternetworkpolicies): the proof does not cover ClusterNetworkPolicy objects']);
  });

  it('two Baseline policies of equal priority that may both apply: their order is open, so not proven', () => {
    const a = cnp('a', 'Baseline', 5, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Accept', [fromNamespaces({ ns: 'y' })])] });
    const b = cnp('b', 'Baseline', 5, { subject: inNamespaces(), ingress: [rule('Deny', [fromNamespaces()])] });
    const x = prove(state([a, b]), ['x']).namespaces.get('x')!;
    assert.match(x.unproven.join('\n'), /ClusterNetworkPolicy\/a and ClusterNetworkPolicy\/b share priority 5 in the Baseline tier/);
  });

  it('a Baseline rule with domainNames peers cannot be evaluated: not proven', () => {
    const dns = cnp('allow-registry', 'Baseline', 5, { subject: inNamespaces(), egress: [rule('Accept', [{ domainNames: ['registry.example.com'] }])] });
    const x = prove(state([dns]), ['x']).namespaces.get('x')!;
    assert.match(x.unproven.join('\n'), /domainNames peers/);
  });
});
