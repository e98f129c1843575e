// Many clusters in one run (--context a,b,c or --all-contexts): the same use case on each cluster,
// a bounded number at once, each cluster's failure kept to that cluster (its error is reported and
// the others still run), results in the order the contexts were given.
import { CisNetpolError } from '../core/errors.ts';
import { forEachBounded } from './pool.ts';

/** Clusters handled at once: each run is itself concurrent, and the machine running us is small. */
export const CLUSTER_CONCURRENCY = 4;

export interface ClusterOutcome<R> {
  cluster: string;
  report?: R;
  error?: { message: string; hint: string };
}

export async function runOnClusters<R>(contexts: readonly string[], stop: () => boolean, run: (context: string) => Promise<R>, limit = CLUSTER_CONCURRENCY): Promise<ClusterOutcome<R>[]> {
  const out = new Map<string, ClusterOutcome<R>>();
  await forEachBounded(contexts, limit, stop, async (cluster) => {
    try {
      out.set(cluster, { cluster, report: await run(cluster) });
    } catch (err) {
      const e = err as Error;
      out.set(cluster, { cluster, error: { message: e?.message ?? String(err), hint: err instanceof CisNetpolError ? err.hint : 'run again with -v' } });
    }
  });
  return contexts.map((c) => out.get(c) ?? { cluster: c, error: { message: 'not started: interrupted', hint: 'run the command again' } });
}
