// Rollback: remove exactly what we created and nobody changed since. Pure.
import { policiesByNamespace } from './audit.ts';
import { outcomeUnknown, type ApiError } from './errors.ts';
import type { NetworkPolicy } from './model.ts';
import { isOurs, isUnmodified } from './placeholder.ts';
import { failureOf, type DryRun, type Failure } from './remediate.ts';
import { REPORT_API_VERSION, type Snapshot } from './report.ts';
import type { Scope } from './scope.ts';

export type RollbackStatus = 'REMOVED' | 'PLANNED' | 'KEPT' | 'FAILED' | 'UNKNOWN';

export interface RollbackResult {
  namespace: string;
  policy: string;
  status: RollbackStatus;
  reason: string;
  error?: Failure;
}

export interface RollbackPlan {
  deletes: NetworkPolicy[];
  kept: RollbackResult[];
}

export function planRollback(snapshot: Snapshot, scope: Scope, force: boolean): RollbackPlan {
  const deletes: NetworkPolicy[] = [];
  const kept: RollbackResult[] = [];
  const byName = new Map(snapshot.namespaces.map((n) => [n.metadata.name, n]));
  for (const p of snapshot.policies) {
    const ns = byName.get(p.metadata.namespace);
    if (!isOurs(p) || !ns) continue;
    const skip = scope.skipReason(ns);
    if (skip?.kind === 'excluded') continue; // rollback ignores the system rule: it removes ours wherever we put it
    if (isUnmodified(p) || force) deletes.push(p);
    else kept.push({ namespace: p.metadata.namespace, policy: p.metadata.name, status: 'KEPT', reason: 'Edited since cis-netpol created it (spec differs from the template); use --force to remove it anyway' });
  }
  // A namespace we could not look into may hold a placeholder we cannot see: never a silent success.
  for (const name of snapshot.missing) kept.push({ namespace: name, policy: '-', status: 'FAILED', reason: 'Namespace not found' });
  for (const u of snapshot.unreadable) kept.push({ namespace: u.namespace, policy: '-', status: 'FAILED', reason: `Could not read NetworkPolicies: ${u.message}` });
  return { deletes, kept };
}

export function deleteOutcome(p: NetworkPolicy, err: ApiError | undefined, dryRun: DryRun): RollbackResult {
  const base = { namespace: p.metadata.namespace, policy: p.metadata.name };
  if (!err) {
    return dryRun === 'none'
      ? { ...base, status: 'REMOVED', reason: 'Placeholder removed' }
      : { ...base, status: 'PLANNED', reason: dryRun === 'server' ? 'Would be removed (server dry run accepted it)' : 'Would be removed (client dry run)' };
  }
  if (err.kind === 'NotFound') return { ...base, status: 'REMOVED', reason: 'Already gone (404)' };
  if (err.kind === 'Conflict') return { ...base, status: 'KEPT', reason: 'Changed meanwhile (uid/resourceVersion precondition failed); not removed', error: failureOf(err) };
  if (outcomeUnknown(err)) return { ...base, status: 'UNKNOWN', reason: 'Outcome unknown: the request did not complete; run rollback again', error: failureOf(err) };
  return { ...base, status: 'FAILED', reason: err.message, error: failureOf(err) };
}

export interface RollbackReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'RollbackReport';
  timestamp: string;
  source: Snapshot['source'];
  dryRun: DryRun;
  interrupted: boolean;
  summary: { removed: number; planned: number; kept: number; failures: number; unknown: number; namespacesFailingAfter: number };
  results: RollbackResult[];
  /** Namespaces that have no NetworkPolicy left once the removals are done: they fail 5.3.2 again. */
  namespacesFailingAfter: string[];
  notes: string[];
}

export function namespacesFailingAfter(snapshot: Snapshot, results: RollbackResult[]): string[] {
  const gone = new Set(results.filter((r) => r.status === 'REMOVED' || r.status === 'PLANNED').map((r) => `${r.namespace}/${r.policy}`));
  const out: string[] = [];
  for (const [ns, list] of policiesByNamespace(snapshot.policies)) {
    if (list.every((p) => gone.has(`${ns}/${p.metadata.name}`))) out.push(ns);
  }
  return out.sort();
}
