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

export async function readClusterSnapshot(cluster: Cluster, scope: ScopeOptions, deps: AppDeps): Promise<Snapshot> {
  const notes: string[] = [];
  const missing: string[] = [];
  const unreadable: Snapshot['unreadable'] = [];
  let namespaces: Namespace[];
  let policies: NetworkPolicy[] = [];
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

  deps.progress.update(`Listing NetworkPolicies and cluster-wide policies (${namespaces.length} namespaces)`);
  const perNamespace = async (list: Namespace[]) => {
    await forEachBounded(list, READ_CONCURRENCY, stop, async (ns) => {
      try {
        policies.push(...(await cluster.listPolicies(ns.metadata.name)));
      } catch (err) {
        if (err instanceof ApiError && (err.kind === 'Forbidden' || err.kind === 'NotFound')) unreadable.push({ namespace: ns.metadata.name, message: err.message });
        else throw err;
      }
    });
  };
  // The NetworkPolicies and the cluster-wide kinds side by side: two connections, where one after
  // the other waited a round trip per list (the first request above has run alone).
  const readPolicies = async () => {
    if (scope.namespaces.length > 0) return perNamespace(namespaces);
    try {
      policies = await cluster.listPolicies();
    } catch (err) {
      if (!(err instanceof ApiError && err.kind === 'Forbidden')) throw err;
      notes.push('Listing NetworkPolicies cluster-wide is forbidden; fell back to one list per namespace (slower; grant cluster-wide list to avoid it)');
      deps.log('cluster-wide list of networkpolicies forbidden: falling back to per-namespace lists');
      await perNamespace(namespaces);
    }
  };
  const [, kinds] = await Promise.all([readPolicies(), cluster.readPolicyKinds()]);
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
