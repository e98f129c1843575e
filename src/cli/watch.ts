// kubectl cis-netpol watch: remediate continuously (the same reconcile, fed by list + watch).
import { randomBytes } from 'node:crypto';
import type { LogFormat } from '../app/watch/log.ts';
import { UsageError } from '../core/errors.ts';
import type { Command } from './command.ts';
import { remediateExit } from './exit.ts';
import { concurrencyOption, dryRunOption, toScope, toTimeoutMs, type ScopeFlags } from './flags.ts';
import { DEFAULT_CONCURRENCY, reconcileFlags, toReconcileOptions } from './remediate.ts';

/** A kubectl-style duration (10s, 1m30s) for a named flag. */
export function toDurationMs(flag: string, v: unknown): number {
  let ms: number;
  try {
    ms = toTimeoutMs(String(v));
  } catch {
    throw new UsageError(`invalid --${flag} "${String(v)}"`, 'use a duration such as 15s, 1m or 1m30s');
  }
  if (ms <= 0) throw new UsageError(`invalid --${flag} "${String(v)}": must be longer than 0`, 'use a duration such as 15s, 1m or 1m30s');
  return ms;
}

function toLogFormat(v: unknown): LogFormat {
  if (v === 'text' || v === 'json') return v;
  throw new UsageError(`unknown --log-format "${String(v)}"`, 'use --log-format text or --log-format json');
}

export const watchCommand: Command = {
  name: 'watch',
  describe: 'Keep every namespace compliant: give each namespace that appears without a NetworkPolicy the remediate placeholder, continuously',
  examples: [
    ['kubectl cis-netpol watch', 'run locally until Ctrl-C; /healthz, /readyz and /metrics on 127.0.0.1:8080'],
    ['kubectl cis-netpol watch --dry-run', 'say what it would create, write nothing'],
    ['kubectl cis-netpol watch --once', 'one reconcile (a remediate run) for cron jobs, with remediate\'s exit codes'],
    ['kubectl cis-netpol watch --leader-elect --leader-elect-lease-namespace cis-netpol', 'several replicas, one writer (deploy/controller/)'],
  ],
  builder: (y) =>
    concurrencyOption(dryRunOption(reconcileFlags(y)), 'Creates in flight at once (per batch of queued namespaces)', DEFAULT_CONCURRENCY)
      .option('once', { type: 'boolean', default: false, describe: 'Reconcile once and exit with remediate\'s exit codes (0 nothing to do, 1 applied, 2 failure)' })
      .option('recreate-after', { type: 'string', default: '10m', describe: 'When someone deletes a placeholder: recreate it after this grace period (unless a policy appears meanwhile), or "never" to leave the namespace and report it' })
      .option('listen-address', { type: 'string', default: '127.0.0.1:8080', describe: 'host:port for /healthz, /readyz and /metrics (":8080" on all interfaces, "" for none)' })
      .option('max-backoff', { type: 'string', default: '30s', describe: 'Longest wait between reconnects to an unreachable API server (exponential from 200ms, with jitter)' })
      .option('prune', { type: 'boolean', default: false, describe: 'Where a NetworkPolicy of the namespace\'s own appears beside the placeholder, remove the placeholder (prune\'s plan and proof; only our unmodified placeholders)' })
      .option('log-format', { type: 'string', default: 'text', describe: 'One line per action: text or json' })
      .option('leader-elect', { type: 'boolean', default: false, describe: 'Write only while holding a coordination.k8s.io Lease (for several replicas)' })
      .option('leader-elect-lease-name', { type: 'string', default: 'cis-netpol-watch', describe: 'Name of the Lease' })
      .option('leader-elect-lease-namespace', { type: 'string', describe: 'Namespace of the Lease (default: $POD_NAMESPACE, else default)' })
      .option('leader-elect-lease-duration', { type: 'string', default: '15s', describe: 'How long a standby waits after the last renewal it saw before taking over' })
      .option('leader-elect-renew-deadline', { type: 'string', default: '10s', describe: 'The leader stops writing when it could not renew for this long (shorter than the lease duration)' })
      .option('leader-elect-retry-period', { type: 'string', default: '2s', describe: 'How often to renew, or to try to acquire' })
      .option('leader-elect-identity', { type: 'string', describe: 'This replica\'s name in the Lease (default: $HOSTNAME and a random suffix)' }),
  async run(argv, ctx) {
    const scope = toScope(argv as unknown as ScopeFlags);
    const reconcile = toReconcileOptions(argv);
    if (argv['once'] && argv['prune']) throw new UsageError('--prune works with the continuous watch, not --once', 'for a one-shot removal run `kubectl cis-netpol prune --yes`');
    if (argv['once']) {
      const [{ runRemediate }, { renderRemediation }] = await Promise.all([import('../app/remediate.ts'), import('../output/remediate.ts')]);
      const report = await runRemediate({ scope, ...reconcile }, await ctx.cluster(), ctx.deps);
      ctx.print(report, (style) => renderRemediation(report, style));
      return remediateExit(report);
    }
    const recreate = String(argv['recreate-after']);
    const recreateAfterMs = recreate === 'never' ? undefined : toDurationMs('recreate-after', recreate);
    const format = toLogFormat(argv['log-format']);
    let leader;
    if (argv['leader-elect']) {
      const leaseDurationMs = toDurationMs('leader-elect-lease-duration', argv['leader-elect-lease-duration']);
      const renewDeadlineMs = toDurationMs('leader-elect-renew-deadline', argv['leader-elect-renew-deadline']);
      const retryPeriodMs = toDurationMs('leader-elect-retry-period', argv['leader-elect-retry-period']);
      if (renewDeadlineMs >= leaseDurationMs) throw new UsageError('--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration', 'e.g. --leader-elect-lease-duration 15s --leader-elect-renew-deadline 10s');
      if (retryPeriodMs >= renewDeadlineMs) throw new UsageError('--leader-elect-retry-period must be shorter than --leader-elect-renew-deadline', 'e.g. --leader-elect-renew-deadline 10s --leader-elect-retry-period 2s');
      const namespace = String(argv['leader-elect-lease-namespace'] ?? ctx.io.env['POD_NAMESPACE'] ?? 'default');
      const identity = String(argv['leader-elect-identity'] ?? `${ctx.io.env['HOSTNAME'] || 'cis-netpol'}_${randomBytes(4).toString('hex')}`);
      leader = { namespace, name: String(argv['leader-elect-lease-name']), identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs };
    }
    const listen = String(argv['listen-address']);
    const cluster = await ctx.cluster();
    if (!cluster.controller) throw new UsageError('watch needs a live cluster', 'pass --kubeconfig or --context of a cluster');
    // Loaded here, not at start-up: prom-client and the watch machinery cost every command ~30 ms otherwise (docs/release.md, "Start-up, round two").
    const [{ actionLog }, { runWatch }, { saveMemoryForALongRun }] = await Promise.all([import('../app/watch/log.ts'), import('../app/watch/run.ts'), import('../app/watch/memory.ts')]);
    saveMemoryForALongRun();
    const actions = actionLog(ctx.io.err, format, () => ctx.io.now());
    return runWatch({ scope, ...reconcile, prune: Boolean(argv['prune']), recreateAfterMs, leader, backoff: { baseMs: 200, capMs: toDurationMs('max-backoff', argv['max-backoff']) }, listen: listen === '' ? undefined : listen }, cluster, await cluster.controller(), { ...ctx.deps, actions, random: Math.random });
  },
};
