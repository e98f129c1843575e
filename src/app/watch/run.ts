// Use case: watch. client-go's informer + workqueue shape around the shared reconcile: two
// reflectors (namespaces, NetworkPolicies) fill one cache, every change queues its namespace, and
// one worker hands the queued namespaces that lack a policy to reconcile() — the same scope, proof,
// template, receipts and verification as `remediate`. The watch owns only retries, the lease,
// health and what it says.
import type { PolicyKindsRead } from '../ports.ts';
import type { AppDeps, Cluster } from '../ports.ts';
import type { Namespace, NetworkPolicy } from '../../core/model.ts';
import { isOurs } from '../../core/placeholder.ts';
import type { Snapshot } from '../../core/report.ts';
import { makeScope, type ScopeOptions } from '../../core/scope.ts';
import { listEach, reconcile, type ReconcileOptions } from '../reconcile.ts';
import { Sightings } from './sightings.ts';
import { PolicyKindsTracker } from './kinds.ts';
import { pruneBeside, reportPruned } from './prune.ts';
import type { PruneResult } from '../../core/prune.ts';
import { WatchCache, type Change } from './cache.ts';
import { LeaderElector, type LeaderOptions } from './leader.ts';
import type { ActionLog } from './log.ts';
import { WatchMetrics } from './metrics.ts';
import { Outcomes } from './outcome.ts';
import type { ControllerApi } from './ports.ts';
import { KeyQueue } from './queue.ts';
import { abortableSleep, reflect, type Backoff } from './reflector.ts';
import { boundedSender } from './events.ts';
import { serveHealth } from './server.ts';

export interface WatchOptions extends ReconcileOptions {
  scope: ScopeOptions;
  /** After someone else deletes a placeholder: recreate it after this long; undefined: never. */
  recreateAfterMs: number | undefined;
  leader?: LeaderOptions;
  /** host:port for /healthz, /readyz, /metrics; undefined: no server. */
  listen?: string;
  backoff?: { baseMs: number; capMs: number };
  /** How often the cluster-wide policy kinds are read again (kinds.ts); a change reconciles every namespace. */
  kindsPeriodMs?: number;
  /** --prune: remove our unmodified placeholder where a user's policy appears beside it (prune.ts). */
  prune?: boolean;
}

export interface WatchDeps extends AppDeps {
  actions: ActionLog;
  random(): number;
}

const EVENT_DRAIN_MS = 5000;
const KINDS_PERIOD_MS = 30_000;
const EVENTS_IN_FLIGHT = 4;
const EVENT_BACKLOG = 10_000;
/** How long the verify step waits for the watch to deliver a placeholder before reading its namespace. */
const SIGHTING_WAIT_MS = 3000;
/** How long a new namespace waits for the policies applied with it (a few requests of kubectl apply). */
const NEW_NAMESPACE_SETTLE_MS = 500;

export async function runWatch(o: WatchOptions, base: Cluster, api: ControllerApi, deps: WatchDeps): Promise<number> {
  const scope = makeScope(o.scope);
  // -n: only these namespaces (the cache still holds all: the proof reads their labels).
  const listed = o.scope.namespaces.length > 0 ? new Set(o.scope.namespaces) : undefined;
  const inScope = (n: Namespace) => !scope.skipReason(n) && (!listed || listed.has(n.metadata.name));
  const log = deps.actions;
  const signal = deps.signal;
  const queue = new KeyQueue();
  const held = new Map<string, number>();
  // What has been said per namespace (so that it is said once), dropped with the namespace: a
  // process that runs for weeks under namespace churn must not keep one entry per namespace it saw.
  const said = new Map<string, Set<string>>();
  const sayOnce = (ns: string, what: string) => {
    const set = said.get(ns) ?? new Set<string>();
    said.set(ns, set);
    return !set.has(what) && Boolean(set.add(what));
  };
  const synced = { namespaces: false, networkpolicies: false };
  let lastError: string | undefined;

  const cache = new WatchCache((c) => onChange(c));
  const metrics = new WatchMetrics({
    inScope: () => [...cache.namespaces.values()].filter(inScope).length,
    compliant: () => [...cache.namespaces.values()].filter((n) => inScope(n) && cache.policiesIn(n.metadata.name).length > 0).length,
  });
  // Every write request counted as sent, whatever its outcome: what "never a write loop" is tested on.
  const cluster = new Proxy(base, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (typeof v !== 'function') return v;
      if (k === 'createPolicy' || k === 'deletePolicy') return (...a: unknown[]) => (metrics.writes.inc({ verb: k === 'createPolicy' ? 'create' : 'delete', resource: 'networkpolicies' }), (v as (...x: unknown[]) => unknown).apply(t, a));
      return (v as (...x: unknown[]) => unknown).bind(t);
    },
  }) as Cluster;
  const events = boundedSender<{ ns: string; type: 'Normal' | 'Warning'; reason: string; message: string }>(EVENTS_IN_FLIGHT, EVENT_BACKLOG, (e) =>
    api.namespaceEvent(e.ns, { type: e.type, reason: e.reason, message: e.message }).catch((err: Error) => {
      metrics.apiError(err);
      log.warn('could not record an Event', { namespace: e.ns, reason: e.reason, error: err.message });
    }),
  );
  const outcomes = new Outcomes({
    log, metrics, random: deps.random,
    retryAfter: (ns, ms) => queue.addAfter(ns, ms),
    event(ns, type, reason, message) {
      if (o.dryRun !== 'none') return;
      events.send({ ns, type, reason, message });
    },
  });
  const sightings = new Sightings();

  let elector: LeaderElector | undefined;
  const mayWrite = () => !signal.aborted && (elector ? elector.isLeader() : true);
  metrics.leader.set(o.leader ? 0 : 1);
  if (o.leader) {
    elector = new LeaderElector(api, o.leader, {
      changed(leading, detail) {
        metrics.leader.set(leading ? 1 : 0);
        (leading ? log.info : log.warn)(leading ? 'leading: writes enabled' : 'not leading: writes stopped', { detail });
        if (leading) for (const name of cache.namespaces.keys()) queue.add(name);
      },
      error(err) {
        metrics.apiError(err);
        log.error('lease request failed', { error: err.message });
      },
    });
  }

  function onChange(c: Change) {
    const ns = c.namespace;
    if (c.kind === 'policy' && c.deleted && c.ours && cache.policiesIn(ns).length === 0 && cache.namespaces.has(ns)) {
      // Someone deleted the placeholder (we only ever withdraw ours beside a user's policy).
      if (o.recreateAfterMs === undefined) {
        held.set(ns, Infinity);
        log.warn('placeholder deleted by someone else: left alone (--recreate-after never); the namespace fails CIS 5.3.2', { namespace: ns, policy: c.name });
      } else {
        held.set(ns, performance.now() + o.recreateAfterMs);
        queue.addAfter(ns, o.recreateAfterMs);
        log.warn('placeholder deleted by someone else: recreating it after the grace period unless a policy appears', { namespace: ns, policy: c.name, recreateAfterSeconds: o.recreateAfterMs / 1000 });
      }
    }
    if (c.kind === 'policy' && c.added && !c.ours && cache.policiesIn(ns).some(isOurs) && sayOnce(ns, `beside ${c.name}`)) {
      if (o.prune) log.info('a NetworkPolicy now sits beside the placeholder, which overrides it: removing the placeholder (--prune)', { namespace: ns, policy: c.name });
      else log.info('a NetworkPolicy now sits beside the placeholder, which overrides it: remove the placeholder with `kubectl cis-netpol prune` (or run watch with --prune)', { namespace: ns, policy: c.name });
    }
    // A namespace applied together with its own policies (`kubectl apply -f` of both) is written
    // first: a placeholder made in between would sit beside them, overriding them until pruned.
    if (c.kind === 'namespace' && c.added) queue.addAfter(ns, NEW_NAMESPACE_SETTLE_MS);
    else queue.add(ns);
  }

  function needs(ns: string): boolean {
    const n = cache.namespaces.get(ns);
    if (!n) {
      held.delete(ns);
      said.delete(ns);
      outcomes.forget(ns);
      return false;
    }
    if (!inScope(n) || cache.policiesIn(ns).length > 0) return false;
    const until = held.get(ns);
    if (until !== undefined) {
      if (performance.now() < until) return false;
      held.delete(ns);
    }
    return !(o.dryRun === 'client' && outcomes.planned(ns));
  }

  const kinds = new PolicyKindsTracker({
    read: () => cluster.readPolicyKinds(),
    changed() {
      log.info('cluster-wide policies changed: every namespace is reconciled again');
      for (const name of cache.namespaces.keys()) queue.add(name);
    },
    error(err) {
      metrics.apiError(err);
      log.warn('could not read the cluster-wide policy kinds again; the proof uses the last read', { error: err.message });
    },
  });

  const besideOurs = (ns: string) => {
    const list = cache.policiesIn(ns);
    return list.some(isOurs) && list.some((p) => !isOurs(p));
  };
  const pruned = (r: PruneResult) => reportPruned(r, {
    log,
    // A namespace is queued on every change in it: "kept" and "would be removed" are said once per placeholder and reason.
    once: () => sayOnce(r.namespace, `prune ${r.policy ?? ''} ${r.reason}`),
    event: (reason, message) => o.dryRun === 'none' && events.send({ ns: r.namespace, type: 'Normal', reason, message }),
  });

  // The verify step from the store (sightings.ts); a placeholder not seen in time: read its namespace.
  async function readBack(created: ReadonlyMap<string, NetworkPolicy>): Promise<NetworkPolicy[]> {
    const late: string[] = [];
    await Promise.all([...created.values()].map(async (p) => {
      if (!(await sightings.until(p, cache.holds(p), SIGHTING_WAIT_MS, signal))) late.push(p.metadata.namespace);
    }));
    const seen = [...created.keys()].filter((ns) => !late.includes(ns)).flatMap((ns) => cache.policiesIn(ns));
    return [...seen, ...(late.length > 0 ? await listEach(cluster, late, signal) : [])];
  }

  async function work() {
    for (;;) {
      const keys = await queue.drain();
      if (signal.aborted || keys.length === 0) return;
      if (!mayWrite()) continue; // a standby: on becoming leader every namespace is queued again
      const targets = keys.filter(needs);
      const prunable = o.prune ? keys.filter(besideOurs) : [];
      if (targets.length === 0 && prunable.length === 0) continue;
      try {
        const k = await kinds.current();
        const state: Snapshot = {
          source: { kind: 'cluster', ...cluster.identity },
          namespaces: [...cache.namespaces.values()], policies: cache.allPolicies(),
          clusterPolicies: k.clusterPolicies, cniPolicies: k.cniPolicies, policyApis: k.apis,
          missing: [], unreadable: [], notes: [],
        };
        const quiet = { ...deps, progress: { update() {}, stop() {} } };
        if (targets.length > 0) {
          const r = await reconcile(state, scope, o, cluster, quiet, { only: new Set(targets), gate: mayWrite, kept: cache.kept, readBack });
          for (const p of r.created.values()) cache.remember(p);
          for (const res of r.results) outcomes.handle(res, o.placeholder.template, !mayWrite());
          for (const n of r.notes) log.info('note', { note: n });
        }
        if (prunable.length > 0) {
          const r = await pruneBeside(new Set(prunable), state, scope, o, cluster, quiet, mayWrite);
          for (const res of r.results) pruned(res);
          for (const n of r.notes) log.info('note', { note: n });
        }
      } catch (err) {
        if (signal.aborted) return;
        metrics.apiError(err as Error);
        log.error('reconcile failed; retrying these namespaces', { namespaces: targets.length, error: (err as Error).message });
        for (const ns of targets) queue.addAfter(ns, 1000 + 4000 * deps.random());
      }
    }
  }

  const server = o.listen === undefined ? undefined : await serveHealth(o.listen, {
    notReady: () => {
      if (!synced.namespaces || !synced.networkpolicies) return `waiting for the first list of namespaces and NetworkPolicies${lastError ? ` (last error: ${lastError})` : ''}`;
      return outcomes.blocked;
    },
  }, metrics);
  if (server) log.info('serving /healthz, /readyz and /metrics', { url: server.url });
  log.info('watching', { template: o.placeholder.template, policy: o.placeholder.name, dryRun: o.dryRun, leaderElect: Boolean(o.leader), recreateAfterSeconds: o.recreateAfterMs === undefined ? 'never' : o.recreateAfterMs / 1000 });

  const backoff: Backoff = { baseMs: o.backoff?.baseMs ?? 200, capMs: o.backoff?.capMs ?? 30_000, random: deps.random, sleep: abortableSleep };
  const hooks = (kind: 'namespaces' | 'networkpolicies') => ({
    listed() {
      if (!synced[kind]) log.info('synced', { resource: kind });
      synced[kind] = true;
      lastError = undefined;
      metrics.lastSync.set(deps.now().getTime() / 1000);
      if (kind === 'namespaces' && synced.networkpolicies) void kinds.refresh(); // a relist reads the cluster-wide kinds again too
    },
    restarted(reason: 'closed' | 'gone' | 'error', detail: string) {
      metrics.restarts.inc({ resource: kind, reason });
      if (reason === 'gone') log.info('watch expired (410 Gone): listing again', { resource: kind, detail });
      else if (reason === 'error') log.warn('watch failed: reconnecting with backoff', { resource: kind, error: detail });
    },
    apiError(err: Error) {
      lastError = err.message;
      metrics.apiError(err);
    },
    current: () => metrics.lastSync.set(deps.now().getTime() / 1000),
  });
  const reflectors = [
    reflect(api, 'namespaces', { ...hooks('namespaces'), replace: (items) => cache.replaceNamespaces(items), event: (e) => cache.namespaceEvent(e) }, backoff, signal),
    reflect(api, 'networkpolicies', {
      ...hooks('networkpolicies'),
      replace(items) {
        cache.replacePolicies(items);
        for (const p of items) sightings.saw(p);
      },
      event(e) {
        cache.policyEvent(e);
        if (e.type !== 'BOOKMARK') sightings.saw(e.object);
      },
    }, backoff, signal),
  ];
  const leading = elector?.run(signal);
  const rereading = kinds.run(o.kindsPeriodMs ?? KINDS_PERIOD_MS, signal);
  // The worker starts after the first full sync (client-go's WaitForCacheSync): before it, a
  // namespace whose policies are not listed yet would look empty.
  while (!(synced.namespaces && synced.networkpolicies) && !signal.aborted) await abortableSleep(50, signal);
  const worker = signal.aborted ? Promise.resolve() : work();
  await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));

  // SIGTERM: no new write starts; the batch in flight finishes; Events sent are awaited (bounded).
  log.info('stopping: draining writes in flight');
  queue.close();
  await worker;
  await Promise.all([...reflectors, rereading]);
  const giveUp = new AbortController();
  await Promise.race([events.idle(), abortableSleep(EVENT_DRAIN_MS, giveUp.signal)]);
  giveUp.abort();
  await leading;
  await elector?.release();
  await server?.close();
  log.info('stopped');
  return 0;
}
