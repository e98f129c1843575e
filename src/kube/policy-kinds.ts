// Reading the cluster-wide policy kinds: one discovery request, then one paged list per served kind.
// A kind that cannot be read is reported `unreadable` with what failed and what to grant; only an
// interruption propagates, so a missing right never costs the rest of the run.
import { forEachBounded } from '../app/pool.ts';
import { ApiError } from '../core/errors.ts';
import type { ClusterPolicy, ClusterPolicyKind, CniPolicy, CniPolicyKind, PolicyApiRead } from '../core/model.ts';
import { toClusterPolicy, toCniPolicy } from './convert-policies.ts';
import { parseDiscovery, planReads, POLICY_KINDS, type GroupVersionResource, type KindSpec, type PlannedRead } from './discovery.ts';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PolicyKindsIo {
  /** The JSON body of GET /apis (DISCOVERY_ACCEPT); throws ApiError. */
  discover(): Promise<unknown>;
  /** Every object of one resource, all namespaces, every page; throws ApiError. */
  list(target: GroupVersionResource, namespaced: boolean): Promise<Raw[]>;
  /** -v lines. */
  log(line: string): void;
}

export interface PolicyKinds {
  clusterPolicies: ClusterPolicy[];
  cniPolicies: CniPolicy[];
  apis: PolicyApiRead[];
}

const isInterruption = (err: unknown) => err instanceof ApiError && err.kind === 'Aborted';

/** `what` failed (a list, or the discovery before it); the message ends with what to do about it. */
function unreadable(p: PlannedRead, err: unknown, what = `list ${p.target.resource}.${p.target.group}`): PolicyApiRead {
  const { group, version, resource } = p.target;
  const e = err instanceof ApiError ? err : undefined;
  const failed = e?.message ?? `${what} failed: ${(err as Error)?.message ?? String(err)}`;
  const todo = e?.kind !== 'Forbidden' ? (e?.hint ?? 'run again with -v for details')
    : what.startsWith('list') ? `grant "list" on ${resource} in API group ${group} (deploy/rbac.yaml)`
      : 'grant "get" on the non-resource URL /apis (the default ClusterRole system:discovery)';
  return { group, version, resource, kind: p.spec.kind, state: 'unreadable', reason: e?.kind ?? 'Other', message: `${failed}; ${todo}` };
}

async function readOne(io: PolicyKindsIo, p: PlannedRead, out: PolicyKinds): Promise<PolicyApiRead> {
  const { group, version, resource } = p.target;
  const base = { group, version, resource, kind: p.spec.kind };
  if (p.action === 'absent') return { ...base, state: 'absent' };
  try {
    const items = await io.list(p.target, p.spec.namespaced);
    const apiVersion = `${group}/${version}`;
    for (const item of items) {
      if (p.spec.family === 'cluster') out.clusterPolicies.push(toClusterPolicy({ ...item, apiVersion }, p.spec.kind as ClusterPolicyKind));
      else out.cniPolicies.push(toCniPolicy(item, p.spec.kind as CniPolicyKind, apiVersion));
    }
    return { ...base, state: 'served', count: items.length };
  } catch (err) {
    if (isInterruption(err)) throw err;
    // Plain /apis says only which group/versions exist: a 404 on the list means the resource is not
    // there. With aggregated discovery it means it went away since (a CRD deleted meanwhile).
    if (err instanceof ApiError && err.kind === 'NotFound') return { ...base, state: 'absent' };
    return unreadable(p, err);
  }
}

/**
 * Lists in flight at once. Each is small (usually empty), and each request beyond the connections
 * already open costs a new TLS handshake (~5 ms of CPU, more than the list itself against a near
 * server): a few at a time reuse the warm connections and still overlap round trips to a far one.
 */
export const POLICY_LIST_CONCURRENCY = 3;

/** Discovery, then the lists a few at a time (POLICY_LIST_CONCURRENCY); `apis` in POLICY_KINDS order. */
export async function readPolicyKinds(io: PolicyKindsIo, kinds: readonly KindSpec[] = POLICY_KINDS): Promise<PolicyKinds> {
  const out: PolicyKinds = { clusterPolicies: [], cniPolicies: [], apis: [] };
  let plan: PlannedRead[];
  try {
    const served = parseDiscovery(await io.discover());
    plan = planReads(served, kinds);
    const read = plan.filter((p) => p.action === 'read').map((p) => `${p.target.resource}.${p.target.group}/${p.target.version}`);
    io.log(`discovery (${served.format}): ${read.length} of ${kinds.length} policy kinds served${read.length ? `: ${read.join(', ')}` : ''}`);
  } catch (err) {
    if (isInterruption(err)) throw err;
    // Without discovery nothing is known to be absent: every kind is unreadable, each with the cause.
    out.apis = kinds.map((spec) => unreadable({ spec, target: spec.candidates[0]!, action: 'read' }, err, 'discovery (GET /apis)'));
    return out;
  }
  const apis: PolicyApiRead[] = [];
  await forEachBounded(plan.map((p, i) => ({ p, i })), POLICY_LIST_CONCURRENCY, () => false, async ({ p, i }) => {
    apis[i] = await readOne(io, p, out);
  });
  out.apis = apis;
  // Each kind's objects together, in a stable order whatever order the lists finished in.
  const order = new Map(kinds.map((k, i) => [k.kind as string, i]));
  const byKind = (a: { kind: string }, b: { kind: string }) => order.get(a.kind)! - order.get(b.kind)!;
  out.clusterPolicies.sort(byKind);
  out.cniPolicies.sort(byKind);
  return out;
}
