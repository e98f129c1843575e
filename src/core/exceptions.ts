// Exceptions (exemptions) to CIS 5.3.2: a namespace (or glob) with a reason, an owner and an expiry
// date, from an exceptions file or from the namespace's own annotations. Pure: rules + report in,
// report with EXEMPT findings out. A valid, unexpired exception turns a FAIL into EXEMPT; an expired
// or malformed one leaves it FAIL and says why and where (file and line, or the annotation), so an
// exemption nobody renewed fails the audit again instead of hiding the namespace for ever.
import type { Namespace } from './model.ts';
import type { AuditFinding, AuditReport } from './report.ts';

export const EXCEPTIONS_API_VERSION = 'cis-netpol.io/v1';
export const EXCEPTIONS_KIND = 'NetworkPolicyExceptions';
export const ANNOTATION_REASON = 'cis-netpol.io/exempt-reason';
export const ANNOTATION_OWNER = 'cis-netpol.io/exempt-owner';
export const ANNOTATION_UNTIL = 'cis-netpol.io/exempt-until';

export type ExceptionSource =
  | { kind: 'file'; file: string; line: number }
  | { kind: 'annotation'; namespace: string };

/** One exception as written; `problems` lists what makes it malformed (it then exempts nothing). */
export interface ExceptionRule {
  /** A namespace name or glob (`*`, `?`). */
  namespace: string;
  reason: string;
  owner: string;
  /** As written: YYYY-MM-DD (valid through that day, UTC) or an RFC 3339 timestamp. */
  until: string;
  source: ExceptionSource;
  problems: string[];
}

/** What a finding carries once an exception matched it: the one that decided, and where it is. */
export interface Exemption {
  reason: string;
  owner: string;
  until: string;
  /** The instant the exemption ends (ISO 8601). Absent when `until` could not be read. */
  expires?: string;
  state: 'active' | 'expired' | 'malformed';
  /** "exceptions.yaml:12" or "annotation cis-netpol.io/exempt-until on namespace x". */
  where: string;
  source: ExceptionSource;
  problems?: string[];
}

export function describeSource(s: ExceptionSource, key = ANNOTATION_REASON): string {
  return s.kind === 'file' ? `${s.file}:${s.line}` : `annotation ${key} on namespace ${s.namespace}`;
}

/** The end of the exemption, or undefined when `until` is not a date. A bare date lasts the whole day (UTC). */
export function expiryOf(until: string): Date | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(until)) {
    const d = new Date(`${until}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== until) return undefined; // 2026-02-30
    return new Date(d.getTime() + 86_400_000);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(until)) {
    const d = new Date(until);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** Problems shared by file entries and annotations: every field present, a readable date. */
export function problemsOf(r: Pick<ExceptionRule, 'reason' | 'owner' | 'until'>, names: { reason: string; owner: string; until: string }): string[] {
  const out: string[] = [];
  if (r.reason.trim() === '') out.push(`${names.reason} is missing`);
  if (r.owner.trim() === '') out.push(`${names.owner} is missing`);
  if (r.until.trim() === '') out.push(`${names.until} is missing (every exception must expire)`);
  else if (!expiryOf(r.until)) out.push(`${names.until} "${r.until}" is not a date (use YYYY-MM-DD or an RFC 3339 timestamp)`);
  return out;
}

/** The exception a namespace's own annotations declare, if any of the three is set. */
export function annotationRule(ns: Namespace): ExceptionRule | undefined {
  const a = ns.metadata.annotations ?? {};
  if (![ANNOTATION_REASON, ANNOTATION_OWNER, ANNOTATION_UNTIL].some((k) => k in a)) return undefined;
  const rule = { namespace: ns.metadata.name, reason: a[ANNOTATION_REASON] ?? '', owner: a[ANNOTATION_OWNER] ?? '', until: a[ANNOTATION_UNTIL] ?? '' };
  return { ...rule, source: { kind: 'annotation', namespace: ns.metadata.name }, problems: problemsOf(rule, { reason: ANNOTATION_REASON, owner: ANNOTATION_OWNER, until: ANNOTATION_UNTIL }) };
}

function globTest(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/[*?]/g, (c) => (c === '*' ? '.*' : '.'))}$`);
  return re.test(name);
}

function exemptionOf(r: ExceptionRule, now: Date): Exemption {
  const expiry = expiryOf(r.until);
  const key = r.source.kind === 'annotation' ? (r.problems.some((p) => p.startsWith(ANNOTATION_UNTIL)) ? ANNOTATION_UNTIL : ANNOTATION_REASON) : undefined;
  const base = { reason: r.reason, owner: r.owner, until: r.until, where: describeSource(r.source, key), source: r.source, ...(expiry ? { expires: expiry.toISOString() } : {}) };
  if (r.problems.length > 0) return { ...base, state: 'malformed', problems: r.problems };
  return { ...base, state: expiry && now < expiry ? 'active' : 'expired' };
}

const RANK: Record<Exemption['state'], number> = { active: 0, expired: 1, malformed: 2 };

/**
 * The exemption deciding a namespace: an active one wins over an expired one, which wins over a
 * malformed one; among equals the namespace's own annotation comes first, then the file's order.
 */
export function exemptionFor(ns: Namespace | undefined, name: string, rules: readonly ExceptionRule[], now: Date): Exemption | undefined {
  const own = ns ? annotationRule(ns) : undefined;
  const matching = [...(own ? [own] : []), ...rules.filter((r) => globTest(r.namespace, name))];
  const all = matching.map((r) => exemptionOf(r, now));
  return all.sort((a, b) => RANK[a.state] - RANK[b.state])[0];
}

function exemptReason(e: Exemption): string {
  const day = e.until;
  switch (e.state) {
    case 'active': return `Exempt until ${day} (owner ${e.owner}): ${e.reason} [${e.where}]`;
    case 'expired': return `No NetworkPolicy defined, and its exemption expired on ${day} (owner ${e.owner}; ${e.where}): renew or remove it`;
    default: return `No NetworkPolicy defined, and its exemption is malformed (${e.where}): ${(e.problems ?? []).join('; ')}`;
  }
}

export interface ExceptionInput {
  rules: readonly ExceptionRule[];
  namespaces: readonly Namespace[];
  now: Date;
}

/** A finding after exceptions: FAIL → EXEMPT when an active exemption matches; reasons say which. */
export function exemptFinding(f: AuditFinding, input: ExceptionInput, byName: Map<string, Namespace>): AuditFinding {
  if (f.status !== 'FAIL') return f;
  const e = exemptionFor(byName.get(f.namespace), f.namespace, input.rules, input.now);
  if (!e) return f;
  return { ...f, status: e.state === 'active' ? 'EXEMPT' : 'FAIL', reason: exemptReason(e), exemption: e };
}

/** The audit report with exceptions applied; an EXEMPT namespace does not make it non-compliant. */
export function applyExceptions(report: AuditReport, input: ExceptionInput): AuditReport {
  const byName = new Map(input.namespaces.map((n) => [n.metadata.name, n]));
  const findings = report.findings.map((f) => exemptFinding(f, input, byName));
  const count = (s: AuditFinding['status']) => findings.filter((f) => f.status === s).length;
  const exempt = count('EXEMPT');
  // `exempt` only when something is exempt: reports without exceptions keep their shape.
  const summary = { ...report.summary, failed: count('FAIL'), ...(exempt > 0 ? { exempt } : {}) };
  return { ...report, findings, summary, compliant: summary.failed === 0 && summary.errors === 0 };
}
