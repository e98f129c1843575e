// The audit as a table plus the guide's summary lines, word for word.
import type { AuditFinding, AuditReport } from '../core/report.ts';
import { paint, status, type Style } from './style.ts';
import { table } from './table.ts';

function policiesCell(f: AuditFinding): string {
  if (f.policies.length === 0) return '<none>';
  const shown = f.policies.slice(0, 3).join(',');
  return f.policies.length > 3 ? `${shown} +${f.policies.length - 3}` : shown;
}

function noteCell(f: AuditFinding): string {
  if (f.status === 'PASS') return f.notes.map((n) => n.message).join('; ');
  if (f.status === 'FAIL' && f.notes.length > 0) return `${f.reason}; ${f.notes.map((n) => n.message).join('; ')}`;
  return f.reason;
}

export function renderAudit(r: AuditReport, style: Style): string {
  const lines: string[] = [];
  if (r.findings.length > 0) {
    lines.push(table(['NAMESPACE', 'POLICIES', 'STATUS', 'NOTE'], r.findings.map((f) => [f.namespace, policiesCell(f), status(style, f.status), noteCell(f)])));
    lines.push('');
  }
  for (const note of r.notes) lines.push(`[!] ${note}`);
  const failed = r.findings.filter((f) => f.status === 'FAIL');
  const errors = r.findings.filter((f) => f.status === 'ERROR');
  if (failed.length > 0) {
    lines.push(paint(style, 'red', `[-] FAIL: The following ${failed.length} namespace(s) do not have a NetworkPolicy defined:`));
    for (const f of failed) lines.push(`    - ${f.namespace}`);
  } else if (errors.length === 0) {
    const covered = r.summary.covered > 0 ? ` or are covered by a cluster-wide policy (${r.summary.covered} COVERED, counted as passing by --count-cluster-policies)` : '';
    lines.push(paint(style, 'green', `[+] PASS: All ${r.summary.checked} checked namespaces have at least one NetworkPolicy defined${covered}`));
  }
  if (errors.length > 0) {
    lines.push(paint(style, 'red', `[!] ERROR: ${errors.length} namespace(s) could not be checked:`));
    for (const f of errors) lines.push(`    - ${f.namespace}: ${f.reason}`);
  }
  const exempt = r.findings.filter((f) => f.status === 'EXEMPT').length;
  if (exempt > 0) lines.push(`[*] ${exempt} namespace(s) exempt until their exception expires (see EXEMPT rows: owner, expiry, where declared)`);
  if (r.summary.skipped > 0) lines.push(`[*] ${r.summary.skipped} namespace(s) skipped (see SKIPPED rows for reasons)`);
  return `${lines.join('\n')}\n`;
}
