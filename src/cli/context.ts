// What every command needs once its flags are validated: deps for the app layer, the cluster
// client, and a way to print the report in the chosen format.
import type { AppDeps, Cluster, Progress } from '../app/ports.ts';
import { renderMachine } from '../output/machine.ts';
import type { Style } from '../output/style.ts';
import { toOutput, toTimeoutMs, type GlobalFlags, type OutputFormat } from './flags.ts';
import type { IO } from './io.ts';
import { VERSION } from '../version.ts';

export interface CommandContext {
  io: IO;
  output: OutputFormat;
  style: Style;
  verbose: number;
  deps: AppDeps;
  /** Connects lazily: a bad kubeconfig is reported only by commands that talk to a cluster. */
  cluster(): Promise<Cluster>;
  print(report: object, table: (style: Style) => string): void;
}

function noProgress(): Progress {
  return { update() {}, stop() {} };
}

export function makeContext(io: IO, f: GlobalFlags): CommandContext {
  const output = toOutput(f);
  const timeoutMs = toTimeoutMs(f['request-timeout']);
  const verbose = f.verbose ?? 0;
  const log = (line: string) => {
    if (verbose > 0) io.err.write(`I ${io.now().toISOString()} ${line}\n`);
  };
  // A spinner only on a terminal, only for tables, and not while -v logs to the same stream.
  let progress = noProgress();
  if (io.spinner && io.stderrIsTTY && output === 'table' && verbose === 0) {
    let spin: { text: string; stop(): void } | undefined;
    progress = {
      update: (text) => {
        if (spin) spin.text = text;
        else spin = io.spinner?.(text);
      },
      stop: () => {
        spin?.stop();
        spin = undefined;
      },
    };
  }
  const color = f.color && io.stdoutIsTTY && output === 'table' && !io.env['NO_COLOR'];
  let client: Promise<Cluster> | undefined;
  return {
    io,
    output,
    style: { color },
    verbose,
    deps: { now: () => io.now(), progress, log, signal: io.signal, version: VERSION },
    cluster: () =>
      (client ??= Promise.resolve().then(() => io.connect({
        kubeconfig: f.kubeconfig,
        context: f.context,
        env: io.env,
        requestTimeoutMs: timeoutMs,
        signal: io.signal,
        log,
      }))),
    print(report, table) {
      progress.stop();
      io.out.write(output === 'table' ? table({ color }) : renderMachine(report, output));
    },
  };
}
