// kubectl cis-netpol cni against the real API server: each CNI's DaemonSets and ConfigMaps are
// created as objects (no kubelet runs them) and the built executable must name the verdict and
// its evidence. Then the audit's one-line warning, and the least-privilege ClusterRole.
import assert from 'node:assert/strict';
import path from 'node:path';
import { freshNamespaces } from '../support/cluster.ts';
import { CNI_FIXTURES, type CniFixture } from '../support/cni-fixtures.ts';
import { installCni, removeCni } from '../support/cni-objects.ts';
import { REPO, restrictedKubeconfig } from '../support/env.ts';
import { kubectl, kubectlOk, plugin } from '../support/run.ts';

const EXIT = { ENFORCED: 0, 'NOT ENFORCED': 1, UNKNOWN: 2 } as const;
const fixture = (name: string): CniFixture => {
  const f = CNI_FIXTURES.find((x) => x.name === name);
  assert.ok(f, name);
  return f;
};

describe('cni: the verdict and its evidence for each CNI install', () => {
  before(removeCni);
  afterEach(removeCni);

  for (const f of CNI_FIXTURES) {
    it(`${f.name} → ${f.verdict} (exit ${EXIT[f.verdict]})`, () => {
      installCni(f.daemonSets, f.configMaps);
      const r = plugin(['cni', '-o', 'json']);
      assert.equal(r.code, EXIT[f.verdict], r.stdout + r.stderr);
      const report = JSON.parse(r.stdout);
      assert.deepEqual([report.apiVersion, report.kind, report.control, report.verdict], ['cis-netpol.io/v1', 'CniReport', '5.3.1', f.verdict]);
      assert.deepEqual(report.enforcedBy, f.by ?? []);
      assert.match(report.summary, f.summary);
      if (f.evidence) assert.match(report.findings.flatMap((x: { evidence: string[] }) => x.evidence).join('\n'), f.evidence);
      for (const d of f.daemonSets) assert.ok(report.seen.includes(`${d.namespace}/${d.name}`), `${d.namespace}/${d.name} seen`);
    });
  }

  it('the table: verdict line, each component with its evidence, what was seen, what to do', () => {
    const f = fixture('Canal (Calico policy + Flannel networking)');
    installCni(f.daemonSets);
    let r = plugin(['cni']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[\+\] CIS 5\.3\.1 ENFORCED by Calico: Calico's Felix \(calico-node\) enforces NetworkPolicy\n/);
    assert.match(r.stdout, /\n {4}Flannel \(does not enforce\): Flannel does not implement NetworkPolicy\n {6}- DaemonSet kube-system\/canal: container kube-flannel \(docker\.io\/flannel\/flannel:v0\.26\.7\)\n/);
    removeCni();
    installCni(fixture('Flannel alone').daemonSets);
    r = plugin(['cni']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^\[-\] CIS 5\.3\.1 NOT ENFORCED: Flannel: Flannel does not implement NetworkPolicy\n/);
    assert.match(r.stdout, /\[\*\] 2 DaemonSet\(s\) seen: kube-flannel\/kube-flannel-ds, kube-system\/kube-proxy\n\[\*\] next: NetworkPolicies here are stored but change no traffic/);
  });

  it('a ConfigMap key outside the rules never reaches the report', () => {
    installCni(fixture('Cilium (Helm, policy mode default)').daemonSets, [{ namespace: 'kube-system', name: 'cilium-config', data: { 'enable-policy': 'default', 'clustermesh-secret': 's3cr3t-value' } }]);
    const r = plugin(['cni', '-o', 'yaml', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-value|clustermesh-secret/);
  });
});

describe('audit: the 5.3.1 warning', () => {
  afterEach(removeCni);

  it('NOT ENFORCED: one warning line on stderr, the verdict in JSON and YAML; the audit verdict unchanged', () => {
    installCni(fixture('Flannel alone').daemonSets);
    const [ns] = freshNamespaces('cniaudit', 1) as [string];
    let r = plugin(['audit', '-n', ns]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'warning: CIS 5.3.1: NetworkPolicies may change no traffic here: NOT ENFORCED: Flannel: Flannel does not implement NetworkPolicy (details: kubectl cis-netpol cni)\n');
    r = plugin(['audit', '-n', ns, '-o', 'json']);
    assert.deepEqual(JSON.parse(r.stdout).enforcement, {
      control: '5.3.1', verdict: 'NOT ENFORCED', enforcedBy: [], summary: 'NOT ENFORCED: Flannel: Flannel does not implement NetworkPolicy',
      hint: "NetworkPolicies here are stored but change no traffic: enable the CNI's network policy support or install an enforcing CNI (Calico, Cilium, Antrea …) before relying on CIS 5.3.2",
    });
    r = plugin(['audit', '-n', ns, '-o', 'yaml']);
    assert.match(r.stdout, /\nenforcement:\n {2}control: 5\.3\.1\n {2}verdict: NOT ENFORCED\n/);
  });

  it('ENFORCED: no warning, the verdict in the report', () => {
    installCni(fixture('Antrea').daemonSets);
    const [ns] = freshNamespaces('cniaudit', 1) as [string];
    const r = plugin(['audit', '-n', ns, '-o', 'json']);
    assert.equal(r.stderr, '');
    assert.equal(JSON.parse(r.stdout).enforcement.verdict, 'ENFORCED');
    assert.equal(plugin(['audit', '-n', ns]).stderr, '');
  });

  it('UNKNOWN (nothing known runs) warns too; an audit of a saved file reads no verdict', () => {
    const [ns] = freshNamespaces('cniaudit', 1) as [string];
    const r = plugin(['audit', '-n', ns]);
    assert.match(r.stderr, /^warning: CIS 5\.3\.1: .*UNKNOWN: no DaemonSet of a known NetworkPolicy enforcer among 0 DaemonSet\(s\)/);
    const state = kubectlOk(['get', 'namespaces,networkpolicies', '-A', '-o', 'yaml']);
    const f = plugin(['audit', '-f', '-', '-n', ns, '-o', 'json'], { input: state });
    assert.equal(f.stderr, '');
    assert.equal(JSON.parse(f.stdout).enforcement, undefined);
  });
});

describe('cni: least privilege with the restricted user', () => {
  const USER = 'restricted';
  const bindings: string[] = [];
  const bind = (role: string) => {
    const name = `cisnp-cni-${role}`;
    kubectlOk(['create', 'clusterrolebinding', name, `--clusterrole=${role}`, `--user=${USER}`]);
    bindings.push(`clusterrolebinding/${name}`);
  };
  const asRestricted = (args: string[]) => plugin(args, { kubeconfig: restrictedKubeconfig() });
  before(() => kubectlOk(['apply', '-f', path.join(REPO, 'deploy', 'rbac.yaml')]));
  afterEach(() => {
    for (const b of bindings.splice(0)) kubectl(['delete', b, '--ignore-not-found']);
    removeCni();
  });

  it('with exactly cis-netpol-cni: the same verdicts as the admin (Cilium never, AWS agent on and controller enabled)', () => {
    bind('cis-netpol-cni');
    for (const name of ['Cilium, enable-policy=never', 'AWS VPC CNI, agent on and controller enabled']) {
      const f = fixture(name);
      installCni(f.daemonSets, f.configMaps);
      const r = asRestricted(['cni', '-o', 'json']);
      assert.equal(r.code, EXIT[f.verdict], r.stdout + r.stderr);
      assert.match(JSON.parse(r.stdout).summary, f.summary);
      removeCni();
    }
  });

  it('with no rights: UNKNOWN (exit 2), naming each namespace it could not list and the ClusterRole to bind', () => {
    installCni(fixture('Flannel alone').daemonSets);
    const r = asRestricted(['cni', '-o', 'json']);
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.verdict, 'UNKNOWN');
    assert.match(report.notes.join('\n'), /Listing DaemonSets cluster-wide is forbidden; listed only kube-system, calico-system/);
    assert.deepEqual(report.unreadable.map((u: { namespace: string }) => u.namespace), ['kube-system', 'calico-system', 'cilium', 'kube-flannel', 'openshift-ovn-kubernetes', 'ovn-kubernetes']);
    assert.match(report.summary, /could not list DaemonSets in namespace\(s\) kube-system, calico-system, cilium, kube-flannel, openshift-ovn-kubernetes, ovn-kubernetes \(forbidden\)$/);
    assert.match(report.hint, /ClusterRole cis-netpol-cni/);
  });

  it('DaemonSets readable in kube-flannel only (a Role): Flannel seen, the rest unread → UNKNOWN, not NOT ENFORCED', () => {
    installCni(fixture('Flannel alone').daemonSets);
    kubectlOk(['create', 'rolebinding', 'cisnp-cni-ns', '-n', 'kube-flannel', '--clusterrole=cis-netpol-cni', `--user=${USER}`]);
    try {
      const r = asRestricted(['cni', '-o', 'json']);
      const report = JSON.parse(r.stdout);
      assert.equal(report.verdict, 'UNKNOWN', report.summary);
      assert.match(report.summary, /Flannel: Flannel does not implement NetworkPolicy; could not list DaemonSets in namespace\(s\) kube-system, calico-system, cilium, openshift-ovn-kubernetes, ovn-kubernetes \(forbidden\)$/);
    } finally {
      kubectl(['delete', 'rolebinding', 'cisnp-cni-ns', '-n', 'kube-flannel', '--ignore-not-found']);
    }
  });

  it('list daemonsets but no ConfigMaps: Cilium is UNKNOWN (its cilium-config may say never)', () => {
    const role = 'cisnp-cni-ds-only';
    kubectlOk(['create', 'clusterrole', role, '--verb=list', '--resource=daemonsets.apps']);
    bindings.push(`clusterrole/${role}`);
    bind(role);
    const f = fixture('Cilium, enable-policy=never');
    installCni(f.daemonSets, f.configMaps);
    const r = asRestricted(['cni', '-o', 'json']);
    assert.equal(r.code, 2);
    assert.match(JSON.parse(r.stdout).summary, /cilium-config could not be read/);
  });

  it('with only the audit ClusterRole, audit prints no 5.3.1 warning (it cannot read DaemonSets)', () => {
    bind('cis-netpol-audit');
    installCni(fixture('Flannel alone').daemonSets);
    const [ns] = freshNamespaces('cnirbac', 1) as [string];
    const r = asRestricted(['audit', '-n', ns, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(JSON.parse(r.stdout).enforcement, undefined);
  });
});
