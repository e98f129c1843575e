// The cluster-wide network-policy CRDs that `scripts/testenv start` installs from the upstream Go
// modules or, for Calico and Antrea, from the files vendored in scripts/testenv-crds/ (docs/testenv-crds.md): each is Established, and the objects users really write, as the
// upstream documents write them, are accepted, stored field for field and read back. The expected
// CRDs are written out here, not read from the script. Without a server every test fails.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { adminKubeconfig } from '../support/env.ts';
import { freshNamespaces } from '../support/cluster.ts';
import { kubectl, kubectlJson, kubectlOk } from '../support/run.ts';

/** name → [kind, scope, served versions] */
const EXPECTED_CRDS: Record<string, [string, string, string[]]> = {
  'clusternetworkpolicies.policy.networking.k8s.io': ['ClusterNetworkPolicy', 'Cluster', ['v1alpha2', 'v1beta1']],
  'adminnetworkpolicies.policy.networking.k8s.io': ['AdminNetworkPolicy', 'Cluster', ['v1alpha1']],
  'baselineadminnetworkpolicies.policy.networking.k8s.io': ['BaselineAdminNetworkPolicy', 'Cluster', ['v1alpha1']],
  'ciliumnetworkpolicies.cilium.io': ['CiliumNetworkPolicy', 'Namespaced', ['v2']],
  'ciliumclusterwidenetworkpolicies.cilium.io': ['CiliumClusterwideNetworkPolicy', 'Cluster', ['v2']],
  'networkpolicies.crd.projectcalico.org': ['NetworkPolicy', 'Namespaced', ['v1']],
  'globalnetworkpolicies.crd.projectcalico.org': ['GlobalNetworkPolicy', 'Cluster', ['v1']],
  'tiers.crd.projectcalico.org': ['Tier', 'Cluster', ['v1']],
  // Vendored in scripts/testenv-crds/antrea (no module the proxy serves carries them).
  'clusternetworkpolicies.crd.antrea.io': ['ClusterNetworkPolicy', 'Cluster', ['v1beta1']],
  'networkpolicies.crd.antrea.io': ['NetworkPolicy', 'Namespaced', ['v1beta1']],
  'tiers.crd.antrea.io': ['Tier', 'Cluster', ['v1beta1']],
};

interface Crd {
  spec: { group: string; scope: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

interface Stored {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string };
  spec: Record<string, unknown>;
}

interface Example {
  what: string;
  /** resource.version.group, so kubectl reads back exactly this version */
  resource: string;
  namespaced: boolean;
  /** fixed by the API (BaselineAdminNetworkPolicy must be named "default") */
  fixedName?: string;
  apiVersion: string;
  kind: string;
  spec: Record<string, unknown>;
}

const SUFFIX = randomBytes(3).toString('hex');

const EXAMPLES: Example[] = [
  {
    // network-policy-api: the Baseline tier default deny (applies where no NetworkPolicy selects the pod).
    what: 'ClusterNetworkPolicy, Baseline tier default deny',
    resource: 'clusternetworkpolicies.v1alpha2.policy.networking.k8s.io',
    namespaced: false,
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    spec: {
      tier: 'Baseline',
      priority: 100,
      subject: { namespaces: {} },
      ingress: [{ name: 'default-deny-ingress', action: 'Deny', from: [{ namespaces: {} }] }],
      egress: [{ name: 'default-deny-egress', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }],
    },
  },
  {
    // Admin tier with the experimental channel's peers: nodes and domainNames (egress allowlist), then a deny.
    what: 'ClusterNetworkPolicy, Admin tier with nodes and domainNames peers (experimental channel)',
    resource: 'clusternetworkpolicies.v1alpha2.policy.networking.k8s.io',
    namespaced: false,
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } }, podSelector: {} } },
      egress: [
        { name: 'allow-kube-apiserver', action: 'Accept', to: [{ nodes: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] } }], protocols: [{ tcp: { destinationPort: { number: 6443 } } }] },
        { name: 'allow-to-kubernetes-io', action: 'Accept', to: [{ domainNames: ['kubernetes.io', '*.kubernetes.io'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] },
        { name: 'deny-the-rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
      ],
    },
  },
  {
    // network-policy-api v0.1 (its peers wrap selectors: namespaces.namespaceSelector, pods.namespaces):
    // Pass hands the decision to NetworkPolicies (then the baseline).
    what: 'AdminNetworkPolicy with Pass',
    resource: 'adminnetworkpolicies.v1alpha1.policy.networking.k8s.io',
    namespaced: false,
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    spec: {
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'sensitive-ns' } } },
      ingress: [
        { name: 'pass-from-monitoring', action: 'Pass', from: [{ namespaces: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } } }], ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] },
        { name: 'deny-all-other-ingress', action: 'Deny', from: [{ namespaces: { namespaceSelector: {} } }] },
      ],
      egress: [{ name: 'allow-dns', action: 'Allow', to: [{ pods: { namespaces: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }], ports: [{ portNumber: { protocol: 'UDP', port: 53 } }] }],
    },
  },
  {
    what: 'BaselineAdminNetworkPolicy default deny',
    resource: 'baselineadminnetworkpolicies.v1alpha1.policy.networking.k8s.io',
    namespaced: false,
    fixedName: 'default',
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    spec: {
      subject: { namespaces: {} },
      ingress: [{ name: 'default-deny', action: 'Deny', from: [{ namespaces: { namespaceSelector: {} } }] }],
    },
  },
  {
    // Cilium's L3/L4 example: frontend may reach backend on TCP 80.
    what: 'CiliumNetworkPolicy, endpointSelector with fromEndpoints and toPorts',
    resource: 'ciliumnetworkpolicies.v2.cilium.io',
    namespaced: true,
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    spec: {
      endpointSelector: { matchLabels: { role: 'backend' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    },
  },
  {
    // Cilium's deny-policy example: everything may come in except from outside the cluster.
    what: 'CiliumClusterwideNetworkPolicy, endpointSelector with ingressDeny',
    resource: 'ciliumclusterwidenetworkpolicies.v2.cilium.io',
    namespaced: false,
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    spec: {
      endpointSelector: {},
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEntities: ['world'] }],
    },
  },
  {
    // Calico's example: database pods take TCP 6379 from frontend pods.
    what: 'Calico NetworkPolicy (crd.projectcalico.org/v1), selector with Allow rules',
    resource: 'networkpolicies.v1.crd.projectcalico.org',
    namespaced: true,
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'NetworkPolicy',
    spec: {
      selector: "role == 'database'",
      types: ['Ingress', 'Egress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "role == 'frontend'" }, destination: { ports: [6379] } }],
      egress: [{ action: 'Allow' }],
    },
  },
  {
    // Calico's GlobalNetworkPolicy: selector and order (lower first; Kubernetes policies sit at 1000).
    what: 'Calico GlobalNetworkPolicy (crd.projectcalico.org/v1), selector and order',
    resource: 'globalnetworkpolicies.v1.crd.projectcalico.org',
    namespaced: false,
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'GlobalNetworkPolicy',
    spec: {
      order: 100,
      selector: "color == 'red'",
      types: ['Ingress'],
      ingress: [{ action: 'Deny', protocol: 'TCP', source: { selector: "color == 'blue'" } }],
    },
  },
  {
    // Calico's tiered-policy tutorial: a security tier, met before the default tier (order 1,000,000).
    what: 'Calico Tier (crd.projectcalico.org/v1), order and defaultAction (vendored CRD)',
    resource: 'tiers.v1.crd.projectcalico.org',
    namespaced: false,
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'Tier',
    spec: { order: 300, defaultAction: 'Pass' },
  },
  {
    // The vendored policy CRDs have `tier` (v3.28's did not, and the server dropped it).
    what: 'Calico GlobalNetworkPolicy in a tier (spec.tier is in the vendored schema)',
    resource: 'globalnetworkpolicies.v1.crd.projectcalico.org',
    namespaced: false,
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'GlobalNetworkPolicy',
    spec: { tier: 'security', order: 10, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Pass' }] },
  },
  {
    // Antrea's "ACNP for strict Namespace isolation" (docs/antrea-network-policy.md).
    what: 'Antrea ClusterNetworkPolicy (crd.antrea.io/v1beta1), Tier, Pass to Self, Drop',
    resource: 'clusternetworkpolicies.v1beta1.crd.antrea.io',
    namespaced: false,
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    spec: {
      priority: 1,
      tier: 'securityops',
      appliedTo: [{ namespaceSelector: {} }],
      ingress: [{ action: 'Pass', from: [{ namespaces: { match: 'Self' } }], name: 'PassFromSameNS' }, { action: 'Drop', from: [{ namespaceSelector: {} }], name: 'DropFromAllOtherNS' }],
      egress: [{ action: 'Pass', to: [{ namespaces: { match: 'Self' } }], name: 'PassToSameNS' }, { action: 'Drop', to: [{ namespaceSelector: {} }], name: 'DropToAllOtherNS' }],
    },
  },
  {
    // Antrea's "The Antrea NetworkPolicy resource": podSelector, port ranges, ipBlock.
    what: 'Antrea NetworkPolicy (crd.antrea.io/v1beta1), priority, endPort, ipBlock',
    resource: 'networkpolicies.v1beta1.crd.antrea.io',
    namespaced: true,
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'NetworkPolicy',
    spec: {
      priority: 5,
      tier: 'securityops',
      appliedTo: [{ podSelector: { matchLabels: { role: 'db' } } }],
      ingress: [{ action: 'Allow', from: [{ podSelector: { matchLabels: { role: 'frontend' } } }, { podSelector: { matchLabels: { role: 'nondb' } }, namespaceSelector: { matchLabels: { role: 'db' } } }], ports: [{ protocol: 'TCP', port: 8080, endPort: 9000 }], name: 'AllowFromFrontend' }],
      egress: [{ action: 'Drop', to: [{ ipBlock: { cidr: '10.0.10.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }], name: 'DropToThirdParty' }],
    },
  },
  {
    // Antrea's Tier example.
    what: 'Antrea Tier (crd.antrea.io/v1beta1), priority',
    resource: 'tiers.v1beta1.crd.antrea.io',
    namespaced: false,
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'Tier',
    spec: { priority: 10, description: 'my custom tier' },
  },
];

function crd(name: string): Crd {
  return kubectlJson<Crd>(['get', 'crd', name]);
}

function condition(c: Crd, type: string): string {
  return c.status?.conditions?.find((x) => x.type === type)?.status ?? 'missing';
}

/** Every field the test sent is stored with the same value (the server may add defaults). */
function assertStored(sent: unknown, stored: unknown, where: string): void {
  if (sent !== null && typeof sent === 'object' && !Array.isArray(sent)) {
    assert.ok(stored !== null && typeof stored === 'object' && !Array.isArray(stored), `${where}: stored is not an object: ${JSON.stringify(stored)}`);
    for (const [k, v] of Object.entries(sent)) assertStored(v, (stored as Record<string, unknown>)[k], `${where}.${k}`);
  } else if (Array.isArray(sent)) {
    assert.ok(Array.isArray(stored), `${where}: stored is not an array: ${JSON.stringify(stored)}`);
    assert.equal(stored.length, sent.length, `${where}: length`);
    sent.forEach((v, i) => assertStored(v, (stored as unknown[])[i], `${where}[${i}]`));
  } else {
    assert.deepEqual(stored, sent, `${where} (pruned or changed by the server?)`);
  }
}

describe('testenv CRDs: cluster-wide network-policy kinds from the upstream modules', function () {
  let ns = '';
  const created: string[][] = [];

  before(() => {
    adminKubeconfig(); // no server: fail here, never skip
    [ns] = freshNamespaces('crds', 1) as [string];
  });

  after(() => {
    for (const args of created) kubectl(['delete', '--ignore-not-found', '--wait=false', ...args]);
  });

  it('every CRD is Established, with its names accepted, kind, scope and served versions', () => {
    for (const [name, [kind, scope, versions]] of Object.entries(EXPECTED_CRDS)) {
      const c = crd(name);
      assert.equal(condition(c, 'Established'), 'True', `${name} Established: ${JSON.stringify(c.status?.conditions)}`);
      assert.equal(condition(c, 'NamesAccepted'), 'True', `${name} NamesAccepted: ${JSON.stringify(c.status?.conditions)}`);
      assert.equal(c.spec.names.kind, kind, name);
      assert.equal(c.spec.scope, scope, name);
      assert.deepEqual(c.spec.versions.filter((v) => v.served).map((v) => v.name).sort(), versions, `${name} served versions`);
    }
  });

  it('the ClusterNetworkPolicy CRD is the experimental channel of network-policy-api v0.3.0', () => {
    const c = kubectlJson<{ metadata: { annotations: Record<string, string> } }>(['get', 'crd', 'clusternetworkpolicies.policy.networking.k8s.io']);
    assert.equal(c.metadata.annotations['policy.networking.k8s.io/channel'], 'experimental');
    assert.equal(c.metadata.annotations['policy.networking.k8s.io/bundle-version'], 'v0.3.0');
  });

  it('v1alpha1 (ANP, BANP) and v1alpha2/v1beta1 (ClusterNetworkPolicy) coexist in policy.networking.k8s.io', () => {
    const out = kubectlOk(['api-resources', '--api-group', 'policy.networking.k8s.io', '-o', 'name']);
    assert.deepEqual(out.trim().split('\n').sort(), [
      'adminnetworkpolicies.policy.networking.k8s.io',
      'baselineadminnetworkpolicies.policy.networking.k8s.io',
      'clusternetworkpolicies.policy.networking.k8s.io',
    ]);
    const group = JSON.parse(kubectlOk(['get', '--raw', '/apis/policy.networking.k8s.io'])) as { versions: { version: string }[] };
    assert.deepEqual(group.versions.map((v) => v.version).sort(), ['v1alpha1', 'v1alpha2', 'v1beta1']);
  });

  for (const ex of EXAMPLES) {
    it(`accepts and stores: ${ex.what}`, () => {
      const name = ex.fixedName ?? `crds-${ex.kind.toLowerCase()}-${SUFFIX}-${EXAMPLES.indexOf(ex)}`;
      const metadata = ex.namespaced ? { name, namespace: ns } : { name };
      const scope = ex.namespaced ? ['-n', ns] : [];
      const obj = { apiVersion: ex.apiVersion, kind: ex.kind, metadata, spec: ex.spec };
      created.push([ex.resource, name, ...scope]);
      kubectlOk(['create', '-f', '-'], { input: JSON.stringify(obj) });

      const stored = kubectlJson<Stored>(['get', ex.resource, name, ...scope]);
      assert.equal(stored.apiVersion, ex.apiVersion);
      assert.equal(stored.kind, ex.kind);
      assert.equal(stored.metadata.name, name);
      assertStored(ex.spec, stored.spec, 'spec');

      kubectlOk(['delete', ex.resource, name, ...scope]);
      const gone = kubectl(['get', ex.resource, name, ...scope]);
      assert.notEqual(gone.code, 0, 'deleted');
      assert.match(gone.stderr, /NotFound/);
    });
  }

  it('enforces the upstream validation: an unmasked CIDR and a peer with two fields are refused', () => {
    const bad = (spec: Record<string, unknown>) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: `crds-invalid-${SUFFIX}` }, spec });
    let r = kubectl(['create', '-f', '-'], { input: JSON.stringify(bad({ tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['10.1.2.3/8'] }] }] })) });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /Invalid CIDR format provided/);
    r = kubectl(['create', '-f', '-'], { input: JSON.stringify(bad({ tier: 'Admin', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Accept', from: [{ namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }] }] })) });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /must have at most 1 properties|Too many/);
    r = kubectl(['create', '-f', '-'], { input: JSON.stringify(bad({ tier: 'Cluster', priority: 1, subject: { namespaces: {} } })) });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /Unsupported value: "Cluster"/);
  });

  it('the Tier CRD pins the built-in tiers: default only at order 1000000 with Deny (server dry run, nothing stored)', () => {
    const tier = (spec: Record<string, unknown>) => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: { name: 'default' }, spec });
    let r = kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(tier({ order: 5, defaultAction: 'Deny' })) });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /default tier order must be 1000000/);
    r = kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(tier({ order: 1000000, defaultAction: 'Pass' })) });
    assert.match(r.stderr, /The 'default' tier must have default action 'Deny'/);
    r = kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(tier({ order: 1000000, defaultAction: 'Deny' })) });
    assert.equal(r.code, 0, r.stderr);
  });

  it('`networkpolicies` still means networking.k8s.io beside Calico\'s networkpolicies.crd.projectcalico.org', () => {
    const calico = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'calico-np', namespace: ns }, spec: { selector: 'all()', types: ['Ingress'] } };
    const k8s = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'k8s-np', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    created.push(['networkpolicies.crd.projectcalico.org', 'calico-np', '-n', ns]);
    kubectlOk(['create', '-f', '-'], { input: JSON.stringify(calico) });
    kubectlOk(['create', '-f', '-'], { input: JSON.stringify(k8s) });
    const list = kubectlJson<{ items: Stored[] }>(['get', 'networkpolicies', '-n', ns]);
    assert.deepEqual(list.items.map((i) => `${i.apiVersion} ${i.metadata.name}`), ['networking.k8s.io/v1 k8s-np']);
    const calicoList = kubectlJson<{ items: Stored[] }>(['get', 'networkpolicies.crd.projectcalico.org', '-n', ns]);
    assert.deepEqual(calicoList.items.map((i) => `${i.apiVersion} ${i.metadata.name}`), ['crd.projectcalico.org/v1 calico-np']);
  });
});
