// The merged table of a many-cluster run: one row per cluster and namespace (CLUSTER is a column),
// then one line per cluster that could not be checked, then the totals.
import type { Evidence } from '../core/evidence.ts';
import { paint, status, type Style } from './style.ts';
import { table } from './table.ts';

export function renderMany(e: Evidence, style: Style): string {
  const lines: string[] = [];
  if (e.items.length > 0) {
    lines.push(table(['CLUSTER', 'NAMESPACE', 'STATUS', 'POLICIES', 'NOTE'], e.items.map((i) => [
      i.cluster, i.namespace, status(style, i.action ?? i.verdict), i.policies.length ? i.policies.join(',') : '<none>', i.reason,
    ])));
    lines.push('');
  }
  for (const c of e.clusters.filter((x) => x.error)) lines.push(paint(style, 'red', `[!] ERROR: cluster ${c.cluster} could not be checked: ${c.error}`));
  for (const n of e.notes.filter((x) => !e.clusters.some((c) => c.error && x.startsWith(`${c.cluster}: could not be checked`)))) lines.push(`[!] ${n}`);
  const s = e.summary;
  const ok = e.clusters.filter((c) => !c.error).length;
  lines.push(`[*] ${e.clusters.length} cluster(s), ${ok} checked: PASS ${s.PASS}, FAIL ${s.FAIL}, EXEMPT ${s.EXEMPT}, SKIPPED ${s.SKIPPED}, ERROR ${s.ERROR} (CIS 5.3.2 after this ${e.command})`);
  return `${lines.join('\n')}\n`;
}
