// client-go's reflector: list, then watch from the list's resourceVersion (with bookmarks, so a
// quiet watch still moves forward). The server closing a watch: watch again from where it was.
// 410 Gone (the resourceVersion was compacted): list again at once. Any other failure, a dead API
// server included: capped exponential backoff with jitter, then watch (or list) again.
import type { ApiError } from '../../core/errors.ts';
import type { ControllerApi, WatchedKind, WatchedObject, WatchEvent } from './ports.ts';

export interface ReflectorHooks<T> {
  replace(items: T[]): void;
  event(e: WatchEvent<T>): void;
  /** After every successful list. */
  listed(): void;
  /** A watch that ended and is started again: closed, gone (410) or error. */
  restarted(reason: 'closed' | 'gone' | 'error', detail: string): void;
  apiError(err: Error): void;
  /** Any sign of life from the server (an event or a bookmark). */
  current(): void;
}

export interface Backoff {
  baseMs: number;
  capMs: number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Exponential from baseMs, capped, with ±50 % jitter so that replicas do not retry in step. */
export function backoffMs(failures: number, b: Pick<Backoff, 'baseMs' | 'capMs' | 'random'>): number {
  return Math.min(b.capMs, b.baseMs * 2 ** Math.min(failures, 30)) * (0.5 + b.random());
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function reflect<K extends WatchedKind>(api: ControllerApi, kind: K, hooks: ReflectorHooks<WatchedObject<K>>, b: Backoff, signal: AbortSignal): Promise<void> {
  let rv: string | undefined;
  let failures = 0;
  while (!signal.aborted) {
    if (rv === undefined) {
      try {
        const listed = await api.list(kind);
        if (signal.aborted) return;
        hooks.replace(listed.items);
        rv = listed.resourceVersion;
        hooks.listed();
      } catch (err) {
        if (signal.aborted) return;
        hooks.apiError(err as ApiError);
        await b.sleep(backoffMs(failures++, b), signal);
        continue;
      }
    }
    let progressed = false;
    const end = await api.watch(kind, rv, (e) => {
      progressed = true;
      if (e.resourceVersion) rv = e.resourceVersion;
      hooks.current();
      if (e.type !== 'BOOKMARK') hooks.event(e);
    }, signal);
    if (signal.aborted) return;
    if (end.kind === 'gone') {
      hooks.restarted('gone', end.message);
      rv = undefined;
      failures = 0;
    } else if (end.kind === 'closed') {
      hooks.restarted('closed', 'closed by the server');
      failures = 0;
    } else {
      hooks.restarted('error', end.error.message);
      hooks.apiError(end.error);
      if (progressed) failures = 0;
      await b.sleep(backoffMs(failures++, b), signal);
    }
  }
}
