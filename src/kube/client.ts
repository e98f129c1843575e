// Every request of every command: one connection pool for the whole run, paging with restart on
// 410 Expired, bounded retries on 429 (API Priority and Fairness). Plain JSON over the HTTP edge
// (request-http.ts); client-node's generated API classes and models are never loaded (the build
// gives imports of client-node a subset without them: scripts/lib/sea.mjs).
import { ApiException, HttpMethod, KubeConfig, RequestContext, type HttpLibrary } from '@kubernetes/client-node';
// Not re-exported by the package index, but what its own loadFromString calls (the version is pinned).
import { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
import fs from 'node:fs';
import type { Namespace, NetworkPolicy, Node, Pod } from '../core/model.ts';
import { toManifest, toNamespace, toNode, toPod, toPolicy } from './convert.ts';
import { DISCOVERY_ACCEPT, type GroupVersionResource } from './discovery.ts';
import { readPolicyKinds, type PolicyKinds } from './policy-kinds.ts';
import { ApiError, ConfigError } from '../core/errors.ts';
import { kubeconfigFiles, mergeKubeconfigs, type MergedKubeconfig } from './kubeconfig.ts';
import { kubeHttpLibrary, openStream } from './request-http.ts';
import { toApiError, type Where } from './map-error.ts';
import type { ControllerClient } from './controller.ts';

export interface ClientOptions {
  kubeconfig?: string;
  context?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Per request; 0 means none. */
  requestTimeoutMs: number;
  /** Aborts every request in flight (SIGINT). */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Retries of one request answered 429. */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The HTTP edge (node:https with the kubeconfig's credentials, request-http.ts); unit tests pass a stub. */
  http?: HttpLibrary;
}

export interface WriteOptions {
  dryRun: boolean;
}

const PAGE = 500;
const FIELD_MANAGER = 'kubectl-cis-netpol';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** user:password@ in a URL (a kubeconfig server may carry one) never reaches a message or a report. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
}

const policiesPath = (namespace: string) => `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/networkpolicies`;

/** What client-node's loadFromString does once it has parsed (field names to its own), without a YAML round trip. */
export function loadMerged(kc: KubeConfig, m: MergedKubeconfig): KubeConfig {
  kc.loadFromOptions({ clusters: newClusters(m.clusters), users: newUsers(m.users), contexts: newContexts(m.contexts), currentContext: m.currentContext });
  return kc;
}

export interface ClusterIdentity {
  context: string;
  server: string;
}

export class KubeClient {
  readonly identity: ClusterIdentity;
  private readonly http: HttpLibrary;
  private readonly opts: ClientOptions;
  /** For subclasses that read other APIs over the same pooled connection (kube/inspector.ts). */
  protected readonly kc: KubeConfig;

  constructor(opts: ClientOptions) {
    this.opts = opts;
    const kc = new KubeConfig();
    const files = kubeconfigFiles({ explicitFile: opts.kubeconfig, envValue: opts.env['KUBECONFIG'], home: opts.env['HOME'] });
    if (files.length > 0) {
      loadMerged(kc, mergeKubeconfigs(files, opts.context));
    } else if (opts.env['KUBERNETES_SERVICE_HOST'] && fs.existsSync(`${SA_DIR}/token`)) {
      if (opts.context) throw new ConfigError(`context "${opts.context}" given, but there is no kubeconfig (running in-cluster)`, 'drop --context, or pass --kubeconfig');
      kc.loadFromCluster();
    } else {
      throw new ConfigError('no kubeconfig found: $KUBECONFIG is unset or lists no existing file, and ~/.kube/config does not exist', 'pass --kubeconfig FILE, set KUBECONFIG, or run inside a Pod with a service account');
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ConfigError(`context "${kc.getCurrentContext()}" has no cluster`, 'fix the context with `kubectl config set-context`');
    this.identity = { context: kc.getCurrentContext(), server: redactUrlCredentials(cluster.server) };
    this.kc = kc;
    this.http = opts.http ?? kubeHttpLibrary(kc, { timeoutMs: opts.requestTimeoutMs, signal: opts.signal });
  }

  private where(w: Omit<Where, 'context' | 'server'>): Where {
    return { ...w, ...this.identity };
  }

  /** One request: logged with -v (method, path, status, time; never headers), 429 retried with backoff. */
  protected async call<T>(w: Omit<Where, 'context' | 'server'>, fn: () => Promise<T>): Promise<T> {
    const max = this.opts.maxRetries ?? 6;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.opts.random ?? Math.random;
    const label = `${w.verb} ${w.resource}${w.namespace ? ` -n ${w.namespace}` : ''}${w.name ? ` ${w.name}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        const out = await fn();
        this.opts.log(`${label}: ok (${Math.round(performance.now() - t0)} ms)`);
        return out;
      } catch (raw) {
        let err = toApiError(raw, this.where(w));
        // fetch rejects with the abort reason itself (main.ts: Error('SIGINT')), not an AbortError.
        if (this.opts.signal.aborted && err.kind === 'Other') err = new ApiError('Aborted', `interrupted: ${label}`, 'run the command again');
        // fetch quotes the whole URL when it refuses one with credentials in it.
        if (redactUrlCredentials(err.message) !== err.message) err = new ApiError(err.kind, redactUrlCredentials(err.message), err.hint, err.status, err.retryAfter);
        this.opts.log(`${label}: ${err.kind}${err.status ? ` ${err.status}` : ''} (${Math.round(performance.now() - t0)} ms)`);
        if (err.kind !== 'Throttled' || attempt >= max || this.opts.signal.aborted) throw err;
        // Retry-After when given (capped), else exponential; full jitter so workers do not re-synchronise.
        const base = err.retryAfter !== undefined ? err.retryAfter * 1000 : 100 * 2 ** attempt;
        await sleep(Math.min(base, 10_000) * (0.5 + random()));
      }
    }
  }

  /** Pages through a list; a stale continue token (410) restarts the list, up to 3 times. */
  protected async pages<T>(w: Omit<Where, 'context' | 'server'>, fetch: (cont?: string) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>, convert: (raw: never) => T): Promise<T[]> {
    for (let restart = 0; ; restart++) {
      const out: T[] = [];
      let cont: string | undefined;
      try {
        do {
          const page = await this.call(w, () => fetch(cont));
          for (const item of page.items) out.push(convert(item as never));
          cont = page.metadata?._continue || undefined;
        } while (cont);
        return out;
      } catch (err) {
        if (!(err instanceof ApiError && err.kind === 'Expired') || restart >= 2) throw err;
      }
    }
  }

  /** One cheap request before any fan-out, so exec credential plugins run once. */
  async probe(): Promise<void> {
    await this.call({ verb: 'list', resource: 'namespaces' }, () => this.getJson('/api/v1/namespaces?limit=1'));
  }

  // Lists are read as plain JSON, not through client-node's typed models: its ObjectSerializer builds
  // a class instance per object, per managedFields entry and per timestamp, all thrown away at once
  // by convert.ts, which keeps only what the commands read.
  listNamespaces(): Promise<Namespace[]> {
    return this.pages({ verb: 'list', resource: 'namespaces' }, this.rawPages('/api/v1/namespaces'), toNamespace);
  }

  async getNamespace(name: string): Promise<Namespace | undefined> {
    try {
      return toNamespace((await this.call({ verb: 'get', resource: 'namespaces', name }, () => this.getJson(`/api/v1/namespaces/${encodeURIComponent(name)}`))) as never);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  listPolicies(namespace?: string): Promise<NetworkPolicy[]> {
    if (namespace === undefined) return this.pages({ verb: 'list', resource: 'networkpolicies' }, this.rawPages('/apis/networking.k8s.io/v1/networkpolicies'), toPolicy);
    return this.pages({ verb: 'list', resource: 'networkpolicies', namespace }, this.rawPages(policiesPath(namespace)), toPolicy);
  }

  listPods(): Promise<Pod[]> {
    return this.pages({ verb: 'list', resource: 'pods' }, this.rawPages('/api/v1/pods'), toPod);
  }

  listNodes(): Promise<Node[]> {
    return this.pages({ verb: 'list', resource: 'nodes' }, this.rawPages('/api/v1/nodes'), toNode);
  }

  /** The pages of a list at `path`, in the shape pages() reads (the raw token is `metadata.continue`). */
  protected rawPages(path: string): (cont?: string) => Promise<{ items: unknown[]; metadata: { _continue?: string; resourceVersion?: string } }> {
    return async (cont) => {
      const l = (await this.getJson(`${path}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)) as { items?: unknown[]; metadata?: { continue?: string; resourceVersion?: string } };
      return { items: l.items ?? [], metadata: { _continue: l.metadata?.continue, resourceVersion: l.metadata?.resourceVersion } };
    };
  }

  /**
   * One request at `path` through the HTTP edge (the run's pool and credentials, the abort signal and
   * the timeout), answered as plain JSON; discovery passes its own Accept header, which no generated
   * API method lets us set. Non-2xx answers throw ApiException like the API classes.
   */
  protected async request(method: HttpMethod, path: string, body?: unknown, accept = 'application/json', contentType = 'application/json'): Promise<unknown> {
    const ctx = new RequestContext(`${this.kc.getCurrentCluster()!.server.replace(/\/+$/, '')}${path}`, method);
    ctx.setHeaderParam('Accept', accept);
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', contentType);
      ctx.setBody(JSON.stringify(body));
    }
    const res = await this.http.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299) throw new ApiException(res.httpStatusCode, `${method} ${path}`, text, res.headers);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  protected getJson(path: string, accept?: string): Promise<unknown> {
    return this.request(HttpMethod.GET, path, undefined, accept);
  }

  /** Custom objects, untyped JSON; namespaced kinds across all namespaces (the same path as cluster-scoped ones). */
  private listCustom(t: GroupVersionResource): Promise<Record<string, unknown>[]> {
    const { group, version, resource } = t;
    return this.pages({ verb: 'list', resource: `${resource}.${group}` }, this.rawPages(`/apis/${group}/${version}/${resource}`), (o: Record<string, unknown>) => o);
  }

  /** One discovery request, then every served policy kind (policy-kinds.ts); forbidden ones are `unreadable`. */
  readPolicyKinds(): Promise<PolicyKinds> {
    return readPolicyKinds({
      discover: () => this.call({ verb: 'get', resource: '/apis' }, () => this.getJson('/apis', DISCOVERY_ACCEPT)),
      list: (t) => this.listCustom(t),
      log: this.opts.log,
    });
  }

  /** The calls only `watch` makes (lists with resourceVersion, watches, the Lease, Events): kube/controller.ts. */
  async controller(): Promise<ControllerClient> {
    const { ControllerClient } = await import('./controller.ts');
    const server = this.kc.getCurrentCluster()!.server.replace(/\/+$/, '');
    return new ControllerClient(this.identity, this.opts.log, {
      getJson: (path) => this.getJson(path),
      send: (method, path, body) => this.request(method, path, body),
      stream: (path, signal) => openStream(this.kc, `${server}${path}`, signal),
    });
  }

  // Writes as plain JSON too: the manifest carries `from` as the API spells it (no typed `_from`
  // rename to get wrong), and the answer is converted without the typed models.
  async createPolicy(p: NetworkPolicy, o: WriteOptions): Promise<NetworkPolicy> {
    const namespace = p.metadata.namespace;
    const query = `fieldManager=${FIELD_MANAGER}${o.dryRun ? '&dryRun=All' : ''}`;
    const created = await this.call({ verb: 'create', resource: 'networkpolicies', namespace, name: p.metadata.name }, () =>
      this.request(HttpMethod.POST, `${policiesPath(namespace)}?${query}`, toManifest(p)),
    );
    return toPolicy(created as never);
  }

  /** Who we are (SelfSubjectReview) and the server's version, for the HTML report; each part may be missing. */
  async about(): Promise<{ user?: string; groups?: string[]; serverVersion?: string }> {
    const out: { user?: string; groups?: string[]; serverVersion?: string } = {};
    const review = await this.call({ verb: 'create', resource: 'selfsubjectreviews' }, () => this.selfSubjectReview()).catch(() => undefined);
    const info = review?.status?.userInfo;
    if (info?.username) out.user = info.username;
    if (info?.groups?.length) out.groups = info.groups;
    const version = await this.call({ verb: 'get', resource: 'version' }, () => this.getJson('/version') as Promise<{ gitVersion?: string }>).catch(() => undefined);
    if (version?.gitVersion) out.serverVersion = version.gitVersion;
    return out;
  }

  /** Server-side apply of a cluster-scoped custom object (a policy report) with our field manager. */
  async applyClusterObject(obj: { apiVersion: string; kind: string; metadata: { name: string } }, plural: string): Promise<void> {
    const [group = '', version = ''] = obj.apiVersion.split('/');
    const at = `/apis/${group}/${version}/${plural}/${encodeURIComponent(obj.metadata.name)}?fieldManager=${FIELD_MANAGER}&force=true`;
    // Server-side apply takes YAML, of which JSON is a part.
    await this.call({ verb: 'patch', resource: `${plural}.${group}`, name: obj.metadata.name }, () =>
      this.request(HttpMethod.PATCH, at, obj, 'application/json', 'application/apply-patch+yaml'),
    );
  }

  /** SelfSubjectReview: who the credentials are (authentication.k8s.io/v1). */
  protected selfSubjectReview(): Promise<{ status?: { userInfo?: { username?: string; groups?: string[] } } }> {
    return this.request(HttpMethod.POST, '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }) as never;
  }

  /** Deletes with uid and resourceVersion preconditions: a concurrent edit makes it fail (409), never lost. */
  async deletePolicy(p: NetworkPolicy, o: WriteOptions): Promise<void> {
    const { name, namespace, uid, resourceVersion } = p.metadata;
    await this.call({ verb: 'delete', resource: 'networkpolicies', namespace, name }, () =>
      // With a body, kube-apiserver reads delete options from the body only and ignores the query:
      // dryRun must travel inside DeleteOptions, or a "dry run" deletes for real.
      this.request(HttpMethod.DELETE, `${policiesPath(namespace)}/${encodeURIComponent(name)}`, {
        apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid, resourceVersion }, ...(o.dryRun ? { dryRun: ['All'] } : {}),
      }),
    );
  }
}
