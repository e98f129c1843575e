// The CLI's entry: argv → exit code. Answers `--version` and `--help` (texts built from yargs'
// output) without loading yargs or any command, `__complete` without yargs; everything else goes
// to parse.ts. Modules behind `await import()` are initialised on first use (esbuild keeps one
// file), so each costs only the runs that need it (docs/release.md, "Start-up, round two").
import { VERSION } from '../version.ts';
import { BUILT_HELP, fastHelp } from './help-texts.ts';
import type { IO } from './io.ts';

export async function runCli(args: string[], io: IO): Promise<number> {
  if (args[0] === '__complete') {
    const [{ COMMANDS }, { runComplete }, { TEMPLATE_NAMES }] = await Promise.all([import('./commands.ts'), import('./complete.ts'), import('../core/placeholder.ts')]);
    return runComplete(args.slice(1), COMMANDS, io, TEMPLATE_NAMES);
  }
  // What yargs would print for --version.
  if (args.length === 1 && args[0] === '--version') {
    io.out.write(`${VERSION}\n`);
    return 0;
  }
  const help = fastHelp(args, BUILT_HELP);
  if (help !== undefined) {
    io.out.write(help);
    return 0;
  }
  return (await import('./parse.ts')).runParsed(args, io);
}
