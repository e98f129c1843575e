// Cluster-wide policy kinds → the model. Objects written as the upstream documentation writes them
// (network-policy-api.sigs.k8s.io, docs.cilium.io, docs.tigera.io, antrea.io), in YAML.
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import type { CniPolicyKind } from '../../../src/core/model.ts';
import { policyKindOf, toClusterPolicy, toCniPolicy } from '../../../src/kube/convert-policies.ts';

const load = (text: string) => yaml.load(text) as Record<string, unknown>;
const all = { namespaceSelector: {}, podSelector: {} };

describe('kube/convert-policies: policyKindOf (kind + API group)', () => {
  const table: [apiVersion: string | undefined, kind: string, expected: ReturnType<typeof policyKindOf>][] = [
    ['policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', { family: 'cluster', kind: 'ClusterNetworkPolicy' }],
    ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', { family: 'cluster', kind: 'AdminNetworkPolicy' }],
    ['policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', { family: 'cluster', kind: 'BaselineAdminNetworkPolicy' }],
    ['cilium.io/v2', 'CiliumNetworkPolicy', { family: 'cni', kind: 'CiliumNetworkPolicy' }],
    ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy', { family: 'cni', kind: 'CiliumClusterwideNetworkPolicy' }],
    ['projectcalico.org/v3', 'NetworkPolicy', { family: 'cni', kind: 'CalicoNetworkPolicy' }],
    ['crd.projectcalico.org/v1', 'NetworkPolicy', { family: 'cni', kind: 'CalicoNetworkPolicy' }],
    ['projectcalico.org/v3', 'GlobalNetworkPolicy', { family: 'cni', kind: 'CalicoGlobalNetworkPolicy' }],
    ['crd.projectcalico.org/v1', 'GlobalNetworkPolicy', { family: 'cni', kind: 'CalicoGlobalNetworkPolicy' }],
    ['crd.antrea.io/v1beta1', 'NetworkPolicy', { family: 'cni', kind: 'AntreaNetworkPolicy' }],
    ['crd.antrea.io/v1alpha1', 'ClusterNetworkPolicy', { family: 'cni', kind: 'AntreaClusterNetworkPolicy' }],
    ['networking.k8s.io/v1', 'NetworkPolicy', undefined],
    [undefined, 'NetworkPolicy', undefined],
    [undefined, 'ClusterNetworkPolicy', undefined],
    ['v1', 'Namespace', undefined],
  ];
  for (const [apiVersion, kind, expected] of table) {
    it(`${kind} ${apiVersion ?? '(no apiVersion)'} → ${expected ? expected.kind : 'not a policy kind of ours'}`, () => assert.deepEqual(policyKindOf(apiVersion, kind), expected));
  }
});

describe('kube/convert-policies: toClusterPolicy', () => {
  it('v1alpha2 ClusterNetworkPolicy: tier, priority, pods subject, protocols (number, range, all ports, named port)', () => {
    const raw = load(`
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: sensitive-ns, uid: u1, resourceVersion: "7"}
spec:
  tier: Admin
  priority: 10
  subject:
    pods:
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: sensitive-ns}}
      podSelector: {matchLabels: {app: db}}
  ingress:
  - name: deny-from-all
    action: Deny
    from:
    - namespaces: {}
    protocols:
    - tcp: {destinationPort: {number: 5432}}
    - udp: {destinationPort: {range: {start: 1000, end: 2000}}}
    - sctp: {}
    - destinationNamedPort: dns
  egress:
  - name: to-nodes-and-cidr
    action: Accept
    to:
    - nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}
    - networks: [10.0.0.0/8, "fd00::/8"]
    - pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: dns}}}
    - domainNames: ["*.example.com"]
  - name: pass-rest
    action: Pass
    to:
    - namespaces: {matchLabels: {team: a}}
`);
    assert.deepEqual(toClusterPolicy(raw, 'ClusterNetworkPolicy'), {
      kind: 'ClusterNetworkPolicy',
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      metadata: { name: 'sensitive-ns', uid: 'u1', resourceVersion: '7' },
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sensitive-ns' } }, podSelector: { matchLabels: { app: 'db' } } } },
        ingress: [{
          name: 'deny-from-all', action: 'Deny', peers: [{ namespaces: {} }],
          ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'UDP', port: 1000, endPort: 2000 }, { protocol: 'SCTP', port: 1, endPort: 65535 }, { namedPort: 'dns' }],
        }],
        egress: [
          {
            name: 'to-nodes-and-cidr', action: 'Accept',
            peers: [
              { nodes: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] } },
              { networks: ['10.0.0.0/8', 'fd00::/8'] },
              { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'dns' } } } },
              { domainNames: ['*.example.com'] },
            ],
          },
          { name: 'pass-rest', action: 'Pass', peers: [{ namespaces: { matchLabels: { team: 'a' } } }] },
        ],
      },
    });
  });

  it('v1alpha2 Baseline tier with a namespaces subject; a rule without protocols has no ports (all ports)', () => {
    const p = toClusterPolicy(load(`
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default}
spec:
  tier: Baseline
  priority: 0
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
`), 'ClusterNetworkPolicy');
    assert.deepEqual(p.spec, { tier: 'Baseline', priority: 0, subject: { namespaces: {} }, ingress: [{ action: 'Deny', peers: [{ namespaces: {} }] }], egress: [] });
  });

  it('v1alpha1 AdminNetworkPolicy: Admin tier with its priority; Allow → Accept; portNumber, portRange (protocol defaults to TCP), namedPort', () => {
    const p = toClusterPolicy(load(`
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: cluster-allow-example}
spec:
  priority: 30
  subject:
    namespaces: {}
  ingress:
  - action: Allow
    from:
    - namespaces: {}
    ports:
    - portNumber: {protocol: UDP, port: 5353}
    - portRange: {start: 8000, end: 9000}
    - namedPort: web
  - action: Deny
    from:
    - namespaces: {}
  egress:
  - action: Pass
    to:
    - networks: [192.168.0.0/16]
    ports:
    - portRange: {protocol: SCTP, start: 1, end: 10}
`), 'AdminNetworkPolicy');
    assert.deepEqual(p.spec, {
      tier: 'Admin', priority: 30, subject: { namespaces: {} },
      ingress: [
        { action: 'Accept', peers: [{ namespaces: {} }], ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 8000, endPort: 9000 }, { namedPort: 'web' }] },
        { action: 'Deny', peers: [{ namespaces: {} }] },
      ],
      egress: [{ action: 'Pass', peers: [{ networks: ['192.168.0.0/16'] }], ports: [{ protocol: 'SCTP', port: 1, endPort: 10 }] }],
    });
  });

  it('v1alpha1 BaselineAdminNetworkPolicy: Baseline tier, priority 0, Allow → Accept', () => {
    const p = toClusterPolicy(load(`
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject:
    pods:
      namespaceSelector: {matchLabels: {env: prod}}
      podSelector: {}
  ingress:
  - name: deny-all-ingress
    action: Deny
    from: [{namespaces: {}}]
  egress:
  - name: allow-dns
    action: Allow
    to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]
    ports: [{portNumber: {protocol: UDP, port: 53}}]
`), 'BaselineAdminNetworkPolicy');
    assert.deepEqual([p.spec.tier, p.spec.priority, p.spec.subject], ['Baseline', 0, { pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: {} } }]);
    assert.deepEqual(p.spec.egress, [{
      name: 'allow-dns', action: 'Accept',
      peers: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }],
      ports: [{ protocol: 'UDP', port: 53 }],
    }]);
  });

  it('v1alpha1 as network-policy-api v0.1.x wrote it: peer namespaces as a NamespacedPeer, pods with `namespaces`', () => {
    const p = toClusterPolicy(load(`
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: old-shape}
spec:
  priority: 50
  subject:
    pods:
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: sensitive-ns}}
      podSelector: {}
  ingress:
  - action: Deny
    from:
    - namespaces:
        namespaceSelector: {matchLabels: {env: dev}}
    - pods:
        namespaces:
          namespaceSelector: {}
        podSelector: {matchLabels: {app: scanner}}
    - namespaces:
        notSameLabels: [tenant]
`), 'AdminNetworkPolicy');
    assert.deepEqual(p.spec.ingress[0]?.peers, [
      { namespaces: { matchLabels: { env: 'dev' } } },
      { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'scanner' } } } },
      { unknown: '{"namespaces":{"notSameLabels":["tenant"]}}' },
    ]);
  });

  // Fail closed: what we cannot model must never read as narrower than it is.
  const unknownPeers: [what: string, peer: unknown, expected: string][] = [
    ['a field we do not know (a newer CRD)', { serviceAccounts: { name: 'x' } }, '{"serviceAccounts":{"name":"x"}}'],
    ['two fields in one peer', { namespaces: {}, networks: ['10.0.0.0/8'] }, '{"namespaces":{},"networks":["10.0.0.0/8"]}'],
    ['an empty peer', {}, '{}'],
    ['pods without namespaceSelector', { pods: { podSelector: {} } }, '{"pods":{"podSelector":{}}}'],
    ['networks that are not strings', { networks: [10] }, '{"networks":[10]}'],
    ['a selector with a field a LabelSelector does not have', { namespaces: { matchLabels: { a: 'b' }, matchFields: {} } }, '{"namespaces":{"matchLabels":{"a":"b"},"matchFields":{}}}'],
    ['v0.1.x sameLabels', { namespaces: { sameLabels: ['tenant'] } }, '{"namespaces":{"sameLabels":["tenant"]}}'],
  ];
  for (const [what, peer, expected] of unknownPeers) {
    it(`a peer with ${what} becomes { unknown: <json> }`, () => {
      const p = toClusterPolicy({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'x' }, spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [peer] }] } }, 'ClusterNetworkPolicy');
      assert.deepEqual(p.spec.egress[0]?.peers, [{ unknown: expected }]);
    });
  }

  it('an unknown action or port entry fails the rule closed: Deny, with an unknown peer naming it', () => {
    const p = toClusterPolicy({ metadata: { name: 'x' }, spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Log', from: [{ namespaces: {} }], protocols: [{ icmp: {} }, { tcp: { destinationPort: { number: 80 } } }] }] } }, 'ClusterNetworkPolicy');
    assert.deepEqual(p.spec.ingress, [{ action: 'Deny', peers: [{ namespaces: {} }, { unknown: 'action "Log"' }, { unknown: 'port {"icmp":{}}' }], ports: [{ protocol: 'TCP', port: 80 }] }]);
  });

  it('an unreadable subject is taken as every pod, an unreadable tier as Baseline', () => {
    const p = toClusterPolicy({ metadata: { name: 'x' }, spec: { tier: 'Emergency', priority: 3, subject: { serviceAccounts: {} } } }, 'ClusterNetworkPolicy');
    assert.deepEqual(p.spec, { tier: 'Baseline', priority: 3, subject: { pods: all }, ingress: [], egress: [] });
  });
});

describe('kube/convert-policies: toCniPolicy', () => {
  const table: [what: string, kind: CniPolicyKind, text: string, expected: { name: string; namespace?: string; spec: unknown }][] = [
    ['CiliumNetworkPolicy with spec', 'CiliumNetworkPolicy', `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l3-rule, namespace: default}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
`, { name: 'l3-rule', namespace: 'default', spec: { endpointSelector: { matchLabels: { role: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }] } }],
    ['CiliumNetworkPolicy with specs only: under spec.specs', 'CiliumNetworkPolicy', `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: multi-rules, namespace: default}
specs:
- endpointSelector: {matchLabels: {app: a}}
  egress: [{toEntities: [world]}]
- endpointSelector: {matchLabels: {app: b}}
  ingressDeny: [{fromEntities: [all]}]
`, { name: 'multi-rules', namespace: 'default', spec: { specs: [{ endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEntities: ['world'] }] }, { endpointSelector: { matchLabels: { app: 'b' } }, ingressDeny: [{ fromEntities: ['all'] }] }] } }],
    ['CiliumNetworkPolicy with spec and specs: both kept', 'CiliumNetworkPolicy', `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: both, namespace: ns}
spec: {endpointSelector: {}, enableDefaultDeny: {ingress: false}}
specs: [{endpointSelector: {matchLabels: {x: y}}}]
`, { name: 'both', namespace: 'ns', spec: { endpointSelector: {}, enableDefaultDeny: { ingress: false }, specs: [{ endpointSelector: { matchLabels: { x: 'y' } } }] } }],
    ['CiliumClusterwideNetworkPolicy', 'CiliumClusterwideNetworkPolicy', `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: lockdown}
spec: {endpointSelector: {}, ingress: [{fromEntities: [cluster]}]}
`, { name: 'lockdown', spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] } }],
    ['Calico projectcalico.org/v3 NetworkPolicy: the name as the v3 API shows it', 'CalicoNetworkPolicy', `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-tcp-6379, namespace: production}
spec:
  selector: role == 'database'
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {selector: role == 'frontend'}
    destination: {ports: [6379]}
  egress: [{action: Allow}]
`, { name: 'allow-tcp-6379', namespace: 'production', spec: { selector: "role == 'database'", types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "role == 'frontend'" }, destination: { ports: [6379] } }], egress: [{ action: 'Allow' }] } }],
    ['Calico crd.projectcalico.org/v1 NetworkPolicy: the stored name, tier prefix kept', 'CalicoNetworkPolicy', `
apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default.allow-tcp-6379, namespace: production}
spec: {tier: default, order: 100, selector: role == 'database', types: [Ingress]}
`, { name: 'default.allow-tcp-6379', namespace: 'production', spec: { tier: 'default', order: 100, selector: "role == 'database'", types: ['Ingress'] } }],
    ['Calico GlobalNetworkPolicy in a tier', 'CalicoGlobalNetworkPolicy', `
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: security.deny-blue}
spec: {tier: security, order: 10, selector: color == 'blue', ingress: [{action: Deny}]}
`, { name: 'security.deny-blue', spec: { tier: 'security', order: 10, selector: "color == 'blue'", ingress: [{ action: 'Deny' }] } }],
    ['Antrea ClusterNetworkPolicy', 'AntreaClusterNetworkPolicy', `
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: acnp-with-stand-alone-selectors}
spec:
  priority: 5
  tier: securityops
  appliedTo: [{podSelector: {matchLabels: {role: db}}}]
  ingress:
  - action: Drop
    from: [{namespaceSelector: {matchLabels: {env: dev}}}]
`, { name: 'acnp-with-stand-alone-selectors', spec: { priority: 5, tier: 'securityops', appliedTo: [{ podSelector: { matchLabels: { role: 'db' } } }], ingress: [{ action: 'Drop', from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] } }],
    ['Antrea NetworkPolicy', 'AntreaNetworkPolicy', `
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: test-anp, namespace: default}
spec: {priority: 5, tier: application, appliedTo: [{podSelector: {}}], egress: [{action: Reject, to: [{ipBlock: {cidr: 10.0.10.0/24}}]}]}
`, { name: 'test-anp', namespace: 'default', spec: { priority: 5, tier: 'application', appliedTo: [{ podSelector: {} }], egress: [{ action: 'Reject', to: [{ ipBlock: { cidr: '10.0.10.0/24' } }] }] } }],
  ];
  for (const [what, kind, text, expected] of table) {
    it(what, () => {
      const raw = load(text);
      const p = toCniPolicy(raw, kind);
      assert.deepEqual(p, { kind, apiVersion: raw['apiVersion'], metadata: { name: expected.name, ...(expected.namespace ? { namespace: expected.namespace } : {}) }, spec: expected.spec });
    });
  }

  it('the spec is a copy: changing the raw object afterwards changes nothing', () => {
    const raw = { apiVersion: 'cilium.io/v2', metadata: { name: 'x', namespace: 'a' }, spec: { endpointSelector: {} } };
    const p = toCniPolicy(raw, 'CiliumNetworkPolicy');
    (raw.spec as Record<string, unknown>)['ingress'] = [];
    assert.deepEqual(p.spec, { endpointSelector: {} });
  });

  it('the apiVersion read wins over a missing one in the item', () => {
    assert.equal(toCniPolicy({ metadata: { name: 'x' } }, 'CalicoGlobalNetworkPolicy', 'crd.projectcalico.org/v1').apiVersion, 'crd.projectcalico.org/v1');
  });
});
