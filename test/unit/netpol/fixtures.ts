// A named catalogue of cluster fixtures and NetworkPolicy builders for the evaluator tests.
// Builders mirror the API objects; defaults are the ones a real cluster would have.
import type {
  ClusterPolicy, ClusterPolicyKind, ClusterPolicyPeer, ClusterPolicyRule, ClusterPolicySubject, CniPolicy, ContainerPort, EgressRule, IngressRule, LabelSelector, Namespace, NetworkPolicy, Node, Pod, PolicyPeer, PolicyPort, PolicyType, Protocol,
} from '../../../src/core/model.ts';
import { createEvaluator, type Cluster, type Connection, type Endpoint } from '../../../src/core/netpol/index.ts';

export function ns(name: string, labels: Record<string, string> = {}): Namespace {
  return { metadata: { name, labels }, phase: 'Active' };
}

export interface PodOptions {
  labels?: Record<string, string>;
  ip?: string | string[];
  node?: string;
  hostNetwork?: boolean;
  ports?: ContainerPort[];
}

export function pod(namespace: string, name: string, o: PodOptions = {}): Pod {
  return {
    metadata: { name, namespace, labels: o.labels ?? {} },
    ...(o.node === undefined ? {} : { nodeName: o.node }),
    ...(o.hostNetwork ? { hostNetwork: true } : {}),
    podIPs: o.ip === undefined ? [] : Array.isArray(o.ip) ? o.ip : [o.ip],
    containerPorts: o.ports ?? [],
  };
}

export function node(name: string, ...addresses: string[]): Node {
  return { metadata: { name }, addresses };
}

export interface PolicySpecOptions {
  podSelector?: LabelSelector;
  policyTypes?: PolicyType[];
  ingress?: IngressRule[];
  egress?: EgressRule[];
}

export function policy(namespace: string, name: string, spec: PolicySpecOptions): NetworkPolicy {
  return {
    metadata: { name, namespace },
    spec: {
      podSelector: spec.podSelector ?? {},
      ...(spec.policyTypes ? { policyTypes: spec.policyTypes } : {}),
      ...(spec.ingress ? { ingress: spec.ingress } : {}),
      ...(spec.egress ? { egress: spec.egress } : {}),
    },
  };
}

// Peers and ports, named as in the API.
export const podSel = (matchLabels: Record<string, string>): PolicyPeer => ({ podSelector: { matchLabels } });
export const nsSel = (matchLabels: Record<string, string>): PolicyPeer => ({ namespaceSelector: { matchLabels } });
export const cidr = (block: string, except?: string[]): PolicyPeer => ({ ipBlock: { cidr: block, ...(except ? { except } : {}) } });
export const tcp = (port: number | string, endPort?: number): PolicyPort => ({ protocol: 'TCP', port, ...(endPort ? { endPort } : {}) });
export const udp = (port: number | string): PolicyPort => ({ protocol: 'UDP', port });
export const sctp = (port: number | string): PolicyPort => ({ protocol: 'SCTP', port });

export const podAt = (namespace: string, name: string, ip?: string): Endpoint => ({ kind: 'pod', namespace, name, ...(ip ? { ip } : {}) });
export const ipAt = (ip: string): Endpoint => ({ kind: 'ip', ip });
export const conn = (from: Endpoint, to: Endpoint, port = 80, protocol: Protocol = 'TCP'): Connection => ({ from, to, port, protocol });

// The catalogue of policies: the concept page's examples and this tool's two templates.
export const catalogue = {
  allowAll: (namespace: string) =>
    policy(namespace, 'allow-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] }),
  clusterInternal: (namespace: string) =>
    policy(namespace, 'cluster-internal', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }],
      egress: [{ to: [{ namespaceSelector: {} }, { podSelector: {} }] }],
    }),
  defaultDenyIngress: (namespace: string) => policy(namespace, 'default-deny-ingress', { policyTypes: ['Ingress'] }),
  defaultDenyEgress: (namespace: string) => policy(namespace, 'default-deny-egress', { policyTypes: ['Egress'] }),
  defaultDenyAll: (namespace: string) => policy(namespace, 'default-deny-all', { policyTypes: ['Ingress', 'Egress'] }),
  allowAllIngress: (namespace: string) => policy(namespace, 'allow-all-ingress', { policyTypes: ['Ingress'], ingress: [{}] }),
  allowAllEgress: (namespace: string) => policy(namespace, 'allow-all-egress', { policyTypes: ['Egress'], egress: [{}] }),
  // The concept page's "test-network-policy" for role=db in namespace default.
  conceptPage: () =>
    policy('default', 'test-network-policy', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [cidr('172.17.0.0/16', ['172.17.1.0/24']), nsSel({ project: 'myproject' }), podSel({ role: 'frontend' })],
          ports: [tcp(6379)],
        },
      ],
      egress: [{ to: [cidr('10.0.0.0/24')], ports: [tcp(5978)] }],
    }),
};

/** The upstream e2e model: namespaces x, y, z, each with pods a, b, c serving 80 and 81 on every protocol. */
export function e2eModel(): Cluster {
  const ports: ContainerPort[] = (['TCP', 'UDP', 'SCTP'] as const).flatMap((protocol) =>
    [80, 81].map((p) => ({ name: `serve-${p}-${protocol.toLowerCase()}`, containerPort: p, protocol })),
  );
  const namespaces = ['x', 'y', 'z'].map((n) => ns(n, { ns: n }));
  const pods = ['x', 'y', 'z'].flatMap((n, i) =>
    ['a', 'b', 'c'].map((p, j) => pod(n, p, { labels: { pod: p }, ip: `10.244.${i}.${j + 10}`, node: j === 0 ? 'n1' : 'n2', ports })),
  );
  return { namespaces, pods, nodes: [node('n1', '10.0.0.5'), node('n2', '10.0.0.6')], policies: [] };
}

export function withPolicies(cluster: Cluster, ...policies: NetworkPolicy[]): Cluster {
  return { ...cluster, policies: [...cluster.policies, ...policies] };
}

// ---------------------------------------------------------------------------------------------
// SIG cluster-wide policies (ClusterNetworkPolicy v1alpha2 in the model's shape).

export interface CnpOptions {
  kind?: ClusterPolicyKind;
  subject?: ClusterPolicySubject;
  ingress?: ClusterPolicyRule[];
  egress?: ClusterPolicyRule[];
}

export function cnp(name: string, tier: 'Admin' | 'Baseline', priority: number, o: CnpOptions = {}): ClusterPolicy {
  return {
    kind: o.kind ?? 'ClusterNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    metadata: { name },
    spec: { tier, priority, subject: o.subject ?? { namespaces: {} }, ingress: o.ingress ?? [], egress: o.egress ?? [] },
  };
}

export const inNamespaces = (matchLabels: Record<string, string> = {}): ClusterPolicySubject => ({ namespaces: { matchLabels } });
export const podsIn = (namespaceLabels: Record<string, string>, podLabels: Record<string, string>): ClusterPolicySubject => ({
  pods: { namespaceSelector: { matchLabels: namespaceLabels }, podSelector: { matchLabels: podLabels } },
});
export const fromNamespaces = (matchLabels: Record<string, string> = {}): ClusterPolicyPeer => ({ namespaces: { matchLabels } });
export const fromPods = (namespaceLabels: Record<string, string>, podLabels: Record<string, string>): ClusterPolicyPeer => ({
  pods: { namespaceSelector: { matchLabels: namespaceLabels }, podSelector: { matchLabels: podLabels } },
});
export const networks = (...cidrs: string[]): ClusterPolicyPeer => ({ networks: cidrs });
export const nodes = (matchLabels: Record<string, string> = {}): ClusterPolicyPeer => ({ nodes: { matchLabels } });
export const rule = (action: ClusterPolicyRule['action'], peers: ClusterPolicyPeer[], ports?: ClusterPolicyRule['ports'], name?: string): ClusterPolicyRule => ({
  action, peers, ...(ports ? { ports } : {}), ...(name ? { name } : {}),
});

// ---------------------------------------------------------------------------------------------
// The small world of the CNI table tests (Calico, Antrea): a web pod with a named port, a db, a
// client in another namespace and CoreDNS, on node n1 (10.0.0.5).

export function cniWorld(cni: CniPolicy[], policies: NetworkPolicy[] = []): Cluster {
  return {
    namespaces: [ns('shop', { team: 'red' }), ns('dev'), ns('kube-system')],
    nodes: [node('n1', '10.0.0.5')],
    pods: [
      pod('shop', 'web', { labels: { app: 'web' }, ip: '10.244.0.10', node: 'n1', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('shop', 'db', { labels: { app: 'db' }, ip: '10.244.0.11', node: 'n1' }),
      pod('dev', 'client', { labels: { app: 'client' }, ip: '10.244.0.20', node: 'n1' }),
      pod('kube-system', 'coredns', { labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.30', node: 'n1' }),
    ],
    policies,
    cniPolicies: cni,
  };
}
export const at = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });
export const ip = (address: string): Endpoint => ({ kind: 'ip', ip: address });
export const verdict = (c: Cluster, from: Endpoint, to: Endpoint, port = 8080, protocol: 'TCP' | 'UDP' = 'TCP') => createEvaluator(c).evaluate({ from, to, port, protocol });
export const allowed = (c: Cluster, from: Endpoint, to: Endpoint, port?: number, protocol?: 'TCP' | 'UDP') => verdict(c, from, to, port, protocol).allowed;
