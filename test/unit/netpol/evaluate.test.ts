// One line per rule: the concept page's statements and the upstream e2e scenarios, as our own cases.
import assert from 'node:assert/strict';
import type { NetworkPolicy } from '../../../src/core/model.ts';
import { evaluate, explainVerdict, EndpointError, type Cluster, type Connection, type DirectionReason } from '../../../src/core/netpol/index.ts';
import {
  catalogue, cidr, conn, e2eModel, ipAt, node, ns, nsSel, pod, podAt, podSel, policy, sctp, tcp, udp, withPolicies,
} from './fixtures.ts';

const x = (n: string) => podAt('x', n);
const y = (n: string) => podAt('y', n);
const z = (n: string) => podAt('z', n);
const ingressTo = (namespace: string, name: string, pods: Record<string, string>, from: NonNullable<NetworkPolicy['spec']['ingress']>[number]) =>
  policy(namespace, name, { podSelector: { matchLabels: pods }, policyTypes: ['Ingress'], ingress: [from] });
const egressFrom = (namespace: string, name: string, pods: Record<string, string>, to: NonNullable<NetworkPolicy['spec']['egress']>[number]) =>
  policy(namespace, name, { podSelector: { matchLabels: pods }, policyTypes: ['Egress'], egress: [to] });

// A cluster for the concept page example: role=db in default, a frontend, a project namespace.
function conceptCluster(): Cluster {
  return {
    namespaces: [ns('default'), ns('myproject', { project: 'myproject' }), ns('other')],
    pods: [
      pod('default', 'db', { labels: { role: 'db' }, ip: '10.244.5.2', node: 'n1' }),
      pod('default', 'frontend', { labels: { role: 'frontend' }, ip: '10.244.5.3', node: 'n1' }),
      pod('default', 'backend', { labels: { role: 'backend' }, ip: '10.244.5.4', node: 'n1' }),
      pod('myproject', 'client', { labels: { app: 'client' }, ip: '10.244.6.2', node: 'n1' }),
      pod('other', 'frontend', { labels: { role: 'frontend' }, ip: '10.244.7.2', node: 'n1' }),
    ],
    nodes: [node('n1', '10.0.0.5')],
    policies: [catalogue.conceptPage()],
  };
}

function dualStack(): Cluster {
  return {
    namespaces: [ns('d')],
    pods: [
      pod('d', 'server', { labels: { app: 'server' }, ip: ['10.244.9.2', 'fd00:244::2'], node: 'n1' }),
      pod('d', 'client', { labels: { app: 'client' }, ip: ['10.244.9.3', 'fd00:244::3'], node: 'n1' }),
    ],
    nodes: [node('n1', '10.0.0.5', 'fd00::5')],
    policies: [],
  };
}

function withHostNetwork(): Cluster {
  const c = e2eModel();
  return {
    ...c,
    pods: [
      ...c.pods,
      pod('kube-system', 'apiserver', { labels: { component: 'kube-apiserver' }, ip: '10.0.0.5', node: 'n1', hostNetwork: true }),
      pod('kube-system', 'proxy-n2', { labels: { component: 'kube-proxy' }, ip: '10.0.0.6', node: 'n2', hostNetwork: true }),
      pod('kube-system', 'nodelocaldns', { labels: { k8s: 'nodelocaldns' }, ip: '10.0.0.99', node: 'n2', hostNetwork: true }),
    ],
    namespaces: [...c.namespaces, ns('kube-system')],
  };
}

interface Case {
  rule: string;
  policies: NetworkPolicy[];
  connection: Connection;
  allowed: boolean;
  egress?: DirectionReason;
  ingress?: DirectionReason;
  allowedBy?: string[];
  cluster?: () => Cluster;
}

const denyIngressX = catalogue.defaultDenyIngress('x');
const allowFromB = ingressTo('x', 'allow-b', { pod: 'a' }, { from: [podSel({ pod: 'b' })] });
const ports = (...p: NonNullable<NetworkPolicy['spec']['ingress']>[number]['ports'] & object) => ingressTo('x', 'ports', { pod: 'a' }, { ports: p });

const cases: Case[] = [
  // Isolation and defaults
  { rule: 'no policy: pods are not isolated, all traffic flows', policies: [], connection: conn(y('b'), x('a')), allowed: true, egress: 'not-isolated', ingress: 'not-isolated' },
  { rule: 'default-deny-ingress isolates every pod of the namespace for ingress', policies: [denyIngressX], connection: conn(y('b'), x('a')), allowed: false, ingress: 'no-rule-allows' },
  { rule: 'default-deny-ingress denies UDP too', policies: [denyIngressX], connection: conn(y('b'), x('a'), 80, 'UDP'), allowed: false },
  { rule: 'default-deny-ingress denies SCTP too', policies: [denyIngressX], connection: conn(y('b'), x('a'), 81, 'SCTP'), allowed: false },
  { rule: 'default-deny-ingress leaves egress of the namespace alone', policies: [denyIngressX], connection: conn(x('a'), y('b')), allowed: true, egress: 'not-isolated' },
  { rule: 'default-deny-ingress denies traffic between pods of the same namespace', policies: [denyIngressX], connection: conn(x('b'), x('a')), allowed: false, egress: 'not-isolated', ingress: 'no-rule-allows' },
  { rule: 'default-deny-egress isolates every pod for egress', policies: [catalogue.defaultDenyEgress('x')], connection: conn(x('a'), y('b')), allowed: false, egress: 'no-rule-allows', ingress: 'not-isolated' },
  { rule: 'default-deny-egress leaves ingress alone', policies: [catalogue.defaultDenyEgress('x')], connection: conn(y('b'), x('a')), allowed: true },
  { rule: 'default-deny-all denies both directions', policies: [catalogue.defaultDenyAll('x')], connection: conn(x('a'), x('b')), allowed: false, egress: 'no-rule-allows', ingress: 'no-rule-allows' },
  { rule: 'allow-all-ingress ([{}]) allows every source', policies: [catalogue.allowAllIngress('x')], connection: conn(ipAt('203.0.113.7'), x('a')), allowed: true, ingress: 'allowed-by-rule', allowedBy: ['x/allow-all-ingress ingress 0'] },
  { rule: 'allow-all egress ([{}]) allows the internet', policies: [catalogue.allowAllEgress('x')], connection: conn(x('a'), ipAt('8.8.8.8'), 443), allowed: true, egress: 'allowed-by-rule' },
  { rule: 'policies are additive: allow-all ingress wins over default deny', policies: [denyIngressX, catalogue.allowAllIngress('x')], connection: conn(z('c'), x('a')), allowed: true, allowedBy: ['x/allow-all-ingress ingress 0'] },
  { rule: 'policies are additive: allow-all egress wins over default deny', policies: [catalogue.defaultDenyEgress('x'), catalogue.allowAllEgress('x')], connection: conn(x('a'), z('c')), allowed: true },
  { rule: 'policyTypes absent with only ingress rules isolates ingress only', policies: [policy('x', 'p', { ingress: [{ from: [podSel({ pod: 'b' })] }] })], connection: conn(x('a'), ipAt('8.8.8.8')), allowed: true, egress: 'not-isolated' },
  { rule: 'policyTypes absent with egress rules isolates egress too', policies: [policy('x', 'p', { egress: [{ to: [podSel({ pod: 'b' })] }] })], connection: conn(x('a'), ipAt('8.8.8.8')), allowed: false, egress: 'no-rule-allows' },
  { rule: 'policyTypes absent always includes Ingress', policies: [policy('x', 'p', { egress: [{ to: [podSel({ pod: 'b' })] }] })], connection: conn(y('a'), x('a')), allowed: false, ingress: 'no-rule-allows' },
  { rule: 'policyTypes absent with an empty egress list does not isolate egress', policies: [policy('x', 'p', { egress: [] })], connection: conn(x('a'), y('a')), allowed: true, egress: 'not-isolated' },
  { rule: 'policyTypes [Ingress] ignores egress rules present in the spec', policies: [policy('x', 'p', { policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [podSel({ pod: 'b' })] }] })], connection: conn(x('a'), y('c')), allowed: true, egress: 'not-isolated' },
  { rule: 'podSelector matchLabels selects only matching pods', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [podSel({ pod: 'zzz' })] })], connection: conn(y('a'), x('b')), allowed: true, ingress: 'not-isolated' },
  { rule: 'a policy selects pods of its own namespace only', policies: [catalogue.defaultDenyIngress('y')], connection: conn(z('a'), x('a')), allowed: true },

  // Peers
  { rule: 'podSelector peer allows matching pods of the policy namespace (e2e: PodSelector in server namespace)', policies: [allowFromB], connection: conn(x('b'), x('a')), allowed: true, allowedBy: ['x/allow-b ingress 0'] },
  { rule: 'podSelector peer denies non-matching pods', policies: [allowFromB], connection: conn(x('c'), x('a')), allowed: false },
  { rule: 'podSelector peer without namespaceSelector means the policy namespace only', policies: [allowFromB], connection: conn(y('b'), x('a')), allowed: false },
  { rule: 'namespaceSelector {} peer allows pods in all namespaces (e2e)', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ namespaceSelector: {} }] })], connection: conn(z('c'), x('a')), allowed: true },
  { rule: 'namespaceSelector peer allows pods of the selected namespace', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [nsSel({ ns: 'y' })] })], connection: conn(y('c'), x('a')), allowed: true },
  { rule: 'namespaceSelector peer denies pods of its own namespace when not selected (e2e: only a different namespace)', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [nsSel({ ns: 'y' })] })], connection: conn(x('b'), x('a')), allowed: false },
  { rule: 'namespaceSelector may use the default kubernetes.io/metadata.name label', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [nsSel({ 'kubernetes.io/metadata.name': 'z' })] })], connection: conn(z('b'), x('a')), allowed: true },
  { rule: 'namespaceSelector matchExpressions NotIn (e2e)', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }] })], connection: conn(y('a'), x('a')), allowed: false },
  { rule: 'namespaceSelector NotIn admits other namespaces', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }] })], connection: conn(z('a'), x('a')), allowed: true },
  { rule: 'podSelector matchExpressions In (e2e)', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] } }] })], connection: conn(x('c'), x('a')), allowed: true },
  { rule: 'podSelector matchExpressions Exists', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] } }] })], connection: conn(x('b'), x('a')), allowed: true },
  { rule: 'podSelector matchExpressions DoesNotExist', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] } }] })], connection: conn(x('b'), x('a')), allowed: false },
  { rule: 'NotIn also matches pods that lack the key', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ podSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['red'] }] } }] })], connection: conn(x('b'), x('a')), allowed: true },
  { rule: 'matchLabels and matchExpressions are ANDed', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ podSelector: { matchLabels: { pod: 'b' }, matchExpressions: [{ key: 'pod', operator: 'In', values: ['c'] }] } }] })], connection: conn(x('b'), x('a')), allowed: false },
  { rule: 'namespaceSelector and podSelector in one peer are ANDed: both match', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] })], connection: conn(y('b'), x('a')), allowed: true },
  { rule: 'namespaceSelector and podSelector in one peer are ANDed: wrong pod', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] })], connection: conn(y('c'), x('a')), allowed: false },
  { rule: 'namespaceSelector and podSelector in one peer are ANDed: wrong namespace', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] })], connection: conn(z('b'), x('a')), allowed: false },
  { rule: 'two peer elements are ORed: the podSelector element admits the own-namespace pod', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [nsSel({ ns: 'y' }), podSel({ pod: 'b' })] })], connection: conn(x('b'), x('a')), allowed: true },
  { rule: 'two peer elements are ORed: the namespaceSelector element admits any pod there', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [nsSel({ ns: 'y' }), podSel({ pod: 'b' })] })], connection: conn(y('c'), x('a')), allowed: true },
  { rule: 'two peer elements are ORed: neither matches', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [nsSel({ ns: 'y' }), podSel({ pod: 'b' })] })], connection: conn(z('b'), x('a')), allowed: false },
  { rule: 'podSelector {} alone means every pod of the policy namespace, not of the cluster', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{ podSelector: {} }] })], connection: conn(y('a'), x('a')), allowed: false },
  { rule: 'egress to a pod selected by namespace and pod selectors (e2e)', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] })], connection: conn(x('a'), y('a')), allowed: true, egress: 'allowed-by-rule' },
  { rule: 'egress denied to a pod the selectors do not match (e2e)', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] })], connection: conn(x('a'), y('b')), allowed: false, egress: 'no-rule-allows' },
  { rule: 'egress denied at the client even if the server allows it (e2e)', policies: [catalogue.defaultDenyEgress('x'), catalogue.allowAllIngress('y')], connection: conn(x('a'), y('a')), allowed: false, egress: 'no-rule-allows', ingress: 'allowed-by-rule' },
  { rule: 'a peer with no selector and no ipBlock is invalid and matches nothing', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [{}] })], connection: conn(x('b'), x('a')), allowed: false },

  // Ports and protocols
  { rule: 'a numbered port allows that port (e2e: Ports)', policies: [ports(tcp(80))], connection: conn(x('b'), x('a'), 80), allowed: true },
  { rule: 'a numbered port denies other ports', policies: [ports(tcp(80))], connection: conn(x('b'), x('a'), 81), allowed: false },
  { rule: 'protocol defaults to TCP', policies: [ports({ port: 80 })], connection: conn(x('b'), x('a'), 80, 'UDP'), allowed: false },
  { rule: 'a UDP-only rule does not allow TCP (e2e)', policies: [ports(udp(80))], connection: conn(x('b'), x('a'), 80, 'TCP'), allowed: false },
  { rule: 'a UDP rule allows UDP', policies: [ports(udp(80))], connection: conn(x('b'), x('a'), 80, 'UDP'), allowed: true },
  { rule: 'SCTP is not mistaken for TCP (e2e)', policies: [ports(sctp(80))], connection: conn(x('b'), x('a'), 80, 'TCP'), allowed: false },
  { rule: 'an SCTP rule allows SCTP', policies: [ports(sctp(80))], connection: conn(x('b'), x('a'), 80, 'SCTP'), allowed: true },
  { rule: 'a protocol without a port allows every port of that protocol (e2e)', policies: [ports({ protocol: 'UDP' })], connection: conn(x('b'), x('a'), 9999, 'UDP'), allowed: true },
  { rule: 'a protocol without a port does not allow the other protocols', policies: [ports({ protocol: 'UDP' })], connection: conn(x('b'), x('a'), 9999, 'TCP'), allowed: false },
  { rule: 'endPort makes an inclusive range: inside', policies: [ports(tcp(80, 82))], connection: conn(x('b'), x('a'), 82), allowed: true },
  { rule: 'endPort makes an inclusive range: above', policies: [ports(tcp(80, 82))], connection: conn(x('b'), x('a'), 83), allowed: false },
  { rule: 'several ports in one rule are ORed', policies: [ports(tcp(443), udp(53))], connection: conn(x('b'), x('a'), 53, 'UDP'), allowed: true },
  { rule: 'a numeric string port is a number, not a name', policies: [ports({ port: '81' })], connection: conn(x('b'), x('a'), 81), allowed: true },
  { rule: 'ports absent with peers present means every port', policies: [allowFromB], connection: conn(x('b'), x('a'), 12345, 'SCTP'), allowed: true },
  { rule: 'a named ingress port resolves against the destination pod (e2e: one named port)', policies: [ports(tcp('serve-80-tcp'))], connection: conn(y('b'), x('a'), 80), allowed: true },
  { rule: 'a named port allows only its own number', policies: [ports(tcp('serve-80-tcp'))], connection: conn(y('b'), x('a'), 81), allowed: false },
  { rule: 'a named port resolves for its protocol only', policies: [ports(tcp('serve-80-udp'))], connection: conn(y('b'), x('a'), 80, 'TCP'), allowed: false },
  { rule: 'a named UDP port allows UDP', policies: [ports(udp('serve-80-udp'))], connection: conn(y('b'), x('a'), 80, 'UDP'), allowed: true },
  { rule: 'a named egress port resolves against the destination pod (e2e)', policies: [egressFrom('x', 'p', { pod: 'a' }, { ports: [tcp('serve-81-tcp')] })], connection: conn(x('a'), y('b'), 81), allowed: true },
  { rule: 'a named egress port never matches an address outside the pod network', policies: [egressFrom('x', 'p', { pod: 'a' }, { ports: [tcp('serve-81-tcp')] })], connection: conn(x('a'), ipAt('8.8.8.8'), 81), allowed: false },
  { rule: 'a named port the destination does not declare matches nothing', policies: [ports(tcp('metrics'))], connection: conn(x('b'), x('a'), 9090), allowed: false },
  { rule: 'ports and peers in one rule are ANDed', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [podSel({ pod: 'b' })], ports: [tcp(80)] })], connection: conn(x('c'), x('a'), 80), allowed: false },
  { rule: 'stacked policies with overlapping podSelectors add up (e2e)', policies: [ingressTo('x', 'p80', { pod: 'a' }, { ports: [tcp(80)] }), policy('x', 'p81', { policyTypes: ['Ingress'], ingress: [{ ports: [tcp(81)] }] })], connection: conn(y('a'), x('a'), 81), allowed: true, allowedBy: ['x/p81 ingress 0'] },
  { rule: 'every matching rule is reported', policies: [catalogue.allowAllIngress('x'), ingressTo('x', 'p', { pod: 'a' }, { ports: [tcp(80)] })], connection: conn(y('a'), x('a'), 80), allowed: true, allowedBy: ['x/allow-all-ingress ingress 0', 'x/p ingress 0'] },

  // ipBlock
  { rule: 'egress to a CIDR that holds the server pod address (e2e)', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('10.244.1.11/32')] })], connection: conn(x('a'), y('b')), allowed: true },
  { rule: 'egress to an address in the except list is denied (e2e)', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('10.244.1.0/24', ['10.244.1.11/32'])] })], connection: conn(x('a'), y('b')), allowed: false },
  { rule: 'an address in CIDR and except is still allowed by another policy (e2e)', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('10.244.1.0/24', ['10.244.1.11/32'])] }), egressFrom('x', 'q', { pod: 'a' }, { to: [cidr('10.244.1.11/32')] })], connection: conn(x('a'), y('b')), allowed: true, allowedBy: ['x/q egress 0'] },
  { rule: 'ipBlock 0.0.0.0/0 allows internet addresses', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('0.0.0.0/0')] })], connection: conn(x('a'), ipAt('1.1.1.1'), 443), allowed: true },
  { rule: 'ipBlock 0.0.0.0/0 except 10.0.0.0/8 denies private addresses', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('0.0.0.0/0', ['10.0.0.0/8'])] })], connection: conn(x('a'), ipAt('10.9.9.9')), allowed: false },
  { rule: 'ingress ipBlock admits an external client in the CIDR', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [cidr('203.0.113.0/24')] })], connection: conn(ipAt('203.0.113.9'), x('a')), allowed: true },
  { rule: 'ingress ipBlock does not admit an external client outside it', policies: [ingressTo('x', 'p', { pod: 'a' }, { from: [cidr('203.0.113.0/24')] })], connection: conn(ipAt('198.51.100.9'), x('a')), allowed: false },
  { rule: 'a CIDR with host bits set is masked like the API server does', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('10.244.1.99/24')] })], connection: conn(x('a'), y('c')), allowed: true },
  { rule: 'an IPv4 block never matches an IPv6 address', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('0.0.0.0/0')] })], connection: conn(x('a'), ipAt('2001:db8::1')), allowed: false },
  { rule: 'an IPv6 block matches an IPv6 address', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('2001:db8::/32')] })], connection: conn(x('a'), ipAt('2001:db8:1::5')), allowed: true },
  { rule: 'an IPv6 except carves out of the block', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('::/0', ['2001:db8::/32'])] })], connection: conn(x('a'), ipAt('2001:db8::1')), allowed: false },
  { rule: 'dual stack: an IPv4 block admits the client over IPv4', cluster: dualStack, policies: [ingressTo('d', 'p', { app: 'server' }, { from: [cidr('10.244.9.0/24')] })], connection: conn(podAt('d', 'client'), podAt('d', 'server', '10.244.9.2')), allowed: true },
  { rule: 'dual stack: the same client over IPv6 is not in the IPv4 block', cluster: dualStack, policies: [ingressTo('d', 'p', { app: 'server' }, { from: [cidr('10.244.9.0/24')] })], connection: conn(podAt('d', 'client'), podAt('d', 'server', 'fd00:244::2')), allowed: false },
  { rule: 'a bare address of a pod is that pod, so pod selectors match it', policies: [allowFromB], connection: conn(ipAt('10.244.0.11'), x('a')), allowed: true },

  // Node traffic and the concept page example
  { rule: 'ingress from the pod\'s own node is always allowed (kubelet probes)', policies: [denyIngressX], connection: conn(ipAt('10.0.0.5'), x('a'), 8080), allowed: true, ingress: 'own-node' },
  { rule: 'ingress from another node is denied by default deny', policies: [denyIngressX], connection: conn(ipAt('10.0.0.6'), x('a'), 8080), allowed: false, ingress: 'no-rule-allows' },
  { rule: 'node traffic is never matched by namespaceSelector {}', policies: [catalogue.clusterInternal('x')], connection: conn(ipAt('10.0.0.6'), x('a')), allowed: false },
  { rule: 'cluster-internal template: egress to a node address (API server) is denied', policies: [catalogue.clusterInternal('x')], connection: conn(x('a'), ipAt('10.0.0.5'), 6443), allowed: false },
  { rule: 'cluster-internal template: egress to NodeLocal DNS 169.254.20.10 is denied', policies: [catalogue.clusterInternal('x')], connection: conn(x('a'), ipAt('169.254.20.10'), 53, 'UDP'), allowed: false },
  { rule: 'cluster-internal template: egress to pods in other namespaces is allowed', policies: [catalogue.clusterInternal('x')], connection: conn(x('a'), z('b'), 53, 'UDP'), allowed: true },
  { rule: 'node traffic is matched by an ipBlock that holds the node address', policies: [egressFrom('x', 'p', { pod: 'a' }, { to: [cidr('10.0.0.0/24')], ports: [tcp(6443)] })], connection: conn(x('a'), ipAt('10.0.0.6'), 6443), allowed: true },
  { rule: 'a hostNetwork pod on the same node counts as the own node', cluster: withHostNetwork, policies: [denyIngressX], connection: conn(podAt('kube-system', 'apiserver'), x('a')), allowed: true, ingress: 'own-node' },
  { rule: 'a hostNetwork pod on another node is not matched by pod selectors', cluster: withHostNetwork, policies: [catalogue.clusterInternal('x')], connection: conn(podAt('kube-system', 'proxy-n2'), x('a')), allowed: false },
  { rule: 'egress to a hostNetwork pod is node traffic, denied by the cluster-internal template', cluster: withHostNetwork, policies: [catalogue.clusterInternal('x')], connection: conn(x('a'), podAt('kube-system', 'nodelocaldns'), 53, 'UDP'), allowed: false },
  { rule: 'a hostNetwork pod is never selected by a policy, so its egress is not judged', cluster: withHostNetwork, policies: [catalogue.defaultDenyAll('kube-system')], connection: conn(podAt('kube-system', 'apiserver'), x('b')), allowed: true, egress: 'not-a-pod' },
  { rule: 'concept page: ingress from the ipBlock on port 6379', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(ipAt('172.17.0.5'), podAt('default', 'db'), 6379), allowed: true },
  { rule: 'concept page: ingress from the except range is denied', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(ipAt('172.17.1.5'), podAt('default', 'db'), 6379), allowed: false },
  { rule: 'concept page: ingress from any pod of project=myproject', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('myproject', 'client'), podAt('default', 'db'), 6379), allowed: true },
  { rule: 'concept page: ingress from role=frontend in default', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('default', 'frontend'), podAt('default', 'db'), 6379), allowed: true },
  { rule: 'concept page: role=frontend in another namespace is not admitted', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('other', 'frontend'), podAt('default', 'db'), 6379), allowed: false },
  { rule: 'concept page: a permitted peer on another port is denied', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('default', 'frontend'), podAt('default', 'db'), 6380), allowed: false },
  { rule: 'concept page: egress to 10.0.0.0/24 on 5978', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('default', 'db'), ipAt('10.0.0.7'), 5978), allowed: true },
  { rule: 'concept page: other egress from db is denied', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('default', 'db'), podAt('default', 'backend'), 5978), allowed: false },
  { rule: 'concept page: pods without role=db are not isolated', cluster: conceptCluster, policies: [catalogue.conceptPage()], connection: conn(podAt('other', 'frontend'), podAt('default', 'backend'), 1), allowed: true },
];

describe('netpol evaluate: rules', () => {
  for (const c of cases) {
    it(c.rule, () => {
      const cluster = { ...(c.cluster ?? e2eModel)(), policies: c.policies };
      const v = evaluate(cluster, c.connection);
      assert.equal(v.allowed, c.allowed, JSON.stringify(v, null, 1));
      if (c.egress) assert.equal(v.egress.reason, c.egress);
      if (c.ingress) assert.equal(v.ingress.reason, c.ingress);
      if (c.allowedBy) {
        const rules = [...v.egress.allowedBy.map((r) => `${r.policy.namespace}/${r.policy.name} egress ${r.ruleIndex}`), ...v.ingress.allowedBy.map((r) => `${r.policy.namespace}/${r.policy.name} ingress ${r.ruleIndex}`)];
        assert.deepEqual(rules, c.allowedBy);
      }
    });
  }
});

describe('netpol evaluate: verdict data', () => {
  it('carries the selecting and isolating policies and derives the booleans from them', () => {
    const v = evaluate(withPolicies(e2eModel(), denyIngressX, catalogue.allowAllEgress('x')), conn(x('a'), x('b')));
    assert.deepEqual(v.egress.selectedBy.map((p) => p.name), ['default-deny-ingress', 'allow-all-egress']);
    assert.deepEqual(v.egress.isolatedBy.map((p) => p.name), ['allow-all-egress']);
    assert.equal(v.egress.reason, 'allowed-by-rule');
    assert.equal(v.ingress.reason, 'no-rule-allows');
    assert.equal(v.allowed, false);
    assert.deepEqual(v.from, { kind: 'pod', pod: { namespace: 'x', name: 'a' }, address: '10.244.0.10' });
  });
  it('resolves a node address to node traffic and an unknown address to external', () => {
    const v = evaluate(e2eModel(), conn(ipAt('10.0.0.6'), ipAt('8.8.8.8')));
    assert.deepEqual(v.from, { kind: 'node', node: 'n2', address: '10.0.0.6' });
    assert.deepEqual(v.to, { kind: 'external', address: '8.8.8.8' });
    assert.equal(v.egress.reason, 'not-a-pod');
  });
  it('rejects an unknown pod and a malformed address with EndpointError', () => {
    assert.throws(() => evaluate(e2eModel(), conn(podAt('x', 'nope'), x('a'))), EndpointError);
    assert.throws(() => evaluate(e2eModel(), conn(ipAt('10.0.0.300'), x('a'))), EndpointError);
    assert.throws(() => evaluate(e2eModel(), conn(podAt('x', 'a', '10.9.9.9'), x('b'))), EndpointError);
  });
  it('explains a verdict in sentences built from its data', () => {
    const v = evaluate(withPolicies(e2eModel(), catalogue.clusterInternal('x')), conn(x('a'), ipAt('10.0.0.6'), 6443));
    assert.deepEqual(explainVerdict(v), [
      'TCP 6443 from pod x/a (10.244.0.10) to node n2 (10.0.0.6): denied',
      'egress: denied, x/cluster-internal selects x/a but no egress rule allows this peer, port and protocol',
      'ingress: not judged, that end is not a pod on the pod network',
    ]);
    const probe = evaluate(withPolicies(e2eModel(), denyIngressX), conn(ipAt('10.0.0.5'), x('a'), 8080));
    assert.equal(explainVerdict(probe)[2], "ingress: allowed, traffic from x/a's own node is always allowed (isolated by x/default-deny-ingress)");
  });
});
