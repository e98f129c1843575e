// Leader election over a coordination.k8s.io Lease, as client-go's leaderelection does it:
// - a free or expired lease is taken with an update that carries its resourceVersion, so of two
//   replicas racing for it exactly one wins (the other gets a Conflict);
// - expiry is judged by the local clock from when this process last saw the lease change, never by
//   comparing its renewTime with our clock (clocks of two nodes differ);
// - the leader renews every retry period; with no successful renew for the renew deadline (shorter
//   than the lease duration) it stops leading before anyone else can take over. isLeader() checks
//   that deadline itself, so a write asked for after it is refused even while a renew still hangs.
import { abortableSleep } from './reflector.ts';
import type { ControllerApi, LeaseRecord } from './ports.ts';
import { microTime } from './time.ts';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeaderHooks {
  /** Called on every change: true when this process starts leading, false when it stops. */
  changed(leading: boolean, detail: string): void;
  error(err: Error): void;
}

export class LeaderElector {
  private readonly api: ControllerApi;
  private readonly o: LeaderOptions;
  private readonly hooks: LeaderHooks;
  private readonly now: () => number;
  private lease: LeaseRecord | undefined;
  private lastRenew = -Infinity;
  private observed: { key: string; at: number } | undefined;
  private leading = false;

  constructor(api: ControllerApi, o: LeaderOptions, hooks: LeaderHooks, now: () => number = () => performance.now()) {
    this.api = api;
    this.o = o;
    this.hooks = hooks;
    this.now = now;
  }

  isLeader(): boolean {
    return this.leading && this.now() - this.lastRenew < this.o.renewDeadlineMs;
  }

  private setLeading(v: boolean, detail: string) {
    if (v === this.leading) return;
    this.leading = v;
    this.hooks.changed(v, detail);
  }

  /** One try: acquire or renew. True when this process holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const t = this.now();
    const stamp = microTime(new Date());
    const current = await this.api.getLease(this.o.namespace, this.o.name);
    const seconds = Math.max(1, Math.round(this.o.leaseDurationMs / 1000));
    if (!current) {
      this.lease = await this.api.writeLease(this.o.namespace, this.o.name, { holder: this.o.identity, durationSeconds: seconds, acquireTime: stamp, renewTime: stamp, transitions: 0 });
      this.lastRenew = t;
      return true;
    }
    const key = `${current.holder}|${current.renewTime}|${current.resourceVersion}`;
    if (this.observed?.key !== key) this.observed = { key, at: t };
    const mine = current.holder === this.o.identity;
    if (!mine && current.holder !== '' && t - this.observed.at < current.durationSeconds * 1000) return false;
    const next: LeaseRecord = mine
      ? { ...current, durationSeconds: seconds, renewTime: stamp }
      : { ...current, holder: this.o.identity, durationSeconds: seconds, acquireTime: stamp, renewTime: stamp, transitions: current.transitions + 1 };
    this.lease = await this.api.writeLease(this.o.namespace, this.o.name, next);
    this.lastRenew = t;
    return true;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew()) this.setLeading(true, `holds lease ${this.o.namespace}/${this.o.name} as ${this.o.identity}`);
        else this.setLeading(false, `lease ${this.o.namespace}/${this.o.name} is held by ${this.lease?.holder ?? 'another replica'}`);
      } catch (err) {
        if (signal.aborted) break;
        this.hooks.error(err as Error);
      }
      if (this.leading && !this.isLeader()) this.setLeading(false, `could not renew lease ${this.o.namespace}/${this.o.name} within the renew deadline`);
      await abortableSleep(this.o.retryPeriodMs, signal);
    }
  }

  /** On shutdown: give the lease up so that a standby takes over at once, not after its expiry. */
  async release(): Promise<void> {
    const was = this.isLeader();
    this.setLeading(false, 'shutting down');
    if (!was || !this.lease) return;
    try {
      await this.api.writeLease(this.o.namespace, this.o.name, { ...this.lease, holder: '', durationSeconds: 1, renewTime: microTime(new Date()) });
    } catch (err) {
      this.hooks.error(err as Error);
    }
  }
}
