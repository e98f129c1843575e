// Antrea-native policies in the model, table tests after the examples of antrea-io/antrea
// docs/antrea-network-policy.md: default deny in the baseline Tier, allow DNS, strict namespace
// isolation (namespaces: Self), Drop/Reject, Pass between Tiers, Tier and priority order, ports and
// ipBlock except; and what is left "not proven".
import assert from 'node:assert/strict';
import type { CniPolicy, NetworkPolicy } from '../../../src/core/model.ts';
import { unmodelledParts } from '../../../src/core/netpol/compile-cni.ts';
import type { Cluster } from '../../../src/core/netpol/index.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';
import { allowed, at, catalogue, cniWorld, cnp, inNamespaces, ip, node, rule, verdict } from './fixtures.ts';

const acnp = (name: string, spec: Record<string, unknown>): CniPolicy => ({ kind: 'AntreaClusterNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name }, spec });
const annp = (namespace: string, name: string, spec: Record<string, unknown>): CniPolicy => ({ kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name, namespace }, spec });
const tier = (name: string, priority: number): CniPolicy => ({ kind: 'AntreaTier', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name }, spec: { priority } });
const allPods = [{ namespaceSelector: {} }];

// The CNI world with a second node and n1 labelled control-plane (nodeSelector peers, own-node ingress).
function cluster(cni: CniPolicy[], policies: NetworkPolicy[] = []): Cluster {
  const c = cniWorld(cni, policies);
  return { ...c, nodes: [{ ...node('n1', '10.0.0.5'), metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } } }, node('n2', '10.0.0.6')] };
}
const text = (d: { tier: string; text?: string }) => (d.tier === 'Antrea' ? d.text ?? '' : `(${d.tier})`);

describe('netpol Antrea: documented examples', () => {
  it('default deny in the baseline Tier: denied, named; a NetworkPolicy selecting the pod replaces it', () => {
    const c = cluster([acnp('default-deny', { priority: 1, tier: 'baseline', appliedTo: allPods, ingress: [{ action: 'Drop', name: 'deny-all' }] })]);
    const v = verdict(c, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.allowed, v.ingress.reason], [false, 'antrea-denies']);
    assert.match(text(v.ingress.decidedBy), /^AntreaClusterNetworkPolicy default-deny ingress rule ingress\[0\] \(deny-all\), tier baseline \(priority 253\), policy priority 1$/);
    // Isolated by a NetworkPolicy, the pod is decided there: the baseline Tier is not reached.
    const isolated = cluster(c.cniPolicies!, [catalogue.allowAll('shop')]);
    assert.deepEqual([allowed(isolated, at('dev', 'client'), at('shop', 'web')), allowed(isolated, at('shop', 'web'), at('dev', 'client'))], [true, false]);
    const denyAll = cluster(c.cniPolicies!, [catalogue.defaultDenyAll('shop')]);
    assert.equal(verdict(denyAll, at('dev', 'client'), at('shop', 'web')).ingress.reason, 'no-rule-allows');
  });

  it('allow DNS (namespaceSelector by name + podSelector, TCP and UDP 53) before a Drop of all egress', () => {
    const c = cluster([annp('shop', 'dns', { priority: 5, tier: 'application', appliedTo: [{ podSelector: {} }], egress: [
      { action: 'Allow', name: 'AllowToCoreDNS', to: [{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }] },
      { action: 'Drop' },
    ] })]);
    assert.deepEqual([allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP'), allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 54, 'UDP'), allowed(c, at('shop', 'web'), ip('8.8.8.8'), 53, 'UDP')], [true, false, false]);
    assert.equal(allowed(c, at('dev', 'client'), ip('8.8.8.8')), true); // an ANNP reaches its own namespace only
  });

  it('strict namespace isolation (namespaces: match Self), and a lone podSelector: every namespace in an ACNP, its own in an ANNP', () => {
    const c = cluster([acnp('strict-ns-isolation', { priority: 5, tier: 'securityops', appliedTo: [{ namespaceSelector: {} }], ingress: [
      { action: 'Pass', from: [{ namespaces: { match: 'Self' } }] },
      { action: 'Drop', from: [{ namespaceSelector: {} }] },
    ] })]);
    assert.deepEqual([allowed(c, at('shop', 'db'), at('shop', 'web')), allowed(c, at('dev', 'client'), at('shop', 'web'))], [true, false]);
    const lone = (p: CniPolicy) => cluster([p]);
    const drop = { priority: 1, appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }], ingress: [{ action: 'Drop', from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] };
    assert.equal(allowed(lone(acnp('x', drop)), at('dev', 'client'), at('shop', 'web')), false);
    assert.equal(allowed(lone(annp('shop', 'x', drop)), at('dev', 'client'), at('shop', 'web')), true);
  });

  it('Drop and Reject both deny; the first matching rule decides, in the order written', () => {
    for (const action of ['Drop', 'Reject']) {
      const c = cluster([acnp('r', { priority: 1, appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }], ingress: [{ action: 'Allow', ports: [{ port: 'http' }] }, { action }] })]);
      const v = verdict(c, at('dev', 'client'), at('shop', 'web'), 9090);
      assert.deepEqual([allowed(c, at('dev', 'client'), at('shop', 'web'), 8080), v.allowed, v.ingress.decidedBy.tier], [true, false, 'Antrea']);
      assert.match(v.ingress.decidedBy.tier === 'Antrea' ? v.ingress.decidedBy.action : '', new RegExp(action));
    }
  });

  it('an Allow before the NetworkPolicies wins over a NetworkPolicy that denies; a Pass hands the connection to it', () => {
    const allow = (action: string) => cluster([acnp('ops', { priority: 1, tier: 'securityops', appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }], ingress: [{ action, from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] }), acnp('later', { priority: 1, tier: 'application', appliedTo: allPods, ingress: [{ action: 'Allow' }] })], [catalogue.defaultDenyAll('shop')]);
    assert.equal(allowed(allow('Allow'), at('dev', 'client'), at('shop', 'web')), true);
    // Pass skips the application Tier's Allow too: the NetworkPolicy (deny all) decides.
    const v = verdict(allow('Pass'), at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.allowed, v.ingress.reason], [false, 'no-rule-allows']);
    // Not isolated: after a Pass the baseline Tier decides.
    const passed = cluster([...allow('Pass').cniPolicies!, acnp('base', { priority: 1, tier: 'baseline', appliedTo: allPods, ingress: [{ action: 'Reject' }] })]);
    assert.equal(verdict(passed, at('dev', 'client'), at('shop', 'web')).ingress.reason, 'antrea-denies');
  });

  it('Tier order (static and custom Tiers) before policy priority; priority order within a Tier', () => {
    const pair = (tierA: string, prioA: number, tierB: string, prioB: number, extra: CniPolicy[] = []) => cluster([
      acnp('allow', { priority: prioA, tier: tierA, appliedTo: allPods, ingress: [{ action: 'Allow' }] }),
      acnp('drop', { priority: prioB, tier: tierB, appliedTo: allPods, ingress: [{ action: 'Drop' }] }),
      ...extra,
    ]);
    const ok = (c: Cluster) => allowed(c, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([ok(pair('emergency', 9, 'securityops', 1)), ok(pair('platform', 1, 'networkops', 9)), ok(pair('application', 2.5, 'application', 2.75)), ok(pair('application', 3, 'application', 2))], [true, false, true, false]);
    assert.deepEqual([ok(pair('mine', 1, 'emergency', 1, [tier('mine', 10)])), ok(pair('mine', 1, 'emergency', 1, [tier('mine', 60)]))], [true, false]);
    // A policy without tier is in the application Tier; old capitalised static names are those Tiers.
    assert.equal(ok(cluster([acnp('a', { priority: 1, tier: 'Platform', appliedTo: allPods, ingress: [{ action: 'Drop' }] }), acnp('b', { priority: 1, appliedTo: allPods, ingress: [{ action: 'Allow' }] })])), false);
  });

  it('the SIG Admin tier where Antrea runs it: ClusterNetworkPolicy at Tier priority 220, AdminNetworkPolicy at 251', () => {
    const drop = (t: string) => acnp(`drop-${t}`, { priority: 1, tier: t, appliedTo: allPods, ingress: [{ action: 'Drop' }] });
    const accept = cnp('admin-accept', 'Admin', 50, { subject: inNamespaces(), ingress: [rule('Accept', [{ namespaces: {} }])] });
    const anp = { ...accept, kind: 'AdminNetworkPolicy' as const, metadata: { name: 'anp-accept' } };
    const ok = (cni: CniPolicy[], admin: typeof accept) => allowed({ ...cluster(cni), clusterPolicies: [admin] }, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([ok([drop('platform')], accept), ok([drop('application')], accept), ok([drop('application')], anp), ok([drop('baseline')], anp)], [false, true, false, true]);
    const v = verdict({ ...cluster([drop('application')]), clusterPolicies: [accept] }, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.ingress.reason, v.ingress.decidedBy.tier], ['admin-tier-allows', 'Admin']);
    // A Pass in an Antrea Tier before 220 skips the Admin tier too: the NetworkPolicies decide.
    const pass = acnp('pass', { priority: 1, tier: 'securityops', appliedTo: allPods, ingress: [{ action: 'Pass' }] });
    const deny = cnp('admin-deny', 'Admin', 1, { subject: inNamespaces(), ingress: [rule('Deny', [{ namespaces: {} }])] });
    assert.equal(ok([pass], deny), true);
  });

  it('appliedTo per rule, nodeSelector peers, ipBlock with except, ICMP-only rules', () => {
    const c = cluster([acnp('per-rule', { priority: 1, egress: [
      { action: 'Drop', appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }], to: [{ nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }], ports: [{ protocol: 'TCP', port: 6443 }] },
      { action: 'Drop', appliedTo: [{ podSelector: { matchLabels: { app: 'db' } } }], to: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.0.30/32'] } }] },
      { action: 'Drop', appliedTo: allPods, protocols: [{ icmp: { icmpType: 8 } }] },
    ] })]);
    assert.deepEqual([allowed(c, at('shop', 'web'), ip('10.0.0.5'), 6443), allowed(c, at('shop', 'web'), ip('10.0.0.6'), 6443), allowed(c, at('shop', 'db'), ip('10.0.0.5'), 6443)], [false, true, true]);
    assert.deepEqual([allowed(c, at('shop', 'db'), at('dev', 'client')), allowed(c, at('shop', 'db'), at('kube-system', 'coredns')), allowed(c, at('shop', 'web'), at('dev', 'client'))], [false, true, true]);
  });

  it('ingress from the pod\'s own node is always allowed; from another node it is not', () => {
    const c = cluster([acnp('lockdown', { priority: 1, appliedTo: allPods, ingress: [{ action: 'Drop' }] })]);
    assert.deepEqual([allowed(c, ip('10.0.0.5'), at('shop', 'web')), allowed(c, ip('10.0.0.6'), at('shop', 'web'))], [true, false]);
  });
});

describe('netpol Antrea: what is not modelled', () => {
  const why = (p: CniPolicy, others: CniPolicy[] = []) => (unmodelledParts([p, ...others], 'default').get(p) ?? []).join('; ');
  const rule = (r: Record<string, unknown>) => acnp('p', { priority: 1, appliedTo: allPods, egress: [{ action: 'Allow', ...r }] });
  it('FQDN, toServices, groups, service accounts, sameLabels, L7, source ports, unknown Tiers, equal priorities', () => {
    assert.match(why(rule({ to: [{ fqdn: '*.example.com' }] })), /fqdn/);
    assert.match(why(rule({ toServices: [{ name: 'x', namespace: 'y' }] })), /toServices/);
    assert.match(why(rule({ to: [{ group: 'g' }] })), /group/);
    assert.match(why(rule({ to: [{ serviceAccount: { name: 'a', namespace: 'b' } }] })), /serviceAccount/);
    assert.match(why(acnp('p', { priority: 1, appliedTo: allPods, ingress: [{ action: 'Allow', from: [{ namespaces: { sameLabels: ['org'] } }] }] })), /sameLabels/);
    assert.match(why(rule({ l7Protocols: [{ http: { path: '/' } }] })), /l7Protocols/);
    assert.match(why(rule({ ports: [{ protocol: 'TCP', port: 80, sourcePort: 1000 }] })), /sourcePort/);
    assert.match(why(rule({ ports: [{ protocol: 'TCP', port: '80' }] })), /a number written as a string/);
    assert.match(why(acnp('p', { priority: 1, tier: 'nope', appliedTo: allPods, ingress: [{ action: 'Drop' }] })), /tier nope is not a Tier we read/);
    assert.match(why(acnp('p', { priority: 1, appliedTo: [{ group: 'g' }], ingress: [{ action: 'Drop' }] })), /appliedTo\[0\] has group/);
    assert.match(why(acnp('a', { priority: 5, appliedTo: allPods, ingress: [{ action: 'Drop' }] }), [acnp('b', { priority: 5, appliedTo: allPods, ingress: [{ action: 'Allow' }] })]), /priority 5 is shared with AntreaClusterNetworkPolicy b/);
    // Two NetworkPolicies of different namespaces never apply to one pod: no tie.
    assert.equal(why(annp('x', 'a', { priority: 5, appliedTo: [{ podSelector: {} }], ingress: [{ action: 'Drop' }] }), [annp('y', 'b', { priority: 5, appliedTo: [{ podSelector: {} }], ingress: [{ action: 'Drop' }] })]), '');
    assert.match(why(acnp('p', { priority: 1, tier: 'baseline', appliedTo: allPods, ingress: [{ action: 'Pass' }] })), /Pass in the baseline Tier/);
  });

  it('the documented peers, ports and appliedTo forms are modelled exactly; Tier objects are too', () => {
    const p = acnp('ok', { priority: 1.5, tier: 'mine', appliedTo: [{ podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }], ingress: [{ action: 'Reject', name: 'r', enableLogging: true, logLabel: 'x', from: [{ podSelector: {}, namespaces: { match: 'Self' } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { nodeSelector: {} }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }, { port: 'http' }], protocols: [{ icmp: {} }] }] });
    const parts = unmodelledParts([p, tier('mine', 20)], 'default');
    assert.deepEqual([...parts.values()], [undefined, undefined]);
  });

  it('an inexact Allow allows more, never less: the pods it applies to are not proven, the other side stays sound', () => {
    const c = cluster([acnp('fqdn', { priority: 1, appliedTo: allPods, egress: [{ action: 'Allow', to: [{ fqdn: 'example.com' }] }, { action: 'Drop' }] })]);
    assert.equal(allowed(c, at('shop', 'web'), ip('8.8.8.8')), true);
    const drop = cluster([acnp('fqdn', { priority: 1, appliedTo: allPods, egress: [{ action: 'Drop', to: [{ fqdn: 'example.com' }] }] })]);
    assert.equal(allowed(drop, at('shop', 'web'), ip('8.8.8.8')), true);
  });
});

describe('proof under Antrea', () => {
  const prove = (c: Cluster, target: string) => {
    const create = placeholderPolicy(target, { name: 'cis-default-allow', template: 'allow-all', version: 't' });
    return proveCreates({ namespaces: c.namespaces, pods: c.pods, nodes: c.nodes, policies: c.policies, clusterPolicies: [], cniPolicies: c.cniPolicies!, unreadable: [] }, [create], create).namespaces.get(target)!;
  };
  it('an Antrea NetworkPolicy in the target namespace applies to its future pods too', () => {
    const c = cluster([annp('dev', 'base', { priority: 1, tier: 'baseline', appliedTo: [{ podSelector: { matchLabels: { app: 'api' } } }], ingress: [{ action: 'Drop', from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] }] })]);
    const proof = prove(c, 'dev');
    assert.ok(proof.opened.length > 0 && proof.opened.every((l) => l.startsWith('ingress to any pod in dev labelled app=api (now or later) from ') && /AntreaNetworkPolicy dev\/base/.test(l)), proof.opened.join('\n'));
  });
  it('a baseline Drop for app=web pods: a future such pod is opened by the placeholder, and the rule named', () => {
    const c = cluster([acnp('web-base', { priority: 1, tier: 'baseline', appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }], ingress: [{ action: 'Drop' }] })]);
    const proof = prove(c, 'dev');
    assert.deepEqual(proof.unproven, []);
    assert.ok(proof.opened.some((l) => l.startsWith('ingress to any pod in dev labelled app=web (now or later)') && /AntreaClusterNetworkPolicy web-base/.test(l)), proof.opened.join('\n'));
  });
  it('Allow and Drop before the NetworkPolicies, and a Pass to a NetworkPolicy-free namespace: unchanged', () => {
    const c = cluster([acnp('ops', { priority: 1, tier: 'securityops', appliedTo: allPods, ingress: [{ action: 'Allow', from: [{ namespaces: { match: 'Self' } }] }, { action: 'Pass', from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] }, { action: 'Drop' }] })]);
    assert.deepEqual(prove(c, 'dev'), { denied: [], opened: [], unproven: [] });
  });
  it('a Pass, then a Drop in the baseline Tier: the placeholder isolates the pods, so it opens what the baseline Tier dropped', () => {
    const c = cluster([acnp('pass', { priority: 1, appliedTo: allPods, ingress: [{ action: 'Pass' }] }), acnp('base', { priority: 1, tier: 'baseline', appliedTo: allPods, ingress: [{ action: 'Drop' }] })]);
    const proof = prove(c, 'dev');
    assert.deepEqual([proof.denied, proof.unproven], [[], []]);
    assert.ok(proof.opened.length > 0 && proof.opened.every((l) => /AntreaClusterNetworkPolicy base/.test(l)), proof.opened.join('\n'));
  });
});
