// What the watch does with each result of the shared reconcile: a log line, metrics, an Event on
// the namespace, and whether (and when) to try the namespace again. Repeated refusals and failures
// of one namespace are said once until their reason changes, so a namespace that keeps changing
// does not flood the log or the Events.
import type { RemediateResult } from '../../core/remediate.ts';
import type { ActionLog } from './log.ts';
import type { WatchMetrics } from './metrics.ts';

const REFUSALS = new Set(['Disruption', 'Opening', 'NotProven']);
/** Failures after which no write of ours can succeed: shown on /readyz until a write succeeds. */
const BLOCKING = new Set(['Forbidden', 'Unauthorized']);
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;

export interface OutcomeDeps {
  log: ActionLog;
  metrics: WatchMetrics;
  /** Fire and forget: an Event on the namespace (its own failure is logged, never retried). */
  event(namespace: string, type: 'Normal' | 'Warning', reason: string, message: string): void;
  retryAfter(namespace: string, ms: number): void;
  random: () => number;
}

export class Outcomes {
  private readonly said = new Map<string, string>();
  private readonly failures = new Map<string, number>();
  /** Why writes cannot succeed (Forbidden, Unauthorized), until one does. */
  blocked: string | undefined;
  private readonly d: OutcomeDeps;

  constructor(d: OutcomeDeps) {
    this.d = d;
  }

  forget(namespace: string): void {
    this.said.delete(namespace);
    this.failures.delete(namespace);
  }

  /** Already reported as planned (a dry run says it once per namespace). */
  planned(namespace: string): boolean {
    return this.said.get(namespace) === 'PLANNED';
  }

  private once(namespace: string, what: string): boolean {
    if (this.said.get(namespace) === what) return false;
    this.said.set(namespace, what);
    return true;
  }

  handle(r: RemediateResult, template: string, writesStopped: boolean): void {
    const { log, metrics } = this.d;
    const ns = r.namespace;
    const f = { namespace: ns, policy: r.policy, reason: r.reason };
    if (r.status === 'FIXED') {
      this.forget(ns);
      this.blocked = undefined;
      metrics.created.inc({ template });
      log.info('placeholder created', { ...f, template, connectivity: r.connectivity?.unchanged ? 'unchanged' : 'accepted change' });
      this.d.event(ns, 'Normal', 'PlaceholderCreated', `kubectl cis-netpol created NetworkPolicy ${r.policy} (template ${template}) for CIS 5.3.2: ${r.connectivity?.unchanged ? 'connectivity unchanged' : 'a change accepted by flag'}`);
    } else if (r.status === 'PLANNED') {
      if (this.once(ns, 'PLANNED')) log.info('placeholder would be created (dry run)', { ...f, template });
    } else if (r.status === 'PASS' || r.status === 'SKIPPED') {
      this.forget(ns);
      if (r.reason.includes('meanwhile')) log.info(r.status === 'PASS' ? 'nothing to do' : 'skipped', f);
    } else if (r.error && REFUSALS.has(r.error.kind)) {
      if (this.once(ns, `refused:${r.reason}`)) {
        metrics.refused.inc({ kind: r.error.kind });
        log.warn('placeholder refused by the connectivity proof', { ...f, kind: r.error.kind, next: r.error.hint });
        const why = [...(r.connectivity?.broken ?? []), ...(r.connectivity?.opened ?? []), ...(r.connectivity?.unproven ?? [])].slice(0, 3).join('; ');
        this.d.event(ns, 'Warning', 'PlaceholderRefused', `kubectl cis-netpol did not create a placeholder: ${r.error.message}${why ? `: ${why}` : ''}. Next: ${r.error.hint}`);
      }
    } else if (r.error?.kind === 'NotAttempted' && writesStopped) {
      // Interrupted or no longer the leader: the next leader (or run) takes it from here.
    } else {
      const n = (this.failures.get(ns) ?? 0) + 1;
      this.failures.set(ns, n);
      const kind = r.error?.kind ?? r.status;
      if (r.error && BLOCKING.has(r.error.kind)) this.blocked = `cannot create NetworkPolicies: ${r.error.message} (next: ${r.error.hint})`;
      const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 20)) * (0.5 + this.d.random());
      if (this.once(ns, `failed:${r.reason}`) || n % 10 === 0) log.error('placeholder not created', { ...f, kind, attempt: n, retryInSeconds: Math.round(delay / 1000), next: r.error?.hint });
      this.d.retryAfter(ns, delay);
    }
  }
}
