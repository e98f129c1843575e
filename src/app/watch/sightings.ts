// The verify step of a watch without reads. A placeholder just created has a resourceVersion; once
// the policy watch delivers that very version, it has delivered every policy change that came
// before it (one watch delivers in resourceVersion order, and a relist is a consistent read), so the
// store then shows whatever a user created between our view and our create. Without this each batch
// read every namespace it wrote to again (a list per namespace), which doubled a batch's requests.
import type { NetworkPolicy } from '../../core/model.ts';

const key = (p: NetworkPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;

export class Sightings {
  private readonly waiting = new Map<string, { resourceVersion: string; seen: () => void }[]>();

  /** Every policy version the watch or a relist delivers. */
  saw(p: NetworkPolicy): void {
    const list = this.waiting.get(key(p));
    if (!list) return;
    const rest = list.filter((w) => (w.resourceVersion === p.metadata.resourceVersion ? (w.seen(), false) : true));
    if (rest.length > 0) this.waiting.set(key(p), rest);
    else this.waiting.delete(key(p));
  }

  /**
   * True once `p` (at its resourceVersion) has been delivered, at once if `already` (the store holds
   * it: the event can come before the create's answer); false after `ms` or on abort (the caller then
   * reads the namespace from the API server).
   */
  until(p: NetworkPolicy, already: boolean, ms: number, signal: AbortSignal): Promise<boolean> {
    if (already) return Promise.resolve(true);
    if (signal.aborted || !p.metadata.resourceVersion) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry = { resourceVersion: p.metadata.resourceVersion as string, seen: () => finish(true) };
      const finish = (seen: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const list = this.waiting.get(key(p))?.filter((w) => w !== entry);
        if (list?.length) this.waiting.set(key(p), list);
        else this.waiting.delete(key(p));
        resolve(seen);
      };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(key(p), [...(this.waiting.get(key(p)) ?? []), entry]);
    });
  }

  /** Waiters not yet resolved (a test checks that none is left behind). */
  get size(): number {
    return [...this.waiting.values()].reduce((n, l) => n + l.length, 0);
  }
}
