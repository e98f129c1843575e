// Use case: remediate. Read → pure plan → (connectivity check) → apply with bounded concurrency →
// verify → report. Per-namespace failures are collected, never thrown past the run.
import { ApiError } from '../core/errors.ts';
import type { NetworkPolicy } from '../core/model.ts';
import { isOurs, type PlaceholderOptions } from '../core/placeholder.ts';
import {
  createOutcome, notAttempted, planRemediation, summarise,
  type DryRun, type RemediateResult, type RemediationReport,
} from '../core/remediate.ts';
import { REPORT_API_VERSION } from '../core/report.ts';
import { makeScope, type ScopeOptions } from '../core/scope.ts';
import { forEachBounded, writeEach } from './pool.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { checkCreates } from './connectivity.ts';
import { refusalOf, type Connectivity } from '../core/refusal.ts';
import { readClusterSnapshot } from './snapshot.ts';
import type { ExceptionRule } from '../core/exceptions.ts';

export interface RemediateOptions {
  scope: ScopeOptions;
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

export async function runRemediate(o: RemediateOptions, cluster: Cluster, deps: AppDeps): Promise<RemediationReport> {
  const scope = makeScope(o.scope);
  const snapshot = await readClusterSnapshot(cluster, o.scope, deps);
  const plan = planRemediation(snapshot, scope, o.placeholder, { rules: o.exceptions ?? [], now: deps.now() });
  const results = new Map<string, RemediateResult>();
  const created = new Map<string, NetworkPolicy>();
  let complete = true;

  const notes = [...snapshot.notes];
  // The proof runs before any write: what would each change deny that is allowed today?
  const proof = plan.creates.length > 0 ? await checkCreates(cluster, snapshot, plan.creates, deps) : undefined;
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
    const batch = await writeEach(writable, o.concurrency, deps.signal, async (p, attempt) => {
      const [made, error] = await attempt(() => cluster.createPolicy(p, { dryRun: o.dryRun === 'server' }));
      if (made) created.set(p.metadata.namespace, made);
      results.set(p.metadata.namespace, createOutcome(p, error, o.dryRun));
      deps.progress.update(`Creating placeholders ${++done}/${writable.length}`);
    });
    complete = !batch.stopped;
    for (const p of writable) if (!results.has(p.metadata.namespace)) results.set(p.metadata.namespace, notAttempted(p, batch.why));
  }

  if (o.dryRun === 'none' && created.size > 0 && complete) {
    await withdrawWhereOthersAppeared(cluster, created, results, notes, deps);
  }
  const all = [...plan.decided, ...plan.creates.map((p) => ({ ...(results.get(p.metadata.namespace) as RemediateResult), connectivity: connectivity(p.metadata.namespace) }))]
    .sort((a, b) => a.namespace.localeCompare(b.namespace));
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
    summary: summarise(all),
    results: all,
    notes,
  };
}

// A user may create a real policy between our list and our create. Our allow-all beside it would
// neutralise it, so read once more and withdraw the placeholder we just made there (it is ours,
// unchanged: the delete carries its uid and resourceVersion).
async function withdrawWhereOthersAppeared(cluster: Cluster, created: Map<string, NetworkPolicy>, results: Map<string, RemediateResult>, notes: string[], deps: AppDeps) {
  deps.progress.update('Verifying');
  let after: NetworkPolicy[] = [];
  const perNamespace = async () => {
    await forEachBounded([...created.keys()], 16, () => deps.signal.aborted, async (ns) => {
      after.push(...(await cluster.listPolicies(ns)));
    });
  };
  try {
    if (created.size <= 16) await perNamespace();
    else {
      try {
        after = await cluster.listPolicies();
      } catch (err) {
        if (!(err instanceof ApiError && err.kind === 'Forbidden')) throw err;
        await perNamespace();
      }
    }
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
      results.set(ns, { namespace: ns, status: 'PASS', reason: `NetworkPolicy ${names.join(', ')} appeared meanwhile; placeholder withdrawn so it does not override them` });
    } catch (err) {
      results.set(ns, { namespace: ns, status: 'FAILED', reason: `NetworkPolicy ${names.join(', ')} appeared meanwhile and the placeholder could not be withdrawn: ${(err as Error).message}` });
    }
  }
}
