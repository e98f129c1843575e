import type { Command } from './command.ts';
import { rollbackExit } from './exit.ts';
import { concurrencyOption, dryRunOption, scopeOptions, toConcurrency, toDryRun, toScope, type ScopeFlags } from './flags.ts';
import { DEFAULT_CONCURRENCY } from './remediate.ts';

export const rollbackCommand: Command = {
  name: 'rollback',
  describe: 'Remove the placeholders cis-netpol created (only unchanged ones, unless --force)',
  examples: [
    ['kubectl cis-netpol rollback --dry-run', 'show what would be removed'],
    ['kubectl cis-netpol rollback -n staging', 'remove the placeholder from one namespace'],
  ],
  builder: (y) =>
    concurrencyOption(dryRunOption(scopeOptions(y)), 'Deletes in flight at once', DEFAULT_CONCURRENCY)
      .option('force', { type: 'boolean', default: false, describe: 'Also remove placeholders someone edited since we created them' }),
  async run(argv, ctx) {
    const options = {
      scope: toScope(argv as unknown as ScopeFlags),
      dryRun: toDryRun(argv['dry-run'] as string | undefined),
      force: Boolean(argv['force']),
      concurrency: toConcurrency(argv['concurrency']),
    };
    const [{ runRollback }, { renderRollback }] = await Promise.all([import('../app/rollback.ts'), import('../output/rollback.ts')]);
    const report = await runRollback(options, await ctx.cluster(), ctx.deps);
    await ctx.report(report, (style) => renderRollback(report, style));
    return rollbackExit(report);
  },
};
