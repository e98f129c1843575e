// Bounded concurrency: at most `limit` tasks in flight; no new task starts once `stop()` is true
// (SIGINT, or a failure that makes every further write pointless).

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
