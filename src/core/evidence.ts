// Evidence: the one versioned view every report format (JUnit, kube-bench, SARIF, PolicyReport,
// HTML) is rendered from, whatever the command. Pure. Each command's report says what the command
// did (FIXED, REMOVED, …); evidence says, per cluster and namespace, where CIS 5.3.2 stands after
// it, which is what an auditor or a pipeline asks. The command's own status travels as `action`.
import type { Exemption } from './exceptions.ts';
import type { PruneReport } from './prune.ts';
import type { RemediationReport } from './remediate.ts';
import { REPORT_API_VERSION, type AuditReport, type Snapshot } from './report.ts';
import type { RollbackReport } from './rollback.ts';

export const CONTROL = {
  id: '5.3.2',
  section: '5.3',
  sectionText: 'Network Policies and CNI',
  title: 'Ensure that all Namespaces have NetworkPolicies defined',
  benchmark: 'CIS Kubernetes Benchmark',
  remediation: 'Give the namespace a NetworkPolicy: `kubectl cis-netpol remediate -n NAMESPACE` adds an allow-all placeholder that changes no connection (proved before writing); then replace it with real policies and `kubectl cis-netpol prune`.',
  expected: 'at least one NetworkPolicy in the namespace',
} as const;

export type Verdict = 'PASS' | 'FAIL' | 'EXEMPT' | 'SKIPPED' | 'ERROR';
export type CommandName = 'audit' | 'remediate' | 'rollback' | 'prune';

export interface EvidenceItem {
  /** The kubeconfig context (the cluster's name in a many-cluster run). */
  cluster: string;
  namespace: string;
  verdict: Verdict;
  /** The command's own status for this namespace (FIXED, PLANNED, REMOVED, …); absent for audit. */
  action?: string;
  reason: string;
  policies: string[];
  exemption?: Exemption;
  /** What a connectivity proof found for a write here (remediate, prune); empty when unchanged. */
  connectivity?: { unchanged: boolean; lines: string[] };
}

export interface ClusterRun {
  cluster: string;
  source: Snapshot['source'];
  /** Filled for the HTML report: who ran it (SelfSubjectReview) and the server's version. */
  user?: string;
  groups?: string[];
  serverVersion?: string;
  /** A cluster that could not be checked at all in a many-cluster run. */
  error?: string;
}

export interface Evidence {
  /** The version of the report the evidence was made from (and of this view). */
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'Evidence';
  command: CommandName;
  dryRun: string;
  timestamp: string;
  toolVersion: string;
  clusters: ClusterRun[];
  items: EvidenceItem[];
  summary: Record<Verdict, number>;
  notes: string[];
}

export type CommandReport = AuditReport | RemediationReport | RollbackReport | PruneReport;

export function clusterName(source: Snapshot['source']): string {
  return source.kind === 'cluster' ? source.context : `file:${source.path}`;
}

function fromAudit(r: AuditReport, cluster: string): EvidenceItem[] {
  return r.findings.map((f) => ({
    // COVERED exists only when the user asked cluster-wide policies to count (--count-cluster-policies):
    // the formats carry it as a pass whose reason names the covering policy.
    cluster, namespace: f.namespace, verdict: f.status === 'COVERED' ? 'PASS' : f.status, reason: f.reason, policies: f.policies,
    ...(f.exemption ? { exemption: f.exemption } : {}),
  }));
}

const REMEDIATE_VERDICT: Record<string, Verdict> = {
  FIXED: 'PASS', PASS: 'PASS', PLANNED: 'FAIL', FAILED: 'FAIL', SKIPPED: 'SKIPPED', EXEMPT: 'EXEMPT', ERROR: 'ERROR', UNKNOWN: 'ERROR',
};

function fromRemediation(r: RemediationReport, cluster: string): EvidenceItem[] {
  return r.results.map((x) => {
    const c = x.connectivity;
    const lines = c ? [...c.broken.map((l) => `would deny: ${l}`), ...c.opened.map((l) => `would allow: ${l}`), ...c.unproven.map((l) => `not proven: ${l}`)] : [];
    return {
      cluster, namespace: x.namespace, verdict: REMEDIATE_VERDICT[x.status] ?? 'ERROR', action: x.status, reason: x.reason,
      policies: x.policy && x.status === 'FIXED' ? [x.policy] : [],
      ...(x.exemption ? { exemption: x.exemption } : {}),
      ...(c ? { connectivity: { unchanged: c.unchanged, lines } } : {}),
    };
  });
}

function fromRollback(r: RollbackReport, cluster: string): EvidenceItem[] {
  const failing = new Set(r.namespacesFailingAfter);
  return r.results.map((x) => ({
    cluster, namespace: x.namespace, action: x.status, reason: `${x.policy}: ${x.reason}`, policies: [],
    verdict: x.status === 'FAILED' || x.status === 'UNKNOWN' ? 'ERROR' : failing.has(x.namespace) ? 'FAIL' : 'PASS',
  }));
}

function fromPrune(r: PruneReport, cluster: string): EvidenceItem[] {
  return r.results.map((x) => ({
    cluster, namespace: x.namespace, action: x.status, reason: x.policy ? `${x.policy}: ${x.reason}` : x.reason, policies: x.remaining,
    verdict: x.status === 'REMOVED' || x.status === 'PLANNED' || x.status === 'KEPT' ? 'PASS' : 'ERROR',
    ...(x.connectivity ? { connectivity: { unchanged: x.connectivity.unchanged, lines: x.connectivity.denied.map((l) => `becomes denied: ${l}`) } } : {}),
  }));
}

const COMMANDS: Record<CommandReport['kind'], CommandName> = { AuditReport: 'audit', RemediationReport: 'remediate', RollbackReport: 'rollback', PruneReport: 'prune' };

export function itemsOf(r: CommandReport, cluster = clusterName(r.source)): EvidenceItem[] {
  switch (r.kind) {
    case 'AuditReport': return fromAudit(r, cluster);
    case 'RemediationReport': return fromRemediation(r, cluster);
    case 'RollbackReport': return fromRollback(r, cluster);
    default: return fromPrune(r, cluster);
  }
}

export function summariseVerdicts(items: readonly EvidenceItem[]): Record<Verdict, number> {
  const s: Record<Verdict, number> = { PASS: 0, FAIL: 0, EXEMPT: 0, SKIPPED: 0, ERROR: 0 };
  for (const i of items) s[i.verdict] += 1;
  return s;
}

/** Evidence from the reports of one command over one or more clusters (in the order given). */
export function toEvidence(reports: readonly { report?: CommandReport; run: ClusterRun }[], command: CommandName, toolVersion: string, timestamp: string): Evidence {
  const items = reports.flatMap((x) => (x.report ? itemsOf(x.report, x.run.cluster) : []));
  const first = reports.find((x) => x.report)?.report;
  const dryRun = first && 'dryRun' in first ? first.dryRun : 'none';
  const notes = reports.flatMap((x) => [...(x.report?.notes ?? []), ...(x.run.error ? [`${x.run.cluster}: could not be checked: ${x.run.error}`] : [])]);
  return {
    apiVersion: REPORT_API_VERSION, kind: 'Evidence', command, dryRun, timestamp, toolVersion,
    clusters: reports.map((x) => x.run), items, summary: summariseVerdicts(items), notes,
  };
}

export function commandOf(r: CommandReport): CommandName {
  return COMMANDS[r.kind];
}

/** The evidence of a single-cluster run. */
export function evidenceOf(r: CommandReport, toolVersion: string, extra: Partial<ClusterRun> = {}): Evidence {
  const run: ClusterRun = { cluster: clusterName(r.source), source: r.source, ...extra };
  return toEvidence([{ report: r, run }], commandOf(r), toolVersion, r.timestamp);
}
