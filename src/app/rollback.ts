// Use case: rollback. Remove only placeholders that carry our receipt and are unchanged.
import { makeScope, type ScopeOptions } from '../core/scope.ts';
import type { DryRun } from '../core/remediate.ts';
import { REPORT_API_VERSION } from '../core/report.ts';
import { deleteOutcome, namespacesFailingAfter, planRollback, type RollbackReport, type RollbackResult } from '../core/rollback.ts';
import { writeEach } from './pool.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { readClusterSnapshot } from './snapshot.ts';
import { compareText } from '../core/order.ts';

export interface RollbackOptions {
  scope: ScopeOptions;
  dryRun: DryRun;
  force: boolean;
  concurrency: number;
}

export async function runRollback(o: RollbackOptions, cluster: Cluster, deps: AppDeps): Promise<RollbackReport> {
  const scope = makeScope(o.scope);
  const snapshot = await readClusterSnapshot(cluster, o.scope, deps);
  const plan = planRollback(snapshot, scope, o.force);
  const results: RollbackResult[] = [...plan.kept];
  if (o.dryRun === 'client') {
    for (const p of plan.deletes) results.push(deleteOutcome(p, undefined, 'client'));
  } else {
    let done = 0;
    const { started, why } = await writeEach(plan.deletes, o.concurrency, deps.signal, async (p, attempt) => {
      const [, error] = await attempt(() => cluster.deletePolicy(p, { dryRun: o.dryRun === 'server' }));
      results.push(deleteOutcome(p, error, o.dryRun));
      deps.progress.update(`Removing placeholders ${++done}/${plan.deletes.length}`);
    });
    for (const p of plan.deletes) {
      if (!started.has(p)) results.push({ namespace: p.metadata.namespace, policy: p.metadata.name, status: 'FAILED', reason: `Not attempted: ${why}` });
    }
  }
  results.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.policy, b.policy));
  const failing = namespacesFailingAfter(snapshot, results);
  const n = (s: RollbackResult['status']) => results.filter((r) => r.status === s).length;
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'RollbackReport',
    timestamp: deps.now().toISOString(),
    source: snapshot.source,
    dryRun: o.dryRun,
    interrupted: deps.signal.aborted,
    summary: { removed: n('REMOVED'), planned: n('PLANNED'), kept: n('KEPT'), failures: n('FAILED'), unknown: n('UNKNOWN'), namespacesFailingAfter: failing.length },
    results,
    namespacesFailingAfter: failing,
    notes: snapshot.notes,
  };
}
