// The run's one KubeConfig: a single pooled HTTP/1.1 dispatcher, the abort signal and the timeout on every request.
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

// client-node 2.0.1 builds a new undici Agent (a new TLS handshake) for every request; reusing the
// first keeps connections alive. The same hook attaches the run's abort signal and the timeout.
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

export function pooledKubeConfig(signal: AbortSignal, timeoutMs: number): KubeConfig {
  const kc = new KubeConfig();
  const inner = kc as unknown as { createDispatcher: (...a: unknown[]) => unknown };
  const create = inner.createDispatcher.bind(kc);
  let pool: { value: unknown } | undefined;
  inner.createDispatcher = (...a: unknown[]) => (pool ??= { value: http1Only(create(...a)) }).value;
  const apply = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context: RequestContext) => {
    await apply(context);
    const signals = String(context.getHttpMethod()) === 'GET' ? [signal] : [];
    if (timeoutMs > 0) signals.push(AbortSignal.timeout(timeoutMs));
    if (signals.length > 0) context.setSignal(AbortSignal.any(signals) as never);
  };
  return kc;
}
