// The KubeConfig client-node's Watch streams through (`watch` only: every other request goes
// through request-http.ts): a single pooled HTTP/1.1 undici dispatcher, and the run's abort signal
// on every read.
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

// client-node 2.0.1 builds a new undici Agent (a new TLS handshake) for every request; reusing the
// first keeps connections alive. The same hook attaches the run's abort signal.
// createDispatcher is private in the typings, hence the instance patch rather than a subclass.
// SIGINT aborts reads only: a write in flight is let finish (bounded by the timeout), because an
// aborted write may still have been applied, and its outcome could then only be reported unknown.
// HTTP/1.1 only. undici 8 negotiates HTTP/2 by default; aborting HTTP/2 requests in flight made the
// process spin and grow by ~1 GB/s in half of the interrupted runs seen in the fault tests, while
// HTTP/1.1 keep-alive over `--concurrency` connections costs little here. The Agent reads allowH2
// from each dispatch's options.
type Dispatch = (opts: Record<string, unknown>, handler: unknown) => boolean;
function http1Only<T>(dispatcher: T): T {
  const d = dispatcher as { dispatch?: Dispatch } | undefined;
  if (d && typeof d.dispatch === 'function') {
    const dispatch = d.dispatch.bind(d);
    // undici closes an HTTP/1.1 connection after a DELETE with a body (our DeleteOptions carry the
    // preconditions): without reset: false every delete would pay a new TCP + TLS handshake.
    d.dispatch = (opts, handler) => dispatch({ ...opts, allowH2: false, ...(opts['method'] === 'DELETE' ? { reset: false } : {}) }, handler);
  }
  return dispatcher;
}

/** A watch stream has no request timeout (its server-side timeoutSeconds ends it). */
export function pooledKubeConfig(signal: AbortSignal): KubeConfig {
  const kc = new KubeConfig();
  const inner = kc as unknown as { createDispatcher: (...a: unknown[]) => unknown };
  const create = inner.createDispatcher.bind(kc);
  let pool: { value: unknown } | undefined;
  inner.createDispatcher = (...a: unknown[]) => (pool ??= { value: http1Only(create(...a)) }).value;
  const apply = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context: RequestContext) => {
    await apply(context);
    if (String(context.getHttpMethod()) === 'GET') context.setSignal(signal as never);
  };
  return kc;
}
