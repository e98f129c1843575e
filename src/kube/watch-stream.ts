// Reading one watch answer: newline-delimited JSON events ({type, object}) on a 200, or a Status on
// anything else. The stream ends with the server's timeoutSeconds ('closed'), an ERROR event with
// code 410 ('gone': list again), silence for longer than `idleMs` (a hung server or a dead
// connection nobody told us about), a broken connection, or the caller's abort.
import type { IncomingMessage } from 'node:http';
import { headersOf } from './request-http.ts';

export type WatchLine = { type: string; object: Record<string, unknown> };

export type StreamEnd =
  | { kind: 'closed' }
  | { kind: 'gone'; message: string }
  | { kind: 'status'; code: number; body: string; headers: Record<string, string> }
  | { kind: 'idle'; idleMs: number }
  | { kind: 'broken'; cause: unknown };

export function readWatch(res: IncomingMessage, onLine: (l: WatchLine) => void, idleMs: number, aborted: () => boolean): Promise<StreamEnd> {
  return new Promise<StreamEnd>((resolve) => {
    let settled = false;
    let gone: string | undefined;
    let idle: NodeJS.Timeout | undefined;
    const finish = (end: StreamEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      res.destroy();
      resolve(end);
    };
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish({ kind: 'idle', idleMs }), idleMs);
    };
    res.setEncoding('utf8');
    let text = '';
    if (res.statusCode !== 200) {
      res.on('data', (c: string) => (text += c));
      res.on('end', () => finish({ kind: 'status', code: res.statusCode ?? 0, body: text, headers: headersOf(res) }));
      res.on('error', (cause) => finish(aborted() ? { kind: 'closed' } : { kind: 'broken', cause }));
      return;
    }
    quiet();
    res.on('data', (chunk: string) => {
      quiet();
      text += chunk;
      for (let nl = text.indexOf('\n'); nl >= 0 && !settled; nl = text.indexOf('\n')) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (line.trim() === '') continue;
        let event: WatchLine;
        try {
          event = JSON.parse(line) as WatchLine;
        } catch {
          return finish({ kind: 'broken', cause: new Error(`not a watch event: ${line.slice(0, 80)}`) });
        }
        const status = event.object as { code?: number; message?: string } | undefined;
        // A watch from a compacted resourceVersion: 410 Gone (Expired) as an event on a 200 answer.
        if (event.type === 'ERROR' && status?.code === 410) gone = String(status.message ?? 'resourceVersion too old');
        if (event.type === 'ERROR') return finish(gone !== undefined ? { kind: 'gone', message: gone } : { kind: 'broken', cause: new Error(`watch error: ${status?.message ?? 'unknown'}`) });
        onLine(event);
      }
    });
    res.on('end', () => finish({ kind: 'closed' }));
    res.on('error', (cause) => finish(aborted() ? { kind: 'closed' } : { kind: 'broken', cause }));
    res.on('close', () => finish(aborted() ? { kind: 'closed' } : { kind: 'broken', cause: new Error('connection closed mid-watch') }));
  });
}
