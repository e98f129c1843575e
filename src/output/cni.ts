// kubectl cis-netpol cni: the verdict first, then each component with its evidence.
import type { CniReport } from '../core/cni/report.ts';
import type { CniFinding } from '../core/cni/types.ts';
import { paint, type Style } from './style.ts';

const MARK = { ENFORCED: '[+]', 'NOT ENFORCED': '[-]', UNKNOWN: '[?]' } as const;
const COLOUR = { ENFORCED: 'green', 'NOT ENFORCED': 'red', UNKNOWN: 'yellow' } as const;
const SAYS: Record<CniFinding['enforcement'], string> = { enforces: 'enforces', 'does-not-enforce': 'does not enforce', undetermined: 'undetermined' };

export function renderCni(r: CniReport, style: Style): string {
  const lines = [paint(style, COLOUR[r.verdict], `${MARK[r.verdict]} CIS 5.3.1 ${r.summary}`)];
  for (const f of r.findings) {
    lines.push(`    ${f.cni} (${SAYS[f.enforcement]}): ${f.reason}`);
    for (const e of f.evidence) lines.push(`      - ${e}`);
  }
  for (const u of r.unreadable) lines.push(`[!] could not list DaemonSets in namespace ${u.namespace}: ${u.message}`);
  for (const n of r.notes) lines.push(`[!] ${n}`);
  const shown = r.seen.slice(0, 10).join(', ') + (r.seen.length > 10 ? `, … and ${r.seen.length - 10} more` : '');
  lines.push(`[*] ${r.seen.length} DaemonSet(s) seen${r.seen.length ? `: ${shown}` : ''}`);
  if (r.hint) lines.push(`[*] next: ${r.hint}`);
  return `${lines.join('\n')}\n`;
}
