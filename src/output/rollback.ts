// Rollback: REMOVED / KEPT per placeholder, and what fails 5.3.2 again afterwards.
import type { RollbackReport } from '../core/rollback.ts';
import { banner, nameWidth, resultLine, stat } from './lines.ts';
import type { Style } from './style.ts';

export function renderRollback(r: RollbackReport, style: Style): string {
  const w = nameWidth(r.results.map((x) => x.namespace));
  const lines = r.results.map((x) => resultLine(style, x.namespace, x.status, `${x.policy}: ${x.reason}`, w));
  if (r.results.length === 0) lines.push('[✓] No cis-netpol placeholder found: nothing to remove.');
  lines.push(...banner('CIS Benchmark 5.3.2 - NetworkPolicy Rollback Report', r.timestamp));
  if (r.dryRun !== 'none') lines.push(`DRY RUN (${r.dryRun}): nothing was deleted.`, '');
  const s = r.summary;
  lines.push('SUMMARY STATISTICS:');
  lines.push(stat(r.dryRun === 'none' ? 'Placeholders Removed' : 'Placeholders To Remove', r.dryRun === 'none' ? s.removed : s.planned));
  lines.push(stat('Placeholders Kept', s.kept));
  lines.push(stat('Failures', s.failures + s.unknown));
  lines.push(stat('Namespaces Failing 5.3.2 After', s.namespacesFailingAfter));
  if (r.namespacesFailingAfter.length) {
    lines.push('', `[-] These ${r.namespacesFailingAfter.length} namespace(s) will have no NetworkPolicy and fail CIS 5.3.2 again:`);
    for (const n of r.namespacesFailingAfter) lines.push(`    - ${n}`);
  }
  if (r.interrupted) lines.push('[!] Interrupted: no new deletes were started after the signal.');
  for (const n of r.notes) lines.push(`[!] ${n}`);
  return `${lines.join('\n')}\n`;
}
