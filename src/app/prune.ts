// Use case: prune. Read every namespace and policy (connectivity depends on all of them), plan
// which placeholders go, prove what that denies on today's pods and nodes, then act only with --yes.
import type { NetworkPolicy } from '../core/model.ts';
import {
  CHANGED_REASON, planPrune, pruneConnectivity, pruneMode, pruneOutcome, pruneReport, unchangedSincePlan,
  type PruneConnectivity, type PruneMode, type PruneReport, type PruneResult,
} from '../core/prune.ts';
import type { DryRun } from '../core/remediate.ts';
import { makeScope, type ScopeOptions } from '../core/scope.ts';
import { ciliumModeNote } from '../core/cilium-mode.ts';
import { listClusterWide } from './can-reach.ts';
import { ciliumPresent, readCiliumMode } from './cilium-mode.ts';
import { writeEach } from './pool.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { readClusterSnapshot } from './snapshot.ts';

export interface PruneOptions {
  scope: ScopeOptions;
  dryRun: DryRun;
  /** --yes: without it (and without --dry-run=server) nothing is deleted. */
  yes: boolean;
  force: boolean;
  concurrency: number;
}

export async function runPrune(o: PruneOptions, cluster: Cluster, deps: AppDeps): Promise<PruneReport> {
  const scope = makeScope(o.scope); // validates globs before any request
  const mode = pruneMode(o.dryRun, o.yes);
  // Every namespace and policy: a connection's verdict also depends on the other end's namespace.
  const snapshot = await readClusterSnapshot(cluster, { ...o.scope, namespaces: [] }, deps);
  const present = new Set(snapshot.namespaces.map((n) => n.metadata.name));
  const plan = planPrune({ ...snapshot, missing: o.scope.namespaces.filter((n) => !present.has(n)) }, scope, o.force);
  const notes = [...snapshot.notes];

  let connectivity = new Map<string, PruneConnectivity>();
  if (plan.deletes.length > 0) {
    deps.progress.update('Listing pods and nodes');
    const { pods, nodes } = await listClusterWide(cluster, ['pods', 'nodes'], 'prune needs "list" on pods and nodes to show which connections removing the placeholder denies');
    deps.progress.update('Comparing connectivity with and without the placeholders');
    const t0 = performance.now();
    // The proof's whole model: Cilium (in its agent's mode) and Calico (with its tiers) too.
    const cilium = ciliumPresent(snapshot.policyApis, snapshot.cniPolicies) ? await readCiliumMode(cluster, deps.log) : undefined;
    const state = { namespaces: snapshot.namespaces, pods, nodes, policies: snapshot.policies, clusterPolicies: snapshot.clusterPolicies, cniPolicies: snapshot.cniPolicies, ...(cilium ? { ciliumMode: cilium.mode } : {}) };
    const proof = pruneConnectivity(state, plan.deletes);
    deps.log(`connectivity proof: ${plan.deletes.length} placeholders, ${pods.length} pods, ${nodes.length} nodes in ${Math.round(performance.now() - t0)} ms`);
    connectivity = proof.byNamespace;
    notes.push(...proof.problems);
    if (cilium) notes.push(ciliumModeNote(cilium));
    if (snapshot.unreadable.length > 0) notes.push('Some namespaces\' NetworkPolicies could not be read: connections to and from their pods are judged without them');
  }

  const results: PruneResult[] = [...plan.decided, ...(await removePlaceholders(plan.deletes, snapshot.policies, connectivity, mode, cluster, o.concurrency, deps))];

  return pruneReport({
    timestamp: deps.now().toISOString(),
    source: snapshot.source,
    dryRun: o.dryRun,
    confirmed: o.yes,
    mode,
    interrupted: deps.signal.aborted,
    results,
    notes,
  });
}

/**
 * The removals of a prune plan (also `watch --prune`): per namespace, the policies are read again
 * just before acting (the plan holds only for the policies it was computed from), then each
 * placeholder is deleted with its uid and resourceVersion as preconditions. `gate` is asked before
 * each namespace: false (a lost lease) and no new removal starts.
 */
export async function removePlaceholders(
  deletes: NetworkPolicy[], planned: NetworkPolicy[], connectivity: Map<string, PruneConnectivity>, mode: PruneMode,
  cluster: Cluster, concurrency: number, deps: AppDeps, gate: () => boolean = () => true,
): Promise<PruneResult[]> {
  const results: PruneResult[] = [];
  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const p of deletes) byNamespace.set(p.metadata.namespace, [...(byNamespace.get(p.metadata.namespace) ?? []), p]);
  const remainingIn = (ns: string) => planned.filter((p) => p.metadata.namespace === ns && !deletes.includes(p)).map((p) => p.metadata.name).sort();

  if (mode === 'plan' || mode === 'client') {
    for (const p of deletes) results.push(pruneOutcome(p, remainingIn(p.metadata.namespace), undefined, mode, connectivity.get(p.metadata.namespace)));
    return results;
  }
  let done = 0;
  const namespaces = [...byNamespace.keys()];
  const stop = new AbortController();
  const { why } = await writeEach(namespaces, concurrency, AbortSignal.any([deps.signal, stop.signal]), async (ns, attempt) => {
    if (!gate()) return stop.abort();
    const planHere = byNamespace.get(ns) ?? [];
    const remaining = remainingIn(ns);
    const proof = connectivity.get(ns);
    // Re-read just before acting: the plan shown is only valid for the policies it was computed from.
    const [current, readError] = await attempt(() => cluster.listPolicies(ns));
    if (!current) {
      for (const p of planHere) results.push(pruneOutcome(p, remaining, readError, mode, proof));
      return;
    }
    if (!unchangedSincePlan(planned.filter((p) => p.metadata.namespace === ns), current)) {
      for (const p of planHere) results.push({ namespace: ns, policy: p.metadata.name, status: 'KEPT', reason: CHANGED_REASON, remaining, ...(proof ? { connectivity: proof } : {}) });
      return;
    }
    for (const p of planHere) {
      const [, error] = await attempt(() => cluster.deletePolicy(p, { dryRun: mode === 'server' }));
      results.push(pruneOutcome(p, remaining, error, mode, proof));
      deps.progress.update(`Removing placeholders ${++done}/${deletes.length}`);
    }
  });
  const reason = stop.signal.aborted && !deps.signal.aborted ? 'this process is no longer the leader' : why;
  for (const ns of namespaces) {
    if (results.some((r) => r.namespace === ns)) continue; // every namespace started has its results
    for (const p of byNamespace.get(ns) ?? []) results.push({ namespace: ns, policy: p.metadata.name, status: 'FAILED', reason: `Not attempted: ${reason}`, remaining: remainingIn(ns) });
  }
  return results;
}
