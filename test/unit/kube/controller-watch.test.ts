// ControllerClient.watch (src/kube/controller.ts) over a real local HTTP server standing in for the
// API server's watch answers: what each way a watch ends becomes for the reflector, and the message
// and hint a refused watch carries. The real API server (restarts, 410 after compaction, leases,
// Events): test/integration/watch*.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../../src/core/errors.ts';
import { ControllerClient } from '../../../src/kube/controller.ts';

async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: string[] = [];
  const s = http.createServer((req, res) => (seen.push(req.url ?? ''), answer(req, res)));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const client = new ControllerClient({ context: 'ctx', server: base }, () => {}, {
    getJson: async () => ({}),
    send: async () => ({}),
    stream: (path, signal) => new Promise((resolve, reject) => {
      const req = http.get(`${base}${path}`, { signal }, resolve);
      req.on('error', reject);
    }),
  }, () => 0);
  return { client, seen, close: () => (s.closeAllConnections(), new Promise<void>((r) => s.close(() => r()))) };
}

const line = (o: object) => `${JSON.stringify(o)}\n`;

describe('kube/controller: how a watch ends', () => {
  it('asks for bookmarks from the resourceVersion with a 5-minute server timeout; events reach the reflector; the server ending it is "closed"', async () => {
    const { client, seen, close } = await server((_, res) => {
      res.writeHead(200);
      res.end(line({ type: 'ADDED', object: { metadata: { name: 'a', uid: 'u', resourceVersion: '7' } } }) + line({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '8' } } }));
    });
    const events: string[] = [];
    const end = await client.watch('namespaces', '6', (e) => events.push(`${e.type} ${e.resourceVersion}`), new AbortController().signal);
    assert.deepEqual(end, { kind: 'closed' });
    assert.deepEqual(events, ['ADDED 7', 'BOOKMARK 8']);
    assert.deepEqual(seen, ['/api/v1/namespaces?watch=true&allowWatchBookmarks=true&resourceVersion=6&timeoutSeconds=300']);
    await close();
  });

  it('410 as an ERROR event or as the answer\'s status is "gone" (list again)', async () => {
    let n = 0;
    const { client, close } = await server((_, res) => {
      if (n++ === 0) return res.writeHead(200).end(line({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } }));
      res.writeHead(410, { 'Content-Type': 'application/json' }).end('{"kind":"Status","code":410}');
    });
    const signal = new AbortController().signal;
    assert.deepEqual(await client.watch('networkpolicies', '1', () => {}, signal), { kind: 'gone', message: 'too old resource version' });
    assert.deepEqual(await client.watch('networkpolicies', '1', () => {}, signal), { kind: 'gone', message: 'HTTP 410' });
    await close();
  });

  it('a refused watch is an error that names the missing verb and where, for the log and /readyz', async () => {
    const { client, close } = await server((_, res) => res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"kind":"Status","reason":"Forbidden","message":"namespaces is forbidden: User \\"ann\\" cannot watch resource \\"namespaces\\""}'));
    const end = await client.watch('namespaces', '1', () => {}, new AbortController().signal);
    assert.equal(end.kind, 'error');
    const err = end.kind === 'error' ? end.error : undefined;
    assert.ok(err instanceof ApiError && err.kind === 'Forbidden', String(err));
    assert.match(err.message, /^forbidden: cannot watch namespaces \(context "ctx", http:\/\/127\.0\.0\.1:\d+\): namespaces is forbidden/);
    assert.equal(err.hint, 'grant "watch" on namespaces; the README has the exact ClusterRole');
    await close();
  });

  it('a connection cut mid-watch is an Unreachable error (backoff, then catch up); the caller\'s abort is "closed"', async () => {
    const { client, close } = await server((_, res) => {
      res.writeHead(200);
      res.write(line({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }));
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const cut = await client.watch('namespaces', '1', () => {}, new AbortController().signal);
    assert.ok(cut.kind === 'error' && cut.error instanceof ApiError && cut.error.kind === 'Unreachable', JSON.stringify(cut));
    const stop = new AbortController();
    const aborted = client.watch('namespaces', '1', () => stop.abort(new Error('SIGTERM')), stop.signal);
    assert.deepEqual(await aborted, { kind: 'closed' });
    await close();
  });
});
