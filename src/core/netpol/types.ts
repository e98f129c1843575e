// Public, plain and serialisable types of the evaluator. Behaviour lives in the other files.
import type { ClusterPolicy, ClusterPolicyKind, CniPolicy, Namespace, NetworkPolicy, Node, Pod, Protocol } from '../model.ts';
import type { CiliumMode, CniRef } from './compile-cilium.ts';
import type { PortRange } from './ports.ts';

export type Direction = 'Ingress' | 'Egress';

export interface Cluster {
  namespaces: Namespace[];
  /** Namespaces not in `namespaces`, looked up by name (a watch's store: no per-proof map of the cluster). */
  namespaceNamed?: (name: string) => Namespace | undefined;
  pods: Pod[];
  nodes: Node[];
  policies: NetworkPolicy[];
  /** SIG Admin and Baseline tier policies; the same before and after any change we compare. */
  clusterPolicies?: ClusterPolicy[];
  /** CNI-specific policies (Cilium, Calico, Antrea, with Antrea's Tier objects); parts not modelled are left to the proof's notes. Same before and after. */
  cniPolicies?: CniPolicy[];
  /** The Cilium agent's policy enforcement mode (enable-policy); `default` when absent. */
  ciliumMode?: CiliumMode;
}

/**
 * One end of a connection. A pod may name the address it uses (dual-stack pods have two);
 * a bare address that belongs to a pod is that pod, one of a node or hostNetwork pod is node traffic.
 */
export type Endpoint =
  | { kind: 'pod'; namespace: string; name: string; ip?: string }
  | { kind: 'ip'; ip: string };

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}

export interface PodRef {
  namespace: string;
  name: string;
}

export interface PolicyRef {
  namespace: string;
  name: string;
}

/** A SIG cluster-wide policy (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy). */
export interface ClusterPolicyRef {
  kind: ClusterPolicyKind;
  name: string;
  tier: 'Admin' | 'Baseline';
  priority: number;
}

/** What a first-match rule does; Accept (v1alpha2) and Allow (v1alpha1) are both `Allow` here. */
export type TierAction = 'Allow' | 'Deny' | 'Pass';

/** The tiers in evaluation order; `Default` is "no tier decided": allowed. */
export type TierName = 'Admin' | 'Antrea' | 'CiliumDeny' | 'Calico' | 'NetworkPolicy' | 'Baseline' | 'Default';

/** Cilium's part of a NetworkPolicy-tier decision: what isolates, and which allow rules match. */
export interface CniTierFacts {
  isolatedBy: string[];
  allowedBy: string[];
}

/** Who decided a set of ports in one direction. */
export type Decider =
  | { tier: 'Admin' | 'Baseline'; action: 'Allow' | 'Deny'; policy: ClusterPolicyRef; rule: number; ruleName?: string }
  | { tier: 'CiliumDeny'; action: 'Deny'; policy: CniRef; rule: string; text: string }
  // An Antrea-native rule; `antreaTier` is the name of its Tier (baseline included).
  | { tier: 'Antrea'; action: 'Allow' | 'Drop' | 'Reject'; policy: CniRef; rule: string; antreaTier: string; text: string }
  // A Calico rule of tier `calicoTier`, or (no policy/rule) the end of that tier.
  | { tier: 'Calico'; calicoTier: string; action: 'Allow' | 'Deny'; policy?: CniRef; rule?: string; text: string }
  // `cni` only when a Cilium rule selects the pod: the SIG-only shape is unchanged.
  | { tier: 'NetworkPolicy'; action: 'Allow' | 'Deny'; isolatedBy: PolicyRef[]; cni?: CniTierFacts }
  | { tier: 'Default'; action: 'Allow'; passedBy?: { policy: ClusterPolicyRef; rule: number; ruleName?: string }[] };

export interface RuleRef {
  policy: PolicyRef;
  /** Index into the policy's `ingress` or `egress` list. */
  ruleIndex: number;
}

/** What an endpoint turned out to be once resolved against the cluster. */
export type ResolvedEndpoint =
  | { kind: 'pod'; pod: PodRef; address?: string }
  | { kind: 'node'; node?: string; address?: string; hostNetworkPod?: PodRef }
  | { kind: 'external'; address: string };

export type DirectionReason =
  | 'not-a-pod' // the endpoint on this side is not a pod-network pod: nothing to judge
  | 'not-isolated' // no policy selecting the pod isolates it for this direction
  | 'own-node' // ingress from the pod's own node (kubelet probes) is always allowed
  | 'allowed-by-rule'
  | 'no-rule-allows'
  | 'admin-tier-allows' // an Admin-tier rule accepted it before any NetworkPolicy was looked at
  | 'admin-tier-denies'
  | 'baseline-tier-allows' // no NetworkPolicy isolates the pod, and a Baseline-tier rule accepted it
  | 'baseline-tier-denies'
  | 'cilium-denies' // a Cilium ingressDeny/egressDeny rule matched: no allow can override it
  | 'calico-allows' // a Calico rule of the default tier (or the end of that tier) decided
  | 'calico-denies'
  | 'antrea-allows' // an Antrea-native rule decided (before the NetworkPolicies, or in the baseline Tier)
  | 'antrea-denies';

export interface DirectionVerdict {
  direction: Direction;
  /** The pod whose policies judge this direction: the source for egress, the destination for ingress. */
  subject?: PodRef;
  /** Every policy whose podSelector selects the subject, whatever its policyTypes. */
  selectedBy: PolicyRef[];
  /** The selecting policies that isolate the subject for this direction. */
  isolatedBy: PolicyRef[];
  /** The rules of isolating policies that match this peer, port and protocol. */
  allowedBy: RuleRef[];
  ownNode: boolean;
  /** The SIG cluster-wide policies whose subject is this pod, in evaluation order. */
  clusterSelectedBy: ClusterPolicyRef[];
  /** The tier and rule that decided this port; NetworkPolicy facts are the fields above. */
  decidedBy: Decider;
  /** Pass rules that handed this connection on to the next tier. */
  passedBy: { policy: ClusterPolicyRef; rule: number; ruleName?: string }[];
  /** Cilium's part when Cilium rules select the subject: what isolates it, which allow rules match this port. */
  cni?: CniTierFacts;
  /** Derived from the fields above by `directionOutcome`. */
  reason: DirectionReason;
  allowed: boolean;
}

export interface Verdict {
  connection: Connection;
  from: ResolvedEndpoint;
  to: ResolvedEndpoint;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  /** Egress at the source and ingress at the destination must both allow. */
  allowed: boolean;
}

/** An inclusive address range, written as addresses so that the class stays JSON-serialisable. */
export interface TextRange {
  start: string;
  end: string;
}

export type ClassEndpoint =
  | { kind: 'pod'; pod: PodRef; address: string }
  | { kind: 'node'; node?: string; ranges: TextRange[]; description: string }
  | { kind: 'external'; ranges: TextRange[]; description: string };

/** `denied`: allowed before and denied after. `allowed`: denied before and allowed after. */
export type Change = 'denied' | 'allowed';

export interface DenyingSide {
  direction: Direction;
  pod: PodRef;
  /** The policies isolating that pod for that direction, none of whose rules match. */
  isolatedBy: PolicyRef[];
  /** Set when a cluster-wide tier denies: its rules, as text (e.g. "denied by ClusterNetworkPolicy/x rule y (Baseline tier)"). */
  deniedBy?: string[];
}

/** A set of connections that all get the same verdicts, before and after. */
export interface ConnectionClass {
  change: Change;
  family: 'IPv4' | 'IPv6';
  from: ClassEndpoint;
  to: ClassEndpoint;
  protocol: Protocol;
  ports: PortRange;
  /** Which side denies, in the policy set where the class is denied. */
  deniedBy: DenyingSide[];
  description: string;
}

export interface CompareScope {
  /** Only classes with a pod endpoint in one of these namespaces. */
  namespaces?: string[];
  protocols?: Protocol[];
  /** Also report classes denied before and allowed after. */
  includeNewlyAllowed?: boolean;
  /**
   * Stop listing a namespace's changes once this many classes name it (the namespace is then known
   * to change; listing every pair of a large cluster costs time and memory that buy no decision).
   */
  limitPerNamespace?: number;
  /** Policies compiled by earlier comparisons (a compile.ts CompileCache); by default a fresh one per call. */
  compiled?: WeakMap<NetworkPolicy, object>;
}

export interface Comparison {
  denied: ConnectionClass[];
  allowed: ConnectionClass[];
  /** Policy content the API server would reject, and how it was treated. */
  problems: string[];
  /** Namespaces whose listing stopped at `limitPerNamespace`: they change, and there may be more. */
  truncated: string[];
}

export interface NamespaceSummary {
  namespace: string;
  lines: string[];
}
