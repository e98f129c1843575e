// client-go's workqueue, reduced to what one worker needs: a set of dirty namespace keys (a key
// queued twice is processed once), a wake-up for the worker, and delayed re-adds for retries and
// grace periods. Timers are unref'd and cleared on close, so a drained process can exit.
export class KeyQueue {
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private wake: (() => void) | undefined;
  private closed = false;

  add(key: string): void {
    if (this.closed) return;
    this.dirty.add(key);
    this.wake?.();
  }

  /**
   * Adds the key after `ms` (a later call for the same key replaces the earlier one), never before:
   * a timer may fire a little before performance.now() reaches its deadline (libuv's loop clock
   * lags), and a grace period measured with performance.now() would then still be running.
   */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    this.arm(key, performance.now() + ms);
  }

  private arm(key: string, due: number): void {
    clearTimeout(this.timers.get(key));
    const t = setTimeout(() => {
      const left = due - performance.now();
      if (left > 0) return this.arm(key, due);
      this.timers.delete(key);
      this.add(key);
    }, Math.max(0, Math.ceil(due - performance.now())));
    t.unref?.();
    this.timers.set(key, t);
  }

  get size(): number {
    return this.dirty.size;
  }

  /** Every queued key (the queue is then empty); waits while there is none. Empty once closed. */
  async drain(): Promise<string[]> {
    while (this.dirty.size === 0 && !this.closed) await new Promise<void>((r) => (this.wake = r));
    this.wake = undefined;
    const keys = [...this.dirty];
    this.dirty.clear();
    return keys;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.wake?.();
  }
}
