// The report formats of -o: each one renderer over the same Evidence (src/core/evidence.ts).
import type { Evidence } from '../../core/evidence.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderKubeBench } from './kube-bench.ts';
import { renderPolicyReport, type ReportFlavour } from './policyreport.ts';
import { renderSarif } from './sarif.ts';

export const REPORT_FORMATS = ['junit', 'kube-bench', 'sarif', 'policyreport', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(f: string): f is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(f);
}

export function renderReport(format: ReportFormat, e: Evidence, flavour: ReportFlavour = 'wgpolicyk8s'): string {
  switch (format) {
    case 'junit': return renderJunit(e);
    case 'kube-bench': return renderKubeBench(e);
    case 'sarif': return renderSarif(e);
    case 'policyreport': return renderPolicyReport(e, flavour);
    default: return renderHtml(e);
  }
}
