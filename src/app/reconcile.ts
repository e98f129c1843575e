// The per-namespace decision that `remediate` and `watch` share: scope → plan → proof → write →
// verify. `remediate` feeds it one snapshot of the whole cluster; `watch` feeds it its cache (list +
// watch) and the namespaces whose events are queued. Neither copies any step of it.
import { ApiError } from '../core/errors.ts';
import type { NetworkPolicy } from '../core/model.ts';
import { isOurs, type PlaceholderOptions } from '../core/placeholder.ts';
import { refusalOf, type Connectivity } from '../core/refusal.ts';
import { createOutcome, notAttempted, planRemediation, type DryRun, type RemediateResult } from '../core/remediate.ts';
import type { Snapshot } from '../core/report.ts';
import type { Scope } from '../core/scope.ts';
import type { ExceptionRule } from '../core/exceptions.ts';
import type { KeptState } from '../core/proof.ts';
import { checkCreates } from './connectivity.ts';
import { forEachBounded, writeEach } from './pool.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { compareText } from '../core/order.ts';

export interface ReconcileOptions {
  placeholder: PlaceholderOptions;
  dryRun: DryRun;
  concurrency: number;
  /** Apply even when the connectivity proof finds connections the change would deny. */
  acceptDisruption: boolean;
  /** Apply even where the placeholder would allow connections a cluster-wide tier denies today. */
  acceptOpening?: boolean;
  /** Apply even where the proof cannot vouch for the namespace (unmodelled or unreadable policies). */
  acceptUnproven?: boolean;
  /** From --exceptions; namespace annotations are read whether or not a file is given. */
  exceptions?: readonly ExceptionRule[];
}

export interface Reconciled {
  /** One result per namespace decided, sorted by name. */
  results: RemediateResult[];
  /** The placeholders this call created, by namespace (what the watch adds to its cache at once). */
  created: Map<string, NetworkPolicy>;
  notes: string[];
}

/** What `watch` adds to a call: which namespaces, a write gate, and what it keeps between batches. */
export interface Batch {
  /** Decide only these namespaces (default: all of the state's). */
  only?: ReadonlySet<string>;
  /** Asked before each write: false (a lost lease) and no new write starts. */
  gate?: () => boolean;
  /** The state's policies and namespaces as indexes kept across calls (core/proof.ts KeptState). */
  kept?: KeptState;
  /**
   * The policies of these namespaces as they are now that the placeholders exist (the verify step).
   * Default: read them from the API server (readBack). A watch answers from its store instead, once
   * its own watch has delivered each placeholder's event (every earlier change came before it).
   */
  readBack?: (created: ReadonlyMap<string, NetworkPolicy>) => Promise<NetworkPolicy[]>;
}

/**
 * Decides and applies for the namespaces of `state` (all of them, or only those in `batch.only`).
 * The proof always sees the whole state: namespace selectors and other namespaces' policies matter.
 */
export async function reconcile(state: Snapshot, scope: Scope, o: ReconcileOptions, cluster: Cluster, deps: AppDeps, batch: Batch = {}): Promise<Reconciled> {
  const { only, gate = () => true } = batch;
  // The plan needs only these namespaces' own policies: the audit then groups a batch, not the cluster.
  const planned = only ? { ...state, namespaces: state.namespaces.filter((n) => only.has(n.metadata.name)), policies: state.policies.filter((p) => only.has(p.metadata.namespace)) } : state;
  const plan = planRemediation(planned, scope, o.placeholder, { rules: o.exceptions ?? [], now: deps.now() });
  const results = new Map<string, RemediateResult>();
  const created = new Map<string, NetworkPolicy>();
  const notes: string[] = [];
  let complete = true;

  // The proof runs before any write: what would each change deny that is allowed today?
  const proof = plan.creates.length > 0 ? await checkCreates(cluster, state, plan.creates, deps, batch.kept) : undefined;
  notes.push(...(proof?.notes ?? []));
  const connectivity = (ns: string): Connectivity => {
    const p = proof?.namespaces.get(ns) ?? { denied: [], opened: [], unproven: [] };
    return { unchanged: p.denied.length + p.opened.length + p.unproven.length === 0, broken: p.denied, opened: p.opened, unproven: p.unproven };
  };
  // Per namespace: a placeholder that would change a verdict (or that the proof cannot vouch for)
  // is not written there unless the matching flag accepts it; the other namespaces go ahead.
  const writable: NetworkPolicy[] = [];
  for (const p of plan.creates) {
    const refusal = refusalOf(connectivity(p.metadata.namespace), o);
    if (refusal) results.set(p.metadata.namespace, { ...refusal, namespace: p.metadata.namespace });
    else writable.push(p);
  }
  if (o.dryRun === 'client') {
    for (const p of writable) results.set(p.metadata.namespace, createOutcome(p, undefined, 'client'));
  } else {
    let done = 0;
    const stop = new AbortController();
    const signal = AbortSignal.any([deps.signal, stop.signal]);
    const batch = await writeEach(writable, o.concurrency, signal, async (p, attempt) => {
      if (!gate()) {
        stop.abort();
        return;
      }
      const [made, error] = await attempt(() => cluster.createPolicy(p, { dryRun: o.dryRun === 'server' }));
      if (made) created.set(p.metadata.namespace, made);
      results.set(p.metadata.namespace, createOutcome(p, error, o.dryRun));
      deps.progress.update(`Creating placeholders ${++done}/${writable.length}`);
    });
    complete = !batch.stopped;
    const why = deps.signal.aborted || !stop.signal.aborted ? batch.why : 'this process is no longer the leader';
    for (const p of writable) if (!results.has(p.metadata.namespace)) results.set(p.metadata.namespace, notAttempted(p, why));
  }

  if (o.dryRun === 'none' && created.size > 0 && complete) {
    await withdrawWhereOthersAppeared(cluster, created, results, notes, deps, batch.readBack ?? ((c) => readBack(cluster, [...c.keys()], deps.signal)));
  }
  const all = [...plan.decided, ...plan.creates.map((p) => ({ ...(results.get(p.metadata.namespace) as RemediateResult), connectivity: connectivity(p.metadata.namespace) }))]
    .sort((a, b) => compareText(a.namespace, b.namespace));
  return { results: all, created, notes };
}

/** The policies of these namespaces: one list each (16 at a time). */
export async function listEach(cluster: Cluster, namespaces: readonly string[], signal: AbortSignal): Promise<NetworkPolicy[]> {
  const out: NetworkPolicy[] = [];
  await forEachBounded(namespaces, 16, () => signal.aborted, async (ns) => {
    out.push(...(await cluster.listPolicies(ns)));
  });
  return out;
}

/** Up to 16 namespaces: one list each; more: one cluster-wide list (per namespace where that is forbidden). */
async function readBack(cluster: Cluster, namespaces: readonly string[], signal: AbortSignal): Promise<NetworkPolicy[]> {
  if (namespaces.length <= 16) return listEach(cluster, namespaces, signal);
  try {
    return await cluster.listPolicies();
  } catch (err) {
    if (!(err instanceof ApiError && err.kind === 'Forbidden')) throw err;
    return listEach(cluster, namespaces, signal);
  }
}

// A user may create a real policy between our list and our create. Our allow-all beside it would
// neutralise it, so read once more and withdraw the placeholder we just made there (it is ours,
// unchanged: the delete carries its uid and resourceVersion).
async function withdrawWhereOthersAppeared(cluster: Cluster, created: Map<string, NetworkPolicy>, results: Map<string, RemediateResult>, notes: string[], deps: AppDeps, read: NonNullable<Batch['readBack']>) {
  deps.progress.update('Verifying');
  let after: NetworkPolicy[];
  try {
    after = await read(created);
  } catch (err) {
    notes.push(`Could not verify after applying (${(err as Error).message}); run audit to check`);
    return;
  }
  const others = new Map<string, string[]>();
  for (const p of after) if (created.has(p.metadata.namespace) && !isOurs(p)) others.set(p.metadata.namespace, [...(others.get(p.metadata.namespace) ?? []), p.metadata.name]);
  for (const [ns, names] of others) {
    const mine = created.get(ns) as NetworkPolicy;
    try {
      await cluster.deletePolicy(mine, { dryRun: false });
      created.delete(ns);
      results.set(ns, { namespace: ns, status: 'PASS', reason: `NetworkPolicy ${names.join(', ')} appeared meanwhile; placeholder withdrawn so it does not override them` });
    } catch (err) {
      results.set(ns, { namespace: ns, status: 'FAILED', reason: `NetworkPolicy ${names.join(', ')} appeared meanwhile and the placeholder could not be withdrawn: ${(err as Error).message}` });
    }
  }
}
