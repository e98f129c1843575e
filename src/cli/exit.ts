// Exit codes, decided once here from the returned report or the thrown error.
// audit: 0 compliant, 1 not compliant, 2 could not check.
// remediate: 0 nothing to do, 1 policies applied (or would be, in a dry run), 2 any failure.
// rollback: 0 success (also nothing to do), 2 any failure.
// can-reach: 0 allowed, 1 denied, 2 error (bad endpoint, unknown pod, unresolved port, forbidden).
// prune: 0 nothing to prune, 1 placeholders removed (or would be, without --yes or in a dry run), 2 any failure.
// cni: 0 enforced, 1 not enforced, 2 unknown (could not decide) or could not check.
// doctor: 0 every line OK, 1 some WARN (no FAIL), 2 some FAIL or could not check.
import type { CanReachReport } from '../app/can-reach.ts';
import type { AuditReport } from '../core/report.ts';
import { CisNetpolError } from '../core/errors.ts';
import type { RemediationReport } from '../core/remediate.ts';
import type { PruneReport } from '../core/prune.ts';
import type { RollbackReport } from '../core/rollback.ts';
import type { Sink } from './io.ts';

export const EXIT_OK = 0;
export const EXIT_NONCOMPLIANT = 1;
export const EXIT_FIXED = 1;
export const EXIT_ERROR = 2;
export const EXIT_ALLOWED = 0;
export const EXIT_DENIED = 1;
export const EXIT_PRUNED = 1;

export function auditExit(r: AuditReport): number {
  if (r.summary.errors > 0) return EXIT_ERROR;
  return r.summary.failed > 0 ? EXIT_NONCOMPLIANT : EXIT_OK;
}

export function remediateExit(r: RemediationReport): number {
  if (r.interrupted || r.summary.failures > 0 || r.summary.unknown > 0) return EXIT_ERROR;
  return r.summary.applied + r.summary.planned > 0 ? EXIT_FIXED : EXIT_OK;
}

export function rollbackExit(r: RollbackReport): number {
  return r.interrupted || r.summary.failures > 0 || r.summary.unknown > 0 ? EXIT_ERROR : EXIT_OK;
}

export function canReachExit(r: CanReachReport): number {
  return r.allowed ? EXIT_ALLOWED : EXIT_DENIED;
}

export function pruneExit(r: PruneReport): number {
  if (r.interrupted || r.summary.failures > 0 || r.summary.unknown > 0) return EXIT_ERROR;
  return r.summary.removed + r.summary.planned > 0 ? EXIT_PRUNED : EXIT_OK;
}

export function cniExit(r: { verdict: 'ENFORCED' | 'NOT ENFORCED' | 'UNKNOWN' }): number {
  return r.verdict === 'ENFORCED' ? EXIT_OK : r.verdict === 'NOT ENFORCED' ? EXIT_NONCOMPLIANT : EXIT_ERROR;
}

export function doctorExit(r: { checks: { status: 'OK' | 'WARN' | 'FAIL' }[] }): number {
  if (r.checks.some((c) => c.status === 'FAIL')) return EXIT_ERROR;
  return r.checks.some((c) => c.status === 'WARN') ? EXIT_NONCOMPLIANT : EXIT_OK;
}

/** One line for the user (what, where, what next); the stack only with -v. */
export function reportError(err: unknown, sink: Sink, verbose: number): number {
  if (err instanceof CisNetpolError) {
    sink.write(`error: ${err.message} (next: ${err.hint})\n`);
  } else {
    const e = err as Error;
    sink.write(`error: unexpected failure: ${e?.message ?? String(err)} (next: run again with -v and report the stack trace)\n`);
  }
  if (verbose > 0 && err instanceof Error && err.stack) sink.write(`${err.stack}\n`);
  return EXIT_ERROR;
}
