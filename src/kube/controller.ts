// The cluster calls only the watch controller makes: lists with their resourceVersion, watches
// (client-node's Watch over the same pooled HTTP/1.1 dispatcher), the Lease, and Events.
import type { CoordinationV1Api, CoreV1Api, Watch } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../core/errors.ts';
import type { ControllerApi, LeaseRecord, Listed, WatchedKind, WatchedObject, WatchEnd, WatchEvent } from '../app/watch/ports.ts';
import { toNamespace, toPolicy } from './convert.ts';
import { toApiError, type Where } from './map-error.ts';

const PAGE = 500;
const PATHS: Record<WatchedKind, string> = { namespaces: '/api/v1/namespaces', networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies' };
const CONVERT = { namespaces: toNamespace, networkpolicies: toPolicy } as const;
const COMPONENT = 'kubectl-cis-netpol';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function timeText(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v ?? '');
}

export class ControllerClient implements ControllerApi {
  private readonly core: CoreV1Api;
  private readonly coord: CoordinationV1Api;
  private readonly newWatch: () => Watch;
  private readonly identity: { context: string; server: string };
  private readonly log: (line: string) => void;
  private readonly random: () => number;

  private readonly getJson: (path: string) => Promise<unknown>;

  /**
   * `getJson`: KubeClient's plain-JSON GET; `apis`: API classes on its HTTP edge (so Lease renewals
   * and Events pay no fetch overhead) and client-node's Watch (over undici's fetch, pooled).
   */
  constructor(identity: { context: string; server: string }, log: (line: string) => void, getJson: (path: string) => Promise<unknown>, apis: { core: CoreV1Api; coord: CoordinationV1Api; newWatch: () => Watch }, random: () => number = Math.random) {
    this.newWatch = apis.newWatch;
    this.getJson = getJson;
    this.identity = identity;
    this.log = log;
    this.random = random;
    this.core = apis.core;
    this.coord = apis.coord;
  }

  private async call<T>(w: Omit<Where, 'context' | 'server'>, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const label = `${w.verb} ${w.resource}${w.namespace ? ` -n ${w.namespace}` : ''}${w.name ? ` ${w.name}` : ''}`;
    try {
      const out = await fn();
      this.log(`${label}: ok (${Math.round(performance.now() - t0)} ms)`);
      return out;
    } catch (raw) {
      const err = toApiError(raw, { ...w, ...this.identity });
      this.log(`${label}: ${err.kind}${err.status ? ` ${err.status}` : ''} (${Math.round(performance.now() - t0)} ms)`);
      throw err;
    }
  }

  /** Every page at the first page's resourceVersion; a stale continue token (410) restarts it. */
  async list<K extends WatchedKind>(kind: K): Promise<Listed<WatchedObject<K>>> {
    const convert = CONVERT[kind] as (raw: Raw) => WatchedObject<K>;
    for (let restart = 0; ; restart++) {
      const items: WatchedObject<K>[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      try {
        do {
          const page = (await this.call({ verb: 'list', resource: kind }, () => this.getJson(`${PATHS[kind]}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`))) as Raw;
          for (const item of (page['items'] ?? []) as Raw[]) items.push(convert(item));
          resourceVersion ||= String(page['metadata']?.resourceVersion ?? '');
          cont = page['metadata']?.continue || undefined;
        } while (cont);
        return { items, resourceVersion };
      } catch (err) {
        if (!(err instanceof ApiError && err.kind === 'Expired') || restart >= 2) throw err;
      }
    }
  }

  async watch<K extends WatchedKind>(kind: K, resourceVersion: string, onEvent: (e: WatchEvent<WatchedObject<K>>) => void, signal: AbortSignal): Promise<WatchEnd> {
    const convert = CONVERT[kind] as (raw: Raw) => WatchedObject<K>;
    // The server ends each watch after 5-10 minutes (client-go's spread), so that connections
    // rebalance; bookmarks arrive about once a minute, so 2.5 minutes of silence means a hung server.
    const timeoutSeconds = Math.round(300 + 300 * this.random());
    const w = this.newWatch();
    // client-node's inactivity timeout (private, 30 s by default): reset by every byte received.
    (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 150_000;
    let gone: string | undefined;
    return new Promise<WatchEnd>((resolve) => {
      let controller: AbortController | undefined;
      const onAbort = () => controller?.abort();
      const finish = (end: WatchEnd) => {
        signal.removeEventListener('abort', onAbort);
        resolve(end);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.log(`watch ${kind} from resourceVersion ${resourceVersion}`);
      void w.watch(PATHS[kind], { resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, (type: string, obj: Raw) => {
        const rv = String(obj?.['metadata']?.resourceVersion ?? '');
        if (type === 'ERROR') {
          // A watch from a compacted resourceVersion: 410 Gone (Expired) as an event on a 200 answer.
          if (obj?.['code'] === 410) gone = String(obj['message'] ?? 'resourceVersion too old');
          controller?.abort();
        } else if (type === 'BOOKMARK') onEvent({ type, resourceVersion: rv });
        else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent({ type, object: convert(obj), resourceVersion: rv });
      }, (err: unknown) => {
        if (gone !== undefined) return finish({ kind: 'gone', message: gone });
        const status = (err as { statusCode?: number } | null)?.statusCode;
        if (status === 410) return finish({ kind: 'gone', message: 'HTTP 410' });
        if (!err || signal.aborted) return finish({ kind: 'closed' });
        const e = status ? new ApiError(status >= 500 ? 'ServerError' : 'Other', `watch ${kind}: HTTP ${status}`, 'check the API server', status) : toApiError(err, { verb: 'list', resource: kind, ...this.identity });
        finish({ kind: 'error', error: e });
      }).then((c) => {
        controller = c;
        if (signal.aborted) c.abort();
      }, (err: unknown) => finish({ kind: 'error', error: toApiError(err, { verb: 'list', resource: kind, ...this.identity }) }));
    });
  }

  async getLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    try {
      const l: Raw = await this.call({ verb: 'get', resource: 'leases', namespace, name }, () => this.coord.readNamespacedLease({ name, namespace }));
      return {
        holder: String(l['spec']?.holderIdentity ?? ''),
        durationSeconds: Number(l['spec']?.leaseDurationSeconds ?? 0),
        acquireTime: timeText(l['spec']?.acquireTime),
        renewTime: timeText(l['spec']?.renewTime),
        transitions: Number(l['spec']?.leaseTransitions ?? 0),
        resourceVersion: String(l['metadata']?.resourceVersion ?? ''),
      };
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  async writeLease(namespace: string, name: string, l: LeaseRecord): Promise<LeaseRecord> {
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, ...(l.resourceVersion ? { resourceVersion: l.resourceVersion } : {}) },
      spec: { holderIdentity: l.holder, leaseDurationSeconds: l.durationSeconds, acquireTime: l.acquireTime, renewTime: l.renewTime, leaseTransitions: l.transitions },
    };
    const out: Raw = l.resourceVersion
      ? await this.call({ verb: 'update', resource: 'leases', namespace, name }, () => this.coord.replaceNamespacedLease({ name, namespace, body: body as never }))
      : await this.call({ verb: 'create', resource: 'leases', namespace, name }, () => this.coord.createNamespacedLease({ namespace, body: body as never }));
    return { ...l, resourceVersion: String(out['metadata']?.resourceVersion ?? '') };
  }

  async namespaceEvent(namespace: string, e: { type: 'Normal' | 'Warning'; reason: string; message: string }): Promise<void> {
    const now = new Date();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${namespace}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: namespace, namespace },
      reason: e.reason,
      message: e.message.slice(0, 1024),
      type: e.type,
      source: { component: COMPONENT },
      reportingComponent: COMPONENT,
      reportingInstance: COMPONENT,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await this.call({ verb: 'create', resource: 'events', namespace }, () => this.core.createNamespacedEvent({ namespace, body: body as never }));
  }
}
