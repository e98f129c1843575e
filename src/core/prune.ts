// Prune: remove our placeholder where the namespace now has policies of its own, so that those
// stricter policies take effect (policies are additive: while an allow-all exists, nothing is
// denied). Never where the placeholder is the only policy. Pure.
import { policiesByNamespace } from './audit.ts';
import { outcomeUnknown, type ApiError } from './errors.ts';
import type { NetworkPolicy } from './model.ts';
import { compareConnectivity, summarise, type ConnectionClass } from './netpol/index.ts';
import { isOurs, isUnmodified } from './placeholder.ts';
import { cniReasons } from './proof-cni.ts';
import { modelCluster, type ModelState } from './proof.ts';
import { failureOf, type DryRun, type Failure } from './remediate.ts';
import { REPORT_API_VERSION, type Snapshot } from './report.ts';
import type { Scope } from './scope.ts';
import { compareText } from './order.ts';

export type PruneStatus = 'REMOVED' | 'PLANNED' | 'KEPT' | 'FAILED' | 'UNKNOWN' | 'ERROR';

/** What removing the namespace's placeholder(s) does to traffic, from the exact comparison. */
export interface PruneConnectivity {
  /** No connection allowed today becomes denied, and the model vouches for that. Derived from `denied` and `unproven`. */
  unchanged: boolean;
  /** Why the model cannot vouch for the namespace: CNI policies with parts it cannot decide (proof-cni.ts). */
  unproven: string[];
  /** Readable lines (summarise) of what becomes denied: the remaining policies now take effect. */
  denied: string[];
  /** Number of exact connection classes behind the lines. */
  classes: number;
  /** Pod-network pods with an address in the namespace: the comparison covers today's pods. */
  pods: number;
  /** The exact classes (every address range, port range and protocol) the lines summarise. */
  details: ConnectionClass[];
}

export interface PruneResult {
  namespace: string;
  /** The placeholder; absent for a namespace-level error (e.g. not found). */
  policy?: string;
  status: PruneStatus;
  reason: string;
  /** The namespace's own policies, which decide alone once the placeholder is gone. */
  remaining: string[];
  connectivity?: PruneConnectivity;
  error?: Failure;
}

export interface PrunePlan {
  /** Placeholders to remove (unmodified ones, or edited ones with --force), each beside real policies. */
  deletes: NetworkPolicy[];
  /** Decided without a write: KEPT (only policy, edited) or ERROR (unreadable, not found). */
  decided: PruneResult[];
}

export const ONLY_POLICY_REASON = 'Only NetworkPolicy in the namespace: removing it would fail CIS 5.3.2 again; write real policies first (rollback removes it anyway)';
export const EDITED_REASON = 'Edited since cis-netpol created it (spec differs from the template); use --force to remove it anyway';
export const CHANGED_REASON = 'The namespace\'s NetworkPolicies changed since the plan was computed; not removed (run prune again to see the new plan)';

const names = (list: NetworkPolicy[]) => list.map((p) => p.metadata.name).sort();

/** Which of our placeholders go. The snapshot holds every namespace; -n narrows what is planned. */
export function planPrune(snapshot: Snapshot, scope: Scope, force: boolean): PrunePlan {
  const wanted = new Set(scope.options.namespaces);
  const by = policiesByNamespace(snapshot.policies);
  const unreadable = new Map(snapshot.unreadable.map((u) => [u.namespace, u.message]));
  const deletes: NetworkPolicy[] = [];
  const decided: PruneResult[] = [];
  for (const ns of [...snapshot.namespaces].sort((a, b) => compareText(a.metadata.name, b.metadata.name))) {
    const name = ns.metadata.name;
    if (wanted.size > 0 && !wanted.has(name)) continue;
    if (scope.skipReason(ns)?.kind === 'excluded') continue; // like rollback: ours wherever we put it, unless excluded
    if (unreadable.has(name)) {
      decided.push({ namespace: name, status: 'ERROR', reason: `Could not read NetworkPolicies: ${unreadable.get(name)}`, remaining: [] });
      continue;
    }
    const list = by.get(name) ?? [];
    const mine = list.filter(isOurs);
    const others = list.filter((p) => !isOurs(p));
    for (const p of mine.sort((a, b) => compareText(a.metadata.name, b.metadata.name))) {
      const base = { namespace: name, policy: p.metadata.name, remaining: names(others) };
      if (others.length === 0) decided.push({ ...base, status: 'KEPT', reason: ONLY_POLICY_REASON });
      else if (!isUnmodified(p) && !force) decided.push({ ...base, status: 'KEPT', reason: EDITED_REASON });
      else deletes.push(p);
    }
  }
  for (const name of snapshot.missing) decided.push({ namespace: name, status: 'ERROR', reason: 'Namespace not found', remaining: [] });
  return { deletes, decided };
}

/**
 * What the comparison judges by: the proof's whole model (SIG tiers: removing an allow-all
 * placeholder hands its pods back to the Baseline tier; Cilium and Calico policies and tiers).
 */
export type ConnectivityState = Pick<ModelState, 'namespaces' | 'pods' | 'nodes' | 'policies'> & Partial<Pick<ModelState, 'clusterPolicies' | 'cniPolicies' | 'ciliumMode'>>;

const key = (p: NetworkPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;

/**
 * Exact comparison of all policies today (before) with the same minus the deletes (after), on
 * today's pods and nodes: per namespace, the connections allowed now and denied once they go.
 */
export function pruneConnectivity(state: ConnectivityState, deletes: NetworkPolicy[]): { byNamespace: Map<string, PruneConnectivity>; problems: string[] } {
  const targets = [...new Set(deletes.map((p) => p.metadata.namespace))].sort();
  const byNamespace = new Map<string, PruneConnectivity>();
  if (targets.length === 0) return { byNamespace, problems: [] };
  const gone = new Set(deletes.map(key));
  const after = state.policies.filter((p) => !gone.has(key(p)));
  const full = { ...state, clusterPolicies: state.clusterPolicies ?? [], cniPolicies: state.cniPolicies ?? [] };
  const cluster = modelCluster(full);
  const comparison = compareConnectivity(cluster, state.policies, after, { namespaces: targets });
  const lines = new Map(summarise(cluster, comparison.denied).map((s) => [s.namespace, s.lines]));
  for (const ns of targets) {
    const denied = lines.get(ns) ?? [];
    const details = comparison.denied.filter((c) => c.deniedBy.some((d) => d.pod.namespace === ns));
    const namespace = state.namespaces.find((n) => n.metadata.name === ns);
    const unproven = namespace ? cniReasons(full, namespace) : [];
    byNamespace.set(ns, {
      unchanged: denied.length === 0 && unproven.length === 0,
      unproven,
      denied,
      classes: details.length,
      pods: state.pods.filter((p) => p.metadata.namespace === ns && !p.hostNetwork && p.podIPs.length > 0).length,
      details,
    });
  }
  return { byNamespace, problems: comparison.problems };
}

/** Whether the namespace's policies are exactly those the plan was computed from (names and versions). */
export function unchangedSincePlan(planned: NetworkPolicy[], current: NetworkPolicy[]): boolean {
  const print = (list: NetworkPolicy[]) => list.map((p) => `${p.metadata.name}@${p.metadata.uid ?? ''}@${p.metadata.resourceVersion ?? ''}`).sort().join('\n');
  return print(planned) === print(current);
}

export type PruneMode = 'plan' | 'client' | 'server' | 'apply';

/** --dry-run wins; otherwise only --yes deletes, and without it prune shows the plan. */
export function pruneMode(dryRun: DryRun, yes: boolean): PruneMode {
  if (dryRun === 'client') return 'client';
  if (dryRun === 'server') return 'server';
  return yes ? 'apply' : 'plan';
}

/** The reported outcome of one planned removal. */
export function pruneOutcome(p: NetworkPolicy, remaining: string[], err: ApiError | undefined, mode: PruneMode, connectivity?: PruneConnectivity): PruneResult {
  const base = { namespace: p.metadata.namespace, policy: p.metadata.name, remaining, ...(connectivity ? { connectivity } : {}) };
  const decide = `${remaining.length === 1 ? 'policy' : 'policies'} ${remaining.join(', ')}`;
  if (!err) {
    switch (mode) {
      case 'apply': return { ...base, status: 'REMOVED', reason: `Placeholder removed; ${decide} now decide${remaining.length === 1 ? 's' : ''} alone` };
      case 'plan': return { ...base, status: 'PLANNED', reason: `Would be removed, leaving ${decide} (run again with --yes to remove it)` };
      case 'client': return { ...base, status: 'PLANNED', reason: `Would be removed, leaving ${decide} (client dry run)` };
      case 'server': return { ...base, status: 'PLANNED', reason: `Would be removed, leaving ${decide} (server dry run accepted it)` };
    }
  }
  if (err.kind === 'NotFound') return { ...base, status: 'REMOVED', reason: 'Already gone (404)' };
  if (err.kind === 'Conflict') return { ...base, status: 'KEPT', reason: 'Changed meanwhile (uid/resourceVersion precondition failed); not removed', error: failureOf(err) };
  if (outcomeUnknown(err)) return { ...base, status: 'UNKNOWN', reason: 'Outcome unknown: the request did not complete; run prune again', error: failureOf(err) };
  return { ...base, status: 'FAILED', reason: err.message, error: failureOf(err) };
}

export interface PruneSummary {
  removed: number;
  planned: number;
  kept: number;
  failures: number;
  unknown: number;
  /** Namespaces where the removal denies at least one connection allowed today. */
  namespacesWithDeniedConnections: number;
}

export interface PruneReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'PruneReport';
  timestamp: string;
  source: Snapshot['source'];
  dryRun: DryRun;
  /** --yes was given. */
  confirmed: boolean;
  mode: PruneMode;
  interrupted: boolean;
  summary: PruneSummary;
  results: PruneResult[];
  notes: string[];
}

export function pruneSummary(results: PruneResult[]): PruneSummary {
  const n = (pred: (r: PruneResult) => boolean) => results.filter(pred).length;
  return {
    removed: n((r) => r.status === 'REMOVED'),
    planned: n((r) => r.status === 'PLANNED'),
    kept: n((r) => r.status === 'KEPT'),
    failures: n((r) => r.status === 'FAILED' || r.status === 'ERROR'),
    unknown: n((r) => r.status === 'UNKNOWN'),
    namespacesWithDeniedConnections: new Set(results.filter((r) => (r.status === 'REMOVED' || r.status === 'PLANNED') && (r.connectivity?.denied.length ?? 0) > 0).map((r) => r.namespace)).size,
  };
}

export function pruneReport(parts: Omit<PruneReport, 'apiVersion' | 'kind' | 'summary'>): PruneReport {
  const results = [...parts.results].sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.policy ?? '', b.policy ?? ''));
  const { timestamp, source, dryRun, confirmed, mode, interrupted, notes } = parts;
  return { apiVersion: REPORT_API_VERSION, kind: 'PruneReport', timestamp, source, dryRun, confirmed, mode, interrupted, summary: pruneSummary(results), results, notes };
}
