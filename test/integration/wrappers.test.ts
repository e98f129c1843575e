// Level_1_Master_Node/5.3.2_{audit,remediate}.sh run with bash as the CIS unified runner runs them
// (no arguments, stdin open, 60 s, a working directory outside the repository), against the real
// API server, with the built executable. Each run is judged twice: by its output, and by the
// status the runner derives from it (test/support/runner.ts applies the runner's documented rules).
// The cluster is shared with other tests, so every run is scoped to fresh namespaces through
// CIS_NETPOL_NAMESPACES.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freshNamespaces, getPolicy, policiesIn, policyNames, userPolicy } from '../support/cluster.ts';
import { adminKubeconfig, builtBinary, restrictedKubeconfig } from '../support/env.ts';
import { ALLOW_ALL, CLUSTER_INTERNAL } from '../support/expected.ts';
import { kubectl, kubectlOk } from '../support/run.ts';
import { describeRun, runnerStatus, runnerTags, runWrapper, SCRIPTS, type Mode, type WrapperOptions, type WrapperRun } from '../support/runner.ts';


const scope = (names: string[]) => ({ CIS_NETPOL_NAMESPACES: names.join(',') });

function run(mode: Mode, names: string[], env: Record<string, string | undefined> = {}, o: Omit<WrapperOptions, 'env'> = {}) {
  return runWrapper(mode, { ...o, env: { ...scope(names), ...env } });
}

function assertStatus(r: WrapperRun, status: WrapperRun['status'], code?: number) {
  assert.equal(r.status, status, describeRun(r));
  if (code !== undefined) assert.equal(r.code, code, describeRun(r));
  assert.ok(r.ms < 30_000, `well inside the runner's 60 s: ${r.ms} ms`);
}

/** No "fixed" in any case, on either stream: the runner would report FIXED. */
function assertNoFixed(r: WrapperRun) {
  assert.doesNotMatch(r.stdout, /fixed/i, describeRun(r));
  assert.doesNotMatch(r.stderr, /fixed/i, describeRun(r));
}

/** A rejected setting: FAIL, the variable named in the reason, a hint, and nothing written. */
function assertBadSetting(r: WrapperRun, variable: string) {
  assertStatus(r, 'FAIL', 2);
  assert.ok(r.tags.failReason?.startsWith(`${variable} is invalid: `), describeRun(r));
  assert.ok(r.tags.fixHint, describeRun(r));
}

const temps: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-wrappers-'));
  temps.push(d);
  return d;
}

const LIB = path.join(path.dirname(SCRIPTS.audit), '5.3.2_netpol_lib.sh');

/** The 5.3.2 files alone in <dir>/Level_1_Master_Node, as a user copies them into the toolkit. */
function copiedScripts(withLib = true): { dir: string; audit: string; remediate: string } {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'Level_1_Master_Node'));
  const copy = (from: string) => {
    const to = path.join(dir, 'Level_1_Master_Node', path.basename(from));
    fs.copyFileSync(from, to);
    return to;
  };
  if (withLib) copy(LIB);
  return { dir, audit: copy(SCRIPTS.audit), remediate: copy(SCRIPTS.remediate) };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** PATH without the plugin: only the system directories bash and coreutils live in. */
const SYSTEM_PATH = '/usr/bin:/bin';

after(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

describe('the runner rules applied by test/support/runner.ts', () => {
  const cases: [Mode, number, string, string][] = [
    ['audit', 0, '[+] PASS: All 2 checked namespaces have at least one NetworkPolicy defined', 'PASS'],
    ['audit', 1, '[FAIL_REASON] 1 namespace(s) without a NetworkPolicy: a', 'FAIL'],
    ['audit', 2, '[FAIL_REASON] this requires manual review', 'MANUAL'],
    ['audit', 3, 'anything', 'MANUAL'],
    ['remediate', 0, '[+] prefixed-app  PASS', 'FIXED'],
    ['remediate', 0, '[+] PASS: nothing changed', 'PASS'],
    ['remediate', 1, '[+] ns  FIXED  Policy applied successfully', 'FAIL'],
    ['remediate', 2, '[FAIL_REASON] x', 'FAIL'],
  ];
  for (const [mode, code, out, status] of cases) {
    it(`${mode}, exit ${code}, "${out}" → ${status}`, () => assert.equal(runnerStatus(mode, code, out), status));
  }
  it('a "(Manual)" title makes an audit judged by [PASS]/[FAIL] only', () => {
    const manual = '#!/bin/bash\n# Title: 5.3.2 something (Manual)\n';
    assert.equal(runnerStatus('audit', 1, '[PASS] ok', manual), 'PASS');
    assert.equal(runnerStatus('audit', 0, 'done', manual), 'MANUAL');
  });
  it('tags: the last [FAIL_REASON] and [FIX_HINT] win, every [CMD] is kept, else the first line', () => {
    const t = runnerTags('first\n[FAIL_REASON] a\n[FIX_HINT] h1\n[CMD] c1\n[FAIL_REASON] b\n[FIX_HINT] h2\n[CMD] c2\n');
    assert.deepEqual(t, { failReason: 'b', fixHint: 'h2', cmds: ['c1', 'c2'], reason: 'b' });
    assert.equal(runnerTags('\n  \nfirst line\n').reason, 'first line');
  });
});

describe('Level_1_Master_Node wrappers under the CIS unified runner', () => {
  describe('the scripts themselves', () => {
    const texts = { audit: fs.readFileSync(SCRIPTS.audit, 'utf8'), remediate: fs.readFileSync(SCRIPTS.remediate, 'utf8') };

    it('have a "# Title:" within 10 lines, never "(Manual)", and none of the runner\'s manual phrases', () => {
      for (const text of Object.values(texts)) {
        const head = text.split('\n').slice(0, 10);
        assert.ok(head.some((l) => /^# Title: 5\.3\.2 /.test(l)));
        assert.ok(!head.some((l) => /\(Manual\)/i.test(l)));
        assert.ok(!/requires manual|manual intervention|manual remediation/i.test(text), 'a phrase the runner reads as MANUAL');
      }
    });

    it('copied without the shared 5.3.2_netpol_lib.sh: a clear FAIL_REASON, exit 2', async () => {
      const copy = copiedScripts(false);
      for (const mode of ['audit', 'remediate'] as const) {
        const r = await runWrapper(mode, { script: copy[mode], env: {} });
        assertStatus(r, 'FAIL', 2);
        assert.match(r.stdout, /\[FAIL_REASON\] .*5\.3\.2_netpol_lib\.sh is missing/);
        assert.match(r.stdout, /\[FIX_HINT\] copy Level_1_Master_Node\/5\.3\.2_netpol_lib\.sh/);
      }
    });
  });

  describe('audit', () => {
    it('all compliant: exit 0 with the guide\'s PASS line → PASS', async () => {
      const names = freshNamespaces('wr-ok', 2);
      for (const ns of names) userPolicy(ns, 'user-web');
      const r = await run('audit', names);
      assertStatus(r, 'PASS', 0);
      assert.match(r.stdout, /^\[\+\] PASS: All 2 checked namespaces have at least one NetworkPolicy defined$/m);
      assert.equal(r.tags.failReason, undefined);
      assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour codes');
    });

    it('some non-compliant: exit 1, the guide\'s FAIL lines, [FAIL_REASON] naming them and a [FIX_HINT] → FAIL', async () => {
      const [a, b, c] = freshNamespaces('wr-some', 3) as [string, string, string];
      userPolicy(b, 'user-web');
      const r = await run('audit', [a, b, c]);
      assertStatus(r, 'FAIL', 1);
      assert.match(r.stdout, /^\[-\] FAIL: The following 2 namespace\(s\) do not have a NetworkPolicy defined:$/m);
      assert.ok(r.stdout.includes(`\n    - ${a}\n    - ${c}\n`), r.stdout);
      assert.equal(r.tags.failReason, `2 namespace(s) without a NetworkPolicy: ${a}, ${c}`);
      assert.match(r.tags.fixHint ?? '', /5\.3\.2_remediate\.sh/);
    });

    it('a long list in [FAIL_REASON] is cut to the first 10 and a count', async () => {
      const names = freshNamespaces('wr-long', 12);
      const r = await run('audit', names);
      assertStatus(r, 'FAIL', 1);
      const sorted = [...names].sort();
      assert.equal(r.tags.failReason, `12 namespace(s) without a NetworkPolicy: ${sorted.slice(0, 10).join(', ')}, ... and 2 more`);
    });

    it('a namespace that does not exist: the check could not run for it (exit 2, not a compliance verdict)', async () => {
      const [a] = freshNamespaces('wr-gone', 1) as [string];
      const r = await run('audit', [a, `${a}-missing`]);
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', new RegExp(`^the check could not run for 1 namespace\\(s\\): ${a}-missing: Namespace not found; and 1 namespace\\(s\\) have no NetworkPolicy: ${a}$`));
    });
  });

  describe('remediate', () => {
    it('policies applied: exit 0 and FIXED in the output → FIXED; the allow-all placeholder is stored', async () => {
      const [a, b] = freshNamespaces('wr-fix', 2) as [string, string];
      userPolicy(b, 'user-web');
      const r = await run('remediate', [a, b], { DRY_RUN: 'false' });
      assertStatus(r, 'FIXED', 0);
      assert.match(r.stdout, new RegExp(`^\\[\\+\\] ${a} +FIXED +Policy applied successfully`, 'm'));
      assert.match(r.stdout, new RegExp(`^\\[\\+\\] FIXED: 1 namespace\\(s\\) now have NetworkPolicy cis-default-allow \\(template allow-all\\): ${a}$`, 'm'));
      assert.deepEqual(getPolicy(a, 'cis-default-allow').spec, ALLOW_ALL);
      assert.deepEqual(policyNames(b), ['user-web']);
    });

    it('nothing to do: exit 0 and no "fixed" anywhere, though the namespaces are named prefixed-… → PASS', async () => {
      const names = freshNamespaces('prefixed', 2);
      for (const ns of names) userPolicy(ns, 'user-web');
      const r = await run('remediate', names);
      assertStatus(r, 'PASS', 0);
      assertNoFixed(r);
      assert.match(r.stdout, /^\[\+\] PASS: all 2 checked namespaces already have a NetworkPolicy; nothing changed$/m);

      const v = await run('remediate', names, { VERBOSE: 'true' });
      assertStatus(v, 'PASS', 0);
      assertNoFixed(v);
      assert.match(v.stdout, /^\[\*\] \d+ line\(s\) withheld: /m, 'the lines naming them are withheld, and it says so');
    });

    it('DRY_RUN=true: exit 0, says what would be done, changes nothing, never "fixed" → PASS', async () => {
      const [p] = freshNamespaces('prefixed', 1) as [string];
      const [d] = freshNamespaces('wr-dry', 1) as [string];
      const r = await run('remediate', [p, d], { DRY_RUN: 'true' });
      assertStatus(r, 'PASS', 0);
      assertNoFixed(r);
      assert.match(r.stdout, /^\[\*\] DRY RUN \(client\): nothing was changed\.$/m);
      assert.match(r.stdout, /^\[\+\] 2 namespace\(s\) would get NetworkPolicy cis-default-allow \(template allow-all\):$/m);
      assert.ok(r.stdout.includes(`    - ${d}\n`));
      assert.deepEqual(policiesIn(p), []);
      assert.deepEqual(policiesIn(d), []);

      const s = await run('remediate', [p, d], { DRY_RUN: 'server', POLICY_NAME: 'prefixed-allow' });
      assertStatus(s, 'PASS', 0);
      assertNoFixed(s);
      assert.match(s.stdout, /would get the NetworkPolicy named by POLICY_NAME/);
      assert.deepEqual(policiesIn(p), []);
    });

    it('a namespace the API server refuses: exit 2 → FAIL naming it; the others still get their policy', async () => {
      const [ok, denied] = freshNamespaces('wr-deny', 2) as [string, string];
      kubectlOk(['label', 'namespace', denied, `cis-wrappers-deny=${denied}`]);
      const vap = `cis-wrappers-deny-${denied}`;
      kubectlOk(['apply', '-f', '-'], {
        input: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${vap}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [networking.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [networkpolicies]}]
  validations: [{expression: "false", message: "NetworkPolicies are not allowed here"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${vap}}
spec:
  policyName: ${vap}
  validationActions: [Deny]
  matchResources: {namespaceSelector: {matchLabels: {cis-wrappers-deny: ${denied}}}}
`,
      });
      try {
        const probe = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: probe, namespace: ${denied}}\nspec: {podSelector: {}}\n`;
        for (let i = 0; kubectl(['create', '--dry-run=server', '-f', '-'], { input: probe }).code === 0; i++) {
          if (i > 50) assert.fail('the admission policy never took effect');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const r = await run('remediate', [ok, denied]);
        assertStatus(r, 'FAIL', 2);
        assert.match(r.tags.failReason ?? '', new RegExp(`^remediation failed in 1 namespace\\(s\\): ${denied} \\(first: ${denied}: .*not allowed here.*\\); 1 other namespace\\(s\\) did get cis-default-allow$`));
        assert.match(r.tags.fixHint ?? '', /run the remediation again/);
        assert.deepEqual(policyNames(ok), ['cis-default-allow']);
        assert.deepEqual(policiesIn(denied), []);
      } finally {
        kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', vap]);
      }
    });
  });

  describe('could not run', () => {
    it('a user with no rights: both scripts FAIL with "could not run" and the plugin\'s reason; nothing written', async () => {
      const [ns] = freshNamespaces('wr-rbac', 1) as [string];
      const env = { KUBECONFIG: restrictedKubeconfig() };
      const a = await run('audit', [ns], env);
      assertStatus(a, 'FAIL', 2);
      assert.match(a.tags.failReason ?? '', /^the check could not run: forbidden: /);
      assert.ok(a.tags.fixHint, describeRun(a));
      const r = await run('remediate', [ns], env);
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', /^remediation could not run: forbidden: /);
      assert.ok(r.tags.fixHint);
      assert.deepEqual(policiesIn(ns), []);
    });

    it('the API server unreachable (a closed loopback port): FAIL with "could not run", in seconds', async () => {
      const [ns] = freshNamespaces('wr-down', 1) as [string];
      const port = await closedPort();
      const dead = path.join(tempDir(), 'dead.kubeconfig');
      fs.writeFileSync(dead, fs.readFileSync(adminKubeconfig(), 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`));
      for (const mode of ['audit', 'remediate'] as const) {
        const r = await run(mode, [ns], { KUBECONFIG: dead });
        assertStatus(r, 'FAIL', 2);
        assert.match(r.tags.failReason ?? '', new RegExp(`could not run: cannot reach the API server at https://127\\.0\\.0\\.1:${port}`));
        assert.ok(r.ms < 15_000, `${r.ms} ms`);
      }
    });

    it('the plugin nowhere to be found: FAIL with [FAIL_REASON] and a [FIX_HINT] to install it', async () => {
      assert.ok(!SYSTEM_PATH.split(':').some((d) => fs.existsSync(path.join(d, 'kubectl-cis_netpol'))), 'precondition: no plugin in the system PATH');
      const copy = copiedScripts();
      for (const mode of ['audit', 'remediate'] as const) {
        const r = await runWrapper(mode, { script: copy[mode], env: { KUBECTL_CIS_NETPOL: undefined, PATH: SYSTEM_PATH, HOME: copy.dir } });
        assertStatus(r, 'FAIL', 2);
        assert.match(r.tags.failReason ?? '', /could not run: the kubectl-cis_netpol plugin was not found/);
        assert.match(r.tags.fixHint ?? '', /kubectl krew install cis-netpol/);
      }
    });

    it('KUBECTL_CIS_NETPOL pointing at nothing: FAIL naming the variable', async () => {
      const r = await run('audit', ['default'], { KUBECTL_CIS_NETPOL: '/nonexistent/kubectl-cis_netpol' });
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', /KUBECTL_CIS_NETPOL is set to "\/nonexistent\/kubectl-cis_netpol", which is not an executable file/);
    });

    it('a plugin that hangs is stopped at CIS_NETPOL_TIMEOUT, inside the runner\'s 60 s, with a reason', async () => {
      const fake = path.join(tempDir(), 'kubectl-cis_netpol');
      fs.writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
      const r = await run('audit', ['default'], { KUBECTL_CIS_NETPOL: fake, CIS_NETPOL_TIMEOUT: '2' });
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', /^the check could not run: kubectl-cis_netpol did not finish within 2 s/);
      assert.ok(r.ms < 10_000, `${r.ms} ms`);
    });

    it('a plugin error that reads like "requires manual" still yields FAIL, never MANUAL', async () => {
      const fake = path.join(tempDir(), 'kubectl-cis_netpol');
      fs.writeFileSync(fake, '#!/bin/sh\necho "error: this requires manual review (next: see Manual Intervention docs)" >&2\nexit 2\n', { mode: 0o755 });
      const r = await run('audit', ['default'], { KUBECTL_CIS_NETPOL: fake });
      assertStatus(r, 'FAIL', 2);
      assert.equal(r.tags.failReason, 'the check could not run: this requires-manual review');
      assert.equal(r.tags.fixHint, 'see manual-intervention docs');
    });
  });

  describe('finding the plugin, from an unrelated working directory', () => {
    it('cwd=/tmp, KUBECTL_CIS_NETPOL unset, nothing on PATH: the build in dist/ beside the scripts', async () => {
      const [ns] = freshNamespaces('wr-cwd', 1) as [string];
      const r = await run('audit', [ns], { KUBECTL_CIS_NETPOL: undefined, PATH: SYSTEM_PATH, HOME: tempDir() }, { cwd: '/tmp' });
      assertStatus(r, 'FAIL', 1);
      assert.equal(r.tags.failReason, `1 namespace(s) without a NetworkPolicy: ${ns}`);
    });

    it('kubectl-cis_netpol on PATH, or in krew\'s bin directory, for scripts copied out of the repository', async () => {
      const [ns] = freshNamespaces('wr-find', 1) as [string];
      const copy = copiedScripts();
      const bin = path.join(copy.dir, 'bin');
      const krew = path.join(copy.dir, 'home', '.krew', 'bin');
      for (const d of [bin, krew]) {
        fs.mkdirSync(d, { recursive: true });
        fs.symlinkSync(builtBinary(), path.join(d, 'kubectl-cis_netpol'));
      }
      const onPath = await runWrapper('audit', { script: copy.audit, cwd: '/', env: { ...scope([ns]), KUBECTL_CIS_NETPOL: undefined, PATH: `${bin}:${SYSTEM_PATH}`, HOME: tempDir() } });
      assertStatus(onPath, 'FAIL', 1);
      const inKrew = await runWrapper('audit', { script: copy.audit, cwd: '/', env: { ...scope([ns]), KUBECTL_CIS_NETPOL: undefined, PATH: SYSTEM_PATH, HOME: path.join(copy.dir, 'home') } });
      assertStatus(inKrew, 'FAIL', 1);
      assert.equal(inKrew.tags.failReason, `1 namespace(s) without a NetworkPolicy: ${ns}`);
    });
  });

  describe('environment variables', () => {
    it('KUBECONFIG unset: the runner\'s fallback order finds ~/.kube/config', async function () {
      if (fs.existsSync('/etc/kubernetes/admin.conf')) this.skip(); // a real control-plane node comes first
      const [ns] = freshNamespaces('wr-kcfg', 1) as [string];
      userPolicy(ns, 'user-web');
      const home = tempDir();
      fs.mkdirSync(path.join(home, '.kube'));
      fs.copyFileSync(adminKubeconfig(), path.join(home, '.kube', 'config'));
      const r = await run('audit', [ns], { KUBECONFIG: undefined, HOME: home });
      assertStatus(r, 'PASS', 0);
    });

    it('KUBECONFIG naming a missing file: FAIL, the check could not run', async () => {
      const r = await run('audit', ['default'], { KUBECONFIG: path.join(tempDir(), 'missing.kubeconfig') });
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', /^the check could not run: no kubeconfig found/);
    });

    it('DRY_RUN: false applies; an unknown value is refused by both scripts, naming DRY_RUN', async () => {
      const [ns] = freshNamespaces('wr-dryvar', 1) as [string];
      for (const mode of ['audit', 'remediate'] as const) assertBadSetting(await run(mode, [ns], { DRY_RUN: 'maybe' }), 'DRY_RUN');
      assert.deepEqual(policiesIn(ns), []);
      assertStatus(await run('remediate', [ns], { DRY_RUN: 'false' }), 'FIXED', 0);
    });

    it('VERBOSE=true shows the table and the plugin\'s request log; a bad value names VERBOSE', async () => {
      const [ns] = freshNamespaces('wr-verbose', 1) as [string];
      const quiet = await run('audit', [ns]);
      assert.doesNotMatch(quiet.stdout, /^NAMESPACE +POLICIES/m, 'the guide\'s lines only by default');
      const r = await run('audit', [ns], { VERBOSE: 'true' });
      assertStatus(r, 'FAIL', 1);
      assert.match(r.stdout, /^NAMESPACE +POLICIES +STATUS/m);
      assert.match(r.stdout, new RegExp(`^${ns} +<none> +FAIL`, 'm'));
      assert.match(r.stderr, /^I \d{4}-\d\d-\d\dT.* get namespaces /m);
      assertBadSetting(await run('audit', [ns], { VERBOSE: 'loud' }), 'VERBOSE');
    });

    it('SKIP_SYSTEM_NS: system namespaces skipped by default, checked with false; a bad value names it', async () => {
      const [ns] = freshNamespaces('wr-sys', 1) as [string];
      userPolicy(ns, 'user-web');
      const names = ['kube-public', ns];
      const def = await run('audit', names);
      assertStatus(def, 'PASS', 0);
      assert.match(def.stdout, /All 1 checked namespaces/);
      assert.match(def.stdout, /^\[\*\] 1 namespace\(s\) skipped/m);
      const all = await run('audit', names, { SKIP_SYSTEM_NS: 'false' });
      if (policiesIn('kube-public').length === 0) {
        assertStatus(all, 'FAIL', 1);
        assert.equal(all.tags.failReason, '1 namespace(s) without a NetworkPolicy: kube-public');
      } else {
        assertStatus(all, 'PASS', 0);
        assert.match(all.stdout, /All 2 checked namespaces/);
      }
      assertBadSetting(await run('audit', names, { SKIP_SYSTEM_NS: 'sometimes' }), 'SKIP_SYSTEM_NS');
    });

    it('POLICY_TYPE: allow-all and cluster-internal (only with ACCEPT_DISRUPTION) are stored as such; others are refused', async () => {
      const [a, c, bad] = freshNamespaces('wr-type', 3) as [string, string, string];
      assertStatus(await run('remediate', [a], { POLICY_TYPE: 'allow-all' }), 'FIXED', 0);
      assert.deepEqual(getPolicy(a, 'cis-default-allow').spec, ALLOW_ALL);
      const r = await run('remediate', [c], { POLICY_TYPE: 'cluster-internal', ACCEPT_DISRUPTION: 'true' });
      assertStatus(r, 'FIXED', 0);
      assert.match(r.stdout, /\(template cluster-internal\)/);
      const stored = getPolicy(c, 'cis-default-allow');
      assert.deepEqual(stored.spec, CLUSTER_INTERNAL);
      assert.equal(stored.metadata.annotations?.['cis-netpol.io/template'], 'cluster-internal');
      const refused = await run('remediate', [bad], { POLICY_TYPE: 'cluster-internal' });
      assertStatus(refused, 'FAIL', 2);
      assert.match(refused.tags.fixHint ?? '', /POLICY_TYPE=allow-all .*ACCEPT_DISRUPTION=true/, 'without ACCEPT_DISRUPTION the plugin refuses a template that cuts connections');
      assertBadSetting(await run('remediate', [bad], { POLICY_TYPE: 'deny-all' }), 'POLICY_TYPE');
      assertBadSetting(await run('remediate', [bad], { ACCEPT_DISRUPTION: 'please' }), 'ACCEPT_DISRUPTION');
      assert.deepEqual(policiesIn(bad), []);
    });

    it('POLICY_NAME names the placeholder; an invalid name is refused', async () => {
      const [ns] = freshNamespaces('wr-name', 1) as [string];
      assertBadSetting(await run('remediate', [ns], { POLICY_NAME: 'Not_A_Name' }), 'POLICY_NAME');
      assert.deepEqual(policiesIn(ns), []);
      const r = await run('remediate', [ns], { POLICY_NAME: 'baseline-allow' });
      assertStatus(r, 'FIXED', 0);
      assert.match(r.stdout, /now have NetworkPolicy baseline-allow/);
      assert.deepEqual(policyNames(ns), ['baseline-allow']);
    });

    it('EXCLUDED_NAMESPACES as the runner passes it (JSON text), with globs, and comma-separated', async () => {
      const [a, b, c] = freshNamespaces('wr-excl', 3) as [string, string, string];
      const globbed = freshNamespaces('wr-exglob', 2);
      const all = [a, b, c, ...globbed];
      // json.dumps(["…", "wr-exglob-*"]) in the runner
      const json = await run('audit', all, { EXCLUDED_NAMESPACES: JSON.stringify([a, 'wr-exglob-*']).replace(/","/g, '", "') });
      assertStatus(json, 'FAIL', 1);
      assert.equal(json.tags.failReason, `2 namespace(s) without a NetworkPolicy: ${b}, ${c}`);
      assert.match(json.stdout, /^\[\*\] 3 namespace\(s\) skipped/m);
      const csv = await run('remediate', all, { EXCLUDED_NAMESPACES: ` ${a}, wr-exglob-* ` });
      assertStatus(csv, 'FIXED', 0);
      assert.deepEqual(policiesIn(a), []);
      for (const ns of globbed) assert.deepEqual(policiesIn(ns), []);
      assert.deepEqual(policyNames(b), ['cis-default-allow']);
      const none = await run('audit', [b, c], { EXCLUDED_NAMESPACES: '[]' });
      assertStatus(none, 'PASS', 0);
    });

    it('EXCEPTIONS_FILE: an exempt namespace passes the audit and remediate leaves it alone; a missing file is refused', async () => {
      const [exempt, other] = freshNamespaces('wr-exc', 2) as [string, string];
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-exc-')), 'exceptions.yaml');
      fs.writeFileSync(file, `apiVersion: cis-netpol.io/v1\nkind: NetworkPolicyExceptions\nexceptions:\n- namespace: ${exempt}\n  reason: appliance\n  owner: ops\n  until: 2099-01-01\n`);
      assertStatus(await run('audit', [exempt], { EXCEPTIONS_FILE: file }), 'PASS', 0);
      const failing = await run('audit', [exempt, other], { EXCEPTIONS_FILE: file });
      assertStatus(failing, 'FAIL', 1);
      assert.equal(failing.tags.failReason, `1 namespace(s) without a NetworkPolicy: ${other}`);
      assertStatus(await run('remediate', [exempt, other], { EXCEPTIONS_FILE: file }), 'FIXED', 0);
      assert.deepEqual(policiesIn(exempt), []);
      assert.deepEqual(policyNames(other), ['cis-default-allow']);
      assertBadSetting(await run('audit', [exempt], { EXCEPTIONS_FILE: `${file}.missing` }), 'EXCEPTIONS_FILE');
    });

    it('EXCLUDED_NAMESPACES that is malformed or not names is refused, and nothing is written', async () => {
      const [ns] = freshNamespaces('wr-exbad', 1) as [string];
      for (const bad of ['["a",', '["a" "b"]', '[1, 2]', '{"a": 1}', '["a", ]', '["Team_A"]', 'a,b c', '["a\\u002a"]']) {
        const r = await run('remediate', [ns], { EXCLUDED_NAMESPACES: bad });
        assertBadSetting(r, 'EXCLUDED_NAMESPACES');
      }
      const r = await run('remediate', [ns], { EXCLUDED_NAMESPACES: '["a",' });
      assert.match(r.tags.failReason ?? '', /not valid JSON/);
      assert.deepEqual(policiesIn(ns), []);
    });

    it('CIS_NETPOL_NAMESPACES, CIS_NETPOL_REQUEST_TIMEOUT and CIS_NETPOL_TIMEOUT refuse bad values by name', async () => {
      assertBadSetting(await run('audit', ['Bad_Name']), 'CIS_NETPOL_NAMESPACES');
      assertBadSetting(await run('audit', ['default'], { CIS_NETPOL_REQUEST_TIMEOUT: 'soon' }), 'CIS_NETPOL_REQUEST_TIMEOUT');
      assertBadSetting(await run('audit', ['default'], { CIS_NETPOL_TIMEOUT: '0' }), 'CIS_NETPOL_TIMEOUT');
    });
  });

  it('the guide\'s sequence: audit FAIL → remediate FIXED → audit PASS → remediate twice, nothing to do', async () => {
    const [a, b, c] = freshNamespaces('wr-guide', 3) as [string, string, string];
    userPolicy(c, 'user-web');
    const names = [a, b, c];

    const audit1 = await run('audit', names);
    assertStatus(audit1, 'FAIL', 1);
    assert.match(audit1.stdout, /^\[-\] FAIL: The following 2 namespace\(s\) do not have a NetworkPolicy defined:$/m);

    const fix = await run('remediate', names);
    assertStatus(fix, 'FIXED', 0);
    assert.match(fix.stdout, new RegExp(`^\\[\\+\\] ${b} +FIXED +Policy applied successfully`, 'm'));
    assert.match(fix.stdout, /Policies Applied: +2/);

    const audit2 = await run('audit', names);
    assertStatus(audit2, 'PASS', 0);
    assert.match(audit2.stdout, /^\[\+\] PASS: All 3 checked namespaces have at least one NetworkPolicy defined$/m);

    for (let i = 0; i < 2; i++) {
      const again = await run('remediate', names);
      assertStatus(again, 'PASS', 0);
      assertNoFixed(again);
      assert.match(again.stdout, /^\[\+\] PASS: all 3 checked namespaces already have a NetworkPolicy; nothing changed$/m);
    }
    for (const ns of [a, b]) assert.deepEqual(policyNames(ns), ['cis-default-allow']);
    assert.deepEqual(policyNames(c), ['user-web']);
  });
});
