// client-node's HTTP edge on undici's request API instead of fetch. fetch builds a WHATWG Request,
// Response, Headers and body streams for every call; at 9,000 creates that garbage was most of
// remediate's and rollback's peak memory (docs/benchmarks.md: the raw fetch loop alone peaks at
// 271 MB, the same loop through request at 191 MB). The request goes through the dispatcher that
// applySecurityAuthentication attached (pooled-config.ts: the run's one pooled HTTP/1.1 Agent), so
// pooling, keep-alive and HTTP/1.1 stay as they were. Failures look as fetch's do (an abort rejects
// with the signal's reason; a connection failure is `TypeError: fetch failed` with the cause), so
// map-error.ts reads both edges alike.
import { IsomorphicFetchHttpLibrary, ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: { text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> };
}

/** The part of undici's Dispatcher (Agent, ProxyAgent) this uses. */
interface RequestDispatcher {
  request(o: { origin: string; path: string; method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Answer>;
}

function canRequest(d: unknown): d is RequestDispatcher {
  return typeof (d as Partial<RequestDispatcher> | undefined)?.request === 'function';
}

/**
 * A timeout for one request, answer included, whose timer is cleared as soon as the answer is read
 * (or the request fails): fetch's AbortSignal.timeout() lives on for the full timeout after it.
 */
function deadline(ctx: RequestContext, timeoutMs: number): () => void {
  if (timeoutMs <= 0) return () => {};
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const run = ctx.getSignal() as AbortSignal | undefined;
  ctx.setSignal((run ? AbortSignal.any([run, c.signal]) : c.signal) as never);
  return () => clearTimeout(timer);
}

async function send(ctx: RequestContext, fallback: HttpLibrary, timeoutMs: number): Promise<ResponseContext> {
  const done = deadline(ctx, timeoutMs);
  const d = ctx.getDispatcher();
  // No dispatcher (a plain-HTTP cluster without TLS settings): fetch and its global dispatcher.
  if (!canRequest(d)) {
    const res = await fallback.send(ctx).toPromise().catch((err: unknown) => (done(), Promise.reject(err)));
    return new ResponseContext(res.httpStatusCode, res.headers, { ...res.body, text: () => res.body.text().finally(done) });
  }
  const url = new URL(ctx.getUrl());
  // fetch refuses a URL with user:password@ in it; so does this edge, with fetch's words (the
  // client redacts them), rather than drop the credentials and connect as someone else.
  if (url.username || url.password) {
    done();
    throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${ctx.getUrl()}`);
  }
  const signal = ctx.getSignal() as AbortSignal | undefined;
  const body = ctx.getBody();
  let res: Answer;
  try {
    res = await d.request({
      origin: url.origin, path: `${url.pathname}${url.search}`, method: String(ctx.getHttpMethod()), headers: ctx.getHeaders(),
      ...(body === undefined ? {} : { body: String(body) }), ...(signal ? { signal } : {}),
    });
  } catch (err) {
    done();
    if (signal?.aborted) throw signal.reason;
    throw new TypeError('fetch failed', { cause: err });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  // The body is read once (every generated method reads it as text); a second read gets the same text.
  let text: Promise<string> | undefined;
  const read = <T>(p: Promise<T>) => p.finally(done).catch((err: unknown) => Promise.reject(signal?.aborted ? signal.reason : err));
  return new ResponseContext(res.statusCode, headers, {
    text: () => (text ??= read(res.body.text())),
    binary: async () => Buffer.from(await read(res.body.arrayBuffer())),
    stream: () => null,
  });
}

/** `timeoutMs`: per request, answer included; 0 means none. */
export function requestHttpLibrary(timeoutMs: number): HttpLibrary {
  const fallback = new IsomorphicFetchHttpLibrary();
  return wrapHttpLibrary({ send: (ctx) => send(ctx, fallback, timeoutMs) });
}
