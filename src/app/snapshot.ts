// Reading the cluster state once: one paginated list of namespaces and one of NetworkPolicies,
// whatever the namespace count. With -n, only those namespaces are read.
import { ApiError, InterruptedError } from '../core/errors.ts';
import type { Namespace, NetworkPolicy } from '../core/model.ts';
import type { Snapshot } from '../core/report.ts';
import type { ScopeOptions } from '../core/scope.ts';
import { unreadableKindNotes } from './policy-kind-notes.ts';
import { forEachBounded } from './pool.ts';
import type { AppDeps, Cluster } from './ports.ts';

const READ_CONCURRENCY = 16;

/**
 * `alongside` starts once the namespaces are read (so that an exec credential plugin has run once,
 * alone) and runs beside the rest of the read: the audit's enforcement read (docs/release.md, "Start-up, round two").
 */
export async function readClusterSnapshot(cluster: Cluster, scope: ScopeOptions, deps: AppDeps, alongside?: () => void): Promise<Snapshot> {
  const missing: string[] = [];
  const unreadable: Snapshot['unreadable'] = [];
  let namespaces: Namespace[];
  const stop = () => deps.signal.aborted;

  deps.progress.update('Listing namespaces');
  if (scope.namespaces.length > 0) {
    namespaces = [];
    const [first, ...rest] = scope.namespaces;
    // The first request alone: an exec credential plugin then runs once, not once per request.
    const get = async (name: string) => {
      const ns = await cluster.getNamespace(name);
      if (ns) namespaces.push(ns);
      else missing.push(name);
    };
    if (first !== undefined) await get(first);
    await forEachBounded(rest, READ_CONCURRENCY, stop, get);
  } else {
    namespaces = await cluster.listNamespaces();
  }
  alongside?.();

  // The NetworkPolicies and the cluster-wide kinds are independent: read both at once.
  deps.progress.update(`Listing NetworkPolicies (${namespaces.length} namespaces)`);
  const [policiesRead, kindsRead] = await Promise.allSettled([readPolicies(cluster, scope, namespaces, deps, unreadable), cluster.readPolicyKinds()]);
  // The NetworkPolicy list's failure first, as when the two were read one after the other.
  if (policiesRead.status === 'rejected') throw policiesRead.reason;
  if (kindsRead.status === 'rejected') throw kindsRead.reason;
  const { policies, notes } = policiesRead.value;
  const kinds = kindsRead.value;
  notes.push(...unreadableKindNotes(kinds.apis));
  if (deps.signal.aborted) throw new InterruptedError();
  return {
    source: { kind: 'cluster', ...cluster.identity },
    namespaces, policies, missing, unreadable, notes,
    clusterPolicies: kinds.clusterPolicies,
    cniPolicies: kinds.cniPolicies,
    policyApis: kinds.apis,
  };
}

/** One cluster-wide list, or one per namespace (with -n, or when the cluster-wide list is forbidden). */
async function readPolicies(cluster: Cluster, scope: ScopeOptions, namespaces: Namespace[], deps: AppDeps, unreadable: Snapshot['unreadable']): Promise<{ policies: NetworkPolicy[]; notes: string[] }> {
  const notes: string[] = [];
  const policies: NetworkPolicy[] = [];
  const perNamespace = async () => {
    await forEachBounded(namespaces, READ_CONCURRENCY, () => deps.signal.aborted, async (ns) => {
      try {
        policies.push(...(await cluster.listPolicies(ns.metadata.name)));
      } catch (err) {
        if (err instanceof ApiError && (err.kind === 'Forbidden' || err.kind === 'NotFound')) unreadable.push({ namespace: ns.metadata.name, message: err.message });
        else throw err;
      }
    });
  };
  if (scope.namespaces.length > 0) {
    await perNamespace();
    return { policies, notes };
  }
  try {
    return { policies: await cluster.listPolicies(), notes };
  } catch (err) {
    if (!(err instanceof ApiError && err.kind === 'Forbidden')) throw err;
    notes.push('Listing NetworkPolicies cluster-wide is forbidden; fell back to one list per namespace (slower; grant cluster-wide list to avoid it)');
    deps.log('cluster-wide list of networkpolicies forbidden: falling back to per-namespace lists');
    await perNamespace();
    return { policies, notes };
  }
}
