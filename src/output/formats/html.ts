// -o html: one self-contained page for an auditor: which clusters (context, server, version), who
// ran it (from a SelfSubjectReview) and when, with which tool version; every namespace with its
// verdict, policies and reason; exemptions with owner, expiry and where they are declared; and the
// connectivity proof of a remediation. No script, no external asset: inline CSS only, every value
// escaped, so the file can be archived and opened anywhere.
import { CONTROL, type ClusterRun, type Evidence, type EvidenceItem } from '../../core/evidence.ts';
import { escapeXml as h } from './xml.ts';

export const HTML_FORMAT_VERSION = '1';

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0}dt{font-weight:600}dd{margin:0}
.v{font-weight:700;white-space:nowrap}.PASS{color:#1a7f37}.FAIL,.ERROR{color:#cf222e}.EXEMPT{color:#9a6700}.SKIPPED{color:#57606a}
.totals span{margin-right:16px}ul{margin:0;padding-left:18px}code{font-size:12px}footer{margin-top:24px;color:#57606a;font-size:12px}`;

function clusterBlock(c: ClusterRun): string {
  const rows: [string, string][] = [
    ['Context', c.cluster],
    ['Server', c.source.kind === 'cluster' ? c.source.server : `saved state ${c.source.path}`],
    ['Server version', c.serverVersion ?? 'not read'],
    ['Run by', c.user ? `${c.user}${c.groups?.length ? ` (groups: ${c.groups.join(', ')})` : ''}` : 'not read (SelfSubjectReview unavailable)'],
  ];
  if (c.error) rows.push(['Could not be checked', c.error]);
  return `<dl class="cluster">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join('')}</dl>`;
}

function exemptionCell(i: EvidenceItem): string {
  const e = i.exemption;
  if (!e) return '';
  return `${h(e.state)}: ${h(e.reason || '(no reason)')}<br>owner ${h(e.owner || '(none)')}, until ${h(e.until || '(none)')}<br><code>${h(e.where)}</code>`;
}

function connectivityCell(i: EvidenceItem): string {
  const c = i.connectivity;
  if (!c) return '';
  if (c.unchanged && c.lines.length === 0) return 'connectivity unchanged (proved over every address, port and protocol)';
  return `<ul>${c.lines.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`;
}

function row(i: EvidenceItem, multi: boolean): string {
  const cells = [
    ...(multi ? [h(i.cluster)] : []),
    h(i.namespace),
    `<span class="v ${i.verdict}">${i.verdict}</span>${i.action ? ` <small>(${h(i.action)})</small>` : ''}`,
    i.policies.length ? h(i.policies.join(', ')) : '<em>none</em>',
    h(i.reason),
    exemptionCell(i),
    connectivityCell(i),
  ];
  return `<tr data-namespace="${h(i.namespace)}" data-verdict="${i.verdict}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

export function renderHtml(e: Evidence): string {
  const multi = e.clusters.length > 1;
  const head = [...(multi ? ['Cluster'] : []), 'Namespace', 'Verdict', 'Policies', 'Reason', 'Exemption', 'Connectivity'];
  const s = e.summary;
  const title = `${CONTROL.benchmark} ${CONTROL.id}: ${CONTROL.title}`;
  const exempt = e.items.filter((i) => i.exemption);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="kubectl-cis-netpol ${h(e.toolVersion)}">
<meta name="cis-netpol-report-version" content="${h(e.apiVersion)}">
<meta name="cis-netpol-html-format" content="${HTML_FORMAT_VERSION}">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${h(title)}</h1>
<p>Command <code>kubectl cis-netpol ${h(e.command)}${e.dryRun !== 'none' ? ` --dry-run=${h(e.dryRun)}` : ''}</code>, run at <time datetime="${h(e.timestamp)}">${h(e.timestamp)}</time> with kubectl-cis-netpol ${h(e.toolVersion)} (report ${h(e.apiVersion)}).</p>
<p class="totals"><span class="PASS">PASS ${s.PASS}</span><span class="FAIL">FAIL ${s.FAIL}</span><span class="EXEMPT">EXEMPT ${s.EXEMPT}</span><span class="SKIPPED">SKIPPED ${s.SKIPPED}</span><span class="ERROR">ERROR ${s.ERROR}</span></p>
<h2>Cluster${multi ? 's' : ''}</h2>
${e.clusters.map(clusterBlock).join('\n')}
<h2>Namespaces</h2>
<table>
<thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead>
<tbody>
${e.items.map((i) => row(i, multi)).join('\n')}
</tbody>
</table>
<h2>Exemptions</h2>
${exempt.length === 0 ? '<p>No exemption applies.</p>' : `<ul>${exempt.map((i) => `<li>${h(multi ? `${i.cluster}/` : '')}${h(i.namespace)}: ${exemptionCell(i)}</li>`).join('')}</ul>`}
${e.notes.length ? `<h2>Notes</h2><ul>${e.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
<footer>Expected for every namespace: ${h(CONTROL.expected)}. Remediation: ${h(CONTROL.remediation)}</footer>
</body>
</html>
`;
}
