// Use case: audit. Read a snapshot (cluster or saved file), judge it, return the report.
import { audit, type AuditOptions } from '../core/audit.ts';
import { applyExceptions, type ExceptionRule } from '../core/exceptions.ts';
import type { AuditReport, Snapshot } from '../core/report.ts';
import { makeScope, type ScopeOptions } from '../core/scope.ts';
import type { ClusterState } from '../kube/state-file.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { readClusterSnapshot } from './snapshot.ts';

export type SnapshotSource = { kind: 'cluster'; cluster: Cluster } | { kind: 'file'; path: string; state: ClusterState };

export function snapshotFromState(state: ClusterState, scope: ScopeOptions, path: string): Snapshot {
  const wanted = new Set(scope.namespaces);
  const namespaces = wanted.size ? state.namespaces.filter((n) => wanted.has(n.metadata.name)) : state.namespaces;
  const present = new Set(state.namespaces.map((n) => n.metadata.name));
  return {
    source: { kind: 'file', path },
    namespaces,
    policies: state.policies,
    clusterPolicies: state.clusterPolicies,
    cniPolicies: state.cniPolicies,
    // A file says nothing about what its cluster served: kinds absent from it are not looked for.
    policyApis: [],
    missing: scope.namespaces.filter((n) => !present.has(n)),
    unreadable: [],
    notes: [],
  };
}

export async function readSnapshot(source: SnapshotSource, scope: ScopeOptions, deps: AppDeps): Promise<Snapshot> {
  return source.kind === 'file' ? snapshotFromState(source.state, scope, source.path) : readClusterSnapshot(source.cluster, scope, deps);
}

/** Exceptions come from `rules` (the --exceptions file) and from each namespace's annotations. */
export async function runAudit(source: SnapshotSource, scope: ScopeOptions, deps: AppDeps, rules: readonly ExceptionRule[] = [], o: AuditOptions = {}): Promise<AuditReport> {
  const checked = makeScope(scope); // validates globs before any request
  const snapshot = await readSnapshot(source, scope, deps);
  deps.progress.update('Judging');
  const now = deps.now();
  return applyExceptions(audit(snapshot, checked, now, o), { rules, namespaces: snapshot.namespaces, now });
}
