// -o policyreport: a wgpolicyk8s.io/v1alpha2 ClusterPolicyReport (namespaces are cluster-scoped,
// so the report is too), or with --report-format openreports an openreports.io/v1alpha1
// ClusterReport (the same result layout, `source` on the report). One result per namespace, the
// Namespace as its resource; EXEMPT and SKIPPED are `skip` with the reason (and the exemption's
// owner and expiry as properties), ERROR is `error`. --write-report applies these objects with
// server-side apply; several clusters give a v1 List with one report per cluster.
import * as yaml from 'js-yaml';
import { CONTROL, type Evidence, type EvidenceItem } from '../../core/evidence.ts';

export type ReportFlavour = 'wgpolicyk8s' | 'openreports';
export const REPORT_FLAVOURS: ReportFlavour[] = ['wgpolicyk8s', 'openreports'];
export const POLICY_REPORT_NAME = 'cis-netpol-5-3-2';
export const SOURCE = 'kubectl-cis-netpol';

const RESULT: Record<EvidenceItem['verdict'], string> = { PASS: 'pass', FAIL: 'fail', ERROR: 'error', EXEMPT: 'skip', SKIPPED: 'skip' };

function timestamp(iso: string): { seconds: number; nanos: number } {
  const ms = new Date(iso).getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function result(i: EvidenceItem, e: Evidence) {
  const properties: Record<string, string> = { verdict: i.verdict, policies: i.policies.join(',') };
  if (i.action) properties['action'] = i.action;
  if (i.exemption) Object.assign(properties, { 'exemption-state': i.exemption.state, 'exemption-owner': i.exemption.owner, 'exemption-until': i.exemption.until, 'exemption-where': i.exemption.where });
  return {
    source: SOURCE,
    policy: `cis-${CONTROL.id}`,
    rule: 'namespace-has-networkpolicy',
    category: `${CONTROL.benchmark} ${CONTROL.section} ${CONTROL.sectionText}`,
    severity: 'medium',
    result: RESULT[i.verdict],
    scored: true,
    message: i.reason,
    timestamp: timestamp(e.timestamp),
    resources: [{ apiVersion: 'v1', kind: 'Namespace', name: i.namespace }],
    properties,
  };
}

/** One report object per cluster, as applied to that cluster. */
export function policyReports(e: Evidence, flavour: ReportFlavour): { cluster: string; object: Record<string, unknown> }[] {
  return e.clusters.filter((c) => !c.error).map((c) => {
    const items = e.items.filter((i) => i.cluster === c.cluster);
    const results = items.map((i) => result(i, e));
    const n = (r: string) => results.filter((x) => x.result === r).length;
    const metadata = {
      name: POLICY_REPORT_NAME,
      labels: { 'app.kubernetes.io/managed-by': SOURCE, 'cis-netpol.io/report-version': e.apiVersion.split('/')[1] ?? 'v1' },
      annotations: { 'cis-netpol.io/command': e.command, 'cis-netpol.io/tool-version': e.toolVersion, 'cis-netpol.io/cluster': c.cluster },
    };
    const summary = { pass: n('pass'), fail: n('fail'), warn: n('warn'), error: n('error'), skip: n('skip') };
    const object = flavour === 'openreports'
      ? { apiVersion: 'openreports.io/v1alpha1', kind: 'ClusterReport', metadata, source: SOURCE, summary, results }
      : { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'ClusterPolicyReport', metadata, summary, results };
    return { cluster: c.cluster, object };
  });
}

export function renderPolicyReport(e: Evidence, flavour: ReportFlavour): string {
  const reports = policyReports(e, flavour).map((r) => r.object);
  const doc = reports.length === 1 ? reports[0] : { apiVersion: 'v1', kind: 'List', items: reports };
  return yaml.dump(doc, { noRefs: true, lineWidth: -1 });
}
