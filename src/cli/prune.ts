import type { Command } from './command.ts';
import { pruneExit } from './exit.ts';
import { dryRunOption, scopeOptions, toConcurrency, toDryRun, toScope, type ScopeFlags } from './flags.ts';
import { DEFAULT_CONCURRENCY } from './remediate.ts';

export const pruneCommand: Command = {
  name: 'prune',
  describe: 'Remove the cis-netpol placeholder from namespaces that now have policies of their own, so those take effect',
  examples: [
    ['kubectl cis-netpol prune', 'show, per namespace, which connections become denied once the placeholder goes'],
    ['kubectl cis-netpol prune -n shop --yes', 'remove the placeholder from one namespace'],
    ['kubectl cis-netpol prune --dry-run=server', 'let the API server judge the deletes'],
  ],
  builder: (y) =>
    dryRunOption(scopeOptions(y))
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Remove the placeholders (without it prune only shows the plan)' })
      .option('force', { type: 'boolean', default: false, describe: 'Also remove placeholders someone edited since we created them' })
      .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Namespaces handled at once' })
      .epilogue('Never removes a placeholder that is the only NetworkPolicy of its namespace (that is rollback\'s job).\nExit codes: 0 nothing to prune, 1 placeholders removed (or would be: plan or dry run), 2 any failure.'),
  async run(argv, ctx) {
    const options = {
      scope: toScope(argv as unknown as ScopeFlags),
      dryRun: toDryRun(argv['dry-run'] as string | undefined),
      yes: Boolean(argv['yes']),
      force: Boolean(argv['force']),
      concurrency: toConcurrency(argv['concurrency']),
    };
    const [{ runPrune }, { renderPrune }] = await Promise.all([import('../app/prune.ts'), import('../output/prune.ts')]);
    const report = await runPrune(options, await ctx.cluster(), ctx.deps);
    await ctx.report(report, (style) => renderPrune(report, style));
    return pruneExit(report);
  },
};
