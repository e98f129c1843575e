// CIS 5.3.1: what enforces NetworkPolicies, judged from API objects only (no node access).
// Plain serialisable types: the evidence the shell reads, and the verdict with its reasons.

/** One container of a DaemonSet's pod template: its command and args joined (flags may be in either). */
export interface ContainerEvidence {
  name: string;
  image: string;
  args: string[];
}

export interface DaemonSetEvidence {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: ContainerEvidence[];
  /** From status, when a controller has written it (not on an API server without one). */
  desired?: number;
  ready?: number;
}

/** A ConfigMap looked for by name: found (only the keys the rules read), absent, or unreadable. */
export type ConfigMapRead =
  | { namespace: string; name: string; state: 'found'; data: Record<string, string> }
  | { namespace: string; name: string; state: 'absent' }
  | { namespace: string; name: string; state: 'unreadable'; message: string };

export interface CniEvidence {
  daemonSets: DaemonSetEvidence[];
  /** Where DaemonSets could not be listed (forbidden cluster-wide and in a known namespace). */
  unreadable: { namespace: string; message: string }[];
  configMaps: ConfigMapRead[];
  /** The server's gitVersion (k3s, for one, shows there and nowhere else). */
  serverVersion?: string;
  /** What the reader had to do differently (e.g. per-namespace lists). */
  notes: string[];
}

/** One component's part in the verdict. */
export type Enforcement = 'enforces' | 'does-not-enforce' | 'undetermined';

export interface CniFinding {
  /** The product, e.g. "Calico", "Cilium", "AWS VPC CNI". */
  cni: string;
  enforcement: Enforcement;
  /** Why this component does, does not, or may enforce. */
  reason: string;
  /** The objects and fields the reason rests on. */
  evidence: string[];
}

export type CniVerdict = 'ENFORCED' | 'NOT ENFORCED' | 'UNKNOWN';

export interface CniJudgement {
  verdict: CniVerdict;
  /** The enforcing products (ENFORCED only). */
  enforcedBy: string[];
  /** One line: the verdict and the deciding reason. */
  summary: string;
  /** What to do next (empty when enforced). */
  hint: string;
  findings: CniFinding[];
  /** Every DaemonSet seen, namespace/name. */
  seen: string[];
  unreadable: { namespace: string; message: string }[];
  notes: string[];
}
