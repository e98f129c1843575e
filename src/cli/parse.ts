// yargs wiring only: argv → flags → the chosen command's run → exit code. Loaded by root.ts
// for everything its fast paths do not answer (docs/release.md, "Start-up, round two").
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { VERSION } from '../version.ts';
import { COMMANDS } from './commands.ts';
import { makeContext } from './context.ts';
import { reportError } from './exit.ts';
import { globalOptions, type GlobalFlags } from './flags.ts';
import type { IO } from './io.ts';

const NAME = 'kubectl cis-netpol';

function parser(yargs: (args: string[]) => Argv, args: string[]): Argv {
  let y = globalOptions(yargs(args))
    .scriptName(NAME)
    .usage(`${NAME}: CIS Kubernetes Benchmark 5.3.2, "Ensure that all Namespaces have NetworkPolicies defined"\n\nUsage: ${NAME} <command> [flags]`)
    .version('version', 'Print the plugin version', VERSION)
    .help('help')
    .alias('help', 'h')
    .strict()
    .demandCommand(1, `name a command: ${COMMANDS.map((c) => c.name).join(', ')}`)
    .recommendCommands()
    .wrap(100)
    .epilogue(
      'Exit codes: audit 0 compliant / 1 not compliant / 2 could not check; remediate and prune 0 nothing to do / 1 applied (or would be) / 2 failure; rollback 0 done / 2 failure; can-reach 0 allowed / 1 denied / 2 error; cni 0 enforced / 1 not enforced / 2 unknown; doctor 0 all OK / 1 warnings / 2 failures; watch 0 after SIGTERM, 2 on a bad flag or kubeconfig (--once: as remediate).',
    );
  for (const c of COMMANDS) {
    y = y.command(c.name, c.describe, (sub) => {
      let b = c.builder(sub).usage(`${NAME} ${c.name} [flags]\n\n${c.describe}`);
      for (const [cmd, what] of c.examples ?? []) b = b.example(cmd, what);
      return b;
    });
  }
  return y;
}

/** A typo of a command name: one edit away, or the same letters in another order. */
function closeTo(name: string, typed: string): boolean {
  if ([...name].sort().join('') === [...typed].sort().join('')) return true;
  if (Math.abs(name.length - typed.length) > 1) return false;
  let i = 0;
  while (i < name.length && name[i] === typed[i]) i++;
  return name.slice(i + 1) === typed.slice(i + 1) || name.slice(i) === typed.slice(i + 1) || name.slice(i + 1) === typed.slice(i);
}

type Parsed = { error?: Error; argv: Record<string, unknown>; output: string };

async function parse(args: string[]): Promise<Parsed> {
  const { default: yargs } = await import('yargs');
  return new Promise((resolve) => {
    // With a callback yargs neither prints nor exits: help, version and errors come back here.
    parser(yargs, args).parse(args, {}, (error, argv, output) => resolve({ error: error ?? undefined, argv: argv as Record<string, unknown>, output }));
  });
}

/** Parses with yargs and runs the chosen command: what runCli does past its fast paths. */
export async function runParsed(args: string[], io: IO): Promise<number> {
  const { error, argv, output } = await parse(args);
  const verbose = Number(argv?.['verbose'] ?? 0);
  if (error) {
    const first = Array.isArray(argv?._) && argv._[0] !== undefined ? String(argv._[0]) : undefined;
    const known = COMMANDS.find((c) => c.name === first);
    const near = first && !known ? COMMANDS.find((c) => closeTo(c.name, first)) : undefined;
    const hint = near ? `did you mean \`${NAME} ${near.name}\`? see \`${NAME} --help\`` : `see \`${NAME}${known ? ` ${known.name}` : ''} --help\``;
    return reportError(new UsageError(error.message, hint), io.err, verbose);
  }
  if (output) {
    io.out.write(output.endsWith('\n') ? output : `${output}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === (argv._ as unknown[])[0]);
  if (!command) return reportError(new UsageError('no command given', `see \`${NAME} --help\``), io.err, verbose);
  let ctx;
  try {
    ctx = makeContext(io, argv as unknown as GlobalFlags);
    return await command.run(argv, ctx);
  } catch (err) {
    ctx?.deps.progress.stop();
    return reportError(err, io.err, verbose);
  } finally {
    ctx?.deps.progress.stop();
  }
}
