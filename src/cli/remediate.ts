import type { Argv } from 'yargs';
import type { ReconcileOptions } from '../app/reconcile.ts';
import { runRemediate } from '../app/remediate.ts';
import { UsageError } from '../core/errors.ts';
import { DEFAULT_POLICY_NAME, TEMPLATE_NAMES, type TemplateName } from '../core/placeholder.ts';
import { renderRemediation } from '../output/remediate.ts';
import { VERSION } from '../version.ts';
import type { Command } from './command.ts';
import { exceptionsOption, readExceptions } from './exceptions.ts';
import { remediateExit } from './exit.ts';
import { manyContexts, runMany } from './many.ts';
import { concurrencyOption, dryRunOption, scopeOptions, toConcurrency, toDryRun, toScope, type ScopeFlags } from './flags.ts';

/** Creates in flight at once; see docs/benchmarks.md for the measurement behind it. */
export const DEFAULT_CONCURRENCY = 16;

function toTemplate(v: unknown): TemplateName {
  const t = TEMPLATE_NAMES.find((n) => n === v);
  if (!t) throw new UsageError(`unknown --template "${String(v)}"`, `use one of: ${TEMPLATE_NAMES.join(', ')}`);
  return t;
}

/** The flags of the shared reconcile, the same for `remediate` and `watch`: scope, template, proof. */
export function reconcileFlags(y: Argv): Argv {
  return scopeOptions(y)
    .option('policy-name', { type: 'string', default: DEFAULT_POLICY_NAME, describe: 'Name of the placeholder NetworkPolicy' })
    .option('template', { type: 'string', default: 'allow-all', describe: 'allow-all (isolates every pod and allows everything), select-none (selects no pod: changes nothing under any policy model, enforces nothing) or cluster-internal (the original guide\'s YAML: cuts traffic to and from outside the pod network)' })
    .option('accept-disruption', { type: 'boolean', default: false, describe: 'Apply a template even though it denies connections allowed today' })
    .option('accept-opening', { type: 'boolean', default: false, describe: 'Apply a template even though it allows connections a cluster-wide (Baseline tier) policy denies today' })
    .option('accept-unproven', { type: 'boolean', default: false, describe: 'Apply where the proof cannot vouch for the namespace (Cilium/Calico/Antrea policies, unreadable policy APIs)' });
}

export function toReconcileOptions(argv: Record<string, unknown>): ReconcileOptions {
  const name = String(argv['policy-name']);
  if (name.length > 63 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(`invalid --policy-name "${name}": must be a DNS subdomain name of at most 63 characters`, 'e.g. --policy-name cis-default-allow');
  }
  return {
    placeholder: { name, template: toTemplate(argv['template']), version: VERSION },
    dryRun: toDryRun(argv['dry-run'] as string | undefined),
    concurrency: toConcurrency(argv['concurrency']),
    acceptDisruption: Boolean(argv['accept-disruption']),
    acceptOpening: Boolean(argv['accept-opening']),
    acceptUnproven: Boolean(argv['accept-unproven']),
  };
}

export const remediateCommand: Command = {
  name: 'remediate',
  describe: 'Give every namespace without a NetworkPolicy an allow-all placeholder that changes no traffic',
  examples: [
    ['kubectl cis-netpol remediate --dry-run', 'show what would be created'],
    ['kubectl cis-netpol remediate --dry-run=server', 'let the API server and admission judge the creates'],
    ['kubectl cis-netpol remediate --exclude "sandbox-*"', 'all but some namespaces'],
    ['kubectl cis-netpol remediate --template select-none', 'where a cluster-wide policy would be overridden: a placeholder that selects no pod'],
  ],
  builder: (y) =>
    concurrencyOption(dryRunOption(exceptionsOption(reconcileFlags(y))), 'Creates in flight at once', DEFAULT_CONCURRENCY)
      .option('confirm-clusters', { type: 'boolean', default: false, describe: 'With several contexts: really write to each cluster (without it only a dry run may span clusters)' }),
  async run(argv, ctx) {
    const options = { scope: toScope(argv as unknown as ScopeFlags), ...toReconcileOptions(argv), exceptions: readExceptions(argv, ctx.io) };
    const many = await manyContexts(argv, ctx);
    if (many) {
      // Writes into several clusters at once: only when asked for in so many words.
      if (many.length > 1 && options.dryRun === 'none' && !argv['confirm-clusters']) {
        throw new UsageError(`remediate would write to ${many.length} clusters (${many.join(', ')})`, 'look first with --dry-run, then add --confirm-clusters');
      }
      return runMany(ctx, many, 'remediate', (cluster, deps) => runRemediate(options, cluster, deps), (r) => remediateExit(r as never));
    }
    const report = await runRemediate(options, await ctx.cluster(), ctx.deps);
    await ctx.report(report, (style) => renderRemediation(report, style));
    return remediateExit(report);
  },
};
