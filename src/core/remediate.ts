// Remediation: which namespaces get a placeholder, and how each write's outcome is reported. Pure.
import { audit, NOT_FOUND } from './audit.ts';
import { ApiError, outcomeUnknown } from './errors.ts';
import { applyExceptions, type ExceptionRule, type Exemption } from './exceptions.ts';
import type { NetworkPolicy } from './model.ts';
import { placeholderPolicy, type PlaceholderOptions, type TemplateName } from './placeholder.ts';
import { REPORT_API_VERSION, type Snapshot } from './report.ts';
import type { Connectivity } from './refusal.ts';
import type { Scope, SkipReason } from './scope.ts';

export type DryRun = 'none' | 'client' | 'server';

export type RemediateStatus = 'FIXED' | 'PLANNED' | 'PASS' | 'SKIPPED' | 'FAILED' | 'UNKNOWN' | 'ERROR' | 'EXEMPT';

export interface Failure {
  kind: string;
  message: string;
  hint: string;
}

export interface RemediateResult {
  namespace: string;
  status: RemediateStatus;
  reason: string;
  /** The placeholder's name, for FIXED/PLANNED/UNKNOWN. */
  policy?: string;
  skip?: SkipReason;
  error?: Failure;
  /** Filled by the connectivity proof: what this change would deny, open, or cannot vouch for. */
  connectivity?: Connectivity;
  /** EXEMPT: the exception that keeps remediate out of this namespace. */
  exemption?: Exemption;
}

export interface RemediationPlan {
  creates: NetworkPolicy[];
  /** Namespaces decided without a write (PASS, SKIPPED, ERROR). */
  decided: RemediateResult[];
}

/** Exceptions to honour: remediate never writes into a namespace an active exception covers. */
export interface PlanExceptions {
  rules: readonly ExceptionRule[];
  now: Date;
}

export function planRemediation(snapshot: Snapshot, scope: Scope, o: PlaceholderOptions, exceptions?: PlanExceptions): RemediationPlan {
  const judged = audit(snapshot, scope, new Date(0));
  const report = exceptions ? applyExceptions(judged, { ...exceptions, namespaces: snapshot.namespaces }) : judged;
  const creates: NetworkPolicy[] = [];
  const decided: RemediateResult[] = [];
  for (const f of report.findings) {
    if (f.status === 'FAIL') creates.push(placeholderPolicy(f.namespace, o));
    else if (f.status === 'PASS') decided.push({ namespace: f.namespace, status: 'PASS', reason: `Already has ${f.policies.length === 1 ? 'a NetworkPolicy' : `${f.policies.length} NetworkPolicies`} (${f.policies.join(', ')})` });
    else if (f.status === 'EXEMPT') decided.push({ namespace: f.namespace, status: 'EXEMPT', reason: f.reason, ...(f.exemption ? { exemption: f.exemption } : {}) });
    else if (f.status === 'SKIPPED') decided.push({ namespace: f.namespace, status: 'SKIPPED', reason: f.reason, ...(f.skip ? { skip: f.skip } : {}) });
    else decided.push({ namespace: f.namespace, status: 'ERROR', reason: f.reason, error: errorOfFinding(f.namespace, f.reason) });
  }
  return { creates, decided };
}

/** A namespace the audit could not judge: missing (-n names it, it does not exist) or unreadable. */
export function errorOfFinding(namespace: string, reason: string): Failure {
  return reason === NOT_FOUND
    ? { kind: 'NotFound', message: `namespace "${namespace}" not found`, hint: 'check the name given to -n' }
    : { kind: 'Unreadable', message: reason, hint: 'grant "list" on networkpolicies in this namespace; see deploy/rbac.yaml' };
}

export function failureOf(err: ApiError): Failure {
  return { kind: err.kind, message: err.message, hint: err.hint };
}

/** The reported outcome of one create. */
export function createOutcome(p: NetworkPolicy, result: ApiError | undefined, dryRun: DryRun): RemediateResult {
  const namespace = p.metadata.namespace;
  const policy = p.metadata.name;
  if (!result) {
    if (dryRun === 'none') return { namespace, status: 'FIXED', policy, reason: 'Policy applied successfully' };
    return { namespace, status: 'PLANNED', policy, reason: dryRun === 'server' ? 'Policy would be applied (server dry run accepted it)' : 'Policy would be applied (client dry run)' };
  }
  switch (result.kind) {
    case 'AlreadyExists':
      return { namespace, status: 'PASS', reason: `A NetworkPolicy named ${policy} appeared meanwhile (409 AlreadyExists); nothing changed` };
    case 'NotFound':
      return { namespace, status: 'SKIPPED', reason: 'Namespace was deleted meanwhile (404)' };
    case 'NamespaceTerminating':
      return { namespace, status: 'SKIPPED', reason: 'Namespace is terminating (being deleted; takes no new objects)' };
    default:
      if (outcomeUnknown(result)) {
        return { namespace, status: 'UNKNOWN', policy, reason: 'Outcome unknown: the request did not complete; run remediate again to converge', error: failureOf(result) };
      }
      return { namespace, status: 'FAILED', reason: result.message, error: failureOf(result) };
  }
}

/** Not attempted because the run was interrupted or stopped on a fatal error. */
export function notAttempted(p: NetworkPolicy, why: string): RemediateResult {
  return { namespace: p.metadata.namespace, status: 'FAILED', reason: `Not attempted: ${why}`, error: { kind: 'NotAttempted', message: `not attempted: ${why}`, hint: 'run remediate again' } };
}

export interface RemediationSummary {
  total: number;
  alreadyHadPolicy: number;
  applied: number;
  planned: number;
  systemSkipped: number;
  otherSkipped: number;
  failures: number;
  unknown: number;
  /** Kept out by an active exception. */
  exempt?: number;
}

export interface RemediationReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'RemediationReport';
  control: '5.3.2';
  timestamp: string;
  source: Snapshot['source'];
  dryRun: DryRun;
  template: TemplateName;
  policyName: string;
  interrupted: boolean;
  summary: RemediationSummary;
  results: RemediateResult[];
  notes: string[];
}

export function summarise(results: RemediateResult[]): RemediationSummary {
  const n = (pred: (r: RemediateResult) => boolean) => results.filter(pred).length;
  return {
    total: results.length,
    alreadyHadPolicy: n((r) => r.status === 'PASS'),
    applied: n((r) => r.status === 'FIXED'),
    planned: n((r) => r.status === 'PLANNED'),
    systemSkipped: n((r) => r.status === 'SKIPPED' && r.skip?.kind === 'system'),
    otherSkipped: n((r) => r.status === 'SKIPPED' && r.skip?.kind !== 'system'),
    failures: n((r) => r.status === 'FAILED' || r.status === 'ERROR'),
    unknown: n((r) => r.status === 'UNKNOWN'),
    ...(results.some((r) => r.status === 'EXEMPT') ? { exempt: n((r) => r.status === 'EXEMPT') } : {}),
  };
}
