// What every command needs once its flags are validated: deps for the app layer, the cluster
// client, and a way to print the report in the chosen format.
import type { AppDeps, Cluster, Progress } from '../app/ports.ts';
import { evidenceOf, type CommandReport } from '../core/evidence.ts';
import { UsageError } from '../core/errors.ts';
import { renderMachine } from '../output/machine.ts';
import { emit, validateEmit, writeReports, type EmitOptions } from './emit.ts';
import type { Style } from '../output/style.ts';
import { toFlavour, toOutput, toTimeoutMs, type GlobalFlags, type OutputFormat } from './flags.ts';
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
  /** A client for one named context (many-cluster runs). */
  connectTo(context: string): Promise<Cluster>;
  emitOptions: EmitOptions;
  print(report: object, table: (style: Style) => string): void;
  /** audit, remediate, rollback, prune: any -o format, --output-file, --write-report. */
  report(report: CommandReport, table: (style: Style) => string): Promise<void>;
}

function noProgress(): Progress {
  return { update() {}, stop() {} };
}

export function makeContext(io: IO, f: GlobalFlags): CommandContext {
  const output = toOutput(f);
  const emitOptions: EmitOptions = { output, outputFile: f['output-file'], flavour: toFlavour(f['report-format'] ?? 'wgpolicyk8s'), writeReport: Boolean(f['write-report']) };
  validateEmit(emitOptions);
  // The table is on stdout for -o table, and beside a report written with --output-file.
  const tableOut = output === 'table' || emitOptions.outputFile !== undefined;
  const timeoutMs = toTimeoutMs(f['request-timeout']);
  const verbose = f.verbose ?? 0;
  const log = (line: string) => {
    if (verbose > 0) io.err.write(`I ${io.now().toISOString()} ${line}\n`);
  };
  // A spinner only on a terminal, only for tables, and not while -v logs to the same stream.
  let progress = noProgress();
  if (io.spinner && io.stderrIsTTY && tableOut && verbose === 0) {
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
  const color = f.color && io.stdoutIsTTY && tableOut && !io.env['NO_COLOR'];
  let client: Promise<Cluster> | undefined;
  return {
    io,
    output,
    style: { color },
    verbose,
    deps: { now: () => io.now(), progress, log, signal: io.signal, version: VERSION },
    emitOptions,
    connectTo: async (context) => io.connect({ kubeconfig: f.kubeconfig, context, env: io.env, requestTimeoutMs: timeoutMs, signal: io.signal, log }),
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
      if (output !== 'table' && output !== 'json' && output !== 'yaml') throw new UsageError(`-o ${output} is a report format`, 'use it with audit, remediate, rollback or prune');
      io.out.write(output === 'table' ? table({ color }) : renderMachine(report, output));
    },
    async report(report, table) {
      // Who ran it and the server version are read only for HTML, and only from a live cluster.
      const about = output === 'html' && client ? await (await client).about?.().catch(() => ({})) : undefined;
      progress.stop();
      const evidence = () => evidenceOf(report, VERSION, about ?? {});
      emit(io, emitOptions, report, evidence, () => table({ color }));
      if (emitOptions.writeReport) {
        if (!client) throw new UsageError('--write-report needs a cluster', 'drop -f, or drop --write-report');
        const c = await client;
        await writeReports(evidence(), emitOptions.flavour, async () => c, io.err);
      }
    },
  };
}
