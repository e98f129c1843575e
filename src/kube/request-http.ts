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

async function send(ctx: RequestContext, fallback: HttpLibrary): Promise<ResponseContext> {
  const d = ctx.getDispatcher();
  // No dispatcher (a plain-HTTP cluster without TLS settings): fetch and its global dispatcher.
  if (!canRequest(d)) return fallback.send(ctx).toPromise();
  const url = new URL(ctx.getUrl());
  const signal = ctx.getSignal() as AbortSignal | undefined;
  const body = ctx.getBody();
  let res: Answer;
  try {
    res = await d.request({
      origin: url.origin, path: `${url.pathname}${url.search}`, method: String(ctx.getHttpMethod()), headers: ctx.getHeaders(),
      ...(body === undefined ? {} : { body: String(body) }), ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new TypeError('fetch failed', { cause: err });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  // The body is read once (every generated method reads it as text); a second read gets the same text.
  let text: Promise<string> | undefined;
  return new ResponseContext(res.statusCode, headers, {
    text: () => (text ??= res.body.text()),
    binary: async () => Buffer.from(await res.body.arrayBuffer()),
    stream: () => null,
  });
}

export function requestHttpLibrary(): HttpLibrary {
  const fallback = new IsomorphicFetchHttpLibrary();
  return wrapHttpLibrary({ send: (ctx) => send(ctx, fallback) });
}
