// Level_1_Master_Node/5.3.1_audit.sh as the CIS unified runner runs it (bash, no arguments, 60 s,
// cwd outside the repository), judged by the runner's rules (test/support/runner.ts), against CNI
// objects on the real API server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CNI_FIXTURES } from '../support/cni-fixtures.ts';
import { installCni, removeCni } from '../support/cni-objects.ts';
import { restrictedKubeconfig } from '../support/env.ts';
import { describeRun, hasManualTitle, runWrapper, SCRIPT_DIR, type WrapperRun } from '../support/runner.ts';

const SCRIPT = path.join(SCRIPT_DIR, '5.3.1_audit.sh');
const run = (env: Record<string, string | undefined> = {}, script = SCRIPT) => runWrapper('audit', { script, env });
const fixture = (name: string) => CNI_FIXTURES.find((f) => f.name === name)!;

function assertStatus(r: WrapperRun, status: WrapperRun['status'], code: number) {
  assert.equal(r.status, status, describeRun(r));
  assert.equal(r.code, code, describeRun(r));
  assert.ok(r.ms < 30_000, `well inside the runner's 60 s: ${r.ms} ms`);
}

describe('5.3.1_audit.sh through the runner', () => {
  afterEach(removeCni);

  it('is a check the runner finds, titled without "(Manual)", with no remediation script', () => {
    const text = fs.readFileSync(SCRIPT, 'utf8');
    assert.ok(text.split('\n').slice(0, 10).some((l) => l.startsWith('# Title: 5.3.1 ')));
    assert.equal(hasManualTitle(text), false);
    assert.doesNotMatch(text, /requires manual|manual intervention|manual remediation/i);
    assert.equal(fs.existsSync(path.join(SCRIPT_DIR, '5.3.1_remediate.sh')), false);
  });

  it('Calico: exit 0 → PASS, naming the enforcer', async () => {
    installCni(fixture('Calico (manifest, kube-system)').daemonSets);
    const r = await run();
    assertStatus(r, 'PASS', 0);
    assert.match(r.stdout, /^\[\+\] CIS 5\.3\.1 ENFORCED by Calico: /m);
    assert.ok(r.tags.cmds[0]?.startsWith('kubectl-cis_netpol cni --no-color'), describeRun(r));
  });

  it('Flannel alone: exit 1 → FAIL with [FAIL_REASON] NOT ENFORCED and a [FIX_HINT]', async () => {
    installCni(fixture('Flannel alone').daemonSets);
    const r = await run();
    assertStatus(r, 'FAIL', 1);
    assert.equal(r.tags.failReason, 'NOT ENFORCED: Flannel: Flannel does not implement NetworkPolicy');
    assert.match(r.tags.fixHint ?? '', /enable the CNI's network policy support/);
  });

  it('AWS VPC CNI with the agent off (the default): FAIL naming the flag', async () => {
    installCni(fixture('AWS VPC CNI, network policy agent off (the default)').daemonSets);
    const r = await run();
    assertStatus(r, 'FAIL', 1);
    assert.match(r.tags.failReason ?? '', /--enable-network-policy=false/);
  });

  it('nothing known runs: exit 3 → MANUAL, with what was seen and what to do', async () => {
    installCni(fixture('nothing known (kube-proxy only)').daemonSets);
    const r = await run();
    assertStatus(r, 'MANUAL', 3);
    assert.equal(r.tags.failReason, 'cannot decide from the API: no DaemonSet of a known NetworkPolicy enforcer among 1 DaemonSet(s): kube-system/kube-proxy');
    assert.match(r.tags.fixHint ?? '', /deny-all policy must block a test connection/);
  });

  it('a user who may read no DaemonSets: MANUAL, the hint names the ClusterRole', async () => {
    installCni(fixture('Flannel alone').daemonSets);
    const r = await run({ KUBECONFIG: restrictedKubeconfig() });
    assertStatus(r, 'MANUAL', 3);
    assert.match(r.tags.failReason ?? '', /could not list DaemonSets in namespace\(s\) kube-system, calico-system/);
    assert.match(r.tags.fixHint ?? '', /cis-netpol-cni/);
  });

  it('the API server unreachable: exit 2 → FAIL, "could not run" with the plugin\'s reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-531-'));
    const kc = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kc, fs.readFileSync(process.env['KUBECONFIG']!, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'));
    try {
      const r = await run({ KUBECONFIG: kc });
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', /^the check could not run: /);
      assert.ok(r.tags.fixHint, describeRun(r));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copied without 5.3.2_netpol_lib.sh: exit 2 with a FAIL_REASON that says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-531-'));
    const copy = path.join(dir, '5.3.1_audit.sh');
    fs.copyFileSync(SCRIPT, copy);
    try {
      const r = await run({}, copy);
      assertStatus(r, 'FAIL', 2);
      assert.match(r.tags.failReason ?? '', /5\.3\.2_netpol_lib\.sh is missing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
