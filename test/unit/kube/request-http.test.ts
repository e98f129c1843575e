// The HTTP edge on undici's request API (src/kube/request-http.ts), with a stub dispatcher: what it
// sends, that failures look as fetch's do (map-error.ts reads both alike), and that the per-request
// timeout's timer is gone once the answer is read. The real server: every integration test.
import assert from 'node:assert/strict';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import sinon from 'sinon';
import { requestHttpLibrary } from '../../../src/kube/request-http.ts';

type Sent = { origin: string; path: string; method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal };

function context(dispatcher: unknown, method = HttpMethod.POST): RequestContext {
  const ctx = new RequestContext('https://k8s.test:6443/apis/networking.k8s.io/v1/namespaces/a/networkpolicies?fieldManager=x', method);
  ctx.setHeaderParam('Content-Type', 'application/json');
  ctx.setBody('{"a":1}');
  ctx.setDispatcher(dispatcher as never);
  return ctx;
}

const answer = (statusCode: number, text: string) => ({ statusCode, headers: { 'content-type': 'application/json', 'set-cookie': ['a', 'b'] }, body: { text: async () => text, arrayBuffer: async () => new TextEncoder().encode(text).buffer } });

describe('kube/request-http: client-node\'s HTTP edge on undici\'s request API', () => {
  afterEach(() => sinon.restore());

  it('sends method, origin, path with query, headers and body through the dispatcher the context carries', async () => {
    const sent: Sent[] = [];
    const res = await requestHttpLibrary(0).send(context({ request: async (o: Sent) => (sent.push(o), answer(201, '{"ok":true}')) })).toPromise();
    assert.deepEqual(sent.map(({ origin, path, method, body }) => ({ origin, path, method, body })), [
      { origin: 'https://k8s.test:6443', path: '/apis/networking.k8s.io/v1/namespaces/a/networkpolicies?fieldManager=x', method: 'POST', body: '{"a":1}' },
    ]);
    assert.equal(sent[0]?.headers['Content-Type'], 'application/json');
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.headers['set-cookie'], 'a, b');
    assert.equal(await res.body.text(), '{"ok":true}');
  });

  it('a connection failure is `TypeError: fetch failed` with the cause; an abort rejects with the signal\'s reason', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = await requestHttpLibrary(0).send(context({ request: async () => { throw refused; } })).toPromise().catch((e: unknown) => e);
    assert.ok(err instanceof TypeError && err.message === 'fetch failed' && err.cause === refused, String(err));

    const run = new AbortController();
    const ctx = context({ request: (o: Sent) => new Promise((_, reject) => o.signal?.addEventListener('abort', () => reject(new Error('aborted')))) });
    ctx.setSignal(run.signal as never);
    const pending = requestHttpLibrary(0).send(ctx).toPromise();
    run.abort(new Error('SIGINT'));
    await assert.rejects(pending, /SIGINT/);
  });

  it('no answer within the timeout: TimeoutError (what map-error.ts calls Timeout)', async () => {
    const ctx = context({ request: (o: Sent) => new Promise((_, reject) => o.signal?.addEventListener('abort', () => reject(new Error('aborted')))) });
    const err = await requestHttpLibrary(30).send(ctx).toPromise().catch((e: unknown) => e);
    assert.equal((err as Error).name, 'TimeoutError');
  });

  it('the timeout\'s timer is cleared once the answer is read, not left for the full timeout', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const res = await requestHttpLibrary(30_000).send(context({ request: async () => answer(200, '{}') })).toPromise();
    assert.equal(clock.countTimers(), 1, 'running while the body is unread');
    await res.body.text();
    assert.equal(clock.countTimers(), 0);
    const failing = requestHttpLibrary(30_000).send(context({ request: async () => { throw new Error('reset'); } })).toPromise();
    await assert.rejects(failing, /fetch failed/);
    assert.equal(clock.countTimers(), 0, 'and when the request fails');
  });
});
