// CIS 5.3.2 verdicts per namespace, each with its reason. Pure: snapshot + scope in, report out.
import { clusterCoverage, cniCoverage, type Coverage } from './coverage.ts';
import type { Namespace, NetworkPolicy } from './model.ts';
import { isLegacyName, isOurs, templateOf } from './placeholder.ts';
import { REPORT_API_VERSION, type AuditFinding, type AuditNote, type AuditReport, type Snapshot } from './report.ts';
import type { Scope } from './scope.ts';
import { compareText } from './order.ts';

export const NOT_FOUND = 'Namespace not found';

export function policiesByNamespace(policies: NetworkPolicy[]): Map<string, NetworkPolicy[]> {
  const by = new Map<string, NetworkPolicy[]>();
  for (const p of policies) {
    const list = by.get(p.metadata.namespace);
    if (list) list.push(p);
    else by.set(p.metadata.namespace, [p]);
  }
  return by;
}

export interface AuditOptions {
  /** Count a namespace without NetworkPolicies that a cluster-wide policy covers as COVERED (passing). */
  countClusterPolicies?: boolean;
}

function coverageNotes(coverage: Coverage[]): AuditNote[] {
  return coverage.map((c) => ({ kind: 'covered-by' as const, policy: `${c.kind}/${c.name}`, tier: c.tier, message: `covered by ${c.label}` }));
}

function notesFor(policies: NetworkPolicy[], coverage: Coverage[]): AuditNote[] {
  const ours = policies.filter(isOurs);
  const others = policies.filter((p) => !isOurs(p));
  // An allow-all placeholder replaces the Baseline tier for the pods it selects (the NetworkPolicy
  // tier comes first); the Admin tier and a placeholder that selects no pod override nothing.
  const baseline = coverage.filter((c) => c.tier === 'Baseline' && c.denies).map((c) => `${c.kind}/${c.name}`);
  const notes: AuditNote[] = [];
  for (const p of ours) {
    const name = p.metadata.name;
    const selectsNone = templateOf(p) === 'select-none';
    const overridden = selectsNone ? [] : [...others.map((o) => o.metadata.name), ...baseline];
    if (overridden.length === 0) {
      const what = selectsNone ? ', which selects no pod and enforces nothing' : '';
      if (others.length === 0) notes.push({ kind: 'placeholder-only', policy: name, message: `only policy is the cis-netpol placeholder ${name}${what}` });
    } else {
      const n = overridden.length;
      const tiers = baseline.length > 0 ? ` incl. Baseline-tier ${baseline.join(', ')}` : '';
      notes.push({
        kind: 'placeholder-overrides',
        policy: name,
        overridden,
        message: `placeholder overrides ${n} stricter ${n === 1 ? 'policy' : 'policies'}${tiers} (policies are additive; remove it with \`kubectl cis-netpol prune\`)`,
      });
    }
  }
  for (const p of others) {
    if (isLegacyName(p.metadata.name)) {
      notes.push({ kind: 'legacy-placeholder', policy: p.metadata.name, message: `${p.metadata.name} looks like an older toolkit's placeholder (not created by cis-netpol)` });
    }
  }
  return notes;
}

function coverageOf(snapshot: Snapshot, ns: Namespace): Coverage[] {
  return [...clusterCoverage(snapshot.clusterPolicies, ns), ...cniCoverage(snapshot.cniPolicies, ns)];
}

export function audit(snapshot: Snapshot, scope: Scope, now: Date, o: AuditOptions = {}): AuditReport {
  const by = policiesByNamespace(snapshot.policies);
  const findings: AuditFinding[] = [];
  const unreadable = new Map(snapshot.unreadable.map((u) => [u.namespace, u.message]));
  for (const ns of [...snapshot.namespaces].sort((a, b) => compareText(a.metadata.name, b.metadata.name))) {
    const name = ns.metadata.name;
    const policies = (by.get(name) ?? []).map((p) => p.metadata.name).sort();
    const skip = scope.skipReason(ns);
    if (skip) {
      findings.push({ namespace: name, status: 'SKIPPED', policies, reason: skip.message, skip, notes: [] });
    } else if (unreadable.has(name)) {
      findings.push({ namespace: name, status: 'ERROR', policies, reason: `Could not read NetworkPolicies: ${unreadable.get(name)}`, notes: [] });
    } else if (policies.length > 0) {
      const n = policies.length;
      findings.push({ namespace: name, status: 'PASS', policies, reason: `${n} NetworkPolicy${n === 1 ? '' : ' objects'} defined`, notes: notesFor(by.get(name) ?? [], coverageOf(snapshot, ns)) });
    } else {
      const coverage = coverageOf(snapshot, ns);
      const notes = coverageNotes(coverage);
      if (o.countClusterPolicies && coverage.length > 0) {
        findings.push({ namespace: name, status: 'COVERED', policies, reason: `No NetworkPolicy; covered by ${coverage.map((c) => c.label).join(', ')}`, notes });
      } else {
        findings.push({ namespace: name, status: 'FAIL', policies, reason: 'No NetworkPolicy defined', notes });
      }
    }
  }
  for (const name of snapshot.missing) {
    findings.push({ namespace: name, status: 'ERROR', policies: [], reason: NOT_FOUND, notes: [] });
  }
  const count = (s: AuditFinding['status']) => findings.filter((f) => f.status === s).length;
  const summary = {
    total: findings.length,
    checked: count('PASS') + count('FAIL') + count('COVERED'),
    passed: count('PASS'),
    failed: count('FAIL'),
    covered: count('COVERED'),
    skipped: count('SKIPPED'),
    errors: count('ERROR'),
  };
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'AuditReport',
    control: '5.3.2',
    timestamp: now.toISOString(),
    source: snapshot.source,
    compliant: summary.failed === 0 && summary.errors === 0,
    summary,
    findings,
    notes: snapshot.notes,
  };
}
