// Events are best-effort and sent beside the work, never awaited by it. Unbounded, a batch of 250
// placeholders sent 250 Event creates at once: undici opened a TLS connection for each request the
// pool had no idle connection for (a handshake each, profiled at ~1 s of CPU per 500 namespaces),
// and the API server took them while the placeholders of the next batch waited. A few in flight
// keep them on the pooled keep-alive connections; a bounded backlog drops the oldest when an API
// server cannot keep up (counted, not retried).
export interface EventSender<T> {
  send(item: T): void;
  /** Resolves once every sent or queued item is done (for the drain on SIGTERM). */
  idle(): Promise<void>;
  dropped(): number;
}

export function boundedSender<T>(inFlight: number, backlog: number, deliver: (item: T) => Promise<void>): EventSender<T> {
  const queue: T[] = [];
  let running = 0;
  let dropped = 0;
  let waiters: (() => void)[] = [];
  const pump = () => {
    while (running < inFlight && queue.length > 0) {
      const item = queue.shift() as T;
      running++;
      const done = () => {
        running--;
        pump();
      };
      deliver(item).then(done, done);
    }
    if (running === 0 && queue.length === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  };
  return {
    send(item) {
      if (queue.length >= backlog) {
        queue.shift();
        dropped++;
      }
      queue.push(item);
      pump();
    },
    idle: () => (running === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    dropped: () => dropped,
  };
}
