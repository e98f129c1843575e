// Saved cluster states: kubectl's List, multi-document YAML, JSON.
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/core/errors.ts';
import { parseStateFile } from '../../../src/kube/state-file.ts';

const nsYaml = (name: string, extra = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${extra}`;
const npYaml = (ns: string, name: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: fe}}\n`;
const indent = (text: string) => text.trimEnd().split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n');

const summary = (text: string) => {
  const s = parseStateFile(text, 'state.yaml');
  return {
    namespaces: s.namespaces.map((n) => `${n.metadata.name}${n.phase === 'Terminating' ? ' (terminating)' : ''}`),
    policies: s.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
  };
};

describe('kube/state-file: parseStateFile', () => {
  const expected = { namespaces: ['a', 'b (terminating)'], policies: ['a/web'] };
  const inputs: [what: string, text: string][] = [
    ['a kubectl List (YAML)', `apiVersion: v1\nkind: List\nitems:\n${indent(nsYaml('a'))}\n${indent(nsYaml('b', 'status:\n  phase: Terminating\n'))}\n${indent(npYaml('a', 'web'))}\n`],
    ['multi-document YAML', [nsYaml('a'), nsYaml('b', '  deletionTimestamp: "2024-05-01T11:00:00Z"\n'), npYaml('a', 'web')].join('---\n')],
    ['a kubectl List (JSON)', JSON.stringify({
      apiVersion: 'v1', kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' }, status: { phase: 'Terminating' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'a' }, spec: { podSelector: {} } },
      ],
    })],
    ['nested lists in several documents', `kind: List\nitems:\n${indent(nsYaml('a'))}\n---\nkind: NetworkPolicyList\nitems:\n${indent(npYaml('a', 'web'))}\n---\n${nsYaml('b', 'status: {phase: Terminating}\n')}`],
  ];
  for (const [what, text] of inputs) it(`reads ${what}`, () => assert.deepEqual(summary(text), expected));

  it('keeps `from` of plain YAML', () => {
    const s = parseStateFile([nsYaml('a'), npYaml('a', 'web')].join('---\n'), 'f');
    assert.deepEqual(s.policies[0]?.spec.ingress, [{ from: [{ podSelector: { matchLabels: { app: 'fe' } } }] }]);
  });

  it('other kinds are ignored; pods and nodes are read', () => {
    const text = [nsYaml('a'), 'kind: ConfigMap\nmetadata: {name: x, namespace: a}\n', 'kind: Pod\nmetadata: {name: p, namespace: a}\nstatus: {podIP: 10.0.0.1}\n', 'kind: Node\nmetadata: {name: n1}\n'].join('---\n');
    const s = parseStateFile(text, 'f');
    assert.deepEqual([s.namespaces.length, s.policies.length, s.pods.map((p) => p.podIPs[0]), s.nodes.map((n) => n.metadata.name)], [1, 0, ['10.0.0.1'], ['n1']]);
  });

  const refused: [what: string, text: string, message: RegExp][] = [
    ['no Namespace objects', npYaml('a', 'web'), /^state\.yaml has no Namespace objects, so namespaces without policies cannot be seen$/],
    ['an empty file', '', /^state\.yaml has no Namespace objects/],
    ['an empty List', 'kind: List\nitems: []\n', /^state\.yaml has no Namespace objects/],
    ['invalid YAML', 'kind: List\nitems: [\n', /^state\.yaml is not valid YAML or JSON: /],
    ['a scalar document', 'just text\n', /^state\.yaml has no Namespace objects/],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what} with a UsageError saying how to save a state`, () => {
      assert.throws(() => parseStateFile(text, 'state.yaml'), (e: unknown) => e instanceof UsageError && message.test(e.message) && e.hint.includes('kubectl get namespaces,networkpolicies -A -o yaml'));
    });
  }
});

describe('kube/state-file: cluster-wide policy kinds', () => {
  const ns = nsYaml('shop');
  const kinds = (text: string) => {
    const s = parseStateFile(text, 'state.yaml');
    return {
      policies: s.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
      clusterPolicies: s.clusterPolicies.map((p) => `${p.kind} ${p.apiVersion} ${p.metadata.name} ${p.spec.tier}/${p.spec.priority}`),
      cniPolicies: s.cniPolicies.map((p) => `${p.kind} ${p.apiVersion} ${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name}`),
    };
  };

  it('reads every kind of `kubectl get clusternetworkpolicies,ciliumnetworkpolicies,... -A -o yaml`, by kind and API group', () => {
    const text = `apiVersion: v1
kind: List
items:
${indent(ns)}
${indent(npYaml('shop', 'web'))}
- {apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy, metadata: {name: cnp}, spec: {tier: Admin, priority: 4, subject: {namespaces: {}}}}
- {apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy, metadata: {name: anp}, spec: {priority: 9, subject: {namespaces: {}}}}
- {apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: default}, spec: {subject: {namespaces: {}}}}
- {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: {name: cnp, namespace: shop}, spec: {endpointSelector: {}}}
- {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy, metadata: {name: ccnp}, spec: {endpointSelector: {}}}
- {apiVersion: projectcalico.org/v3, kind: NetworkPolicy, metadata: {name: allow-dns, namespace: shop}, spec: {selector: all()}}
- {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy, metadata: {name: deny-all}, spec: {selector: all()}}
- {apiVersion: projectcalico.org/v3, kind: Tier, metadata: {name: security}, spec: {order: 100}}
- {apiVersion: crd.antrea.io/v1beta1, kind: NetworkPolicy, metadata: {name: anp, namespace: shop}, spec: {priority: 1}}
- {apiVersion: crd.antrea.io/v1beta1, kind: ClusterNetworkPolicy, metadata: {name: acnp}, spec: {priority: 1}}
- {apiVersion: crd.antrea.io/v1beta1, kind: Tier, metadata: {name: mine}, spec: {priority: 10}}
`;
    assert.deepEqual(kinds(text), {
      policies: ['shop/web'],
      clusterPolicies: ['ClusterNetworkPolicy policy.networking.k8s.io/v1alpha2 cnp Admin/4', 'AdminNetworkPolicy policy.networking.k8s.io/v1alpha1 anp Admin/9', 'BaselineAdminNetworkPolicy policy.networking.k8s.io/v1alpha1 default Baseline/0'],
      cniPolicies: [
        'CiliumNetworkPolicy cilium.io/v2 shop/cnp', 'CiliumClusterwideNetworkPolicy cilium.io/v2 ccnp',
        'CalicoNetworkPolicy projectcalico.org/v3 shop/allow-dns', 'CalicoGlobalNetworkPolicy projectcalico.org/v3 deny-all', 'CalicoTier projectcalico.org/v3 security',
        'AntreaNetworkPolicy crd.antrea.io/v1beta1 shop/anp', 'AntreaClusterNetworkPolicy crd.antrea.io/v1beta1 acnp', 'AntreaTier crd.antrea.io/v1beta1 mine',
      ],
    });
  });

  it('a NetworkPolicy is Kubernetes\' with networking.k8s.io or no apiVersion; Calico\'s and Antrea\'s by their group', () => {
    const text = [ns, npYaml('shop', 'k8s'), 'kind: NetworkPolicy\nmetadata: {name: bare, namespace: shop}\nspec: {podSelector: {}}\n',
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: calico, namespace: shop}\nspec: {selector: all()}\n',
      'apiVersion: crd.antrea.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: antrea, namespace: shop}\nspec: {priority: 2}\n',
      'apiVersion: example.com/v1\nkind: NetworkPolicy\nmetadata: {name: other, namespace: shop}\nspec: {}\n'].join('---\n');
    const k = kinds(text);
    assert.deepEqual([k.policies, k.cniPolicies], [['shop/k8s', 'shop/bare'], ['CalicoNetworkPolicy projectcalico.org/v3 shop/calico', 'AntreaNetworkPolicy crd.antrea.io/v1alpha1 shop/antrea']]);
  });

  it('Calico saved from both groups: the v3 view only (they are the same objects); from the CRDs alone: the stored names', () => {
    const crd = 'apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: default.allow-dns, namespace: shop}\nspec: {tier: default}\n';
    const v3 = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: allow-dns, namespace: shop}\nspec: {tier: default}\n';
    assert.deepEqual(kinds([ns, crd, v3].join('---\n')).cniPolicies, ['CalicoNetworkPolicy projectcalico.org/v3 shop/allow-dns']);
    assert.deepEqual(kinds([ns, crd].join('---\n')).cniPolicies, ['CalicoNetworkPolicy crd.projectcalico.org/v1 shop/default.allow-dns']);
    // Tiers the same way: the v3 view when both were saved.
    const tiers = ['apiVersion: crd.projectcalico.org/v1\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n', 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n'];
    assert.deepEqual(kinds([ns, ...tiers].join('---\n')).cniPolicies, ['CalicoTier projectcalico.org/v3 security']);
    assert.deepEqual(kinds([ns, tiers[0]!].join('---\n')).cniPolicies, ['CalicoTier crd.projectcalico.org/v1 security']);
  });

  it('a typed list (`kubectl get --raw`) gives its items kind and apiVersion', () => {
    const raw = JSON.stringify({ kind: 'CiliumClusterwideNetworkPolicyList', apiVersion: 'cilium.io/v2', items: [{ metadata: { name: 'x' }, specs: [{ endpointSelector: {} }] }] });
    assert.deepEqual(kinds([ns, raw].join('\n---\n')).cniPolicies, ['CiliumClusterwideNetworkPolicy cilium.io/v2 x']);
  });
});
