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
