// Use case: remediate. Read one snapshot of the cluster, then the shared reconcile (reconcile.ts:
// scope → plan → proof → write with bounded concurrency → verify), then the report.
// Per-namespace failures are collected, never thrown past the run.
import { summarise, type RemediationReport } from '../core/remediate.ts';
import { REPORT_API_VERSION } from '../core/report.ts';
import { makeScope, type ScopeOptions } from '../core/scope.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { reconcile, type ReconcileOptions } from './reconcile.ts';
import { readClusterSnapshot } from './snapshot.ts';
import type { ExceptionRule } from '../core/exceptions.ts';

export interface RemediateOptions extends ReconcileOptions {
  scope: ScopeOptions;
}

export async function runRemediate(o: RemediateOptions, cluster: Cluster, deps: AppDeps): Promise<RemediationReport> {
  const snapshot = await readClusterSnapshot(cluster, o.scope, deps);
  const { results, notes } = await reconcile(snapshot, makeScope(o.scope), o, cluster, deps);
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'RemediationReport',
    control: '5.3.2',
    timestamp: deps.now().toISOString(),
    source: snapshot.source,
    dryRun: o.dryRun,
    template: o.placeholder.template,
    policyName: o.placeholder.name,
    interrupted: deps.signal.aborted,
    summary: summarise(results),
    results,
    notes: [...snapshot.notes, ...notes],
  };
}
