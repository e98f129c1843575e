// Many clusters in one run: two real API servers at once (the suite's, and a second testenv this
// file starts and stops), plus a context whose server is down. One merged report, per-cluster
// errors isolated, exit code the worst; remediate across clusters only with --confirm-clusters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { adminKubeconfig, REPO } from '../support/env.ts';
import { kubectlOk, plugin } from '../support/run.ts';

type Kubeconfig = { clusters: { name: string; cluster: { server: string } }[]; users: { name: string }[]; contexts: { name: string; context: { cluster: string; user: string } }[] };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-many-'));
const secondDir = path.join(tmp, 'testenv-2');
const testenv = (cmd: string) => execFileSync(path.join(REPO, 'scripts', 'testenv'), [cmd], { env: { ...process.env, CIS_NETPOL_TESTENV_DIR: secondDir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** One kubeconfig with contexts east (the suite's server), west (the second) and dead (a closed port). */
function merged(second: string, deadPort: number): string {
  const read = (f: string) => yaml.load(fs.readFileSync(f, 'utf8')) as Kubeconfig;
  const out: Kubeconfig = { clusters: [], users: [], contexts: [] };
  for (const [name, file] of [['east', adminKubeconfig()], ['west', second]] as const) {
    const k = read(file);
    out.clusters.push({ ...k.clusters[0]!, name });
    out.users.push({ ...k.users[0]!, name });
    out.contexts.push({ name, context: { cluster: name, user: name } });
  }
  out.clusters.push({ ...out.clusters[0]!, name: 'dead', cluster: { ...out.clusters[0]!.cluster, server: `https://127.0.0.1:${deadPort}` } });
  out.contexts.push({ name: 'dead', context: { cluster: 'dead', user: 'east' } });
  const file = path.join(tmp, 'merged.kubeconfig');
  fs.writeFileSync(file, yaml.dump({ apiVersion: 'v1', kind: 'Config', 'current-context': 'east', ...out }), { mode: 0o600 });
  return file;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('many clusters in one run (two API servers at once)', () => {
  let kubeconfig = '';
  const ns = `many-${Date.now().toString(36)}`;
  before(async function () {
    this.timeout(180_000);
    const exports = testenv('start');
    const second = /KUBECONFIG=(\S+)/.exec(exports)?.[1];
    assert.ok(second, exports);
    kubeconfig = merged(second, await closedPort());
    for (const ctx of ['east', 'west']) kubectlOk(['--context', ctx, 'create', 'namespace', ns], { kubeconfig });
    kubectlOk(['--context', 'west', 'create', '-f', '-'], { kubeconfig, input: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: ${ns}}\nspec: {podSelector: {}}\n` });
  });
  after(() => {
    testenv('stop');
  });

  it('audit --context east,west: one table with a CLUSTER column; exit the worst (1)', () => {
    const r = plugin(['audit', '-n', ns, '--context', 'east,west'], { kubeconfig });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^CLUSTER +NAMESPACE +STATUS +POLICIES +NOTE\n/);
    assert.match(r.stdout, new RegExp(`^east +${ns} +FAIL +<none> +No NetworkPolicy defined$`, 'm'));
    assert.match(r.stdout, new RegExp(`^west +${ns} +PASS +web +1 NetworkPolicy defined$`, 'm'));
    assert.match(r.stdout, /\[\*\] 2 cluster\(s\), 2 checked: PASS 1, FAIL 1/);
  });

  it('--all-contexts with a dead cluster: the others reported, its error isolated, exit 2; JSON and JUnit carry the cluster', () => {
    const r = plugin(['audit', '-n', ns, '--all-contexts', '-o', 'json', '--request-timeout', '5s'], { kubeconfig });
    assert.equal(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout) as { kind: string; clusters: { cluster: string; report?: { findings: { status: string }[] }; error?: { message: string } }[] };
    assert.equal(doc.kind, 'MultiClusterReport');
    assert.deepEqual(doc.clusters.map((c) => [c.cluster, c.report?.findings[0]?.status ?? 'error']), [['east', 'FAIL'], ['west', 'PASS'], ['dead', 'error']]);
    assert.match(doc.clusters[2]?.error?.message ?? '', /127\.0\.0\.1/);
    assert.match(r.stderr, /^error: cluster dead: /m);
    const junit = plugin(['audit', '-n', ns, '--all-contexts', '-o', 'junit', '--request-timeout', '5s'], { kubeconfig }).stdout;
    assert.match(junit, /<testsuite name="CIS Kubernetes Benchmark 5.3.2 \(east\)" tests="1" failures="1"/);
    assert.match(junit, /<testsuite name="CIS Kubernetes Benchmark 5.3.2 \(dead\)" tests="1" failures="0" errors="1"/);
  });

  it('remediate on two clusters: refused without --confirm-clusters; with it, writes only where needed', () => {
    let r = plugin(['remediate', '-n', ns, '--context', 'east,west'], { kubeconfig });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'error: remediate would write to 2 clusters (east, west) (next: look first with --dry-run, then add --confirm-clusters)\n');
    r = plugin(['remediate', '-n', ns, '--context', 'east,west', '--dry-run'], { kubeconfig });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^east +${ns} +PLANNED`, 'm'));
    r = plugin(['remediate', '-n', ns, '--context', 'east,west', '--confirm-clusters'], { kubeconfig });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^east +${ns} +FIXED +cis-default-allow`, 'm'));
    assert.equal(kubectlOk(['--context', 'east', 'get', 'networkpolicy', '-n', ns, '-o', 'name'], { kubeconfig }), 'networkpolicy.networking.k8s.io/cis-default-allow\n');
    assert.equal(kubectlOk(['--context', 'west', 'get', 'networkpolicy', '-n', ns, '-o', 'name'], { kubeconfig }), 'networkpolicy.networking.k8s.io/web\n');
    r = plugin(['audit', '-n', ns, '--context', 'east,west'], { kubeconfig });
    assert.equal(r.code, 0, r.stdout);
  });
});
