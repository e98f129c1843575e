// Discovery answers as kube-apiserver writes them → which policy kinds are read, at which version.
import assert from 'node:assert/strict';
import { DiscoveryError, parseDiscovery, planReads, type ServedApis } from '../../../src/kube/discovery.ts';
import { aggregated, discoveryGroup, groupList } from './discovery-fixtures.ts';

const summary = (s: ServedApis) => planReads(s).map((p) => `${p.spec.kind} ${p.action === 'read' ? `${p.target.group}/${p.target.version}` : 'absent'}`);

describe('kube/discovery: parseDiscovery and planReads', () => {
  const everything = [
    discoveryGroup('policy.networking.k8s.io', { v1beta1: ['clusternetworkpolicies'], v1alpha2: ['clusternetworkpolicies'], v1alpha1: ['adminnetworkpolicies', 'baselineadminnetworkpolicies'] }),
    discoveryGroup('cilium.io', { v2: ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies', 'ciliumendpoints'] }),
    discoveryGroup('projectcalico.org', { v3: ['networkpolicies', 'globalnetworkpolicies', 'tiers'] }),
    discoveryGroup('crd.projectcalico.org', { v1: ['networkpolicies', 'globalnetworkpolicies'] }),
    discoveryGroup('crd.antrea.io', { v1beta1: ['clusternetworkpolicies', 'networkpolicies', 'tiers'], v1alpha1: ['clusternetworkpolicies', 'networkpolicies'] }),
  ];
  const all = [
    'ClusterNetworkPolicy policy.networking.k8s.io/v1beta1', 'AdminNetworkPolicy policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy policy.networking.k8s.io/v1alpha1',
    'CiliumNetworkPolicy cilium.io/v2', 'CiliumClusterwideNetworkPolicy cilium.io/v2',
    'CalicoNetworkPolicy projectcalico.org/v3', 'CalicoGlobalNetworkPolicy projectcalico.org/v3', 'CalicoTier projectcalico.org/v3',
    'AntreaClusterNetworkPolicy crd.antrea.io/v1beta1', 'AntreaNetworkPolicy crd.antrea.io/v1beta1', 'AntreaTier crd.antrea.io/v1beta1',
  ];

  for (const v of ['v2', 'v2beta1'] as const) {
    it(`aggregated ${v}: every kind served is read once, Calico at v3 only, Antrea at v1beta1`, () => {
      const s = parseDiscovery(aggregated(v, ...everything));
      assert.equal(s.mode, 'aggregated');
      assert.deepEqual(summary(s), all);
    });
  }

  it('aggregated: nothing of ours served → every kind absent, reported at its preferred version', () => {
    const plan = planReads(parseDiscovery(aggregated('v2')));
    assert.deepEqual(plan.map((p) => `${p.action} ${p.target.resource}.${p.target.group}/${p.target.version}`), [
      'absent clusternetworkpolicies.policy.networking.k8s.io/v1beta1', 'absent adminnetworkpolicies.policy.networking.k8s.io/v1alpha1',
      'absent baselineadminnetworkpolicies.policy.networking.k8s.io/v1alpha1', 'absent ciliumnetworkpolicies.cilium.io/v2',
      'absent ciliumclusterwidenetworkpolicies.cilium.io/v2', 'absent networkpolicies.projectcalico.org/v3',
      'absent globalnetworkpolicies.projectcalico.org/v3', 'absent tiers.projectcalico.org/v3', 'absent clusternetworkpolicies.crd.antrea.io/v1beta1', 'absent networkpolicies.crd.antrea.io/v1beta1',
      'absent tiers.crd.antrea.io/v1beta1',
    ]);
  });

  it('aggregated: resources are checked, not only versions (v1alpha1 without BANP; Antrea v1beta1 without networkpolicies)', () => {
    const s = parseDiscovery(aggregated('v2',
      discoveryGroup('policy.networking.k8s.io', { v1alpha1: ['adminnetworkpolicies'] }),
      discoveryGroup('crd.antrea.io', { v1beta1: ['clusternetworkpolicies'], v1alpha1: ['networkpolicies'] })));
    assert.deepEqual(summary(s).filter((l) => !l.endsWith('absent')), ['AdminNetworkPolicy policy.networking.k8s.io/v1alpha1', 'AntreaClusterNetworkPolicy crd.antrea.io/v1beta1', 'AntreaNetworkPolicy crd.antrea.io/v1alpha1']);
  });

  it('Calico without its API server: crd.projectcalico.org/v1 is read instead; Tiers where served (3.29+)', () => {
    const s = parseDiscovery(aggregated('v2', discoveryGroup('crd.projectcalico.org', { v1: ['networkpolicies', 'globalnetworkpolicies', 'ippools'] })));
    assert.deepEqual(summary(s).filter((l) => l.startsWith('Calico')), ['CalicoNetworkPolicy crd.projectcalico.org/v1', 'CalicoGlobalNetworkPolicy crd.projectcalico.org/v1', 'CalicoTier absent']);
    const tiers = parseDiscovery(aggregated('v2', discoveryGroup('crd.projectcalico.org', { v1: ['networkpolicies', 'globalnetworkpolicies', 'tiers'] })));
    assert.deepEqual(summary(tiers).filter((l) => l.startsWith('CalicoTier')), ['CalicoTier crd.projectcalico.org/v1']);
  });

  it('Calico v3 Stale (its API server down) and the CRDs served: the CRDs; v3 Stale alone: v3 (its list then says why)', () => {
    const stale = discoveryGroup('projectcalico.org', { v3: ['networkpolicies', 'globalnetworkpolicies'] }, { v3: 'Stale' });
    let s = parseDiscovery(aggregated('v2', stale, discoveryGroup('crd.projectcalico.org', { v1: ['networkpolicies', 'globalnetworkpolicies'] })));
    assert.deepEqual([...s.stale], ['projectcalico.org/v3']);
    assert.deepEqual(summary(s).filter((l) => l.startsWith('Calico')), ['CalicoNetworkPolicy crd.projectcalico.org/v1', 'CalicoGlobalNetworkPolicy crd.projectcalico.org/v1', 'CalicoTier absent']);
    s = parseDiscovery(aggregated('v2', stale));
    assert.deepEqual(summary(s).filter((l) => l.startsWith('Calico')), ['CalicoNetworkPolicy projectcalico.org/v3', 'CalicoGlobalNetworkPolicy projectcalico.org/v3', 'CalicoTier absent']);
  });

  it('APIGroupList fallback: a served group/version counts for all its resources', () => {
    const s = parseDiscovery(groupList(['policy.networking.k8s.io', ['v1alpha2', 'v1alpha1']], ['cilium.io', ['v2', 'v2alpha1']], ['crd.projectcalico.org', ['v1']], ['crd.antrea.io', ['v1beta1', 'v1alpha1']]));
    assert.equal(s.mode, 'group-list');
    assert.deepEqual(summary(s), [
      'ClusterNetworkPolicy policy.networking.k8s.io/v1alpha2', 'AdminNetworkPolicy policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy policy.networking.k8s.io/v1alpha1',
      'CiliumNetworkPolicy cilium.io/v2', 'CiliumClusterwideNetworkPolicy cilium.io/v2',
      'CalicoNetworkPolicy crd.projectcalico.org/v1', 'CalicoGlobalNetworkPolicy crd.projectcalico.org/v1', 'CalicoTier crd.projectcalico.org/v1',
      'AntreaClusterNetworkPolicy crd.antrea.io/v1beta1', 'AntreaNetworkPolicy crd.antrea.io/v1beta1', 'AntreaTier crd.antrea.io/v1beta1',
    ]);
  });

  it('ClusterNetworkPolicy: v1beta1 when served, else v1alpha2 (the same fields)', () => {
    const s = parseDiscovery(aggregated('v2', discoveryGroup('policy.networking.k8s.io', { v1alpha2: ['clusternetworkpolicies'] })));
    assert.equal(summary(s)[0], 'ClusterNetworkPolicy policy.networking.k8s.io/v1alpha2');
  });

  it('APIGroupList fallback: only v1alpha1 of Antrea, no SIG group', () => {
    const s = parseDiscovery(groupList(['crd.antrea.io', ['v1alpha1']]));
    assert.deepEqual(summary(s).filter((l) => !l.endsWith('absent')), ['AntreaClusterNetworkPolicy crd.antrea.io/v1alpha1', 'AntreaNetworkPolicy crd.antrea.io/v1alpha1', 'AntreaTier crd.antrea.io/v1alpha1']);
  });

  const refused: [what: string, body: unknown][] = [
    ['a Status', { kind: 'Status', apiVersion: 'v1', status: 'Failure' }],
    ['an unknown discovery version', { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v3', items: [] }],
    ['not an object', 'hello'],
  ];
  for (const [what, body] of refused) {
    it(`refuses ${what} with a DiscoveryError`, () => assert.throws(() => parseDiscovery(body), DiscoveryError));
  }
});
