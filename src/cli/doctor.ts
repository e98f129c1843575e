import { inspector } from './cni.ts';
import type { Command } from './command.ts';
import { doctorExit } from './exit.ts';
import { toTimeoutMs } from './flags.ts';
import { UsageError } from '../core/errors.ts';

export const doctorCommand: Command = {
  name: 'doctor',
  describe: 'Check, before a run, that the tool can do its job here: identity, permissions per command, APIs, version, CNI enforcement, placeholders, stuck namespaces (read only)',
  examples: [
    ['kubectl cis-netpol doctor', 'one line per check: OK, WARN or FAIL, with what to do'],
    ['kubectl cis-netpol doctor --stuck-after 1h', 'count namespaces Terminating for an hour as stuck'],
  ],
  builder: (y) => y.option('stuck-after', { type: 'string', default: '10m', describe: 'A namespace Terminating this long is reported as stuck (e.g. 10m, 1h, 0s)' }),
  async run(argv, ctx) {
    // Given twice, yargs makes a list: the last one wins, as with kubectl's flags.
    const raw = argv['stuck-after'];
    const value = String(Array.isArray(raw) ? raw.at(-1) : raw);
    let stuckAfterMs: number;
    try {
      stuckAfterMs = toTimeoutMs(value);
    } catch {
      throw new UsageError(`invalid --stuck-after "${value}"`, 'use a duration such as 10m, 1h or 0s');
    }
    const cluster = await ctx.cluster();
    const [{ runDoctor }, { renderDoctor }] = await Promise.all([import('../app/doctor.ts'), import('../output/doctor.ts')]);
    const report = await runDoctor(await inspector(ctx), cluster, { stuckAfterMs }, ctx.deps);
    ctx.print(report, (style) => renderDoctor(report, style));
    return doctorExit(report);
  },
};
