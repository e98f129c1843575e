// Remediation as the guide prints it: a line per namespace, then the report block.
import type { RemediationReport } from '../core/remediate.ts';
import { banner, nameWidth, resultLine, stat } from './lines.ts';
import type { Style } from './style.ts';

export function renderRemediation(r: RemediationReport, style: Style): string {
  const w = nameWidth(r.results.map((x) => x.namespace));
  const lines = r.results.map((x) => {
    const extra = x.connectivity?.unchanged && (x.status === 'FIXED' || x.status === 'PLANNED') ? '; connectivity unchanged' : '';
    const hint = x.error && x.status !== 'UNKNOWN' ? ` (${x.error.hint})` : '';
    return resultLine(style, x.namespace, x.status, `${x.reason}${extra}${hint}`, w);
  });
  const s = r.summary;
  lines.push(...banner('CIS Benchmark 5.3.2 - NetworkPolicy Remediation Report', r.timestamp));
  if (r.dryRun !== 'none') lines.push(`DRY RUN (${r.dryRun}): nothing was written.`, '');
  lines.push('SUMMARY STATISTICS:');
  lines.push(stat('Total Namespaces Processed', s.total));
  lines.push(stat('Already Had Policy', s.alreadyHadPolicy));
  lines.push(stat('Policies Applied', s.applied));
  if (r.dryRun !== 'none') lines.push(stat('Policies To Apply (dry run)', s.planned));
  lines.push(stat('System Namespaces Skipped', s.systemSkipped));
  if (s.exempt) lines.push(stat('Exempt (not touched)', s.exempt));
  if (s.otherSkipped) lines.push(stat('Other Namespaces Skipped', s.otherSkipped));
  lines.push(stat('Policy Application Failures', s.failures));
  if (s.unknown) lines.push(stat('Outcome Unknown', s.unknown));
  lines.push('', `Placeholder: ${r.policyName} (template ${r.template}${r.template === 'select-none' ? ': selects no pod, so it changes nothing and enforces nothing' : ''})`);
  const proved = r.results.filter((x) => x.connectivity);
  if (proved.length > 0) {
    const broken = proved.filter((x) => !x.connectivity?.unchanged);
    lines.push('', 'CONNECTIVITY (checked over every address, port and protocol, for existing and future pods):');
    if (broken.length === 0) lines.push(`  [✓] connectivity unchanged in all ${proved.length} namespace(s) this run changes`);
    for (const x of broken) {
      const c = x.connectivity!;
      const accepted = x.status === 'FIXED' || x.status === 'PLANNED' ? ' (accepted)' : '';
      if (c.broken.length > 0) lines.push(`  [✗] ${x.namespace}: would deny connections allowed today${accepted}:`, ...c.broken.map((b) => `        - ${b}`));
      if (c.opened.length > 0) lines.push(`  [✗] ${x.namespace}: would allow connections denied today${accepted}:`, ...c.opened.map((b) => `        - ${b}`));
      if (c.unproven.length > 0) lines.push(`  [?] ${x.namespace}: not proven${accepted}:`, ...c.unproven.map((b) => `        - ${b}`));
    }
  }
  if (r.interrupted) lines.push('[!] Interrupted: no new writes were started after the signal; the lines above say what was done.');
  for (const n of r.notes) lines.push(`[!] ${n}`);
  return `${lines.join('\n')}\n`;
}
