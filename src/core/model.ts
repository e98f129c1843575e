// The plain, serialisable model of the cluster objects the core reasons about.
// Raw client-node objects never enter the core: their typed models rename `from` to `_from`,
// and a dropped `from` silently turns a rule into "allow from everywhere". src/kube converts.

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** `{}` selects everything; an absent selector is represented by `undefined` at the use site. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PolicyPort {
  protocol?: Protocol; // API default: TCP
  port?: number | string; // number or named container port; absent: all ports
  endPort?: number;
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface IngressRule {
  from?: PolicyPeer[]; // absent or empty: all sources
  ports?: PolicyPort[]; // absent or empty: all ports
}

export interface EgressRule {
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: PolicyType[];
  ingress?: IngressRule[];
  egress?: EgressRule[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface NetworkPolicy {
  metadata: ObjectMeta & { namespace: string };
  spec: NetworkPolicySpec;
}

export interface Namespace {
  metadata: ObjectMeta;
  /** Active or Terminating; a namespace with a deletionTimestamp is Terminating. */
  phase: 'Active' | 'Terminating';
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: Protocol;
}

export interface Pod {
  metadata: ObjectMeta & { namespace: string };
  nodeName?: string;
  hostNetwork?: boolean;
  podIPs: string[];
  containerPorts: ContainerPort[];
}

export interface Node {
  metadata: ObjectMeta;
  addresses: string[]; // InternalIP / ExternalIP addresses
}

// ---------------------------------------------------------------------------------------------
// Cluster-wide policy kinds. src/kube converts each API shape into these; the core compiles them
// into the tiered model (core/netpol/tiers.ts).

/**
 * SIG network-policy-api policies in one shape: ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)
 * and the older AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1). ANP is the Admin tier,
 * BANP the Baseline tier (priority 0); v1alpha1's `Allow` is written as `Accept` here.
 */
export type ClusterPolicyKind = 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

export interface NamespacedPodSelector {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}

export type ClusterPolicySubject = { namespaces: LabelSelector } | { pods: NamespacedPodSelector };

export type ClusterPolicyPeer =
  | { namespaces: LabelSelector }
  | { pods: NamespacedPodSelector }
  | { networks: string[] }
  | { nodes: LabelSelector }
  /** Experimental channel: domain names; not modelled, so the proof never claims "unchanged" past it. */
  | { domainNames: string[] }
  /** A peer with no field we know (a newer CRD): the spec says to fail closed. */
  | { unknown: string };

export type ClusterPolicyPort =
  | { protocol: Protocol; port: number; endPort?: number }
  | { namedPort: string };

export type ClusterPolicyAction = 'Accept' | 'Deny' | 'Pass';

export interface ClusterPolicyRule {
  name?: string;
  action: ClusterPolicyAction;
  peers: ClusterPolicyPeer[];
  /** Absent: every port of every protocol. */
  ports?: ClusterPolicyPort[];
}

export interface ClusterPolicy {
  kind: ClusterPolicyKind;
  apiVersion: string;
  metadata: ObjectMeta;
  spec: {
    tier: 'Admin' | 'Baseline';
    priority: number;
    subject: ClusterPolicySubject;
    ingress: ClusterPolicyRule[];
    egress: ClusterPolicyRule[];
  };
}

/** CNI-specific policy kinds: read, shown and (until each is modelled exactly) never proven. */
export type CniPolicyKind =
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy'
  | 'CalicoNetworkPolicy' // projectcalico.org/v3 or crd.projectcalico.org/v1 NetworkPolicy
  | 'CalicoGlobalNetworkPolicy'
  | 'CalicoTier' // projectcalico.org/v3 or crd.projectcalico.org/v1 Tier: no policy, the order of Calico's tiers
  | 'AntreaNetworkPolicy' // crd.antrea.io NetworkPolicy
  | 'AntreaClusterNetworkPolicy'
  // crd.antrea.io Tier: no policy, but it orders the Antrea ones (its spec.priority), so it travels with them.
  | 'AntreaTier';

export interface CniPolicy {
  kind: CniPolicyKind;
  apiVersion: string;
  metadata: ObjectMeta;
  /** The object's spec as plain JSON (custom objects have no typed client-node model). */
  spec: Record<string, unknown>;
}

/** One policy API the snapshot reader looked for, and what came of it. */
export interface PolicyApiRead {
  group: string;
  version: string;
  resource: string;
  kind: ClusterPolicyKind | CniPolicyKind;
  /** served: listed; absent: not served by this cluster; unreadable: served, but the list failed. */
  state: 'served' | 'absent' | 'unreadable';
  count?: number;
  /** unreadable: why, as an error kind (Forbidden, ServerError, Timeout, ...), for the one-line note. */
  reason?: string;
  /** unreadable: what failed and what to grant or do. */
  message?: string;
}
