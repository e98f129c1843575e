// `kubectl cis-netpol watch` running in the background: its JSON log lines as they come, its
// /readyz and /metrics, and waiting for conditions with generous deadlines (2 shared cores).
import { spawn, type ChildProcess } from 'node:child_process';
import { builtBinary } from './env.ts';

export type LogLine = { time: string; level: string; msg: string; namespace?: string; [k: string]: unknown };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `test` until it is truthy; fails with `what` after `ms`. */
export async function until<T>(what: string, ms: number, test: () => T | Promise<T>, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await test();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

export class WatchProc {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = '';

  constructor(args: string[], kubeconfig: string) {
    this.child = spawn(builtBinary(), ['watch', '--listen-address', '127.0.0.1:0', '--log-format', 'json', ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      const parts = (this.partial + d).split('\n');
      this.partial = parts.pop() ?? '';
      for (const l of parts) if (l.startsWith('{')) this.lines.push(JSON.parse(l) as LogLine);
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  url(): string | undefined {
    return this.lines.find((l) => l.msg.startsWith('serving'))?.['url'] as string | undefined;
  }

  async ready(ms = 30_000): Promise<void> {
    await until('watch to be ready (/readyz 200)', ms, async () => {
      if (this.child.exitCode !== null) throw new Error(`watch exited (${this.child.exitCode}) before it was ready:\n${this.stderr}`);
      return (await this.readyz()).status === 200;
    });
  }

  async readyz(): Promise<{ status: number; text: string }> {
    const u = this.url();
    if (!u) return { status: 0, text: 'not serving yet' };
    const r = await fetch(`${u}/readyz`).catch(() => undefined);
    return r ? { status: r.status, text: await r.text() } : { status: 0, text: 'no answer' };
  }

  /** One sample of a metric (labels as `{a="b"}`, exactly as printed), 0 when absent. */
  async metric(name: string): Promise<number> {
    const u = this.url();
    if (!u) throw new Error('not serving');
    const text = await (await fetch(`${u}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(name) && !l.startsWith('#')).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  }

  logged(msg: string, namespace?: string): LogLine[] {
    return this.lines.filter((l) => l.msg.startsWith(msg) && (namespace === undefined || l.namespace === namespace));
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  describe(): string {
    return `--- watch log\n${this.stderr}`;
  }
}

/**
 * The suite hooks both watch suites share: one API server of the suite's own, and every watch
 * process of a test stopped after it (its log printed when the test failed, or with WATCH_TEST_LOG).
 */
export function watchSuiteHooks(env: { start(): unknown; stop(): unknown }, procs: WatchProc[]): void {
  before(() => env.start());
  afterEach(async function () {
    for (const w of procs.splice(0)) {
      await w.stop();
      if (this.currentTest?.state === 'failed' || process.env['WATCH_TEST_LOG']) console.error(w.describe());
    }
  });
  after(() => env.stop());
}
