// Bad input and broken connections: one clear line (what, where, what next), exit 2, and a stack
// trace only with -v. Run with the built executable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { adminKubeconfig, restrictedKubeconfig } from '../support/env.ts';
import { plugin, type Run } from '../support/run.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-errors-'));

/** A copy of the admin kubeconfig with some fields changed. */
function variant(name: string, edit: (doc: any) => void): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const doc = yaml.load(fs.readFileSync(adminKubeconfig(), 'utf8')) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  edit(doc);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, yaml.dump(doc));
  return file;
}

function oneErrorLine(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `exactly one line, got:\n${r.stderr}`);
  assert.match(lines[0] ?? '', /^error: .+ \(next: .+\)$/);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace without -v');
}

describe('errors: one line, exit 2', () => {
  let silent: net.Server;
  let silentPort = 0;
  let closedPort = 0;
  before(async () => {
    // A port that was free a moment ago: connecting to it is refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    // Accepts connections and never answers: only the request timeout ends the wait.
    silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  after(() => silent.close());

  it('no kubeconfig anywhere', () => {
    const r = plugin(['audit'], { env: { KUBECONFIG: undefined, HOME: tmp, KUBERNETES_SERVICE_HOST: undefined } });
    oneErrorLine(r, /no kubeconfig found.*pass --kubeconfig FILE/);
  });

  it('--kubeconfig names a missing file', () => {
    oneErrorLine(plugin(['audit', '--kubeconfig', path.join(tmp, 'nope')]), /kubeconfig .*nope does not exist/);
  });

  it('unknown --context lists the known ones', () => {
    oneErrorLine(plugin(['audit', '--context', 'nope']), /context "nope" not found in kubeconfig .*known contexts: admin@testenv/);
  });

  it('unreachable server names the server and context', () => {
    const file = variant('closed.kubeconfig', (d) => { d.clusters[0].cluster.server = `https://127.0.0.1:${closedPort}`; });
    oneErrorLine(plugin(['audit'], { kubeconfig: file }), new RegExp(`cannot reach the API server at https://127\\.0\\.0\\.1:${closedPort} \\(context "admin@testenv"\\): connection refused`));
  });

  it('TLS failure when the CA does not match', () => {
    const key = path.join(tmp, 'other.key');
    const crt = path.join(tmp, 'other.crt');
    spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other', '-keyout', key, '-out', crt]);
    const file = variant('wrongca.kubeconfig', (d) => { d.clusters[0].cluster['certificate-authority-data'] = fs.readFileSync(crt).toString('base64'); });
    oneErrorLine(plugin(['audit'], { kubeconfig: file }), /TLS failure talking to the API server .*certificate-authority/);
  });

  it('401 for a wrong token', () => {
    const file = variant('badtoken.kubeconfig', (d) => { d.users[0].user.token = 'wrong-token'; });
    oneErrorLine(plugin(['audit'], { kubeconfig: file }), /unauthorized: the API server rejected the credentials \(context "admin@testenv"/);
  });

  it('403 names the missing permission', () => {
    oneErrorLine(plugin(['audit'], { kubeconfig: restrictedKubeconfig() }), /forbidden: cannot list namespaces .*grant "list" on namespaces/);
  });

  it('a server that never answers ends at --request-timeout', () => {
    const file = variant('silent.kubeconfig', (d) => { d.clusters[0].cluster.server = `https://127.0.0.1:${silentPort}`; });
    const t0 = Date.now();
    const r = plugin(['audit', '--request-timeout', '2s'], { kubeconfig: file });
    oneErrorLine(r, /timed out: list namespaces: no answer from the API server .* within the request timeout/);
    assert.ok(Date.now() - t0 < 15_000, 'ends soon after the timeout');
  });

  const usage: [string, string[], RegExp][] = [
    ['invalid namespace name', ['audit', '-n', 'Bad_Name'], /invalid namespace name "Bad_Name"/],
    ['bad glob', ['audit', '--exclude', 'team-[a]'], /invalid glob "team-\[a\]"/],
    ['zero concurrency', ['remediate', '--concurrency', '0'], /invalid --concurrency "0"/],
    ['non-numeric concurrency', ['remediate', '--concurrency', 'many'], /invalid --concurrency/],
    ['-n with -A', ['audit', '-n', 'a', '-A'], /-n\/--namespace and -A\/--all-namespaces cannot be used together/],
    ['--json with -o yaml', ['audit', '--json', '-o', 'yaml'], /--json conflicts with -o yaml/],
    ['unknown output format', ['audit', '-o', 'wide'], /unknown output format "wide"/],
    ['bad --dry-run', ['remediate', '--dry-run=maybe'], /invalid --dry-run value "maybe"/],
    ['unknown template', ['remediate', '--template', 'deny-all'], /unknown --template "deny-all".*allow-all, cluster-internal/],
    ['bad policy name', ['remediate', '--policy-name', 'Bad Name'], /invalid --policy-name/],
    ['bad --request-timeout', ['audit', '--request-timeout', 'soon'], /invalid --request-timeout "soon"/],
    ['unknown flag', ['audit', '--frobnicate'], /Unknown argument: frobnicate.*kubectl cis-netpol audit --help/],
    ['unknown command', ['deploy'], /Unknown argument: deploy/],
    ['no command', [], /name a command: audit, remediate, rollback/],
    ['-f of a missing file', ['audit', '-f', '/nonexistent/state.yaml'], /cannot read -f \/nonexistent\/state.yaml/],
    ['-f of a file without namespaces', ['audit', '-f', '-'], /stdin has no Namespace objects/],
  ];
  for (const [what, args, pattern] of usage) {
    it(what, () => oneErrorLine(plugin(args, { kubeconfig: path.join(tmp, 'never-read') }), pattern));
  }

  it('-v adds the stack trace and request log', () => {
    const file = variant('closed2.kubeconfig', (d) => { d.clusters[0].cluster.server = `https://127.0.0.1:${closedPort}`; });
    const r = plugin(['audit', '-v'], { kubeconfig: file });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: cannot reach/m);
    assert.match(r.stderr, /^\s+at /m, 'stack trace with -v');
    assert.match(r.stderr, /list namespaces: Unreachable/);
  });
});
