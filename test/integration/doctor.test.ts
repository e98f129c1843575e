// kubectl cis-netpol doctor against the real API server, as the admin and as the restricted user
// with no rights and with the audit ClusterRole: every check answers on its own line.
import assert from 'node:assert/strict';
import path from 'node:path';
import { freshNamespaces, terminatingNamespace, userPolicy } from '../support/cluster.ts';
import { CNI_FIXTURES } from '../support/cni-fixtures.ts';
import { installCni, removeCni } from '../support/cni-objects.ts';
import { REPO, restrictedKubeconfig } from '../support/env.ts';
import { kubectl, kubectlOk, plugin } from '../support/run.ts';

interface Check { check: string; status: string; detail: string; next?: string }
const doctor = (args: string[] = [], kubeconfig?: string) => {
  const r = plugin(['doctor', '--stuck-after', '24h', '-o', 'json', ...args], kubeconfig ? { kubeconfig } : {});
  const report = JSON.parse(r.stdout) as { kind: string; checks: Check[] };
  const line = (name: string) => {
    const c = report.checks.find((x) => x.check === name);
    assert.ok(c, `no "${name}" line in ${r.stdout}`);
    return c;
  };
  return { ...r, report, line };
};

describe('doctor as the admin', () => {
  afterEach(removeCni);

  it('one line per check; identity, version, every permission OK; the CNI verdict; exit 1 for its WARN', () => {
    const r = doctor();
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.report.kind, 'DoctorReport');
    assert.deepEqual(r.report.checks.map((c) => c.check), [
      'identity', 'server version', 'policy APIs', 'permissions: audit', 'permissions: remediate', 'permissions: rollback, prune',
      'permissions: can-reach', 'permissions: remediate proof', 'permissions: cni', 'enforcement (5.3.1)', 'placeholders', 'terminating namespaces',
    ]);
    assert.match(r.line('identity').detail, /^admin \(groups: system:masters, system:authenticated\), context admin@testenv, https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(r.line('server version').detail, /^v1\.3[4-7]\.\d+ \(tested: v1\.34 to v1\.37\)$/);
    for (const c of r.report.checks.filter((x) => x.check.startsWith('permissions: '))) assert.equal(c.status, 'OK', c.detail);
    assert.deepEqual([r.line('enforcement (5.3.1)').status, r.line('terminating namespaces').status], ['WARN', 'OK']);
    assert.match(r.line('enforcement (5.3.1)').detail, /^UNKNOWN: no DaemonSet of a known NetworkPolicy enforcer/);
  });

  it('the table: [OK]/[WARN]/[FAIL], the check, the detail, "next:" under it, and the counts', () => {
    installCni(CNI_FIXTURES.find((f) => f.name === 'Flannel alone')!.daemonSets);
    const r = plugin(['doctor', '--stuck-after', '24h']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^\[OK\] {3}identity {22}admin /);
    assert.match(r.stdout, /\n\[FAIL\] enforcement \(5\.3\.1\) {11}NOT ENFORCED: Flannel: Flannel does not implement NetworkPolicy\n {37}next: NetworkPolicies here are stored but change no traffic/);
    assert.match(r.stdout, /\n\n\d+ OK, \d+ WARN, 1 FAIL\n$/);
  });

  it('a placeholder beside a stricter policy, and a namespace stuck Terminating, are WARN lines naming them', () => {
    const [ns] = freshNamespaces('doc', 1) as [string];
    assert.equal(plugin(['remediate', '-n', ns]).code, 1);
    userPolicy(ns, 'strict');
    const dying = terminatingNamespace('docterm');
    try {
      const r = doctor(['--stuck-after', '0s']);
      assert.equal(r.line('placeholders').status, 'WARN');
      assert.match(r.line('placeholders').detail, new RegExp(`masks stricter policies in \\d+ namespace\\(s\\): .*${ns}`));
      assert.match(r.line('placeholders').next ?? '', /kubectl cis-netpol prune/);
      assert.equal(r.line('terminating namespaces').status, 'WARN');
      assert.match(r.line('terminating namespaces').detail, /Terminating for 0 s or more/);
      assert.match(JSON.stringify(r.line('terminating namespaces')), new RegExp(`${dying}|and \\d+ more`));
      assert.equal(doctor().line('terminating namespaces').status, 'OK', 'none Terminating for 24 h');
    } finally {
      plugin(['rollback', '-n', ns]);
    }
  });

  it('policy APIs: the cluster-wide policy CRDs scripts/testenv installs show up by their group', () => {
    // testenv installs them (Antrea's vendored); this suite shares them and so never creates or deletes them.
    const detail = doctor().line('policy APIs').detail;
    assert.match(detail, /^NetworkPolicy \(networking\.k8s\.io\/v1\) served; cluster-wide policy APIs: /);
    for (const gv of ['policy.networking.k8s.io/v1beta1', 'cilium.io/v2', 'crd.projectcalico.org/v1', 'crd.antrea.io/v1beta1']) assert.ok(detail.includes(gv), `${gv} not in: ${detail}`);
  });

  it('a bad --stuck-after is one error line, exit 2', () => {
    const r = plugin(['doctor', '--stuck-after', 'soon']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'error: invalid --stuck-after "soon" (next: use a duration such as 10m, 1h or 0s)\n');
  });
});

describe('doctor as the restricted user', () => {
  const bindings: string[] = [];
  before(() => kubectlOk(['apply', '-f', path.join(REPO, 'deploy', 'rbac.yaml')]));
  afterEach(() => {
    for (const b of bindings.splice(0)) kubectl(['delete', b, '--ignore-not-found']);
  });

  it('with no rights: FAIL for audit (exit 2), WARN for the rest, each naming what is denied and the ClusterRole to bind', () => {
    const r = doctor([], restrictedKubeconfig());
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.line('identity').detail, /^restricted \(groups: system:authenticated\)/);
    const a = r.line('permissions: audit');
    assert.equal(a.status, 'FAIL');
    assert.equal(a.detail, 'audit will fail: list namespaces denied; get namespaces denied; list networkpolicies.networking.k8s.io denied cluster-wide (no namespace to review one by one)');
    assert.equal(a.next, 'kubectl apply -f deploy/rbac.yaml && kubectl create clusterrolebinding cis-netpol-audit-restricted --clusterrole=cis-netpol-audit --user=restricted');
    assert.deepEqual(['remediate', 'rollback, prune', 'can-reach', 'cni'].map((c) => r.line(`permissions: ${c}`).status), ['WARN', 'WARN', 'WARN', 'WARN']);
    assert.match(r.line('permissions: cni').detail, /list daemonsets\.apps denied cluster-wide and in 6 namespace\(s\)/);
    assert.match(r.line('enforcement (5.3.1)').next ?? '', /cis-netpol-cni/);
    assert.match(r.line('placeholders').detail, /^cannot read NetworkPolicies: forbidden: cannot list namespaces/);
  });

  it('with cis-netpol-audit: audit OK; remediate WARN naming create; with cis-netpol-cni too, the CNI lines OK', () => {
    kubectlOk(['create', 'clusterrolebinding', 'cisnp-doc-audit', '--clusterrole=cis-netpol-audit', '--user=restricted']);
    bindings.push('clusterrolebinding/cisnp-doc-audit');
    let r = doctor([], restrictedKubeconfig());
    assert.equal(r.line('permissions: audit').status, 'OK');
    assert.match(r.line('permissions: remediate').detail, /^remediate will fail: create networkpolicies\.networking\.k8s\.io denied cluster-wide and in \d+ namespace\(s\)/);
    assert.equal(r.line('permissions: cni').status, 'WARN');
    kubectlOk(['create', 'clusterrolebinding', 'cisnp-doc-cni', '--clusterrole=cis-netpol-cni', '--user=restricted']);
    bindings.push('clusterrolebinding/cisnp-doc-cni');
    r = doctor([], restrictedKubeconfig());
    assert.equal(r.line('permissions: cni').status, 'OK');
    assert.equal(r.line('enforcement (5.3.1)').status, 'WARN');
    assert.match(r.line('enforcement (5.3.1)').detail, /^UNKNOWN: no DaemonSet of a known/);
  });
});
