// fast-check generators for small random clusters, policies and connections. The value pools are
// chosen so that generated selectors, CIDRs and ports often hit generated pods and addresses.
import fc from 'fast-check';
import type {
  ClusterPolicy, ClusterPolicyPeer, ClusterPolicyPort, ClusterPolicyRule, ClusterPolicySubject, ContainerPort, LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, Protocol,
} from '../../../src/core/model.ts';
import type { Cluster, Connection, Endpoint } from '../../../src/core/netpol/index.ts';
import { node, ns, pod, policy } from './fixtures.ts';

export const NAMESPACES = ['a', 'b', 'c'] as const;
const PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];
const CIDRS: PolicyPeer['ipBlock'][] = [
  { cidr: '10.244.0.0/24' },
  { cidr: '10.244.0.8/29', except: ['10.244.0.12/31'] },
  { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] },
  { cidr: '0.0.0.0/0' },
  { cidr: '10.0.0.4/30' },
  { cidr: '169.254.0.0/16' },
  { cidr: '::/0' },
  { cidr: 'fd00:244::/64', except: ['fd00:244::10/127'] },
];
export const ADDRESSES = ['8.8.8.8', '10.0.0.5', '10.0.0.6', '10.1.2.3', '169.254.20.10', '10.244.0.9', '10.244.0.12', '2001:db8::1', 'fd00:244::99'];
const CONTAINER_PORTS: ContainerPort[] = [
  { name: 'http', containerPort: 8080 },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'http', containerPort: 80, protocol: 'SCTP' },
];

const selector: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant<LabelSelector>({}),
  fc.constantFrom('web', 'db', 'api').map((app) => ({ matchLabels: { app } })),
  fc.constant<LabelSelector>({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }),
  fc.constant<LabelSelector>({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }),
);
const nsSelector: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant({}),
  fc.constantFrom('red', 'blue').map((team) => ({ matchLabels: { team } })),
  fc.constantFrom(...NAMESPACES).map((n) => ({ matchLabels: { 'kubernetes.io/metadata.name': n } })),
);
const peer: fc.Arbitrary<PolicyPeer> = fc.oneof(
  selector.map((podSelector) => ({ podSelector })),
  nsSelector.map((namespaceSelector) => ({ namespaceSelector })),
  fc.tuple(nsSelector, selector).map(([namespaceSelector, podSelector]) => ({ namespaceSelector, podSelector })),
  fc.constantFrom(...CIDRS).map((ipBlock) => ({ ipBlock: ipBlock! })),
);
const port: fc.Arbitrary<PolicyPort> = fc.record(
  {
    protocol: fc.constantFrom(...PROTOCOLS),
    port: fc.constantFrom<number | string>(53, 80, 443, 8080, 'http', 'dns'),
    endPort: fc.constantFrom(90, 8443),
  },
  { requiredKeys: [] },
).map((p) => (typeof p.port === 'number' && p.endPort && p.endPort >= p.port ? p : { ...p, endPort: undefined }))
  .map(({ endPort, ...rest }) => (endPort === undefined ? rest : { ...rest, endPort }));
const rule = fc.record({ peers: fc.option(fc.array(peer, { maxLength: 2 })), ports: fc.option(fc.array(port, { maxLength: 2 })) });

export const policyArb = (namespaces: readonly string[] = NAMESPACES, name = 'p'): fc.Arbitrary<NetworkPolicy> =>
  fc
    .record({
      namespace: fc.constantFrom(...namespaces),
      suffix: fc.nat(999),
      podSelector: selector,
      policyTypes: fc.option(fc.constantFrom<('Ingress' | 'Egress')[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress'])),
      ingress: fc.option(fc.array(rule, { maxLength: 2 })),
      egress: fc.option(fc.array(rule, { maxLength: 2 })),
    })
    .map((r) =>
      policy(r.namespace, `${name}-${r.suffix}`, {
        podSelector: r.podSelector,
        ...(r.policyTypes ? { policyTypes: r.policyTypes } : {}),
        ...(r.ingress ? { ingress: r.ingress.map((x) => ({ ...(x.peers ? { from: x.peers } : {}), ...(x.ports ? { ports: x.ports } : {}) })) } : {}),
        ...(r.egress ? { egress: r.egress.map((x) => ({ ...(x.peers ? { to: x.peers } : {}), ...(x.ports ? { ports: x.ports } : {}) })) } : {}),
      }),
    );

const podSpec = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom('web', 'db', 'api')),
  tier: fc.boolean(),
  onN1: fc.boolean(),
  host: fc.integer({ min: 0, max: 9 }),
  dualStack: fc.boolean(),
  ports: fc.subarray(CONTAINER_PORTS),
});

export const clusterArb: fc.Arbitrary<Cluster> = fc
  .record({
    teams: fc.array(fc.constantFrom('red', 'blue', undefined), { minLength: 3, maxLength: 3 }),
    pods: fc.array(podSpec, { minLength: 1, maxLength: 6 }),
    policies: fc.array(policyArb(), { maxLength: 3 }),
  })
  .map(({ teams, pods, policies }) => ({
    namespaces: NAMESPACES.map((n, i) => ns(n, teams[i] ? { team: teams[i]! } : {})),
    nodes: [node('n1', '10.0.0.5', 'fd00::5'), node('n2', '10.0.0.6')],
    pods: pods.map((p, i) => {
      // One pod in ten is a hostNetwork pod, with its node's address.
      const hostNetwork = p.host === 0;
      const nodeName = p.onN1 ? 'n1' : 'n2';
      const ip = hostNetwork ? (p.onN1 ? '10.0.0.5' : '10.0.0.6') : p.dualStack ? [`10.244.0.${10 + i}`, `fd00:244::${(16 + i).toString(16)}`] : `10.244.0.${10 + i}`;
      const labels = { ...(p.app ? { app: p.app } : {}), ...(p.tier ? { tier: 'x' } : {}) };
      return pod(p.namespace, `p${i}`, { labels, ip, node: nodeName, hostNetwork, ports: p.ports });
    }),
    policies,
  }));

export function connectionArb(cluster: Cluster): fc.Arbitrary<Connection> {
  const endpoint: fc.Arbitrary<Endpoint> = fc.oneof(
    fc.constantFrom(...cluster.pods).map((p): Endpoint => ({ kind: 'pod', namespace: p.metadata.namespace, name: p.metadata.name })),
    fc.constantFrom(...ADDRESSES, ...cluster.pods.flatMap((p) => p.podIPs)).map((ip): Endpoint => ({ kind: 'ip', ip })),
  );
  return fc.record({
    from: endpoint,
    to: endpoint,
    port: fc.oneof(fc.constantFrom(53, 79, 80, 81, 90, 91, 443, 8080, 8443), fc.integer({ min: 1, max: 65535 })),
    protocol: fc.constantFrom(...PROTOCOLS),
  });
}

// ---------------------------------------------------------------------------------------------
// SIG cluster-wide policies: small random Admin and Baseline policies over the same pools.

const clusterPeer: fc.Arbitrary<ClusterPolicyPeer> = fc.oneof(
  nsSelector.map((namespaces) => ({ namespaces })),
  fc.tuple(nsSelector, selector).map(([namespaceSelector, podSelector]) => ({ pods: { namespaceSelector, podSelector } })),
  fc.constantFrom<string[]>(['10.244.0.0/24'], ['0.0.0.0/0'], ['10.0.0.4/30', '169.254.0.0/16'], ['::/0']).map((networks) => ({ networks: [...networks] })),
  fc.constantFrom<LabelSelector>({}, { matchLabels: { zone: 'a' } }).map((nodes) => ({ nodes })),
);
const clusterPort: fc.Arbitrary<ClusterPolicyPort> = fc.oneof(
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constantFrom(53, 80, 443, 8080) }),
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constantFrom(53, 80), endPort: fc.constantFrom(90, 8443) }),
  fc.constantFrom('http', 'dns').map((namedPort) => ({ namedPort })),
);
const clusterRule = (direction: 'Ingress' | 'Egress', tier: 'Admin' | 'Baseline'): fc.Arbitrary<ClusterPolicyRule> =>
  fc.record({
    action: fc.constantFrom<ClusterPolicyRule['action']>('Accept', 'Deny', ...(tier === 'Admin' ? (['Pass'] as const) : (['Pass'] as const))),
    // Ingress peers are namespaces and pods only.
    peers: fc.array(direction === 'Ingress' ? clusterPeer.filter((p) => 'namespaces' in p || 'pods' in p) : clusterPeer, { minLength: 1, maxLength: 2 }),
    ports: fc.option(fc.array(clusterPort, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }).map(({ ports, ...r }) => (ports ? { ...r, ports } : r));

export const clusterPolicyArb: fc.Arbitrary<ClusterPolicy> = fc.constantFrom<'Admin' | 'Baseline'>('Admin', 'Baseline').chain((tier) =>
  fc.record({
    suffix: fc.nat(999),
    priority: fc.constantFrom(1, 5, 10, 20, 30),
    subject: fc.oneof(nsSelector.map((namespaces): ClusterPolicySubject => ({ namespaces })), fc.tuple(nsSelector, selector).map(([namespaceSelector, podSelector]): ClusterPolicySubject => ({ pods: { namespaceSelector, podSelector } }))),
    ingress: fc.array(clusterRule('Ingress', tier), { maxLength: 2 }),
    egress: fc.array(clusterRule('Egress', tier), { maxLength: 2 }),
  }).map((r) => ({
    kind: 'ClusterNetworkPolicy' as const,
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    metadata: { name: `${tier.toLowerCase()}-${r.suffix}` },
    spec: { tier, priority: r.priority, subject: r.subject, ingress: r.ingress, egress: r.egress },
  })),
);

/** A cluster with up to four distinct-priority cluster-wide policies (ties are a separate case). */
export const tieredClusterArb: fc.Arbitrary<Cluster> = fc.tuple(clusterArb, fc.array(clusterPolicyArb, { maxLength: 4 })).map(([cluster, cps]) => {
  const seen = new Set<string>();
  const clusterPolicies = cps.filter((p) => {
    const key = `${p.spec.tier}|${p.spec.priority}`;
    if (seen.has(key) || seen.has(p.metadata.name)) return false;
    seen.add(key);
    seen.add(p.metadata.name);
    return true;
  });
  return { ...cluster, nodes: cluster.nodes.map((n) => (n.metadata.name === 'n1' ? { ...n, metadata: { ...n.metadata, labels: { zone: 'a' } } } : n)), clusterPolicies };
});
