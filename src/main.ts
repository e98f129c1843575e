// The only file that touches `process`: streams, environment, signals and the exit code.
import fs from 'node:fs';
import { runCli } from './cli/root.ts';

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130); // a second Ctrl-C: stop at once
  process.stderr.write(`\n${name}: finishing requests in flight; no new writes start (press Ctrl-C again to quit now)\n`);
  controller.abort(new Error(name));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// No top-level await: the bundle is CommonJS (Node 24 SEAs need a CJS entry).
void runCli(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  signal: controller.signal,
  now: () => new Date(),
  readStdin,
  readFile: (p) => fs.readFileSync(p, 'utf8'),
  writeFile: (p, text) => fs.writeFileSync(p, text),
  // Loaded on first use, like client-node below: js-yaml's module body costs every start-up otherwise.
  listContexts: async (o) => (await import('./kube/kubeconfig.ts')).contextNames({ explicitFile: o.kubeconfig, envValue: o.env['KUBECONFIG'], home: o.env['HOME'] }),
  // Loaded on first use: client-node and undici cost ~80 ms of CPU at start-up (docs/release.md).
  connect: async (o) => new (await import('./kube/inspector.ts')).KubeInspector(o), // a KubeClient that also serves cni/doctor
  spinner: (text) => {
    // ora (and its terminal detection) is loaded only when a spinner is shown.
    let current = text;
    let stopped = false;
    let spin: { text: string; stop(): void } | undefined;
    void import('ora').then(({ default: ora }) => {
      if (!stopped) spin = ora({ text: current, stream: process.stderr }).start();
    });
    return {
      get text() {
        return current;
      },
      set text(t: string) {
        current = t;
        if (spin) spin.text = t;
      },
      stop() {
        stopped = true;
        spin?.stop();
      },
    };
  },
}).then((code) => {
  process.exitCode = code;
});
