// Cilium policies in the tiered model, table tests from the examples of docs.cilium.io
// (security/policy/language, deny, intro): default deny, allow DNS, namespace isolation, deny
// rules, entities world / cluster / host / remote-node, CIDR with except, ports, modes; and the
// parts that are not modelled, which the proof must treat as "not proven".
import assert from 'node:assert/strict';
import type { CniPolicy, NetworkPolicy } from '../../../src/core/model.ts';
import { compileCilium } from '../../../src/core/netpol/compile-cilium.ts';
import { createEvaluator, type Cluster, type Endpoint } from '../../../src/core/netpol/index.ts';
import type { CiliumMode } from '../../../src/core/netpol/compile-cilium.ts';
import { catalogue, node, ns, pod } from './fixtures.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';

const cnp = (namespace: string, name: string, spec: Record<string, unknown>): CniPolicy => ({ kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name, namespace }, spec });
const ccnp = (name: string, spec: Record<string, unknown>): CniPolicy => ({ kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name }, spec });

function cluster(cni: CniPolicy[], policies: NetworkPolicy[] = [], ciliumMode: CiliumMode = 'default'): Cluster {
  return {
    namespaces: [ns('shop', { team: 'red' }), ns('dev'), ns('kube-system')],
    nodes: [node('n1', '10.0.0.5'), node('n2', '10.0.0.6')],
    pods: [
      pod('shop', 'web', { labels: { app: 'web' }, ip: '10.244.0.10', node: 'n1', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('shop', 'db', { labels: { app: 'db' }, ip: '10.244.0.11', node: 'n1' }),
      pod('dev', 'client', { labels: { app: 'client' }, ip: '10.244.0.20', node: 'n2' }),
      pod('kube-system', 'coredns', { labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.30', node: 'n2' }),
      pod('kube-system', 'agent', { ip: '10.0.0.6', node: 'n2', hostNetwork: true }),
    ],
    policies,
    cniPolicies: cni,
    ciliumMode,
  };
}

const at = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });
const ip = (address: string): Endpoint => ({ kind: 'ip', ip: address });
function verdict(c: Cluster, from: Endpoint, to: Endpoint, port = 8080, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP') {
  return createEvaluator(c).evaluate({ from, to, port, protocol });
}
const allowed = (c: Cluster, from: Endpoint, to: Endpoint, port?: number, protocol?: 'TCP' | 'UDP' | 'SCTP') => verdict(c, from, to, port, protocol).allowed;

describe('netpol Cilium: documented examples', () => {
  it('default deny ingress (`ingress: [{}]`): isolates ingress, leaves egress open', () => {
    const c = cluster([cnp('shop', 'deny-ingress', { endpointSelector: {}, ingress: [{}] })]);
    assert.equal(allowed(c, at('dev', 'client'), at('shop', 'web')), false);
    assert.equal(allowed(c, at('shop', 'web'), at('dev', 'client')), true);
    assert.match(verdict(c, at('dev', 'client'), at('shop', 'web')).ingress.cni!.isolatedBy.join(), /CiliumNetworkPolicy shop\/deny-ingress spec/);
  });

  it('allow DNS: egress only to kube-dns on UDP 53, everything else isolated', () => {
    const dns = cnp('shop', 'dns-only', {
      endpointSelector: {},
      egress: [{ toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    });
    const c = cluster([dns]);
    assert.equal(allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP'), true);
    assert.equal(allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'TCP'), false);
    assert.equal(allowed(c, at('shop', 'web'), ip('8.8.8.8'), 53, 'UDP'), false);
    assert.match(verdict(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP').egress.cni!.allowedBy.join(), /dns-only spec\.egress\[0\]/);
  });

  it('namespace isolation: `fromEndpoints: [{}]` in a CiliumNetworkPolicy means its own namespace only', () => {
    const c = cluster([cnp('shop', 'same-ns', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] })]);
    assert.equal(allowed(c, at('shop', 'db'), at('shop', 'web')), true);
    assert.equal(allowed(c, at('dev', 'client'), at('shop', 'web')), false);
  });

  it('namespace labels select through io.cilium.k8s.namespace.labels.*', () => {
    const c = cluster([ccnp('from-red', { endpointSelector: { matchLabels: { app: 'client' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'red' } }] }] })]);
    assert.equal(allowed(c, at('shop', 'web'), at('dev', 'client')), true);
    assert.equal(allowed(c, at('kube-system', 'coredns'), at('dev', 'client')), false);
  });

  it('deny rules win over every allow, a Kubernetes allow-all NetworkPolicy included, and decide before it', () => {
    const deny = cnp('shop', 'no-dev', { endpointSelector: { matchLabels: { app: 'web' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'dev' } }] }] });
    const c = cluster([deny], [catalogue.allowAll('shop')]);
    const v = verdict(c, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.allowed, v.ingress.reason], [false, 'cilium-denies']);
    assert.equal(allowed(c, at('shop', 'db'), at('shop', 'web')), true);
  });

  it('a deny-only policy isolates its direction too (enableDefaultDeny defaults to true for Ingress/IngressDeny)', () => {
    const c = cluster([cnp('shop', 'deny-only', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }] })]);
    assert.equal(allowed(c, at('shop', 'db'), at('shop', 'web')), false);
  });

  it('enableDefaultDeny false: the allow rules join the union but isolate nothing', () => {
    const open = ccnp('dns-everywhere', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '53' }] }] }] });
    assert.equal(allowed(cluster([open]), at('shop', 'web'), at('dev', 'client')), true);
    // Next to a Kubernetes egress default deny, it allows its DNS (the union).
    const c = cluster([open], [catalogue.defaultDenyAll('shop')]);
    assert.equal(allowed(c, at('shop', 'web'), ip('8.8.8.8'), 53, 'UDP'), true);
    assert.equal(allowed(c, at('shop', 'web'), ip('8.8.8.8'), 443), false);
  });

  it('entities: world is outside the cluster, cluster is pods and nodes, host the own node, remote-node the others', () => {
    const to = (entity: string) => cluster([cnp('shop', `to-${entity}`, { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: [entity] }] })]);
    assert.deepEqual([allowed(to('world'), at('shop', 'web'), ip('8.8.8.8')), allowed(to('world'), at('shop', 'web'), at('dev', 'client'))], [true, false]);
    assert.deepEqual([allowed(to('cluster'), at('shop', 'web'), ip('8.8.8.8')), allowed(to('cluster'), at('shop', 'web'), at('dev', 'client')), allowed(to('cluster'), at('shop', 'web'), ip('10.0.0.6'))], [false, true, true]);
    assert.deepEqual([allowed(to('host'), at('shop', 'web'), ip('10.0.0.5')), allowed(to('host'), at('shop', 'web'), ip('10.0.0.6'))], [true, false]);
    assert.deepEqual([allowed(to('remote-node'), at('shop', 'web'), ip('10.0.0.5')), allowed(to('remote-node'), at('shop', 'web'), at('kube-system', 'agent'))], [false, true]);
    assert.equal(allowed(to('all'), at('shop', 'web'), ip('8.8.8.8')), true);
  });

  it('CIDR rules match outside addresses only (not pods), with except', () => {
    const c = cluster([cnp('shop', 'cidr', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] }] }] })]);
    assert.deepEqual([allowed(c, at('shop', 'web'), ip('1.1.1.1')), allowed(c, at('shop', 'web'), ip('8.8.8.8')), allowed(c, at('shop', 'web'), at('dev', 'client'))], [true, false, false]);
  });

  it('toPorts: endPort ranges, protocol ANY, named ports; ICMP-only rules allow no TCP/UDP/SCTP', () => {
    const c = cluster([cnp('shop', 'ports', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }, { port: '9000' }] }] }, { fromEntities: ['all'], icmps: [{ fields: [{ type: 8 }] }] }],
    })]);
    assert.deepEqual([8080, 8101].map((p) => allowed(c, at('dev', 'client'), at('shop', 'web'), p)), [true, false]);
    assert.deepEqual((['TCP', 'UDP', 'SCTP'] as const).map((p) => allowed(c, at('dev', 'client'), at('shop', 'web'), 9000, p)), [true, true, true]);
    const named = cluster([cnp('shop', 'named', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ toPorts: [{ ports: [{ port: 'http' }] }] }] })]);
    assert.deepEqual([8080, 80].map((p) => allowed(named, at('dev', 'client'), at('shop', 'web'), p)), [true, false]);
  });

  it('modes: always isolates pods no policy selects; never enforces no Cilium policy', () => {
    assert.equal(allowed(cluster([], [], 'always'), at('dev', 'client'), at('shop', 'web')), false);
    const deny = cnp('shop', 'deny-all', { endpointSelector: {}, ingress: [{}] });
    assert.equal(allowed(cluster([deny], [], 'never'), at('dev', 'client'), at('shop', 'web')), true);
  });
});

describe('netpol Cilium: what is not modelled', () => {
  const parts = (spec: Record<string, unknown>, kind: 'cnp' | 'ccnp' = 'cnp') => compileCilium(kind === 'cnp' ? cnp('shop', 'x', spec) : ccnp('x', spec)).flatMap((u) => u.unmodelled);
  it('L7 rules, FQDNs, services, node selectors, CIDR groups, entities like kube-apiserver, host policies', () => {
    assert.match(parts({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ method: 'GET' }] } }] }] }).join(), /rules \(L7/);
    assert.match(parts({ endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'example.com' }] }] }).join(), /toFQDNs/);
    assert.match(parts({ endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 'a', namespace: 'b' } }] }] }).join(), /toServices/);
    assert.match(parts({ endpointSelector: {}, egress: [{ toEntities: ['kube-apiserver'] }] }).join(), /kube-apiserver/);
    assert.match(parts({ endpointSelector: {}, egress: [{ toCIDRSet: [{ cidrGroupRef: 'g' }] }] }).join(), /CiliumCIDRGroup/);
    assert.match(parts({ nodeSelector: {}, ingress: [{}] }).join(), /host policy/);
    assert.match(parts({ endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] }, 'ccnp').join(), /reserved identities/);
  });
  it('the documented L3/L4 fields are modelled exactly', () => {
    assert.deepEqual(parts({ endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], fromCIDR: ['10.0.0.0/8'], fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }], egressDeny: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }] }), []);
  });
});

describe('proof under Cilium: future pods', () => {
  it('a namespaced policy isolating pods labelled app=web: a future app=web pod is opened by the placeholder', () => {
    const c = cluster([cnp('dev', 'web-in', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{}] }] })]);
    const create = placeholderPolicy('dev', { name: 'cis-default-allow', template: 'allow-all', version: 't' });
    const proof = proveCreates({ namespaces: c.namespaces, pods: c.pods, nodes: c.nodes, policies: [], clusterPolicies: [], cniPolicies: c.cniPolicies!, unreadable: [] }, [create], create).namespaces.get('dev')!;
    assert.ok(proof.opened.some((l) => l.startsWith('ingress to any pod in dev labelled app=web (now or later)') && /CiliumNetworkPolicy dev\/web-in/.test(l)), proof.opened.join('\n'));
  });
});
