// Calico tiers other than `default`, table tests after docs.tigera.io (calico/latest/network-policy/
// policy-tiers/tiered-policy, reference/resources/tier): tiers by order (lower first, none last,
// ties by name), Pass to the next tier, end-of-tier Deny, defaultAction Pass, the default tier at
// 1,000,000 with the Kubernetes NetworkPolicies in it, and what stays "not proven".
import assert from 'node:assert/strict';
import type { CniPolicy, NetworkPolicy } from '../../../src/core/model.ts';
import { unmodelledParts } from '../../../src/core/netpol/compile-cni.ts';
import type { Cluster } from '../../../src/core/netpol/index.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';
import { allowed, at, cluster, gnp, ip, tier, verdict } from './calico-fixtures.ts';
import { catalogue, cnp as sig, inNamespaces, rule } from './fixtures.ts';

const DEFAULT = tier('default', { order: 1_000_000, defaultAction: 'Deny' });
const text = (d: { tier: string; text?: string }) => (d.tier === 'Calico' ? d.text : d.tier);
const fromDev = { action: 'Deny', source: { namespaceSelector: "projectcalico.org/name == 'dev'" } };

describe('netpol Calico tiers: documented examples', () => {
  it('a security tier (order 100) is met before the default tier: its Deny wins over a Kubernetes allow-all; its Pass hands over to it', () => {
    const block = gnp('security.block-dev', { tier: 'security', order: 10, selector: "app == 'web'", ingress: [fromDev, { action: 'Pass' }] });
    const c = cluster([tier('security', { order: 100 }), DEFAULT, block], [catalogue.allowAll('shop')]);
    const v = verdict(c, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.allowed, v.ingress.reason], [false, 'calico-denies']);
    assert.equal(text(v.ingress.decidedBy), 'CalicoGlobalNetworkPolicy security.block-dev ingress rule ingress[0] (tier security, order 10)');
    assert.deepEqual(v.ingress.decidedBy.tier === 'Calico' ? [v.ingress.decidedBy.calicoTier, v.ingress.decidedBy.policy?.name, v.ingress.decidedBy.rule] : [], ['security', 'security.block-dev', 'ingress[0]']);
    const passed = verdict(c, at('kube-system', 'coredns'), at('shop', 'web'));
    assert.deepEqual([passed.allowed, passed.ingress.reason], [true, 'allowed-by-rule']);
  });

  it('tiered default deny: a tier whose policy applies but no rule matches ends with Deny, even where the default tier allows', () => {
    const dns = gnp('platform.allow-dns', { tier: 'platform', order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", namespaceSelector: 'all()', ports: [53] } }] });
    const c = cluster([tier('platform', { order: 50 }), DEFAULT, dns], [catalogue.allowAll('shop')]);
    assert.equal(allowed(c, at('shop', 'web'), at('kube-system', 'coredns'), 53, 'UDP'), true);
    const v = verdict(c, at('shop', 'web'), ip('8.8.8.8'));
    assert.deepEqual([v.allowed, text(v.egress.decidedBy)], [false, 'the end of Calico tier platform (defaultAction Deny; it applies through CalicoGlobalNetworkPolicy platform.allow-dns)']);
  });

  it('defaultAction Pass: what no rule decides goes on to the next tier (here the default tier\'s NetworkPolicies)', () => {
    const dns = gnp('platform.allow-dns', { tier: 'platform', selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] });
    const c = cluster([tier('platform', { order: 50, defaultAction: 'Pass' }), DEFAULT, dns], [catalogue.defaultDenyAll('shop')]);
    assert.deepEqual([allowed(c, at('shop', 'web'), ip('8.8.8.8'), 53, 'UDP'), allowed(c, at('shop', 'web'), ip('8.8.8.8'))], [true, false]);
    assert.equal(allowed(c, at('dev', 'client'), ip('8.8.8.8')), true); // passed, nothing isolates dev: allowed
  });

  it('equal tier orders by tier name; a tier without order comes last, after the default tier', () => {
    const deny = (t: string) => gnp(`${t}.deny`, { tier: t, selector: "app == 'web'", ingress: [fromDev] });
    const allow = (t: string) => gnp(`${t}.allow`, { tier: t, selector: "app == 'web'", ingress: [{ action: 'Allow' }] });
    const tied = (a: string, b: string) => cluster([tier(a, { order: 100 }), tier(b, { order: 100 }), DEFAULT, deny(a), allow(b)]);
    assert.deepEqual([allowed(tied('a-sec', 'b-app'), at('dev', 'client'), at('shop', 'web')), allowed(tied('b-sec', 'a-app'), at('dev', 'client'), at('shop', 'web'))], [false, true]);
    // Unordered tier `late`: an isolated pod is decided in the default tier first; one that is not reaches it.
    const late = (policies: NetworkPolicy[]) => cluster([tier('late'), DEFAULT, deny('late')], policies);
    assert.deepEqual([allowed(late([catalogue.allowAll('shop')]), at('dev', 'client'), at('shop', 'web')), allowed(late([]), at('dev', 'client'), at('shop', 'web'))], [true, false]);
  });

  it('around the SIG tiers as Calico puts kube-admin (1,000) and kube-baseline (10,000,000): order 500 before the Admin tier, no order after the Baseline tier', () => {
    const admin = sig('allow-dev', 'Admin', 5, { subject: inNamespaces(), ingress: [rule('Accept', [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }])] });
    const early = gnp('early.deny', { tier: 'early', selector: "app == 'web'", ingress: [fromDev] });
    const c = cluster([tier('early', { order: 500 }), DEFAULT, early]);
    c.clusterPolicies = [admin];
    assert.equal(allowed(c, at('dev', 'client'), at('shop', 'web')), false);
    const banp = sig('deny-dev', 'Baseline', 5, { subject: inNamespaces(), ingress: [rule('Deny', [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }])] });
    const last = gnp('last.allow', { tier: 'last', selector: "app == 'web'", ingress: [{ action: 'Allow' }] });
    const d = cluster([tier('last'), DEFAULT, last]);
    d.clusterPolicies = [banp];
    const v = verdict(d, at('dev', 'client'), at('shop', 'web'));
    assert.deepEqual([v.allowed, v.ingress.reason], [false, 'baseline-tier-denies']);
  });

  it('equal policy orders in a tier by name (the v1 storage prefix <tier>. aside)', () => {
    const p = (name: string, action: string) => gnp(name, { tier: 'sec', order: 5, selector: "app == 'web'", ingress: [{ ...fromDev, action }] });
    const c = (a: string, b: string) => cluster([tier('sec', { order: 1 }), DEFAULT, p(a, 'Deny'), p(b, 'Allow')]);
    assert.deepEqual([allowed(c('sec.a', 'sec.b'), at('dev', 'client'), at('shop', 'web')), allowed(c('sec.b', 'sec.a'), at('dev', 'client'), at('shop', 'web'))], [false, true]);
  });
});

describe('netpol Calico tiers: what stays not proven', () => {
  const why = (p: CniPolicy, others: CniPolicy[]) => (unmodelledParts([p, ...others], 'default').get(p) ?? []).join('; ');
  it('a tier not read, the default Tier not read, a policy in kube-admin, an unreadable Tier', () => {
    const p = gnp('x', { tier: 'security', order: 1 });
    assert.match(why(p, [DEFAULT]), /tier security: no Tier object of that name was read/);
    assert.match(why(p, [tier('security', { order: 1 })]), /the default Tier object was not read/);
    assert.match(why(gnp('y', { tier: 'kube-admin', order: 1 }), [DEFAULT]), /interleaves it by order with Calico's translation/);
    assert.match(why(p, [DEFAULT, tier('security', { order: 'first' })]), /Tier security cannot be read: its order "first" is not a number/);
    assert.equal(why(p, [DEFAULT, tier('security', { order: 1 })]), '');
    assert.equal(unmodelledParts([DEFAULT], 'default').get(DEFAULT), undefined);
  });
});

describe('proof under Calico tiers', () => {
  const prove = (c: Cluster, namespace: string) => {
    const create = placeholderPolicy(namespace, { name: 'cis-default-allow', template: 'allow-all', version: 't' });
    return proveCreates({ namespaces: c.namespaces, pods: c.pods, nodes: c.nodes, policies: c.policies, clusterPolicies: [], cniPolicies: c.cniPolicies!, unreadable: [] }, [create], create).namespaces.get(namespace)!;
  };
  it('a tier before the default tier decides the same with or without the placeholder: unchanged', () => {
    const block = gnp('security.block-dev', { tier: 'security', order: 10, selector: "app == 'web'", ingress: [fromDev, { action: 'Pass' }] });
    const proof = prove(cluster([tier('security', { order: 100 }), DEFAULT, block]), 'shop');
    assert.deepEqual([proof.denied, proof.opened, proof.unproven], [[], [], []]);
  });
  it('a tier after the default tier: the placeholder stops it from being reached, which opens what it denies', () => {
    const late = gnp('late.deny', { tier: 'late', selector: "app == 'web'", ingress: [fromDev] });
    const proof = prove(cluster([tier('late', { order: 2_000_000 }), DEFAULT, late]), 'shop');
    assert.deepEqual([proof.denied, proof.unproven], [[], []]);
    assert.ok(proof.opened.some((l) => l.includes('CalicoGlobalNetworkPolicy late.deny ingress rule ingress[0] (tier late, order Infinity)')), proof.opened.join('\n'));
  });
  it('a policy of a tier that is not read: not proven, naming it', () => {
    const proof = prove(cluster([DEFAULT, gnp('ghost.deny', { tier: 'ghost', selector: "app == 'web'", ingress: [fromDev] })]), 'shop');
    assert.ok(proof.unproven.some((l) => /not proven: CalicoGlobalNetworkPolicy ghost\.deny .*tier ghost: no Tier object of that name was read/.test(l)), proof.unproven.join('\n'));
  });
});
