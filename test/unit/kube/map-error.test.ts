// What client-node and undici throw → one ApiError: kind, message (what, where), hint, status.
import assert from 'node:assert/strict';
import { ApiError, type ApiErrorKind } from '../../../src/core/errors.ts';
import { toApiError, type Where } from '../../../src/kube/map-error.ts';

const AT = '(context "kind-test", https://127.0.0.1:6443)';
const where = (w: Partial<Where> = {}): Where => ({ verb: 'create', resource: 'networkpolicies', namespace: 'prod', name: 'cis-default-allow', context: 'kind-test', server: 'https://127.0.0.1:6443', ...w });

/** Shaped like client-node's ApiException: HTTP code, the body as text, the response headers. */
class FakeApiException extends Error {
  code: number;
  body: unknown;
  headers: Record<string, string>;
  constructor(code: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP-Code: ${code}`);
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

function status(code: number, reason: string, message: string, causes?: { type: string }[]): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...(causes ? { details: { causes } } : {}) });
}

describe('kube/map-error: HTTP statuses', () => {
  const cases: [what: string, err: FakeApiException, w: Partial<Where>, kind: ApiErrorKind, message: string, hint: RegExp][] = [
    ['401', new FakeApiException(401, status(401, 'Unauthorized', 'Unauthorized')), {}, 'Unauthorized',
      `unauthorized: the API server rejected the credentials ${AT}`, /log in again/],
    ['403 on create', new FakeApiException(403, status(403, 'Forbidden', 'networkpolicies.networking.k8s.io is forbidden: User "dev" cannot create resource')), {}, 'Forbidden',
      `forbidden: cannot create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: networkpolicies.networking.k8s.io is forbidden: User "dev" cannot create resource`, /^grant "create" on networkpolicies; the README has the exact ClusterRole$/],
    ['403 on a cluster-wide list', new FakeApiException(403, status(403, 'Forbidden', 'no')), { verb: 'list', namespace: undefined, name: undefined }, 'Forbidden',
      `forbidden: cannot list networkpolicies cluster-wide ${AT}: no`, /^grant "list" on networkpolicies/],
    ['403 on listing namespaces', new FakeApiException(403, status(403, 'Forbidden', 'no')), { verb: 'list', resource: 'namespaces', namespace: undefined, name: undefined }, 'Forbidden',
      `forbidden: cannot list namespaces ${AT}: no`, /^grant "list" on namespaces/],
    ['403 with the NamespaceTerminating cause', new FakeApiException(403, status(403, 'Forbidden', 'unable to create new content in namespace prod', [{ type: 'NamespaceTerminating' }])), {}, 'NamespaceTerminating',
      'namespace "prod" is terminating: unable to create new content in namespace prod', /^nothing to do/],
    ['403 "being terminated" without causes', new FakeApiException(403, status(403, 'Forbidden', 'unable to create new content in namespace prod because it is being terminated')), {}, 'NamespaceTerminating',
      'namespace "prod" is terminating: unable to create new content in namespace prod because it is being terminated', /^nothing to do/],
    ['404', new FakeApiException(404, status(404, 'NotFound', 'namespaces "prod" not found')), {}, 'NotFound',
      `not found: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: namespaces "prod" not found`, /deleted meanwhile/],
    ['409 AlreadyExists', new FakeApiException(409, status(409, 'AlreadyExists', 'networkpolicies.networking.k8s.io "cis-default-allow" already exists')), {}, 'AlreadyExists',
      `already exists: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: networkpolicies.networking.k8s.io "cis-default-allow" already exists`, /changed meanwhile/],
    ['409 Conflict (precondition)', new FakeApiException(409, status(409, 'Conflict', 'Precondition failed: UID in precondition: a, UID in object meta: b')), { verb: 'delete' }, 'Conflict',
      `conflict: delete networkpolicies "cis-default-allow" in namespace "prod" ${AT}: Precondition failed: UID in precondition: a, UID in object meta: b`, /changed meanwhile/],
    ['410', new FakeApiException(410, status(410, 'Expired', 'too old resource version')), { verb: 'list', namespace: undefined, name: undefined }, 'Expired',
      `list expired: list networkpolicies cluster-wide ${AT}: too old resource version`, /^run the command again$/],
    ['422', new FakeApiException(422, status(422, 'Invalid', 'metadata.name: Invalid value')), {}, 'Invalid',
      `invalid: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: metadata.name: Invalid value`, /--policy-name/],
    ['429', new FakeApiException(429, status(429, 'TooManyRequests', 'too many requests'), { 'retry-after': '3' }), {}, 'Throttled',
      `throttled: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: too many requests`, /lower --concurrency/],
    ['500', new FakeApiException(500, status(500, 'InternalError', 'etcdserver: request timed out')), {}, 'ServerError',
      `server error 500: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: etcdserver: request timed out`, /readyz/],
    ['503 with a non-JSON body', new FakeApiException(503, 'upstream connect error'), {}, 'ServerError',
      `server error 503: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: upstream connect error`, /readyz/],
    ['400: other', new FakeApiException(400, status(400, 'BadRequest', 'bad')), {}, 'Other',
      `HTTP 400: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: bad`, /-v/],
    ['a body already parsed into an object', new FakeApiException(404, { reason: 'NotFound', message: 'gone' }), {}, 'NotFound',
      `not found: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: gone`, /deleted meanwhile/],
    ['a Status without a message', new FakeApiException(404, JSON.stringify({ kind: 'Status', reason: 'NotFound' })), {}, 'NotFound',
      `not found: create networkpolicies "cis-default-allow" in namespace "prod" ${AT}: HTTP 404`, /deleted meanwhile/],
  ];
  for (const [what, err, w, kind, message, hint] of cases) {
    it(`${what} → ${kind}`, () => {
      const e = toApiError(err, where(w));
      assert.ok(e instanceof ApiError);
      assert.deepEqual([e.kind, e.message, e.status], [kind, message, err.code]);
      assert.match(e.hint, hint);
    });
  }

  const retryAfter: [headers: Record<string, string>, seconds: number | undefined][] = [
    [{ 'retry-after': '3' }, 3],
    [{ 'Retry-After': '10' }, 10],
    [{}, undefined],
    [{ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, undefined],
  ];
  for (const [headers, seconds] of retryAfter) {
    it(`429 Retry-After ${JSON.stringify(headers)} → ${seconds}`, () => {
      assert.equal(toApiError(new FakeApiException(429, status(429, 'TooManyRequests', 'x'), headers), where()).retryAfter, seconds);
    });
  }
});

describe('kube/map-error: network failures', () => {
  const fetchFailed = (code: string, message = `connect ${code} 127.0.0.1:6443`) => {
    const cause = Object.assign(new Error(message), { code });
    return new TypeError('fetch failed', { cause });
  };
  const SERVER = 'the API server at https://127.0.0.1:6443 (context "kind-test")';
  const cases: [what: string, err: unknown, kind: ApiErrorKind, message: string | RegExp][] = [
    ['ECONNREFUSED', fetchFailed('ECONNREFUSED'), 'Unreachable', `cannot reach ${SERVER}: connection refused`],
    ['ENOTFOUND', fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND cluster.example'), 'Unreachable', `cannot reach ${SERVER}: host not found`],
    ['ECONNRESET', fetchFailed('ECONNRESET', 'read ECONNRESET'), 'Unreachable', `cannot reach ${SERVER}: read ECONNRESET`],
    ['EHOSTUNREACH', fetchFailed('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:6443'), 'Unreachable', `cannot reach ${SERVER}: connect EHOSTUNREACH 10.0.0.1:6443`],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'TLS', `TLS failure talking to ${SERVER}: self-signed certificate`],
    ['SELF_SIGNED_CERT_IN_CHAIN', fetchFailed('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'TLS', /^TLS failure/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', fetchFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'TLS', /^TLS failure/],
    ['CERT_HAS_EXPIRED', fetchFailed('CERT_HAS_EXPIRED', 'certificate has expired'), 'TLS', /certificate has expired$/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', fetchFailed('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'TLS', /altnames$/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', fetchFailed('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), 'TLS', /wrong version number$/],
    ['DOMException TimeoutError', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'Timeout',
      `timed out: create networkpolicies "cis-default-allow" in namespace "prod": no answer from ${SERVER} within the request timeout`],
    ['DOMException AbortError', new DOMException('This operation was aborted', 'AbortError'), 'Aborted', 'aborted: create networkpolicies "cis-default-allow" in namespace "prod"'],
    ['anything else', new RangeError('weird'), 'Other', 'create networkpolicies "cis-default-allow" in namespace "prod" failed: weird'],
    ['a thrown string', 'just a string', 'Other', 'create networkpolicies "cis-default-allow" in namespace "prod" failed: just a string'],
  ];
  for (const [what, err, kind, message] of cases) {
    it(`${what} → ${kind}`, () => {
      const e = toApiError(err, where());
      assert.equal(e.kind, kind);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      assert.equal(e.status, undefined);
    });
  }

  it('hints say what to do next', () => {
    assert.match(toApiError(fetchFailed('ECONNREFUSED'), where()).hint, /kubectl cluster-info/);
    assert.match(toApiError(fetchFailed('CERT_HAS_EXPIRED'), where()).hint, /certificate-authority/);
    assert.match(toApiError(new DOMException('t', 'TimeoutError'), where()).hint, /--request-timeout/);
  });

  it('an ApiError passes through unchanged', () => {
    const original = new ApiError('Forbidden', 'm', 'h', 403);
    assert.equal(toApiError(original, where()), original);
  });
});
