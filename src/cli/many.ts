// --context a,b,c and --all-contexts: audit or remediate on several clusters at once, one merged
// report (cluster as a column and a field), each cluster's failure isolated to it (exit 2 for that
// cluster, the others still reported), and the exit code the worst of them.
import { runOnClusters } from '../app/many.ts';
import type { AppDeps, Cluster } from '../app/ports.ts';
import { UsageError } from '../core/errors.ts';
import { toEvidence, type ClusterRun, type CommandName, type CommandReport } from '../core/evidence.ts';
import { REPORT_API_VERSION } from '../core/report.ts';
import { renderMany } from '../output/many.ts';
import { VERSION } from '../version.ts';
import type { CommandContext } from './context.ts';
import { emit, writeReports } from './emit.ts';
import { EXIT_ERROR } from './exit.ts';

/** The contexts of a many-cluster run, or undefined for the usual single-cluster run. */
export async function manyContexts(argv: Record<string, unknown>, ctx: CommandContext): Promise<string[] | undefined> {
  const given = argv['context'] as string | undefined;
  if (argv['all-contexts']) {
    if (given) throw new UsageError('--all-contexts and --context cannot be used together', 'use one of them');
    if (!ctx.io.listContexts) throw new UsageError('--all-contexts is not available here', 'list the contexts with --context a,b');
    const all = await ctx.io.listContexts({ kubeconfig: argv['kubeconfig'] as string | undefined, env: ctx.io.env });
    if (all.length === 0) throw new UsageError('--all-contexts: the kubeconfig defines no context', 'see `kubectl config get-contexts`');
    return all;
  }
  if (!given || !given.includes(',')) return undefined;
  const list = [...new Set(given.split(',').map((c) => c.trim()).filter((c) => c !== ''))];
  if (list.length === 0) throw new UsageError(`--context "${given}" names no context`, 'e.g. --context east,west');
  return list;
}

/** A quiet copy of the deps: one spinner cannot follow several clusters at once. */
function quiet(deps: AppDeps): AppDeps {
  return { ...deps, progress: { update() {}, stop() {} } };
}

export async function runMany(
  ctx: CommandContext,
  contexts: string[],
  command: CommandName,
  runOne: (cluster: Cluster, deps: AppDeps) => Promise<CommandReport>,
  exitOf: (r: CommandReport) => number,
): Promise<number> {
  const clients = new Map<string, Cluster>();
  const abouts = new Map<string, Partial<ClusterRun>>();
  const outcomes = await runOnClusters(contexts, () => ctx.io.signal.aborted, async (name) => {
    const cluster = await ctx.connectTo(name);
    clients.set(name, cluster);
    const report = await runOne(cluster, quiet(ctx.deps));
    if (ctx.emitOptions.output === 'html') abouts.set(name, (await cluster.about?.().catch(() => ({}))) ?? {});
    return report;
  });
  const evidence = toEvidence(outcomes.map((o) => ({
    ...(o.report ? { report: o.report } : {}),
    run: { cluster: o.cluster, source: o.report?.source ?? { kind: 'cluster' as const, context: o.cluster, server: clients.get(o.cluster)?.identity.server ?? '' }, ...abouts.get(o.cluster), ...(o.error ? { error: `${o.error.message} (next: ${o.error.hint})` } : {}) },
  })), command, VERSION, ctx.io.now().toISOString());
  const merged = {
    apiVersion: REPORT_API_VERSION, kind: 'MultiClusterReport', command, timestamp: evidence.timestamp,
    clusters: outcomes.map((o) => ({ cluster: o.cluster, ...(o.report ? { report: o.report } : {}), ...(o.error ? { error: o.error } : {}) })),
  };
  ctx.deps.progress.stop();
  emit(ctx.io, ctx.emitOptions, merged, () => evidence, () => renderMany(evidence, ctx.style));
  for (const o of outcomes) if (o.error) ctx.io.err.write(`error: cluster ${o.cluster}: ${o.error.message} (next: ${o.error.hint})\n`);
  if (ctx.emitOptions.writeReport) await writeReports(evidence, ctx.emitOptions.flavour, async (name) => clients.get(name) as Cluster, ctx.io.err);
  return Math.max(0, ...outcomes.map((o) => (o.report ? exitOf(o.report) : EXIT_ERROR)));
}
