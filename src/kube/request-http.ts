// The HTTP edge of every request we make, watch streams included (openStream): client-node's
// HttpLibrary on Node's own http/https modules, through one keep-alive Agent per run.
// - Why not undici (client-node's transport): its module graph (the Agent, its WASM HTTP parser,
//   its HTTP/2 client, fetch) is the largest part of a one-shot command's start-up and ~10 MB of
//   its RSS (docs/release.md, "Start-up, round four"); node:https is part of the executable already.
// - The credentials and TLS material still come from client-node: applyToHTTPSOptions runs the auth
//   plugins (token, exec, oidc …) and createAgent builds the Agent, proxies (proxy-url: socks, http,
//   https) included. Only keep-alive is added: client-node's Agent would close each connection.
// - Failures look as fetch's did (`TypeError: fetch failed` with the cause; an abort rejects with
//   the signal's reason), which is what map-error.ts reads.
import http from 'node:http';
import https from 'node:https';
import { HttpMethod, ResponseContext, wrapHttpLibrary, type HttpLibrary, type KubeConfig, type RequestContext } from '@kubernetes/client-node';

export interface EdgeOptions {
  /** Per request, answer included; 0 means none. */
  timeoutMs: number;
  /**
   * The run's signal (SIGINT). It aborts reads only: a write in flight is let finish (bounded by the
   * timeout), because an aborted write may still have been applied, and its outcome could then only
   * be reported unknown.
   */
  signal?: AbortSignal;
}

// Idle connections are kept as long as client-go keeps them; 30 s stays under cloud load
// balancers' 60 s idle timeouts.
const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 30_000 };

type CreateAgent = (cluster: unknown, agentOptions: Record<string, unknown>) => http.Agent;

/** client-node builds its Agent without keep-alive (a TLS handshake per request): add it, once per KubeConfig. */
function withKeepAlive(kc: KubeConfig): KubeConfig {
  const inner = kc as unknown as { createAgent: CreateAgent; cisKeepAlive?: true };
  if (inner.cisKeepAlive) return kc;
  const create = inner.createAgent.bind(kc);
  inner.createAgent = (cluster, agentOptions) => create(cluster, { ...agentOptions, ...KEEP_ALIVE });
  inner.cisKeepAlive = true;
  return kc;
}

/** The run's signal for reads, and a timer that is cleared as soon as the answer is read or fails. */
function signalFor(method: string, o: EdgeOptions): { signal?: AbortSignal; done: () => void } {
  const run = method === HttpMethod.GET ? o.signal : undefined;
  if (o.timeoutMs <= 0) return { ...(run ? { signal: run } : {}), done: () => {} };
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(new DOMException(`no answer within ${o.timeoutMs} ms`, 'TimeoutError')), o.timeoutMs);
  return { signal: run ? AbortSignal.any([run, c.signal]) : c.signal, done: () => clearTimeout(timer) };
}

/** Header values as fetch joined them (a repeated header: comma-separated). */
export function headersOf(res: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

interface Outgoing {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * One request with the kubeconfig's credentials, through the run's Agent: resolves with the answer
 * once its headers are in (the body is the caller's to read). `signal` aborts it at any point.
 */
async function open(kc: KubeConfig, req: Outgoing, signal: AbortSignal | undefined, failed: (err: unknown) => unknown): Promise<http.IncomingMessage> {
  const url = new URL(req.url);
  // fetch refused a URL with user:password@ in it; so does this edge, with fetch's words (the client
  // redacts them), rather than send them as basic auth and connect as someone else.
  if (url.username || url.password) throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${req.url}`);
  const tlsAndAuth: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tlsAndAuth);
  const options: https.RequestOptions = {
    method: req.method,
    headers: {
      ...req.headers,
      ...(tlsAndAuth.headers as Record<string, string> | undefined),
      // Node frames a DELETE body (our preconditions) only with a length: without one the body
      // follows unframed, and on a kept-alive connection the server reads it as the next request.
      ...(req.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(req.body)) }),
    },
    // The Agent carries the TLS material (client-node's agent cache: one per cluster and user).
    agent: tlsAndAuth.agent,
    ...(tlsAndAuth.auth ? { auth: tlsAndAuth.auth } : {}),
  };
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    if (signal?.aborted) return reject(failed(signal.reason));
    const r = (url.protocol === 'http:' ? http : https).request(url, options, resolve);
    // An abort destroys the request and its socket (http.request has no signal of its own here:
    // its AbortError would hide the reason we report).
    const abort = () => r.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', abort, { once: true });
    r.on('close', () => signal?.removeEventListener('abort', abort));
    r.on('error', (err) => reject(failed(err)));
    r.end(req.body);
  });
}

async function send(kc: KubeConfig, o: EdgeOptions, ctx: RequestContext): Promise<ResponseContext> {
  const method = String(ctx.getHttpMethod());
  const { signal, done } = signalFor(method, o);
  const failed = (err: unknown) => {
    done();
    return signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err });
  };
  const raw = ctx.getBody();
  const res = await open(kc, { url: ctx.getUrl(), method, headers: ctx.getHeaders(), ...(raw === undefined ? {} : { body: String(raw) }) }, signal, failed)
    .catch((err: unknown) => (done(), Promise.reject(err)));
  return new Promise<ResponseContext>((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', (err) => reject(failed(err)));
    res.on('end', () => {
      done();
      const bytes = Buffer.concat(chunks);
      const text = bytes.toString('utf8');
      resolve(new ResponseContext(res.statusCode ?? 0, headersOf(res), { text: async () => text, binary: async () => bytes, stream: () => null }));
    });
  });
}

/**
 * A streamed GET (a watch): the answer once its headers are in, its body left to the caller, who
 * ends it with `signal`. No request timeout: the server's timeoutSeconds ends a watch.
 */
export function openStream(kc: KubeConfig, url: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  withKeepAlive(kc);
  return open(kc, { url, method: 'GET', headers: { Accept: 'application/json' } }, signal, (err) => (signal.aborted ? signal.reason : new TypeError('fetch failed', { cause: err })));
}

/** The edge for `kc`'s current context. */
export function kubeHttpLibrary(kc: KubeConfig, o: EdgeOptions): HttpLibrary {
  withKeepAlive(kc);
  return wrapHttpLibrary({ send: (ctx) => send(kc, o, ctx) });
}
