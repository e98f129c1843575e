// --help without yargs: the texts yargs prints, captured from the bundle itself at build time
// (scripts/lib/sea.mjs, `captureHelp`) and defined into the final bundle. Loading yargs and every
// command's module costs more CPU than kubectl's whole start-up (docs/release.md, "Start-up,
// round two").
// Only the exact argv forms below take this path; anything else (more flags, a typo) goes through
// yargs, which stays the one source of the texts. Running from source (tests), there are none.

declare const __CIS_NETPOL_HELP__: Readonly<Record<string, string>> | undefined;

/** Built texts by key ('' for the top-level help, else the command name), or undefined from source. */
export const BUILT_HELP: Readonly<Record<string, string>> | undefined = typeof __CIS_NETPOL_HELP__ === 'undefined' ? undefined : __CIS_NETPOL_HELP__;

const HELP_FLAGS = new Set(['--help', '-h']);

/** The text yargs would print for these arguments, or undefined when only yargs knows. */
export function fastHelp(args: readonly string[], texts: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!texts) return undefined;
  if (args.length === 1 && HELP_FLAGS.has(args[0]!)) return texts[''];
  if (args.length === 2 && HELP_FLAGS.has(args[1]!) && args[0] !== '' && Object.hasOwn(texts, args[0]!)) return texts[args[0]!];
  return undefined;
}
