// A command: its flags (builder) and its run, which returns the exit code. Wiring lives in root.ts.
import type { Argv } from 'yargs';
import type { CommandContext } from './context.ts';

export interface Command {
  name: string;
  describe: string;
  examples?: [string, string][];
  builder(y: Argv): Argv;
  /** Validates flags into options, runs the use case, prints, returns the exit code. */
  run(argv: Record<string, unknown>, ctx: CommandContext): Promise<number>;
}
