// watch --prune: where a user's own NetworkPolicy appears beside our placeholder, the placeholder
// (allow-all, additive) overrides it; prune's plan, proof and removals take it away, as `prune --yes`
// would, for those namespaces only. prune's core decides what goes: only our receipt-carrying,
// unmodified placeholders, never the only policy of a namespace, never an edited one (no --force
// here), never an excluded namespace; each delete carries uid and resourceVersion preconditions.
import { planPrune, pruneConnectivity, type PruneResult } from '../../core/prune.ts';
import type { DryRun } from '../../core/remediate.ts';
import type { Snapshot } from '../../core/report.ts';
import type { Scope } from '../../core/scope.ts';
import { readPodsAndNodes } from '../connectivity.ts';
import type { AppDeps, Cluster } from '../ports.ts';
import { removePlaceholders } from '../prune.ts';
import type { ActionLog } from './log.ts';

export interface PruneBeside {
  results: PruneResult[];
  notes: string[];
}

/** Prunes in `namespaces`; `state` is the whole store (the proof reads every namespace and policy). */
export async function pruneBeside(namespaces: ReadonlySet<string>, state: Snapshot, scope: Scope, o: { dryRun: DryRun; concurrency: number }, cluster: Cluster, deps: AppDeps, gate: () => boolean): Promise<PruneBeside> {
  const plan = planPrune(state, scope, false);
  const kept = plan.decided.filter((r) => namespaces.has(r.namespace));
  const deletes = plan.deletes.filter((p) => namespaces.has(p.metadata.namespace));
  if (deletes.length === 0) return { results: kept, notes: [] };
  const notes: string[] = [];
  const { pods, nodes } = await readPodsAndNodes(cluster, notes);
  const proof = pruneConnectivity({ namespaces: state.namespaces, pods, nodes, policies: state.policies, clusterPolicies: state.clusterPolicies }, deletes);
  notes.push(...proof.problems);
  const mode = o.dryRun === 'none' ? 'apply' : o.dryRun;
  const results = await removePlaceholders(deletes, state.policies, proof.byNamespace, mode, cluster, o.concurrency, deps, gate);
  return { results: [...kept, ...results], notes };
}

/** One log line per outcome; an Event where a placeholder went. */
export function reportPruned(r: PruneResult, to: { log: ActionLog; once: () => boolean; event: (reason: string, message: string) => void }): void {
  const what = { namespace: r.namespace, policy: r.policy, remaining: r.remaining.join(','), reason: r.reason, ...(r.connectivity ? { denies: r.connectivity.denied.length } : {}) };
  if (r.status === 'REMOVED') {
    to.log.info('placeholder removed: the namespace\'s own policies now decide', what);
    to.event('PlaceholderPruned', `kubectl cis-netpol removed NetworkPolicy ${r.policy ?? ''} (CIS 5.3.2 placeholder): NetworkPolicy ${r.remaining.join(', ')} now decides`);
  } else if (r.status === 'PLANNED') {
    if (to.once()) to.log.info('placeholder would be removed', what);
  } else if (r.status === 'KEPT') {
    if (to.once()) to.log.info('placeholder kept', what);
  } else to.log.warn('placeholder not removed', what);
}
