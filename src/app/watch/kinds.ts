// The cluster-wide policy kinds the proof reads (ClusterNetworkPolicy, ANP/BANP, Cilium, Calico,
// Antrea) are re-read on a period rather than watched: which of them a cluster serves is itself
// found by discovery and may change (a CRD installed later), and a reflector per kind would hold
// every such object twice over for the few reads a period costs (one discovery request and one
// list per served kind). A read that differs from the last one means every earlier proof may be
// stale: `changed` is called and the watch reconciles every namespace again (a namespace refused
// because a Baseline policy denied what the placeholder would open gets it once that policy goes).
// Bound: a change is acted on within one period plus one batch.
import { canonical } from '../../core/placeholder.ts';
import type { PolicyKindsRead } from '../ports.ts';
import { abortableSleep } from './reflector.ts';

export interface KindsHooks {
  read(): Promise<PolicyKindsRead>;
  changed(): void;
  error(err: Error): void;
}

export class PolicyKindsTracker {
  private last: { read: PolicyKindsRead; print: string } | undefined;
  private readonly hooks: KindsHooks;

  constructor(hooks: KindsHooks) {
    this.hooks = hooks;
  }

  /** The last read, or one now if there is none yet (a failure throws: the batch is retried). */
  async current(): Promise<PolicyKindsRead> {
    if (!this.last) await this.refresh(true);
    return (this.last as { read: PolicyKindsRead }).read;
  }

  /** Reads again; `changed` when the result differs from the last read. */
  async refresh(throwing = false): Promise<void> {
    let read: PolicyKindsRead;
    try {
      read = await this.hooks.read();
    } catch (err) {
      if (throwing) throw err;
      this.hooks.error(err as Error);
      return;
    }
    const print = canonical(read);
    const before = this.last;
    this.last = { read, print };
    if (before && before.print !== print) this.hooks.changed();
  }

  /** Re-reads every `periodMs` until aborted. */
  async run(periodMs: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      await abortableSleep(periodMs, signal);
      if (signal.aborted) return;
      await this.refresh();
    }
  }
}
