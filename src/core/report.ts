// Plain serialisable report types: what every renderer (table, JSON, YAML) and the exit code read.
// JSON/YAML output carries REPORT_API_VERSION; change it when a field changes meaning or goes away.
import type { ClusterPolicy, CniPolicy, NetworkPolicy, Namespace, PolicyApiRead } from './model.ts';
import type { SkipReason } from './scope.ts';
import type { Exemption } from './exceptions.ts';

export const REPORT_API_VERSION = 'cis-netpol.io/v1';

export interface Snapshot {
  source: { kind: 'cluster'; context: string; server: string } | { kind: 'file'; path: string };
  namespaces: Namespace[];
  policies: NetworkPolicy[];
  /** SIG ClusterNetworkPolicy / AdminNetworkPolicy / BaselineAdminNetworkPolicy objects. */
  clusterPolicies: ClusterPolicy[];
  /** Cilium, Calico and Antrea policies. */
  cniPolicies: CniPolicy[];
  /** Every cluster-wide policy API looked for, and whether it was served and read. */
  policyApis: PolicyApiRead[];
  /** Explicitly requested namespaces (-n) that do not exist. */
  missing: string[];
  /** Namespaces whose NetworkPolicies could not be read (e.g. forbidden in the per-namespace fallback). */
  unreadable: { namespace: string; message: string }[];
  /** Things the reader had to do differently, said in every report (e.g. a per-namespace fallback). */
  notes: string[];
}

/** COVERED: no NetworkPolicy, but a cluster-wide policy applies; only with --count-cluster-policies.
 *  EXEMPT: no policy, but an active exception (src/core/exceptions.ts) covers the namespace. */
export type AuditStatus = 'PASS' | 'FAIL' | 'COVERED' | 'SKIPPED' | 'ERROR' | 'EXEMPT';

export type AuditNote =
  | { kind: 'placeholder-only'; policy: string; message: string }
  | { kind: 'placeholder-overrides'; policy: string; overridden: string[]; message: string }
  | { kind: 'legacy-placeholder'; policy: string; message: string }
  /** A cluster-wide policy (SIG tier or CNI kind) applies to pods of the namespace. */
  | { kind: 'covered-by'; policy: string; tier: 'Admin' | 'Baseline' | 'CNI'; message: string };

export interface AuditFinding {
  namespace: string;
  status: AuditStatus;
  /** Names of the NetworkPolicies in the namespace. */
  policies: string[];
  reason: string;
  skip?: SkipReason;
  notes: AuditNote[];
  /** The exception that matched (active, expired or malformed), when one did. */
  exemption?: Exemption;
}

export interface AuditSummary {
  total: number;
  checked: number;
  passed: number;
  failed: number;
  /** Namespaces counted as passing through a cluster-wide policy (--count-cluster-policies). */
  covered: number;
  skipped: number;
  errors: number;
  /** Namespaces EXEMPT by an active exception (present when exceptions were applied). */
  exempt?: number;
}

export interface AuditReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'AuditReport';
  control: '5.3.2';
  timestamp: string;
  source: Snapshot['source'];
  compliant: boolean;
  summary: AuditSummary;
  findings: AuditFinding[];
  notes: string[];
}
