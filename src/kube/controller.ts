// The cluster calls only the watch controller makes: lists with their resourceVersion, watches,
// the Lease, and Events. All plain JSON over the run's HTTP edge (request-http.ts), as every other
// command's: client-node's typed API classes (~1,000 models) and its Watch (undici's fetch) cost a
// long-running process ~20 MB of RSS for four request shapes (docs/watch.md, "Memory").
import { ApiException, HttpMethod } from '@kubernetes/client-node';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../core/errors.ts';
import type { ControllerApi, LeaseRecord, Listed, WatchedKind, WatchedObject, WatchEnd, WatchEvent } from '../app/watch/ports.ts';
import { toNamespace, toPolicy } from './convert.ts';
import { toApiError, type Where } from './map-error.ts';
import { readWatch } from './watch-stream.ts';

const PAGE = 500;
const PATHS: Record<WatchedKind, string> = { namespaces: '/api/v1/namespaces', networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies' };
const CONVERT = { namespaces: toNamespace, networkpolicies: toPolicy } as const;
const COMPONENT = 'kubectl-cis-netpol';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function timeText(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v ?? '');
}

// 2.5 minutes without a byte (bookmarks arrive about once a minute) means a hung server.
const WATCH_IDLE_MS = 150_000;

/** What the controller needs of KubeClient: its JSON requests and a streamed GET, on one edge. */
export interface ControllerHttp {
  getJson(path: string): Promise<unknown>;
  /** Non-2xx answers throw ApiException (map-error.ts reads it). */
  send(method: HttpMethod, path: string, body?: unknown): Promise<unknown>;
  stream(path: string, signal: AbortSignal): Promise<IncomingMessage>;
}

const leasePath = (namespace: string, name?: string) => `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;

export class ControllerClient implements ControllerApi {
  private readonly http: ControllerHttp;
  private readonly identity: { context: string; server: string };
  private readonly log: (line: string) => void;
  private readonly random: () => number;

  constructor(identity: { context: string; server: string }, log: (line: string) => void, http: ControllerHttp, random: () => number = Math.random) {
    this.http = http;
    this.identity = identity;
    this.log = log;
    this.random = random;
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
          const page = (await this.call({ verb: 'list', resource: kind }, () => this.http.getJson(`${PATHS[kind]}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`))) as Raw;
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
    const where = { verb: 'watch' as const, resource: kind, ...this.identity };
    // The server ends each watch after 5-10 minutes (client-go's spread), so that connections rebalance.
    const timeoutSeconds = Math.round(300 + 300 * this.random());
    const path = `${PATHS[kind]}?watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=${timeoutSeconds}`;
    this.log(`watch ${kind} from resourceVersion ${resourceVersion}`);
    let res: IncomingMessage;
    try {
      res = await this.http.stream(path, signal);
    } catch (err) {
      return signal.aborted ? { kind: 'closed' } : { kind: 'error', error: toApiError(err, where) };
    }
    const end = await readWatch(res, ({ type, object }) => {
      const rv = String((object as Raw)?.['metadata']?.resourceVersion ?? '');
      if (type === 'BOOKMARK') onEvent({ type, resourceVersion: rv });
      else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent({ type, object: convert(object), resourceVersion: rv });
    }, WATCH_IDLE_MS, () => signal.aborted);
    switch (end.kind) {
      case 'closed':
        return { kind: 'closed' };
      case 'gone':
        return { kind: 'gone', message: end.message };
      case 'status':
        return end.code === 410 ? { kind: 'gone', message: 'HTTP 410' } : { kind: 'error', error: toApiError(new ApiException(end.code, `watch ${kind}`, end.body, end.headers), where) };
      case 'idle':
        return { kind: 'error', error: new ApiError('Timeout', `watch ${kind}: no data from the API server for ${end.idleMs / 1000} s`, 'check the API server; the watch starts again') };
      case 'broken':
        return { kind: 'error', error: toApiError(new TypeError('fetch failed', { cause: end.cause }), where) };
    }
  }

  async getLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    try {
      const l = (await this.call({ verb: 'get', resource: 'leases', namespace, name }, () => this.http.getJson(leasePath(namespace, name)))) as Raw;
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
    const out = (l.resourceVersion
      ? await this.call({ verb: 'update', resource: 'leases', namespace, name }, () => this.http.send(HttpMethod.PUT, leasePath(namespace, name), body))
      : await this.call({ verb: 'create', resource: 'leases', namespace, name }, () => this.http.send(HttpMethod.POST, leasePath(namespace), body))) as Raw;
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
      firstTimestamp: now.toISOString(),
      lastTimestamp: now.toISOString(),
      count: 1,
    };
    await this.call({ verb: 'create', resource: 'events', namespace }, () => this.http.send(HttpMethod.POST, `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, body));
  }
}
