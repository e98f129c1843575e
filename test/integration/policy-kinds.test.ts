// Reading the cluster-wide policy kinds from a real kube-apiserver with the CRDs `scripts/testenv
// start` installs (network-policy-api, Cilium, Calico crd.projectcalico.org/v1, Antrea's vendored
// ClusterNetworkPolicy/NetworkPolicy/Tier; no Calico v3 API server): one aggregated discovery request, paged lists, conversion; then with the
// restricted user and deploy/rbac.yaml, and without one right, through the built executable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KubeClient } from '../../src/kube/client.ts';
import { parseStateFile } from '../../src/kube/state-file.ts';
import { freshNamespaces } from '../support/cluster.ts';
import { adminKubeconfig, REPO, restrictedKubeconfig } from '../support/env.ts';
import { kubectl, kubectlJson, kubectlOk, plugin } from '../support/run.ts';

const RUN = randomBytes(3).toString('hex');
const LABEL = `cisnp-kinds=${RUN}`;
const USER = 'restricted';
const cleanup: string[][] = [];

function connect(kubeconfig: string, log: string[] = []): KubeClient {
  return new KubeClient({ kubeconfig, env: {}, requestTimeoutMs: 30_000, signal: new AbortController().signal, log: (l) => log.push(l) });
}

function create(objects: object[]): void {
  kubectlOk(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
}

const labelled = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels: { 'cisnp-kinds': RUN } });

const NOTE_CNP = 'could not read clusternetworkpolicies.policy.networking.k8s.io (Forbidden): the proof does not cover it; grant "list clusternetworkpolicies" (see deploy/rbac.yaml)';

describe('cluster-wide policy kinds against a real API server', function () {
  let ns: string;

  before(() => {
    [ns] = freshNamespaces('kinds', 1) as [string];
    kubectlOk(['apply', '-f', path.join(REPO, 'deploy', 'rbac.yaml')]);
    cleanup.push(
      ['clusternetworkpolicies.policy.networking.k8s.io', '-l', LABEL], ['adminnetworkpolicies.policy.networking.k8s.io', '-l', LABEL],
      ['ciliumnetworkpolicies.cilium.io', '-A', '-l', LABEL], ['ciliumclusterwidenetworkpolicies.cilium.io', '-l', LABEL],
      ['networkpolicies.crd.projectcalico.org', '-A', '-l', LABEL], ['globalnetworkpolicies.crd.projectcalico.org', '-l', LABEL],
      ['tiers.crd.projectcalico.org', '-l', LABEL],
      ['networkpolicies.crd.antrea.io', '-A', '-l', LABEL], ['tiers.crd.antrea.io', '-l', LABEL],
    );
    create([
      { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: labelled(`kinds-cnp-${RUN}`), spec: {
        tier: 'Admin', priority: 7, subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: {} } },
        egress: [
          { name: 'dns', action: 'Accept', to: [{ networks: ['10.96.0.10/32'] }], protocols: [{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { range: { start: 8000, end: 8080 } } } }] },
          { name: 'metrics', action: 'Pass', to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'prom' } } } }], protocols: [{ destinationNamedPort: 'metrics' }] },
        ],
      } },
      { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: labelled(`kinds-anp-${RUN}`), spec: {
        priority: 12, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': ns } } },
        // network-policy-api v0.1.1 (the ANP CRD installed): peer namespaces are a NamespacedPeer.
        ingress: [{ action: 'Allow', from: [{ namespaces: { namespaceSelector: { matchLabels: { team: 'ops' } } } }, { namespaces: { sameLabels: ['tenant'] } }], ports: [{ portNumber: { protocol: 'TCP', port: 443 } }, { portRange: { protocol: 'UDP', start: 5000, end: 5010 } }] }],
      } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: labelled('kinds-cilium', ns), specs: [
        { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] },
        { endpointSelector: { matchLabels: { app: 'c' } }, egressDeny: [{ toEntities: ['world'] }] },
      ] },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: labelled(`kinds-ccnp-${RUN}`), spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] } },
      // Calico's CRDs store policies of the default tier with the `default.` prefix; kept as stored.
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: labelled('default.kinds-calico', ns), spec: { order: 100, selector: 'all()', types: ['Ingress'] } },
      // A Tier orders Calico's policies; it is read like them (and counts as no policy of a namespace).
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: labelled(`kinds-tier-${RUN}`), spec: { order: 200 } },
      { apiVersion: 'crd.antrea.io/v1beta1', kind: 'Tier', metadata: labelled(`kinds-tier-${RUN}`), spec: { priority: 30 } },
      { apiVersion: 'crd.antrea.io/v1beta1', kind: 'NetworkPolicy', metadata: labelled('kinds-antrea', ns), spec: { priority: 2.5, tier: `kinds-tier-${RUN}`, appliedTo: [{ podSelector: {} }], ingress: [{ action: 'Drop', from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }] } },
    ]);
  });

  after(() => {
    for (const args of cleanup.splice(0)) kubectl(['delete', '--ignore-not-found', '--wait=false', ...args]);
    for (const b of ['clusterrolebinding/cisnp-kinds-audit', 'clusterrolebinding/cisnp-kinds-partial', 'clusterrolebinding/cisnp-kinds-conn', 'clusterrole/cisnp-kinds-partial']) kubectl(['delete', b, '--ignore-not-found']);
  });

  it('one aggregated v2 discovery request; every installed kind served and read (ClusterNetworkPolicy at v1beta1, the vendored Antrea CRDs too), Calico v3 absent', async () => {
    const log: string[] = [];
    const r = await connect(adminKubeconfig(), log).readPolicyKinds();
    assert.deepEqual(r.apis.map((a) => `${a.kind} ${a.group}/${a.version} ${a.state}`), [
      'ClusterNetworkPolicy policy.networking.k8s.io/v1beta1 served', 'AdminNetworkPolicy policy.networking.k8s.io/v1alpha1 served',
      'BaselineAdminNetworkPolicy policy.networking.k8s.io/v1alpha1 served', 'CiliumNetworkPolicy cilium.io/v2 served',
      'CiliumClusterwideNetworkPolicy cilium.io/v2 served', 'CalicoNetworkPolicy crd.projectcalico.org/v1 served',
      'CalicoGlobalNetworkPolicy crd.projectcalico.org/v1 served', 'CalicoTier crd.projectcalico.org/v1 served', 'AntreaClusterNetworkPolicy crd.antrea.io/v1beta1 served',
      'AntreaNetworkPolicy crd.antrea.io/v1beta1 served', 'AntreaTier crd.antrea.io/v1beta1 served',
    ]);
    assert.equal(log.filter((l) => l.startsWith('get /apis')).length, 1, log.join('\n'));
    assert.ok(log.some((l) => l.startsWith('discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList): 11 of 11 policy kinds served')), log.join('\n'));
    // The counts are what the server holds (other test files may hold objects of these kinds too).
    const count = (resource: string) => kubectlJson<{ items: unknown[] }>(['get', resource, '-A']).items.length;
    assert.equal(r.apis[0]!.count, count('clusternetworkpolicies.policy.networking.k8s.io'));
    assert.equal(r.apis[5]!.count, count('networkpolicies.crd.projectcalico.org'));
  });

  it('converts what the server stored: v1alpha2 protocols, v1alpha1 ports and Allow → Accept, Cilium specs, Calico stored names', async () => {
    const r = await connect(adminKubeconfig()).readPolicyKinds();
    const cnp = r.clusterPolicies.find((p) => p.metadata.name === `kinds-cnp-${RUN}`)!;
    assert.deepEqual(cnp.spec, {
      tier: 'Admin', priority: 7, subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: {} } },
      ingress: [],
      egress: [
        { name: 'dns', action: 'Accept', peers: [{ networks: ['10.96.0.10/32'] }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8000, endPort: 8080 }] },
        { name: 'metrics', action: 'Pass', peers: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'prom' } } } }], ports: [{ namedPort: 'metrics' }] },
      ],
    });
    assert.equal(cnp.apiVersion, 'policy.networking.k8s.io/v1beta1', 'the storage version, also served');
    assert.ok(cnp.metadata.uid && cnp.metadata.resourceVersion);
    const anp = r.clusterPolicies.find((p) => p.metadata.name === `kinds-anp-${RUN}`)!;
    assert.deepEqual([anp.kind, anp.spec.tier, anp.spec.priority, anp.spec.ingress], ['AdminNetworkPolicy', 'Admin', 12, [{ action: 'Accept', peers: [{ namespaces: { matchLabels: { team: 'ops' } } }, { unknown: '{"namespaces":{"sameLabels":["tenant"]}}' }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 5000, endPort: 5010 }] }]]);
    const cilium = r.cniPolicies.find((p) => p.kind === 'CiliumNetworkPolicy' && p.metadata.namespace === ns)!;
    assert.deepEqual(cilium.spec, { specs: [
      { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] },
      { endpointSelector: { matchLabels: { app: 'c' } }, egressDeny: [{ toEntities: ['world'] }] },
    ] });
    const calico = r.cniPolicies.find((p) => p.kind === 'CalicoNetworkPolicy' && p.metadata.namespace === ns)!;
    assert.deepEqual([calico.apiVersion, calico.metadata.name, calico.spec['order']], ['crd.projectcalico.org/v1', 'default.kinds-calico', 100]);
    const antrea = r.cniPolicies.find((p) => p.kind === 'AntreaNetworkPolicy' && p.metadata.namespace === ns)!;
    assert.deepEqual([antrea.apiVersion, antrea.spec['priority'], antrea.spec['tier']], ['crd.antrea.io/v1beta1', 2.5, `kinds-tier-${RUN}`]);
    const tier = r.cniPolicies.find((p) => p.kind === 'AntreaTier' && p.metadata.name === `kinds-tier-${RUN}`)!;
    assert.deepEqual(tier.spec, { priority: 30 });
  });

  it('a state saved with `kubectl get namespaces,<every kind> -A -o yaml` gives the same objects as the live read; audit -f takes it', async () => {
    const kinds = 'namespaces,networkpolicies.networking.k8s.io,clusternetworkpolicies.policy.networking.k8s.io,adminnetworkpolicies,baselineadminnetworkpolicies,ciliumnetworkpolicies,ciliumclusterwidenetworkpolicies,networkpolicies.crd.projectcalico.org,globalnetworkpolicies.crd.projectcalico.org,tiers.crd.projectcalico.org,clusternetworkpolicies.crd.antrea.io,networkpolicies.crd.antrea.io,tiers.crd.antrea.io';
    const text = kubectlOk(['get', kinds, '-A', '-o', 'yaml']);
    const saved = parseStateFile(text, 'state.yaml');
    const live = await connect(adminKubeconfig()).readPolicyKinds();
    const mine = <T extends { metadata: { labels?: Record<string, string> } }>(l: T[]) => l.filter((p) => p.metadata.labels?.['cisnp-kinds'] === RUN);
    assert.equal(mine(saved.clusterPolicies).length + mine(saved.cniPolicies).length, 8);
    assert.deepEqual(mine(saved.cniPolicies).filter((p) => p.kind === 'CalicoTier').map((p) => [p.apiVersion, p.spec['order']]), [['crd.projectcalico.org/v1', 200]]);
    assert.deepEqual(mine(saved.clusterPolicies), mine(live.clusterPolicies));
    assert.deepEqual(mine(saved.cniPolicies), mine(live.cniPolicies));
    const r = plugin(['audit', '-f', '-', '-n', ns, '-o', 'json'], { input: text });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).notes, []);
  });

  it('pages through more than 500 objects of one kind (the continue token of custom resources)', async () => {
    const many = Array.from({ length: 520 }, (_, i) => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: labelled(`kinds-gnp-${RUN}-${i}`), spec: { order: i, selector: 'all()' } }));
    create(many);
    const log: string[] = [];
    const r = await connect(adminKubeconfig(), log).readPolicyKinds();
    const mine = r.cniPolicies.filter((p) => p.kind === 'CalicoGlobalNetworkPolicy' && p.metadata.name.startsWith(`kinds-gnp-${RUN}-`));
    assert.equal(mine.length, 520);
    assert.equal(new Set(mine.map((p) => p.metadata.name)).size, 520, 'no object twice');
    assert.ok(log.filter((l) => l.startsWith('list globalnetworkpolicies.crd.projectcalico.org: ok')).length >= 2, 'more than one page');
  });

  it('the restricted user with the cis-netpol-audit ClusterRole reads every kind; audit has no note', async () => {
    kubectlOk(['create', 'clusterrolebinding', 'cisnp-kinds-audit', '--clusterrole=cis-netpol-audit', `--user=${USER}`]);
    try {
      const r = await connect(restrictedKubeconfig()).readPolicyKinds();
      assert.deepEqual(r.apis.filter((a) => a.state !== 'absent').map((a) => `${a.resource}.${a.group} ${a.state}`), [
        'clusternetworkpolicies.policy.networking.k8s.io served', 'adminnetworkpolicies.policy.networking.k8s.io served',
        'baselineadminnetworkpolicies.policy.networking.k8s.io served', 'ciliumnetworkpolicies.cilium.io served',
        'ciliumclusterwidenetworkpolicies.cilium.io served', 'networkpolicies.crd.projectcalico.org served', 'globalnetworkpolicies.crd.projectcalico.org served',
        'tiers.crd.projectcalico.org served', 'clusternetworkpolicies.crd.antrea.io served', 'networkpolicies.crd.antrea.io served', 'tiers.crd.antrea.io served',
      ]);
      assert.ok(r.clusterPolicies.some((p) => p.metadata.name === `kinds-cnp-${RUN}`));
      const a = plugin(['audit', '-n', ns, '-o', 'json'], { kubeconfig: restrictedKubeconfig() });
      assert.equal(a.code, 1, a.stderr);
      assert.deepEqual(JSON.parse(a.stdout).notes, []);
    } finally {
      kubectl(['delete', 'clusterrolebinding', 'cisnp-kinds-audit', '--ignore-not-found']);
    }
  });

  it('without list on clusternetworkpolicies: one note, the other kinds read; audit and can-reach succeed; remediate will not vouch for a namespace (not proven, nothing written)', async () => {
    // cis-netpol-audit's rules minus clusternetworkpolicies, as a user might have written them.
    const role = kubectlJson<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(['get', 'clusterrole', 'cis-netpol-audit']);
    const rules = role.rules.map((r) => ({ ...r, resources: r.resources.filter((x) => !(r.apiGroups.includes('policy.networking.k8s.io') && x === 'clusternetworkpolicies')) }));
    assert.ok(rules.some((r) => r.apiGroups.includes('policy.networking.k8s.io') && r.resources.includes('adminnetworkpolicies')), 'the role still lists the other SIG kinds');
    kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cisnp-kinds-partial' }, rules }) });
    kubectlOk(['create', 'clusterrolebinding', 'cisnp-kinds-partial', '--clusterrole=cisnp-kinds-partial', `--user=${USER}`]);
    const asRestricted = (args: string[]) => plugin(args, { kubeconfig: restrictedKubeconfig() });

    const r = await connect(restrictedKubeconfig()).readPolicyKinds();
    const cnp = r.apis[0]!;
    assert.deepEqual([cnp.state, cnp.reason], ['unreadable', 'Forbidden']);
    assert.match(cnp.message!, /^forbidden: cannot list clusternetworkpolicies\.policy\.networking\.k8s\.io cluster-wide .*User "restricted" cannot list resource "clusternetworkpolicies".*; grant "list" on clusternetworkpolicies in API group policy\.networking\.k8s\.io \(deploy\/rbac\.yaml\)$/);
    assert.deepEqual(r.apis.filter((a) => a.state === 'unreadable').length, 1);
    assert.equal(r.apis[1]!.state, 'served');

    let out = asRestricted(['audit', '-n', ns, '-o', 'json']);
    assert.equal(out.code, 1, `not compliant, not "could not check": ${out.stderr}`);
    assert.deepEqual(JSON.parse(out.stdout).notes, [NOTE_CNP]);
    out = asRestricted(['audit', '-n', ns]);
    assert.match(out.stdout, new RegExp(`\\[!\\] ${NOTE_CNP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    out = asRestricted(['remediate', '-n', ns, '--dry-run', '-o', 'json']);
    // Refused: the proof cannot cover what it could not read (not proven, by name), and the
    // CiliumClusterwideNetworkPolicy and Calico policy above isolate the pods, which the placeholder would open.
    assert.equal(out.code, 2, out.stderr);
    const report = JSON.parse(out.stdout);
    assert.deepEqual(report.notes.filter((n: string) => n.startsWith('could not read')), [NOTE_CNP]);
    const refused = report.results.find((x: { namespace: string }) => x.namespace === ns);
    assert.equal(refused.status, 'FAILED');
    assert.ok(['Opening', 'NotProven'].includes(refused.error.kind), refused.error.kind);
    assert.ok(refused.connectivity.unproven.some((l: string) => /^could not read clusternetworkpolicies\.policy\.networking\.k8s\.io \(.*\): the proof does not cover ClusterNetworkPolicy objects$/.test(l)), refused.connectivity.unproven.join('\n'));
    out = asRestricted(['remediate', '-n', ns, '--dry-run', '--template', 'select-none', '-o', 'json']);
    assert.equal(out.code, 1, out.stderr);

    kubectlOk(['create', 'clusterrolebinding', 'cisnp-kinds-conn', '--clusterrole=cis-netpol-connectivity', `--user=${USER}`]);
    out = asRestricted(['can-reach', '--from', '10.1.2.3', '--to', '10.4.5.6', '--port', '80', '-o', 'json']);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.deepEqual(JSON.parse(out.stdout).notes.filter((n: string) => n.startsWith('could not read')), [NOTE_CNP]);
  });
});
