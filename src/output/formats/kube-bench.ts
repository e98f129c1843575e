// -o kube-bench: kube-bench's own JSON (`kube-bench --json`: {Controls, Totals}), so tools that
// already ingest kube-bench take ours. One Controls entry for section 5 ("Kubernetes Policies",
// node_type policies, as kube-bench's cfg/cis-1.10/policies.yaml), one group 5.3, and one check
// per cluster and namespace, each with test_number 5.3.2. Field names and the AuditEnv/AuditConfig/
// IsMultiple keys are those kube-bench's Go types marshal (check.Controls, check.Check); CI parses
// this output with those types (test/kube-bench-check). kube-bench states are PASS, FAIL, WARN and
// INFO: EXEMPT and SKIPPED become INFO with the reason, ERROR becomes WARN ("could not carry out").
import { CONTROL, type Evidence, type EvidenceItem } from '../../core/evidence.ts';

/** The CIS benchmark version whose text and numbering these checks follow. */
export const KUBE_BENCH_BENCHMARK = 'cis-1.10';

const STATE: Record<EvidenceItem['verdict'], 'PASS' | 'FAIL' | 'WARN' | 'INFO'> = { PASS: 'PASS', FAIL: 'FAIL', ERROR: 'WARN', EXEMPT: 'INFO', SKIPPED: 'INFO' };

function check(e: Evidence, i: EvidenceItem, multi: boolean) {
  const where = multi ? `${i.cluster}/${i.namespace}` : i.namespace;
  const info = [`kubectl-cis-netpol ${e.toolVersion}, report ${e.apiVersion}, ${e.command}${i.action ? ` ${i.action}` : ''}`];
  if (i.exemption) info.push(`exemption ${i.exemption.state}: ${i.exemption.reason} (owner ${i.exemption.owner}, until ${i.exemption.until}; ${i.exemption.where})`);
  return {
    test_number: CONTROL.id,
    test_desc: `${CONTROL.title} (namespace ${where})`,
    audit: `kubectl cis-netpol audit -n ${i.namespace}${multi ? ` --context ${i.cluster}` : ''}`,
    AuditEnv: '',
    AuditConfig: '',
    type: '',
    remediation: CONTROL.remediation,
    test_info: info,
    status: STATE[i.verdict],
    actual_value: i.policies.length > 0 ? `NetworkPolicies: ${i.policies.join(', ')}` : 'no NetworkPolicy',
    // The benchmark marks 5.3.2 Manual (not scored); this tool automates the check, not the score.
    scored: false,
    IsMultiple: false,
    expected_result: CONTROL.expected,
    reason: `${i.verdict}: ${i.reason}`,
  };
}

export function renderKubeBench(e: Evidence): string {
  const multi = e.clusters.length > 1;
  const results = e.items.map((i) => check(e, i, multi));
  const n = (s: string) => results.filter((r) => r.status === s).length;
  const totals = { total_pass: n('PASS'), total_fail: n('FAIL'), total_warn: n('WARN'), total_info: n('INFO') };
  const versions = [...new Set(e.clusters.map((c) => c.serverVersion).filter((v) => v))];
  const controls = {
    id: '5',
    version: KUBE_BENCH_BENCHMARK,
    ...(versions.length === 1 ? { detected_version: versions[0] } : {}),
    text: 'Kubernetes Policies',
    node_type: 'policies',
    tests: [{ section: CONTROL.section, type: '', pass: totals.total_pass, fail: totals.total_fail, warn: totals.total_warn, info: totals.total_info, desc: CONTROL.sectionText, results }],
    ...totals,
  };
  return `${JSON.stringify({ Controls: [controls], Totals: totals }, null, 2)}\n`;
}
