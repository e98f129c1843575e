// Reading a watch answer (src/kube/watch-stream.ts) from a real local HTTP server that writes the
// API server's framing: one JSON event per line, split across chunks as the network splits it.
// The real API server (restarts, 410, bookmarks): test/integration/watch*.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readWatch, type WatchLine } from '../../../src/kube/watch-stream.ts';

async function answer(write: (res: http.ServerResponse) => void) {
  const s = http.createServer((_, res) => write(res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  // As in request-http.ts, the request has an error listener of its own (a destroyed answer errors it too).
  const res = await new Promise<http.IncomingMessage>((r) => http.get(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`, r).on('error', () => {}));
  return { res, close: () => (s.closeAllConnections(), new Promise<void>((r) => s.close(() => r()))) };
}

const event = (type: string, name: string, rv: string) => `${JSON.stringify({ type, object: { metadata: { name, resourceVersion: rv } } })}\n`;

describe('kube/watch-stream: one watch answer', () => {
  it('every event in order, lines split across chunks; the server ending the watch is "closed"', async () => {
    const text = event('ADDED', 'a', '1') + event('BOOKMARK', '', '2') + event('DELETED', 'a', '3');
    const { res, close } = await answer((r) => {
      r.writeHead(200);
      r.write(text.slice(0, 17));
      setTimeout(() => (r.write(text.slice(17, 70)), setTimeout(() => r.end(text.slice(70)), 5)), 5);
    });
    const seen: WatchLine[] = [];
    assert.deepEqual(await readWatch(res, (l) => seen.push(l), 5_000, () => false), { kind: 'closed' });
    assert.deepEqual(seen.map((l) => `${l.type} ${String((l.object['metadata'] as { resourceVersion: string }).resourceVersion)}`), ['ADDED 1', 'BOOKMARK 2', 'DELETED 3']);
    await close();
  });

  it('an ERROR event with code 410 is "gone" (list again), and nothing after it is delivered', async () => {
    const { res, close } = await answer((r) => {
      r.writeHead(200);
      r.end(event('ADDED', 'a', '1') + `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version: 1 (5)' } })}\n` + event('ADDED', 'b', '6'));
    });
    const seen: WatchLine[] = [];
    assert.deepEqual(await readWatch(res, (l) => seen.push(l), 5_000, () => false), { kind: 'gone', message: 'too old resource version: 1 (5)' });
    assert.equal(seen.length, 1);
    await close();
  });

  it('a non-200 answer is its status and body (for map-error.ts)', async () => {
    const { res, close } = await answer((r) => r.writeHead(403, { 'Content-Type': 'application/json' }).end('{"kind":"Status","reason":"Forbidden"}'));
    const end = await readWatch(res, () => assert.fail('no event'), 5_000, () => false);
    assert.deepEqual(end.kind === 'status' && [end.code, end.body, end.headers['content-type']], [403, '{"kind":"Status","reason":"Forbidden"}', 'application/json']);
    await close();
  });

  it('silence beyond the idle limit is "idle" (a hung server); a connection cut mid-watch is "broken"', async () => {
    const hung = await answer((r) => (r.writeHead(200), r.write(event('ADDED', 'a', '1'))));
    assert.deepEqual(await readWatch(hung.res, () => {}, 60, () => false), { kind: 'idle', idleMs: 60 });
    await hung.close();
    const cut = await answer((r) => {
      r.writeHead(200);
      r.write(event('ADDED', 'a', '1'));
      setTimeout(() => r.socket?.destroy(), 10);
    });
    assert.equal((await readWatch(cut.res, () => {}, 5_000, () => false)).kind, 'broken');
    await cut.close();
  });

  it('a line that is not JSON ends the watch as "broken", not with an exception', async () => {
    const { res, close } = await answer((r) => (r.writeHead(200), r.end('<html>proxy error</html>\n')));
    const end = await readWatch(res, () => {}, 5_000, () => false);
    assert.equal(end.kind, 'broken');
    await close();
  });

  it('the caller aborting (its signal destroys the answer) is "closed"', async () => {
    const { res, close } = await answer((r) => (r.writeHead(200), r.write(event('ADDED', 'a', '1'))));
    let aborted = false;
    const pending = readWatch(res, () => {
      aborted = true;
      res.destroy(new Error('stopped'));
    }, 5_000, () => aborted);
    assert.deepEqual(await pending, { kind: 'closed' });
    await close();
  });
});
