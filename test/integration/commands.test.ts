// audit → remediate → audit → remediate → rollback → audit, on a real kube-apiserver, with the
// built executable. Every stored object is read back with kubectl (plain JSON: `from`, not `_from`).
import assert from 'node:assert/strict';
import { freshNamespaces, getPolicy, policiesIn, policyNames, terminatingNamespace, userPolicy, type Obj } from '../support/cluster.ts';
import { ALLOW_ALL, CLUSTER_INTERNAL } from '../support/expected.ts';
import { kubectlJson, kubectlOk, plugin } from '../support/run.ts';


const fingerprint = (o: Obj) => ({ uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion });

describe('commands against a real API server', () => {
  it('audit FAIL → remediate FIXED → audit PASS → remediate 0 → rollback → audit FAIL', () => {
    const [a, b, c] = freshNamespaces('flow', 3) as [string, string, string];
    const mine = userPolicy(c, 'user-web');
    const scope = ['-n', `${a},${b},${c}`];

    let r = plugin(['audit', ...scope]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\[-\] FAIL: The following 2 namespace\(s\) do not have a NetworkPolicy defined:\n {4}- /);
    assert.ok(r.stdout.includes(`    - ${a}\n`) && r.stdout.includes(`    - ${b}\n`));

    r = plugin(['remediate', ...scope]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`\\[\\+\\] ${a} +FIXED +Policy applied successfully`));
    assert.match(r.stdout, /Policies Applied: +2/);
    assert.match(r.stdout, /Already Had Policy: +1/);
    assert.match(r.stdout, /Timestamp: \d{4}-\d\d-\d\dT/);

    for (const ns of [a, b]) {
      const p = getPolicy(ns, 'cis-default-allow');
      assert.deepEqual(p.spec, ALLOW_ALL, 'the stored spec is exactly the allow-all template');
      assert.equal(p.metadata.labels?.['app.kubernetes.io/managed-by'], 'kubectl-cis-netpol');
      assert.equal(p.metadata.labels?.['cis-benchmark'], '5.3.2');
      assert.match(p.metadata.annotations?.['cis-netpol.io/warning'] ?? '', /additive/);
    }
    assert.deepEqual(policyNames(c), ['user-web'], 'a namespace that had a policy gets nothing');

    r = plugin(['audit', ...scope]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[\+\] PASS: All 3 checked namespaces have at least one NetworkPolicy defined/);

    r = plugin(['remediate', ...scope]);
    assert.equal(r.code, 0, 'nothing to do the second time');
    assert.match(r.stdout, /Policies Applied: +0/);

    r = plugin(['rollback', ...scope]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${a} +REMOVED`));
    assert.match(r.stdout, /These 2 namespace\(s\) will have no NetworkPolicy and fail CIS 5.3.2 again/);
    assert.deepEqual(policyNames(a), []);
    assert.deepEqual(fingerprint(getPolicy(c, 'user-web')), fingerprint(mine), 'the user policy survived untouched');

    r = plugin(['audit', ...scope]);
    assert.equal(r.code, 1);
  });

  it('--template cluster-internal stores the guide\'s peers (from survives the typed client)', () => {
    const [ns] = freshNamespaces('tmpl', 1) as [string];
    const r = plugin(['remediate', '-n', ns, '--template', 'cluster-internal', '--accept-disruption']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(getPolicy(ns, 'cis-default-allow').spec, CLUSTER_INTERNAL);
  });

  it('--policy-name names the placeholder, and rollback finds it by its receipt', () => {
    const [ns] = freshNamespaces('name', 1) as [string];
    assert.equal(plugin(['remediate', '-n', ns, '--policy-name', 'baseline-allow']).code, 1);
    assert.deepEqual(policyNames(ns), ['baseline-allow']);
    assert.equal(plugin(['rollback', '-n', ns]).code, 0);
    assert.deepEqual(policyNames(ns), []);
  });

  it('objects we did not create keep uid and resourceVersion through every command', () => {
    const [a, b] = freshNamespaces('keep', 2) as [string, string];
    const legacy = userPolicy(a, 'cis-default-allow', '{podSelector: {}, policyTypes: [Ingress], ingress: [{}]}');
    const other = userPolicy(a, 'deny-web');
    const before = [fingerprint(legacy), fingerprint(other)];
    const scope = ['-n', `${a},${b}`];
    for (const args of [['audit'], ['remediate', '--dry-run=server'], ['remediate'], ['rollback', '--dry-run=server'], ['rollback'], ['rollback', '--force']]) {
      const r = plugin([...args, ...scope]);
      assert.ok(r.code !== 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual([fingerprint(getPolicy(a, 'cis-default-allow')), fingerprint(getPolicy(a, 'deny-web'))], before);
  });

  it('audit notes the placeholder alone, and the placeholder beside stricter policies', () => {
    const [alone, beside] = freshNamespaces('note', 2) as [string, string];
    plugin(['remediate', '-n', `${alone},${beside}`]);
    userPolicy(beside, 'deny-web');
    const r = plugin(['audit', '-n', `${alone},${beside}`, '-o', 'json']);
    const report = JSON.parse(r.stdout);
    const byNs = Object.fromEntries(report.findings.map((f: { namespace: string }) => [f.namespace, f]));
    assert.equal(byNs[alone].notes[0].kind, 'placeholder-only');
    assert.equal(byNs[beside].notes[0].kind, 'placeholder-overrides');
    assert.match(byNs[beside].notes[0].message, /placeholder overrides 1 stricter policy/);
  });

  it('rollback keeps a placeholder someone edited, unless --force', () => {
    const [ns] = freshNamespaces('edit', 1) as [string];
    plugin(['remediate', '-n', ns]);
    kubectlOk(['patch', 'networkpolicy', '-n', ns, 'cis-default-allow', '--type', 'merge', '-p', '{"spec":{"ingress":[{"from":[{"podSelector":{}}]}]}}']);
    const edited = fingerprint(getPolicy(ns, 'cis-default-allow'));
    let r = plugin(['rollback', '-n', ns]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /KEPT +cis-default-allow: Edited since cis-netpol created it/);
    assert.deepEqual(fingerprint(getPolicy(ns, 'cis-default-allow')), edited);
    r = plugin(['rollback', '-n', ns, '--force']);
    assert.match(r.stdout, /REMOVED/);
    assert.deepEqual(policyNames(ns), []);
  });

  it('a Terminating namespace can be made on purpose, and is SKIPPED with that reason', () => {
    const ns = terminatingNamespace('term');
    const got = kubectlJson<{ status: { phase: string } }>(['get', 'namespace', ns]);
    assert.equal(got.status.phase, 'Terminating');
    let r = plugin(['audit', '-n', ns]);
    assert.match(r.stdout, /SKIPPED +Namespace is terminating/);
    r = plugin(['remediate', '-n', ns]);
    assert.equal(r.code, 0, 'nothing to do');
    assert.deepEqual(policiesIn(ns), []);
  });

  it('a namespace that does not exist is an error, not a pass', () => {
    const r = plugin(['audit', '-n', 'no-such-namespace-cisnp']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /no-such-namespace-cisnp: Namespace not found/);
  });

  describe('dry runs write nothing', () => {
    for (const mode of ['--dry-run', '--dry-run=client', '--dry-run=server']) {
      it(`remediate ${mode}`, () => {
        const [ns] = freshNamespaces('dry', 1) as [string];
        const r = plugin(['remediate', '-n', ns, mode]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /PLANNED +Policy would be applied/);
        assert.match(r.stdout, /DRY RUN \((client|server)\): nothing was written/);
        assert.deepEqual(policiesIn(ns), []);
      });
      it(`rollback ${mode}`, () => {
        const [ns] = freshNamespaces('dryrb', 1) as [string];
        plugin(['remediate', '-n', ns]);
        const before = fingerprint(getPolicy(ns, 'cis-default-allow'));
        const r = plugin(['rollback', '-n', ns, mode]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /PLANNED +cis-default-allow: Would be removed/);
        assert.deepEqual(fingerprint(getPolicy(ns, 'cis-default-allow')), before);
      });
    }
  });

  it('-o json and -o yaml carry the versioned report; nothing decorative on a pipe', () => {
    const [ns] = freshNamespaces('json', 1) as [string];
    const j = plugin(['remediate', '-n', ns, '--dry-run', '-o', 'json']);
    const report = JSON.parse(j.stdout);
    assert.equal(report.apiVersion, 'cis-netpol.io/v1');
    assert.equal(report.kind, 'RemediationReport');
    assert.equal(report.results[0].status, 'PLANNED');
    const y = plugin(['audit', '-n', ns, '-o', 'yaml']);
    assert.match(y.stdout, /^apiVersion: cis-netpol.io\/v1\nkind: AuditReport/);
    assert.equal(/\u001b\[/.test(j.stdout + j.stderr + y.stdout + y.stderr), false, 'no ANSI codes');
    assert.equal(plugin(['audit', '-n', ns, '--json']).stdout.startsWith('{'), true);
  });

  it('-f audits a saved snapshot, from a file or stdin', () => {
    const [a, b] = freshNamespaces('snap', 2) as [string, string];
    userPolicy(a, 'x');
    const saved = kubectlOk(['get', 'namespaces,networkpolicies', '-A', '-o', 'yaml']);
    const r = plugin(['audit', '-f', '-', '-n', `${a},${b}`], { input: saved, kubeconfig: '/nonexistent' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`- ${b}\\n`));
    const ex = plugin(['audit', '-f', 'examples/snapshot.yaml'], { kubeconfig: '/nonexistent' });
    assert.equal(ex.code, 1, ex.stderr);
    assert.match(ex.stdout, /FAIL: The following/);
  });
});
