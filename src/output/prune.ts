// Prune: per placeholder REMOVED / PLANNED / KEPT, and under each the connections that become denied.
import type { PruneReport, PruneResult } from '../core/prune.ts';
import { banner, nameWidth, resultLine, stat } from './lines.ts';
import type { Style } from './style.ts';

export const ADDITIVE_NOTE = [
  'Why prune: NetworkPolicies are additive. A connection is allowed when any policy selecting the pod',
  'allows it, so while the allow-all placeholder exists no stricter policy in its namespace can deny',
  'anything. Removing it is what lets the namespace\'s own policies take effect.',
];

function connectivityLines(r: PruneResult): string[] {
  const c = r.connectivity;
  if (!c || (r.status !== 'PLANNED' && r.status !== 'REMOVED')) return [];
  const pad = '      ';
  const pods = `${c.pods} pod${c.pods === 1 ? '' : 's'} with an IP`;
  if (c.unchanged) {
    const allow = r.remaining.length === 1 ? 'allows' : 'allow';
    const why = c.pods === 0 ? `no pod with an IP today; pods started later get only what ${r.remaining.join(', ')} ${allow}` : `the remaining policies allow everything the placeholder did for today's ${pods}`;
    return [`${pad}connectivity unchanged: ${why}`];
  }
  const verb = r.status === 'REMOVED' ? 'became' : 'become';
  // Policies the model cannot decide: the list above may miss what they deny.
  const unproven = c.unproven.map((l) => `${pad}${l}`);
  if (c.denied.length === 0) return [`${pad}connectivity not proven unchanged:`, ...unproven];
  return [
    `${pad}${verb} denied (${c.classes} connection class${c.classes === 1 ? '' : 'es'}, ${pods}; the detailed list: -o json, connectivity.details):`,
    ...c.denied.map((l) => `${pad}  - ${l}`),
    ...unproven,
  ];
}

export function renderPrune(r: PruneReport, style: Style): string {
  const w = nameWidth(r.results.map((x) => x.namespace));
  const lines: string[] = [];
  for (const x of r.results) {
    lines.push(resultLine(style, x.namespace, x.status, x.policy ? `${x.policy}: ${x.reason}` : x.reason, w));
    lines.push(...connectivityLines(x));
  }
  if (r.results.length === 0) lines.push('[✓] No cis-netpol placeholder found: nothing to prune.');
  lines.push(...banner('CIS Benchmark 5.3.2 - NetworkPolicy Placeholder Prune Report', r.timestamp));
  if (r.mode === 'plan') lines.push('PLAN ONLY: nothing was deleted. Run again with --yes to remove the placeholders marked PLANNED.', '');
  else if (r.mode !== 'apply') lines.push(`DRY RUN (${r.mode}): nothing was deleted.`, '');
  const s = r.summary;
  lines.push('SUMMARY STATISTICS:');
  lines.push(stat(r.mode === 'apply' ? 'Placeholders Removed' : 'Placeholders To Remove', r.mode === 'apply' ? s.removed : s.planned));
  lines.push(stat('Placeholders Kept', s.kept));
  lines.push(stat('Failures', s.failures + s.unknown));
  lines.push(stat('Namespaces Losing Traffic', s.namespacesWithDeniedConnections));
  lines.push('', ...ADDITIVE_NOTE);
  if (r.interrupted) lines.push('[!] Interrupted: no new deletes were started after the signal.');
  for (const n of r.notes) lines.push(`[!] ${n}`);
  return `${lines.join('\n')}\n`;
}
