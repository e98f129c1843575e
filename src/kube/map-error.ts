// Turns what client-node and undici throw into one ApiError with a message that says what failed,
// where (context, server, namespace), and what to do next.
import { ApiError, type ApiErrorKind } from '../core/errors.ts';

export interface Where {
  verb: 'list' | 'watch' | 'get' | 'create' | 'delete' | 'update' | 'patch';
  /** A core resource, `<resource>.<group>` for the policy kinds, or `/apis` for discovery. */
  resource: 'namespaces' | 'networkpolicies' | 'pods' | 'nodes' | 'leases' | 'events' | 'selfsubjectreviews' | 'version' | '/apis' | `${string}.${string}`;
  namespace?: string;
  name?: string;
  context: string;
  server: string;
}

interface Status {
  reason?: string;
  message?: string;
  details?: { causes?: { type?: string }[] };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|SSL_/;

function parseStatus(body: unknown): Status {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as Status;
    } catch {
      return body.trim() ? { message: body.slice(0, 200) } : {};
    }
  }
  return (body && typeof body === 'object' ? body : {}) as Status;
}

function scope(w: Where): string {
  const ns = w.namespace ? ` in namespace "${w.namespace}"` : w.resource === 'namespaces' || w.resource === 'nodes' || w.resource === '/apis' ? '' : ' cluster-wide';
  return `${w.verb} ${w.resource}${w.name ? ` "${w.name}"` : ''}${ns}`;
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as Record<string, unknown>;
  const v = h[name] ?? h[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}

function fromStatus(code: number, body: unknown, headers: unknown, w: Where): ApiError {
  const st = parseStatus(body);
  const msg = st.message || `HTTP ${code}`;
  const at = `(context "${w.context}", ${w.server})`;
  const make = (kind: ApiErrorKind, message: string, hint: string, retryAfter?: number) => new ApiError(kind, message, hint, code, retryAfter);
  if (code === 401) {
    return make('Unauthorized', `unauthorized: the API server rejected the credentials ${at}`, 'log in again or check the user of this context in your kubeconfig');
  }
  if (code === 403) {
    if (st.details?.causes?.some((c) => c.type === 'NamespaceTerminating') || /being terminated/.test(msg)) {
      return make('NamespaceTerminating', `namespace "${w.namespace}" is terminating: ${msg}`, 'nothing to do: a terminating namespace takes no new objects');
    }
    return make('Forbidden', `forbidden: cannot ${scope(w)} ${at}: ${msg}`, `grant "${w.verb}" on ${w.resource}; the README has the exact ClusterRole`);
  }
  if (code === 404) return make('NotFound', `not found: ${scope(w)} ${at}: ${msg}`, 'check the namespace name; it may have been deleted meanwhile');
  if (code === 409) {
    const kind = st.reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
    return make(kind, `${kind === 'AlreadyExists' ? 'already exists' : 'conflict'}: ${scope(w)} ${at}: ${msg}`, 'the object changed meanwhile; run the command again');
  }
  if (code === 410) return make('Expired', `list expired: ${scope(w)} ${at}: ${msg}`, 'run the command again');
  if (code === 422) return make('Invalid', `invalid: ${scope(w)} ${at}: ${msg}`, 'check --policy-name and the template; a validating admission policy may refuse it');
  if (code === 429) {
    const ra = Number(header(headers, 'Retry-After'));
    return make('Throttled', `throttled: ${scope(w)} ${at}: ${msg}`, 'the API server is overloaded; lower --concurrency or retry later', Number.isFinite(ra) ? ra : undefined);
  }
  if (code >= 500) return make('ServerError', `server error ${code}: ${scope(w)} ${at}: ${msg}`, 'check the API server health (`kubectl get --raw /readyz`) and retry');
  return make('Other', `HTTP ${code}: ${scope(w)} ${at}: ${msg}`, 'run again with -v for details');
}

export function toApiError(err: unknown, w: Where): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { code?: unknown; body?: unknown; headers?: unknown; name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (typeof e?.code === 'number' && 'body' in (e as object)) return fromStatus(e.code, e.body, e.headers, w);
  const at = `the API server at ${w.server} (context "${w.context}")`;
  if (e?.name === 'TimeoutError') {
    return new ApiError('Timeout', `timed out: ${scope(w)}: no answer from ${at} within the request timeout`, 'check the API server, or raise --request-timeout');
  }
  if (e?.name === 'AbortError') return new ApiError('Aborted', `aborted: ${scope(w)}`, 'run the command again');
  const code = e?.cause?.code ?? '';
  if (TLS_CODES.test(code)) {
    return new ApiError('TLS', `TLS failure talking to ${at}: ${e.cause?.message ?? code}`, 'check certificate-authority in the kubeconfig matches the server certificate');
  }
  if (code || /fetch failed/.test(e?.message ?? '')) {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : e?.cause?.message || code || 'connection failed';
    return new ApiError('Unreachable', `cannot reach ${at}: ${why}`, 'check that the cluster is running and the kubeconfig server address is right (`kubectl cluster-info`)');
  }
  return new ApiError('Other', `${scope(w)} failed: ${e?.message ?? String(err)}`, 'run again with -v for details');
}
