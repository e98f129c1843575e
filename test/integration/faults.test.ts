// Faults, on a real API server of this file's own (never the shared one, which other suites use):
// the server killed or hung in the middle of a run, Ctrl-C, and namespaces and policies changing
// under a run. Every report is checked against what the cluster holds afterwards.
//
// Each scenario works on namespaces with its own prefix and runs the plugin with --exclude for the
// other prefixes, so the scenarios do not see each other's leftovers.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { RemediationReport } from '../../src/core/remediate.ts';
import type { RollbackReport } from '../../src/core/rollback.ts';
import type { Obj } from '../support/cluster.ts';
import { REPO } from '../support/env.ts';
import { kubectlJson, kubectlOk, pluginAsync } from '../support/run.ts';

const TESTENV = path.join(REPO, 'scripts', 'testenv');
const PREFIXES = ['kill', 'hang', 'int', 'twice', 'race'] as const;
type Prefix = (typeof PREFIXES)[number];
const PLACEHOLDER = 'cis-default-allow';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

// ---------------------------------------------------------------------------------------------
// An environment of our own: scripts/testenv in a temporary state directory.

class OwnEnv {
  readonly dir: string;
  readonly stateDir: string;
  kubeconfig = '';
  constructor(dir: string) {
    this.dir = dir;
    this.stateDir = path.join(dir, 'env');
    assert.notEqual(path.resolve(this.stateDir), path.join(REPO, '.testenv'), 'never the shared environment');
  }

  private testenv(cmd: 'start' | 'stop' | 'restart-apiserver'): string {
    const env: NodeJS.ProcessEnv = { ...process.env, CIS_NETPOL_TESTENV_DIR: this.stateDir };
    delete env['TESTENV_APISERVER_ARGS'];
    const r = spawnSync(TESTENV, [cmd], { env, encoding: 'utf8', timeout: 150_000 });
    if (r.status !== 0) throw new Error(`scripts/testenv ${cmd} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return r.stdout;
  }

  start(): void {
    // scripts/testenv picks random ports in 20000-39999, which overlaps the ephemeral range: under
    // connection churn etcd can lose its port to an outgoing connection ("address already in use").
    let out = '';
    for (let attempt = 1; ; attempt++) {
      try {
        out = this.testenv('start');
        break;
      } catch (err) {
        if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
    this.kubeconfig = /^export KUBECONFIG=(\S+)$/m.exec(out)?.[1] ?? '';
    assert.ok(fs.existsSync(this.kubeconfig), `no KUBECONFIG in the output of scripts/testenv start:\n${out}`);
  }

  /** kube-apiserver only, on the same port over the same etcd. */
  restartApiserver(): void {
    this.testenv('restart-apiserver');
  }

  stop(): void {
    this.resumeApiserver();
    this.testenv('stop');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  apiserverPid(): number {
    return Number(fs.readFileSync(path.join(this.stateDir, 'kube-apiserver.pid'), 'utf8'));
  }

  signalApiserver(signal: NodeJS.Signals): void {
    process.kill(this.apiserverPid(), signal);
  }

  resumeApiserver(): void {
    try {
      this.signalApiserver('SIGCONT');
    } catch {
      // not running: nothing to resume
    }
  }

  /** Many namespaces quickly: concurrent POSTs (kubectl create -f of a multi-document file takes ~3 min for 2,000). */
  async createNamespaces(names: string[]): Promise<void> {
    const api = this.api();
    try {
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < names.length) {
          const name = names[next++] as string;
          const r = await api.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
          if (r.status !== 201) throw new Error(`create namespace ${name}: HTTP ${r.status} ${r.body}`);
        }
      }));
    } finally {
      api.close();
    }
  }

  /** Deleted for good (a deleted namespace stays Terminating here: there is no namespace controller). */
  async removeNamespace(name: string): Promise<void> {
    kubectlOk(['delete', 'namespace', name, '--wait=false'], { kubeconfig: this.kubeconfig });
    const api = this.api();
    try {
      const r = await api.send('PUT', `/api/v1/namespaces/${name}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: [] } });
      assert.equal(r.status, 200, r.body);
    } finally {
      api.close();
    }
  }

  /** Every NetworkPolicy in the cluster (thousands: more than spawnSync's buffer takes from kubectl). */
  async listPolicies(): Promise<Obj[]> {
    const api = this.api();
    try {
      const r = await api.send('GET', '/apis/networking.k8s.io/v1/networkpolicies');
      assert.equal(r.status, 200, r.body);
      return (JSON.parse(r.body) as { items: Obj[] }).items;
    } finally {
      api.close();
    }
  }

  private api() {
    const read = (f: string) => fs.readFileSync(path.join(this.stateDir, f), 'utf8').trim();
    const port = Number(read('port'));
    const token = read('admin.token');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: read('pki/ca.crt') });
    const send = (method: string, p: string, body?: unknown) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, path: p, method, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject).end(body === undefined ? undefined : JSON.stringify(body));
      });
    return { send, close: () => agent.destroy() };
  }
}

// ---------------------------------------------------------------------------------------------
// A plugin run in the background, its -v log read as it comes.

const WRITE_LINE = /^I \S+ (create|delete) networkpolicies -n (\S+) \S+: (\w+)/;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by the watchdog: it did not end in time. */
  overdue: boolean;
  at: number;
  stdout: string;
  stderr: string;
}

class Background {
  stdout = '';
  stderr = '';
  /** Writes the log shows as answered (any outcome), in order. */
  readonly writes: { namespace: string; outcome: string; afterSignal: boolean }[] = [];
  signalledAt: number | undefined;
  readonly ended: Promise<Ended>;
  private partial = '';
  private waiters: (() => void)[] = [];
  private overdue = false;
  private watchdog: NodeJS.Timeout | undefined;

  readonly child: ChildProcess;

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.onErr(d));
    this.ended = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        clearTimeout(this.watchdog);
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
        resolve({ code, signal, overdue: this.overdue, at: Date.now(), stdout: this.stdout, stderr: this.stderr });
      });
    });
    this.mustEndWithin(120_000);
  }

  /**
   * Kills the run if it has not ended within `ms`. A run that does not end is a failure to report,
   * and a bounded one: an old build spun in Node's HTTP/2 code after Ctrl-C, growing ~1 GB/s.
   */
  mustEndWithin(ms: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.overdue = true;
      this.child.kill('SIGKILL');
    }, ms);
  }

  /** Sends a signal and gives the run `ms` to end. */
  signal(signal: NodeJS.Signals, ms = 10_000): void {
    this.child.kill(signal);
    this.mustEndWithin(ms);
  }

  private onErr(d: string): void {
    this.stderr += d;
    const lines = (this.partial + d).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (/^SIG(INT|TERM): finishing requests in flight/.test(line)) this.signalledAt ??= this.writes.length;
      const m = WRITE_LINE.exec(line);
      if (m) this.writes.push({ namespace: m[2] as string, outcome: m[3] as string, afterSignal: this.signalledAt !== undefined });
    }
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `n` writes were answered; fails if the run ends first or takes over a minute. */
  async writesAnswered(n: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (this.writes.length < n) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the run ended after ${this.writes.length} writes, before ${n}:\n${this.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`only ${this.writes.length} writes answered within a minute`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading reports and the cluster

function parseReport<T>(e: Ended): T {
  assert.equal(e.overdue, false, `the run did not end in time (killed):\n${e.stderr.slice(-2000)}`);
  try {
    return JSON.parse(e.stdout) as T;
  } catch {
    throw new Error(`no JSON report (exit ${e.code}, signal ${e.signal}):\n--- stdout\n${e.stdout.slice(0, 2000)}\n--- stderr\n${e.stderr.slice(-3000)}`);
  }
}

function tally<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

/** Namespaces of the report with the given status (and error kind, when given). */
function namespacesWith(results: { namespace: string; status: string; error?: { kind: string } }[], status: string, kind?: string): string[] {
  return results.filter((r) => r.status === status && (kind === undefined || r.error?.kind === kind)).map((r) => r.namespace).sort();
}

function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
}

const fingerprint = (o: Obj) => ({ uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion });

// ---------------------------------------------------------------------------------------------

describe('faults against a real API server of our own', function () {
  this.timeout(180_000);
  let env: OwnEnv;
  const running = new Set<ChildProcess>();
  const as = () => ({ kubeconfig: env.kubeconfig });

  /** Only this scenario's namespaces (and the system ones, skipped as usual). */
  const only = (prefix: Prefix) => ['--exclude', 'default', ...PREFIXES.filter((p) => p !== prefix).flatMap((p) => ['--exclude', `${p}-*`])];
  const background = (args: string[]) => {
    const child = pluginAsync(args, as());
    running.add(child);
    child.on('close', () => running.delete(child));
    return new Background(child);
  };
  /** A run to its end (reports of thousands of namespaces exceed spawnSync's buffer). */
  const finish = (args: string[]) => background(args).ended;
  /** Everyone's policies, by namespace, for namespaces with this prefix. */
  const policiesByNamespace = async (prefix: Prefix) => {
    const by = new Map<string, Obj[]>();
    for (const p of await env.listPolicies()) {
      if (!p.metadata.namespace.startsWith(`${prefix}-`)) continue;
      by.set(p.metadata.namespace, [...(by.get(p.metadata.namespace) ?? []), p]);
    }
    return by;
  };
  const withPlaceholder = async (prefix: Prefix) => [...(await policiesByNamespace(prefix))].filter(([, l]) => l.some((p) => p.metadata.name === PLACEHOLDER && p.metadata.labels?.[MANAGED_BY] === 'kubectl-cis-netpol')).map(([ns]) => ns).sort();

  before(function () {
    this.timeout(180_000);
    env = new OwnEnv(fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-faults-')));
    env.start();
  });

  afterEach(() => {
    env?.resumeApiserver();
    for (const child of running) child.kill('SIGKILL');
  });

  after(function () {
    this.timeout(60_000);
    env?.stop();
  });

  /** A second run converges: exactly one placeholder of ours in every namespace, nothing else. */
  const assertConverged = async (prefix: Prefix, all: string[]) => {
    const r = await finish(['remediate', '-o', 'json', ...only(prefix)]);
    assert.ok(r.code === 0 || r.code === 1, `second remediate: exit ${r.code}\n${r.stderr}`);
    const second = JSON.parse(r.stdout) as RemediationReport;
    assert.deepEqual(second.summary.failures + second.summary.unknown, 0, r.stdout.slice(0, 2000));
    const by = await policiesByNamespace(prefix);
    const counts = tally(all, (ns) => (by.get(ns) ?? []).map((p) => `${p.metadata.name}:${p.metadata.labels?.[MANAGED_BY]}`).join(',') || 'none');
    assert.deepEqual(counts, { [`${PLACEHOLDER}:kubectl-cis-netpol`]: all.length }, 'exactly one placeholder of ours per namespace');
    const audit = await finish(['audit', ...only(prefix)]);
    assert.equal(audit.code, 0, audit.stdout.slice(-2000));
    return second;
  };

  it('API server killed in the middle of a remediate of 2,000 namespaces: exit 2 at once, applied / unknown / not attempted reported, a second run converges', async () => {
    const all = names('kill', 2000);
    await env.createNamespaces(all);
    const run = background(['remediate', '-o', 'json', '-v', '--request-timeout', '5s', ...only('kill')]);
    await run.writesAnswered(300);
    env.signalApiserver('SIGKILL');
    const killedAt = Date.now();
    run.mustEndWithin(20_000);
    const ended = await run.ended;
    assert.equal(ended.code, 2, ended.stderr.slice(-2000));
    assert.ok(ended.at - killedAt < 5_000 + 3_000, `exited ${ended.at - killedAt} ms after the kill; the request timeout is 5 s`);

    const report = parseReport<RemediationReport>(ended);
    const mine = report.results.filter((r) => r.namespace.startsWith('kill-'));
    assert.equal(mine.length, 2000);
    const fixed = namespacesWith(mine, 'FIXED');
    const unknown = namespacesWith(mine, 'UNKNOWN');
    const notAttempted = namespacesWith(mine, 'FAILED', 'NotAttempted');
    assert.equal(fixed.length + unknown.length + notAttempted.length, 2000, JSON.stringify(tally(mine, (r) => `${r.status} ${r.error?.kind ?? ''}`)));
    assert.ok(fixed.length >= 300, `${fixed.length} applied`);
    assert.ok(notAttempted.length >= 1000, `${notAttempted.length} not attempted: no new write starts after the server is gone`);
    assert.ok(unknown.length <= 16, `${unknown.length} unknown: at most the writes in flight (--concurrency 16)`);
    for (const r of mine.filter((x) => x.status === 'UNKNOWN')) {
      assert.match(r.error?.kind ?? '', /^(Unreachable|Timeout)$/);
      assert.match(r.reason, /^Outcome unknown: the request did not complete; run remediate again to converge/);
    }
    assert.match(mine.find((x) => x.status === 'FAILED')?.reason ?? '', /^Not attempted: stopped after: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+/);
    assert.deepEqual([report.summary.applied, report.summary.unknown, report.summary.failures], [fixed.length, unknown.length, notAttempted.length]);
    assert.equal(report.interrupted, false);

    env.restartApiserver();
    const exist = await withPlaceholder('kill');
    assert.deepEqual(exist.filter((ns) => !unknown.includes(ns)), fixed, 'every FIXED exists; nothing not attempted was written');
    assert.deepEqual(notAttempted.filter((ns) => exist.includes(ns)), []);

    const second = await assertConverged('kill', all);
    const statusOf = new Map(second.results.map((r) => [r.namespace, r.status]));
    assert.ok(fixed.every((ns) => statusOf.get(ns) === 'PASS'));
    assert.ok(notAttempted.every((ns) => statusOf.get(ns) === 'FIXED'));
    assert.ok(unknown.every((ns) => statusOf.get(ns) === (exist.includes(ns) ? 'PASS' : 'FIXED')));
  });

  it('API server hung (SIGSTOP) mid-run: the writes in flight time out, exit 2 within --request-timeout', async () => {
    const all = names('hang', 600);
    await env.createNamespaces(all);
    const run = background(['remediate', '-o', 'json', '-v', '--request-timeout', '3s', ...only('hang')]);
    await run.writesAnswered(100);
    env.signalApiserver('SIGSTOP');
    const stoppedAt = Date.now();
    run.mustEndWithin(20_000);
    const ended = await run.ended;
    env.resumeApiserver();
    assert.equal(ended.code, 2, ended.stderr.slice(-2000));
    const after = ended.at - stoppedAt;
    // Bounded by the request timeout, not by the server: the margin covers a loaded 2-core CI machine.
    assert.ok(after >= 1_000 && after < 3_000 + 12_000, `exited ${after} ms after the server hung; the request timeout is 3 s`);
    const report = parseReport<RemediationReport>(ended);
    const mine = report.results.filter((r) => r.namespace.startsWith('hang-'));
    const unknown = namespacesWith(mine, 'UNKNOWN', 'Timeout');
    assert.ok(unknown.length >= 1 && unknown.length <= 16, `${unknown.length} timed out`);
    assert.equal(namespacesWith(mine, 'FIXED').length + unknown.length + namespacesWith(mine, 'FAILED', 'NotAttempted').length, 600);
    assert.match(mine.find((x) => x.status === 'FAILED')?.reason ?? '', /^Not attempted: stopped after: timed out/);
    // The hung server answers the timed-out creates once resumed: "unknown" is the honest report.
    await assertConverged('hang', all);
  });

  it('SIGINT during remediate: no new write starts, those in flight finish and are reported, partial report, exit 2', async () => {
    const all = names('int', 1000);
    await env.createNamespaces(all);
    const run = background(['remediate', '-o', 'json', '-v', ...only('int')]);
    await run.writesAnswered(200);
    run.signal('SIGINT');
    const ended = await run.ended;
    assert.equal(ended.code, 2, ended.stderr.slice(-2000));
    assert.match(ended.stderr, /SIGINT: finishing requests in flight; no new writes start/);
    const report = parseReport<RemediationReport>(ended);
    assert.equal(report.interrupted, true);
    const mine = report.results.filter((r) => r.namespace.startsWith('int-'));
    const fixed = namespacesWith(mine, 'FIXED');
    const notAttempted = namespacesWith(mine, 'FAILED', 'NotAttempted');
    assert.deepEqual(tally(mine, (r) => r.status), { FIXED: fixed.length, FAILED: notAttempted.length }, 'in-flight writes finished: nothing unknown');
    assert.ok(mine.filter((r) => r.status === 'FAILED').every((r) => r.reason === 'Not attempted: interrupted'));
    assert.ok(notAttempted.length > 0);
    assert.ok(run.writes.filter((w) => w.afterSignal).length <= 16, 'after the signal only the writes in flight (--concurrency 16) are answered');
    assert.deepEqual(run.writes.map((w) => w.namespace).sort(), fixed, 'every write sent is reported, and only those');
    assert.deepEqual(await withPlaceholder('int'), fixed, 'the cluster holds exactly what the report says was applied');
    await assertConverged('int', all);
  });

  it('SIGINT during rollback: no new delete starts, those in flight finish and are reported, exit 2', async () => {
    const all = names('int', 1000); // made by the test before; converged here in case it failed
    await finish(['remediate', ...only('int')]);
    assert.equal((await withPlaceholder('int')).length, all.length);
    const run = background(['rollback', '-o', 'json', '-v', ...only('int')]);
    await run.writesAnswered(200);
    run.signal('SIGINT');
    const ended = await run.ended;
    assert.equal(ended.code, 2, ended.stderr.slice(-2000));
    const report = parseReport<RollbackReport>(ended);
    assert.equal(report.interrupted, true);
    const mine = report.results.filter((r) => r.namespace.startsWith('int-'));
    const removed = namespacesWith(mine, 'REMOVED');
    const notAttempted = mine.filter((r) => r.status === 'FAILED' && r.reason === 'Not attempted: interrupted').map((r) => r.namespace).sort();
    assert.equal(removed.length + notAttempted.length, 1000, JSON.stringify(tally(mine, (r) => `${r.status} ${r.reason}`)));
    assert.ok(notAttempted.length > 0);
    assert.ok(run.writes.filter((w) => w.afterSignal).length <= 16);
    assert.deepEqual(run.writes.map((w) => w.namespace).sort(), removed);
    assert.deepEqual(await withPlaceholder('int'), notAttempted, 'what was not attempted is still there, the rest is gone');
    assert.deepEqual(report.namespacesFailingAfter.filter((ns) => ns.startsWith('int-')), removed);
    const again = await finish(['rollback', '-o', 'json', ...only('int')]);
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    assert.deepEqual(await withPlaceholder('int'), []);
  });

  it('SIGINT while a write hangs on a stalled server: waits for it; a second SIGINT quits at once with 130', async () => {
    await env.createNamespaces(names('twice', 400));
    const run = background(['remediate', '-o', 'json', '-v', ...only('twice')]);
    await run.writesAnswered(20);
    env.signalApiserver('SIGSTOP');
    run.child.kill('SIGINT');
    for (let i = 0; run.signalledAt === undefined && i < 250; i++) await new Promise((r) => setTimeout(r, 20));
    assert.notEqual(run.signalledAt, undefined, `no SIGINT message:\n${run.stderr.slice(-1000)}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(run.child.exitCode, null, 'the first SIGINT waits for the writes in flight (up to --request-timeout, 30 s)');
    const second = Date.now();
    run.signal('SIGINT');
    const ended = await run.ended;
    env.resumeApiserver();
    assert.equal(ended.code, 130, ended.stderr.slice(-1000));
    assert.ok(ended.at - second < 2_000, `quit ${ended.at - second} ms after the second SIGINT`);
    assert.equal(ended.stdout, '', 'no report: the user asked to quit now');
  });

  describe('the cluster changes between our read and our writes', () => {
    // The plugin is frozen (SIGSTOP) right after its first write, so its snapshot is taken and the
    // namespaces named race-zz-* (sorted last, --concurrency 1) are not written yet. What a user
    // does meanwhile falls exactly between our list and our write.
    const filler = names('race', 250);
    const gone = 'race-zz-gone';
    const terminating = 'race-zz-terminating';
    const appeared = 'race-zz-user-policy';
    const taken = 'race-zz-name-taken';
    const freeze = async (args: string[], between: () => Promise<void>) => {
      const run = background([...args, '-o', 'json', '-v', '--concurrency', '1', ...only('race')]);
      await run.writesAnswered(1);
      run.child.kill('SIGSTOP');
      try {
        await between();
      } finally {
        run.child.kill('SIGCONT');
      }
      return run.ended;
    };
    const userPolicy = (ns: string, name: string) => {
      kubectlOk(['create', '-f', '-'], { ...as(), input: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}\n` });
      return kubectlJson<Obj>(['get', 'networkpolicy', '-n', ns, name], as());
    };
    const get = (ns: string, name: string) => kubectlJson<Obj>(['get', 'networkpolicy', '-n', ns, name], as());

    it('remediate: namespace deleted → SKIPPED, Terminating → SKIPPED, user policy appeared → ours withdrawn, our name taken → PASS; the user\'s objects untouched', async () => {
      await env.createNamespaces([...filler, gone, terminating, appeared, taken]);
      let theirs: Obj[] = [];
      const ended = await freeze(['remediate'], async () => {
        await env.removeNamespace(gone);
        kubectlOk(['delete', 'namespace', terminating, '--wait=false'], as());
        theirs = [userPolicy(appeared, 'team-policy'), userPolicy(taken, PLACEHOLDER)];
      });
      assert.equal(ended.code, 1, `applied, nothing failed:\n${ended.stderr.slice(-2000)}`);
      const report = parseReport<RemediationReport>(ended);
      const result = (ns: string) => report.results.find((r) => r.namespace === ns);
      assert.deepEqual(result(gone), { namespace: gone, status: 'SKIPPED', reason: 'Namespace was deleted meanwhile (404)', connectivity: { unchanged: true, broken: [], opened: [], unproven: [] } });
      assert.deepEqual([result(terminating)?.status, result(terminating)?.reason], ['SKIPPED', 'Namespace is terminating (being deleted; takes no new objects)']);
      assert.deepEqual([result(appeared)?.status, result(appeared)?.reason], ['PASS', 'NetworkPolicy team-policy appeared meanwhile; placeholder withdrawn so it does not override them']);
      assert.deepEqual([result(taken)?.status, result(taken)?.reason], ['PASS', `A NetworkPolicy named ${PLACEHOLDER} appeared meanwhile (409 AlreadyExists); nothing changed`]);
      assert.equal(report.summary.applied, filler.length);

      const by = await policiesByNamespace('race');
      assert.deepEqual((by.get(appeared) ?? []).map((p) => p.metadata.name), ['team-policy'], 'our placeholder withdrawn, theirs kept');
      assert.deepEqual((by.get(taken) ?? []).map((p) => p.metadata.name), [PLACEHOLDER]);
      assert.deepEqual([get(appeared, 'team-policy'), get(taken, PLACEHOLDER)].map(fingerprint), theirs.map(fingerprint), 'uid and resourceVersion unchanged');
      assert.equal(get(taken, PLACEHOLDER).metadata.labels?.[MANAGED_BY], undefined, 'still theirs');
      assert.deepEqual([by.has(gone), by.has(terminating)], [false, false]);
      assert.deepEqual(await withPlaceholder('race'), filler);
    });

    it('rollback: a placeholder edited before the run is KEPT; one edited or replaced between our read and our delete is KEPT (precondition); the user\'s versions untouched', async () => {
      // The last two fillers are the last deletes (--concurrency 1, in namespace order).
      const [editedBefore, editedDuring, replacedDuring] = [filler[3], filler.at(-2), filler.at(-1)] as [string, string, string];
      kubectlOk(['patch', 'networkpolicy', '-n', editedBefore, PLACEHOLDER, '--type', 'merge', '-p', '{"spec":{"ingress":[{"from":[{"podSelector":{}}]}]}}'], as());
      const before = get(editedBefore, PLACEHOLDER);
      let during: Obj[] = [];
      const ended = await freeze(['rollback'], async () => {
        kubectlOk(['patch', 'networkpolicy', '-n', editedDuring, PLACEHOLDER, '--type', 'merge', '-p', '{"metadata":{"labels":{"team":"blue"}}}'], as());
        kubectlOk(['delete', 'networkpolicy', '-n', replacedDuring, PLACEHOLDER], as());
        during = [get(editedDuring, PLACEHOLDER), userPolicy(replacedDuring, PLACEHOLDER)];
      });
      assert.equal(ended.code, 0, ended.stderr.slice(-2000));
      const report = parseReport<RollbackReport>(ended);
      const result = (ns: string) => report.results.find((r) => r.namespace === ns);
      assert.deepEqual([result(editedBefore)?.status, result(editedBefore)?.reason], ['KEPT', 'Edited since cis-netpol created it (spec differs from the template); use --force to remove it anyway']);
      for (const ns of [editedDuring, replacedDuring]) {
        assert.deepEqual([result(ns)?.status, result(ns)?.reason, result(ns)?.error?.kind], ['KEPT', 'Changed meanwhile (uid/resourceVersion precondition failed); not removed', 'Conflict'], ns);
      }
      assert.equal(report.summary.removed, filler.length - 3);
      assert.deepEqual(fingerprint(get(editedBefore, PLACEHOLDER)), fingerprint(before));
      assert.deepEqual([get(editedDuring, PLACEHOLDER), get(replacedDuring, PLACEHOLDER)].map(fingerprint), during.map(fingerprint));
      assert.deepEqual(get(appeared, 'team-policy').metadata.name, 'team-policy', 'the earlier user policies stay too');
      const left = [...(await policiesByNamespace('race'))].map(([ns, l]) => `${ns}:${l.map((p) => p.metadata.name).join(',')}`).sort();
      assert.deepEqual(left, [editedBefore, editedDuring, replacedDuring, appeared, taken].map((ns) => `${ns}:${ns === appeared ? 'team-policy' : PLACEHOLDER}`).sort());
    });
  });
});
