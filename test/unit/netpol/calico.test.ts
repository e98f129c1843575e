// Calico policies of the default tier in the model, table tests after the examples of
// docs.tigera.io (get-started/kubernetes-default-deny, calico-policy tutorials, the Rule reference):
// default deny, allow DNS, namespace isolation, order around the Kubernetes NetworkPolicies at
// 1000, Pass to the next tier, Log, nets, ports; and what is not modelled.
import assert from 'node:assert/strict';
import type { CniPolicy } from '../../../src/core/model.ts';
import { compileCniTiers, unmodelledParts } from '../../../src/core/netpol/compile-cni.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';
import { allowed, at, catalogue, cniWorld, cnp as sig, fromNamespaces, inNamespaces, ip, rule, verdict } from './fixtures.ts';

const gnp = (name: string, spec: Record<string, unknown>): CniPolicy => ({ kind: 'CalicoGlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec });
const cnp = (namespace: string, name: string, spec: Record<string, unknown>): CniPolicy => ({ kind: 'CalicoNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name, namespace }, spec });

const cluster = cniWorld;

describe('netpol Calico: documented examples', () => {
  it('default deny (a GlobalNetworkPolicy with types and no rules): denied at the end of the tier, named', () => {
    const c = cluster([gnp('default-deny', { selector: "projectcalico.org/namespace != 'kube-system'", types: ['Ingress', 'Egress'] })]);
    const v = verdict(c, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.allowed, v.egress.reason, v.ingress.reason], [false, 'calico-denies', 'calico-denies']);
    assert.match(v.ingress.decidedBy.tier === 'Calico' ? v.ingress.decidedBy.text : '', /end of Calico's default tier .*CalicoGlobalNetworkPolicy default-deny/);
    assert.equal(allowed(c, at('kube-system', 'coredns'), ip('8.8.8.8')), true);
  });

  it('allow DNS before the default deny (lower order first)', () => {
    const c = cluster([
      gnp('allow-dns', { order: 100, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } }] }),
      gnp('deny', { order: 2000, selector: 'all()', types: ['Egress'] }),
    ]);
    assert.equal(allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP'), true);
    assert.match(verdict(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP').egress.decidedBy.tier === 'Calico' ? (verdict(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP').egress.decidedBy as { text: string }).text : '', /CalicoGlobalNetworkPolicy allow-dns egress rule egress\[0\] \(order 100\)/);
    assert.equal(allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'TCP' as 'UDP'), false);
  });

  it('namespace isolation: a NetworkPolicy\'s selector means its own namespace', () => {
    const c = cluster([cnp('shop', 'same-ns', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: 'all()' } }] })]);
    assert.deepEqual([allowed(c, at('shop', 'db'), at('shop', 'web')), allowed(c, at('dev', 'client'), at('shop', 'web'))], [true, false]);
    const byLabel = cluster([gnp('red-only', { order: 10, selector: "pcns.team == 'red'", ingress: [{ action: 'Allow', source: { namespaceSelector: "team == 'red'" } }] })]);
    assert.deepEqual([allowed(byLabel, at('shop', 'db'), at('shop', 'web')), allowed(byLabel, at('dev', 'client'), at('shop', 'web'))], [true, false]);
  });

  it('order against the Kubernetes NetworkPolicies (1000): a Deny before them wins, one after them does not', () => {
    const deny = (order: number) => gnp('deny-dev', { order, selector: "app == 'web'", ingress: [{ action: 'Deny', source: { namespaceSelector: "projectcalico.org/name == 'dev'" } }] });
    assert.equal(allowed(cluster([deny(500)], [catalogue.allowAll('shop')]), at('dev', 'client'), at('shop', 'web')), false);
    assert.equal(allowed(cluster([deny(1500)], [catalogue.allowAll('shop')]), at('dev', 'client'), at('shop', 'web')), true);
    assert.equal(allowed(cluster([deny(1500)]), at('dev', 'client'), at('shop', 'web')), false);
  });

  it('Pass leaves the tier: the next tier (Baseline, then allowed) decides; Log goes on', () => {
    const pass = gnp('pass-external', { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Log' }, { action: 'Pass', destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'] } }] });
    const c = cluster([pass]);
    assert.deepEqual([allowed(c, at('shop', 'web'), ip('8.8.8.8')), allowed(c, at('shop', 'web'), at('dev', 'client'))], [true, false]);
    c.clusterPolicies = [sig('no-internet', 'Baseline', 1, { subject: inNamespaces(), egress: [rule('Deny', [{ networks: ['0.0.0.0/0'] }])] })];
    const v = verdict(c, at('shop', 'web'), ip('8.8.8.8'));
    assert.deepEqual([v.allowed, v.egress.reason], [false, 'baseline-tier-denies']);
    void fromNamespaces;
  });

  it('ports: numbers, ranges, named ports, notPorts; protocols by name or number', () => {
    const c = cluster([cnp('shop', 'ports', { order: 10, selector: "app == 'web'", ingress: [{ action: 'Allow', protocol: 6, destination: { ports: ['8000:8100', 'http', 9000], notPorts: [8050] } }] })]);
    assert.deepEqual([8080, 8050, 8101, 9000].map((p) => allowed(c, at('dev', 'client'), at('shop', 'web'), p)), [true, false, false, true]);
    assert.equal(allowed(c, at('dev', 'client'), at('shop', 'web'), 8080, 'UDP'), false);
  });
});

describe('netpol Calico: what is not modelled', () => {
  const why = (p: CniPolicy, others: CniPolicy[] = []) => (unmodelledParts([p, ...others], 'default').get(p) ?? []).join('; ');
  it('service accounts, services, http, source ports, notSelector, other tiers, order ties, host-endpoint options', () => {
    assert.match(why(gnp('sa', { order: 1, ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['x'] } } }] })), /serviceAccounts/);
    assert.match(why(gnp('svc', { order: 1, egress: [{ action: 'Allow', destination: { services: { name: 'x', namespace: 'y' } } }] })), /services/);
    assert.match(why(gnp('l7', { order: 1, ingress: [{ action: 'Allow', http: { methods: ['GET'] } }] })), /http/);
    assert.match(why(gnp('sport', { order: 1, ingress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [80] } }] })), /source\.ports/);
    assert.match(why(gnp('nots', { order: 1, ingress: [{ action: 'Allow', source: { notSelector: 'a == "b"' } }] })), /notSelector/);
    assert.match(why(gnp('tiered', { order: 1, tier: 'security' })), /tier security/);
    assert.match(why(gnp('a', { order: 5 }), [gnp('b', { order: 5 })]), /order 5 is shared with CalicoGlobalNetworkPolicy b/);
    assert.match(why(gnp('k', { order: 1000 })), /ties with the Kubernetes NetworkPolicies/);
    // Namespaced policies of two namespaces never select one pod: no tie between them.
    const [x, y, z] = [cnp('a', 'x', {}), cnp('b', 'y', {}), cnp('a', 'z', {})];
    assert.deepEqual([why(x, [y]), why(x, [z])], ['', 'order Infinity is shared with CalicoNetworkPolicy a/z']);
    assert.match(why(gnp('host', { order: 1, preDNAT: true, applyOnForward: true })), /preDNAT/);
  });
  it('the documented default-tier fields are modelled exactly', () => {
    assert.equal(unmodelledParts([gnp('ok', { order: 10, selector: "app == 'x' && has(tier)", types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'TCP', source: { selector: "app in {'a'}", namespaceSelector: 'all()', nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] }, destination: { ports: [80, '8000:9000'] } }] })], 'default').values().next().value, undefined);
    assert.equal(compileCniTiers({ cniPolicies: [gnp('x', { order: 3 })] }).calico.length, 1);
  });
});

describe('proof under Calico: future pods', () => {
  it('a policy isolating pods with app == \'web\': a future such pod is opened by the placeholder, and the policy named', () => {
    const c = cluster([cnp('dev', 'web-in', { selector: "app == 'web' && !has(legacy)", ingress: [{ action: 'Allow', source: { selector: 'all()' } }] })]);
    const create = placeholderPolicy('dev', { name: 'cis-default-allow', template: 'allow-all', version: 't' });
    const proof = proveCreates({ namespaces: c.namespaces, pods: c.pods, nodes: c.nodes, policies: [], clusterPolicies: [], cniPolicies: c.cniPolicies!, unreadable: [] }, [create], create).namespaces.get('dev')!;
    assert.deepEqual(proof.unproven, []);
    assert.ok(proof.opened.some((l) => l.startsWith('ingress to any pod in dev labelled app=web (now or later)') && /CalicoNetworkPolicy dev\/web-in/.test(l)), proof.opened.join('\n'));
  });
});
