// Bounded concurrency: at most `limit` tasks in flight; no new task starts once `stop()` is true.
import { ApiError, type ApiErrorKind } from '../core/errors.ts';

export async function forEachBounded<T>(items: readonly T[], limit: number, stop: () => boolean, task: (item: T) => Promise<void>): Promise<Set<T>> {
  const started = new Set<T>();
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const item = items[next++] as T;
      started.add(item);
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return started;
}

// Failures after which every further write would fail the same way: stop starting new ones.
const FATAL = new Set<ApiErrorKind>(['Unreachable', 'TLS', 'Unauthorized', 'Timeout']);

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('Other', String(err), 'run again with -v');
}

/** One API call inside a write batch: its value, or the error it ended with. */
export type Attempt = <R>(call: () => Promise<R>) => Promise<[R, undefined] | [undefined, ApiError]>;

export interface WriteBatch<T> {
  started: Set<T>;
  /** Interrupted, or a fatal error stopped new writes. */
  stopped: boolean;
  /** Why the items not started were not attempted. */
  why: string;
}

/** The writes of remediate, rollback and prune: bounded, and stopped by SIGINT or a fatal error. */
export async function writeEach<T>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T, attempt: Attempt) => Promise<void>): Promise<WriteBatch<T>> {
  let fatal: ApiError | undefined;
  const attempt: Attempt = async (call) => {
    try {
      return [await call(), undefined];
    } catch (err) {
      const error = asApiError(err);
      if (FATAL.has(error.kind)) fatal ??= error;
      return [undefined, error];
    }
  };
  const started = await forEachBounded(items, limit, () => signal.aborted || fatal !== undefined, (item) => task(item, attempt));
  return { started, stopped: signal.aborted || fatal !== undefined, why: signal.aborted ? 'interrupted' : `stopped after: ${fatal?.message ?? 'an earlier failure'}` };
}
