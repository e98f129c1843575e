// The SIG tier model, case by case from the ClusterNetworkPolicy API text (v1alpha2) and the
// conformance suite's scenarios (standard-anp-np-banp, priority, gress rules, inline CIDR):
// Admin by priority → NetworkPolicy → Baseline by priority → allowed; Pass to the next tier.
import assert from 'node:assert/strict';
import type { ClusterPolicy, NetworkPolicy } from '../../../src/core/model.ts';
import { compareConnectivity, evaluate, explainVerdict, type Cluster, type Connection, type DirectionReason } from '../../../src/core/netpol/index.ts';
import {
  catalogue, cnp, conn, e2eModel, fromNamespaces, fromPods, inNamespaces, ipAt, networks, node, nodes, pod, podAt, podsIn, policy, rule, withPolicies,
} from './fixtures.ts';

const x = (p: string) => podAt('x', p);
const y = (p: string) => podAt('y', p);

function world(clusterPolicies: ClusterPolicy[], ...policies: NetworkPolicy[]): Cluster {
  const base = withPolicies(e2eModel(), ...policies);
  return { ...base, nodes: [{ ...node('n1', '10.0.0.5'), metadata: { name: 'n1', labels: { zone: 'a' } } }, node('n2', '10.0.0.6')], clusterPolicies };
}

interface Case {
  rule: string;
  cluster: Cluster;
  connection: Connection;
  allowed: boolean;
  egress?: DirectionReason;
  ingress?: DirectionReason;
}

const denyFromY = cnp('deny-from-y', 'Admin', 10, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Deny', [fromNamespaces({ ns: 'y' })], undefined, 'deny-y')] });
const acceptFromY = cnp('accept-from-y', 'Admin', 5, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Accept', [fromNamespaces({ ns: 'y' })])] });
const passFromY = cnp('pass-from-y', 'Admin', 1, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Pass', [fromNamespaces({ ns: 'y' })])] });
const baselineDenyAll = cnp('baseline-deny', 'Baseline', 50, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Deny', [fromNamespaces()], undefined, 'deny-all-namespaces')] });
const baselineAcceptY = cnp('baseline-accept-y', 'Baseline', 10, { subject: inNamespaces({ ns: 'x' }), ingress: [rule('Accept', [fromNamespaces({ ns: 'y' })])] });

const cases: Case[] = [
  { rule: 'no cluster policy: the NetworkPolicy model alone', cluster: world([]), connection: conn(y('a'), x('a')), allowed: true, ingress: 'not-isolated' },
  { rule: 'Admin Deny beats a NetworkPolicy that allows', cluster: world([denyFromY], catalogue.allowAll('x')), connection: conn(y('a'), x('a')), allowed: false, ingress: 'admin-tier-denies' },
  { rule: 'Admin Accept beats a NetworkPolicy that denies', cluster: world([acceptFromY], catalogue.defaultDenyIngress('x')), connection: conn(y('a'), x('a')), allowed: true, ingress: 'admin-tier-allows' },
  { rule: 'lower priority value first: Accept at 5 before Deny at 10', cluster: world([denyFromY, acceptFromY]), connection: conn(y('b'), x('b')), allowed: true, ingress: 'admin-tier-allows' },
  { rule: 'Admin Pass hands over to the NetworkPolicy tier, which denies', cluster: world([passFromY, acceptFromY], catalogue.defaultDenyIngress('x')), connection: conn(y('a'), x('a')), allowed: false, ingress: 'no-rule-allows' },
  { rule: 'Pass skips the rest of the Admin tier, including a later Deny', cluster: world([passFromY, denyFromY]), connection: conn(y('a'), x('a')), allowed: true, ingress: 'not-isolated' },
  { rule: 'a pod no NetworkPolicy selects is judged by the Baseline tier', cluster: world([baselineDenyAll]), connection: conn(y('a'), x('a')), allowed: false, ingress: 'baseline-tier-denies' },
  { rule: 'a NetworkPolicy selecting the pod replaces the Baseline tier (allow-all opens it)', cluster: world([baselineDenyAll], catalogue.allowAll('x')), connection: conn(y('a'), x('a')), allowed: true, ingress: 'allowed-by-rule' },
  { rule: 'Baseline by priority: Accept at 10 before Deny at 50', cluster: world([baselineDenyAll, baselineAcceptY]), connection: conn(y('a'), x('a')), allowed: true, ingress: 'baseline-tier-allows' },
  { rule: 'Baseline Deny from all namespaces leaves node traffic alone (ingress peers are pods only)', cluster: world([baselineDenyAll]), connection: conn(ipAt('10.0.0.5'), x('a')), allowed: true, ingress: 'not-isolated' },
  { rule: 'Baseline Deny does not reach outside clients either', cluster: world([baselineDenyAll]), connection: conn(ipAt('8.8.8.8'), x('a')), allowed: true, ingress: 'not-isolated' },
  { rule: 'subject by pods: only pod a of namespace x', cluster: world([cnp('a-only', 'Admin', 1, { subject: podsIn({ ns: 'x' }, { pod: 'a' }), ingress: [rule('Deny', [fromNamespaces()])] })]), connection: conn(y('a'), x('b')), allowed: true, ingress: 'not-isolated' },
  { rule: 'peer by pods: pod b of namespace y only', cluster: world([cnp('deny-yb', 'Admin', 1, { ingress: [rule('Deny', [fromPods({ ns: 'y' }, { pod: 'b' })])] })]), connection: conn(y('a'), x('a')), allowed: true, ingress: 'not-isolated' },
  { rule: 'protocols: a Deny on TCP 80 leaves TCP 81', cluster: world([cnp('deny-80', 'Admin', 1, { ingress: [rule('Deny', [fromNamespaces()], [{ protocol: 'TCP', port: 80 }])] })]), connection: conn(y('a'), x('a'), 81), allowed: true, ingress: 'not-isolated' },
  { rule: 'protocols: a Deny on TCP 80 denies TCP 80', cluster: world([cnp('deny-80', 'Admin', 1, { ingress: [rule('Deny', [fromNamespaces()], [{ protocol: 'TCP', port: 80 }])] })]), connection: conn(y('a'), x('a'), 80), allowed: false, ingress: 'admin-tier-denies' },
  { rule: 'protocols: a port range 80-81 on UDP', cluster: world([cnp('deny-udp', 'Admin', 1, { ingress: [rule('Deny', [fromNamespaces()], [{ protocol: 'UDP', port: 80, endPort: 81 }])] })]), connection: conn(y('a'), x('a'), 81, 'UDP'), allowed: false, ingress: 'admin-tier-denies' },
  { rule: 'protocols: a named port resolves at the destination pod, any protocol of that name', cluster: world([cnp('deny-named', 'Admin', 1, { ingress: [rule('Deny', [fromNamespaces()], [{ namedPort: 'serve-81-sctp' }])] })]), connection: conn(y('a'), x('a'), 81, 'SCTP'), allowed: false, ingress: 'admin-tier-denies' },
  { rule: 'egress networks match pod addresses too', cluster: world([cnp('deny-net', 'Admin', 1, { subject: inNamespaces({ ns: 'x' }), egress: [rule('Deny', [networks('10.244.1.0/24')])] })]), connection: conn(x('a'), y('a')), allowed: false, egress: 'admin-tier-denies' },
  { rule: 'egress networks: an address outside the CIDR is untouched', cluster: world([cnp('deny-net', 'Admin', 1, { subject: inNamespaces({ ns: 'x' }), egress: [rule('Deny', [networks('10.244.1.0/24')])] })]), connection: conn(x('a'), ipAt('8.8.8.8')), allowed: true, egress: 'not-isolated' },
  { rule: 'egress nodes peer: a node with the labels', cluster: world([cnp('deny-zone-a', 'Admin', 1, { egress: [rule('Deny', [nodes({ zone: 'a' })])] })]), connection: conn(x('a'), ipAt('10.0.0.5')), allowed: false, egress: 'admin-tier-denies' },
  { rule: 'egress nodes peer: a node without them', cluster: world([cnp('deny-zone-a', 'Admin', 1, { egress: [rule('Deny', [nodes({ zone: 'a' })])] })]), connection: conn(x('a'), ipAt('10.0.0.6')), allowed: true, egress: 'not-isolated' },
  { rule: 'Admin egress Accept still leaves ingress at the destination to its own policies', cluster: world([cnp('accept-out', 'Admin', 1, { subject: inNamespaces({ ns: 'y' }), egress: [rule('Accept', [fromNamespaces()])] })], catalogue.defaultDenyIngress('x')), connection: conn(y('a'), x('a')), allowed: false, egress: 'admin-tier-allows', ingress: 'no-rule-allows' },
  { rule: 'Pass in the Baseline tier hands over to Default: allowed', cluster: world([cnp('b-pass', 'Baseline', 1, { ingress: [rule('Pass', [fromNamespaces()])] }), baselineDenyAll]), connection: conn(y('a'), x('a')), allowed: true, ingress: 'not-isolated' },
  { rule: 'fail closed: a Deny with an unknown peer denies everything', cluster: world([cnp('newer', 'Admin', 1, { ingress: [rule('Deny', [{ unknown: '{"services":{}}' }])] })]), connection: conn(y('a'), x('a')), allowed: false, ingress: 'admin-tier-denies' },
  { rule: 'fail closed: an Accept with an unknown peer matches nothing', cluster: world([cnp('newer', 'Admin', 1, { ingress: [rule('Accept', [{ unknown: '{"services":{}}' }])] })], catalogue.defaultDenyIngress('x')), connection: conn(y('a'), x('a')), allowed: false, ingress: 'no-rule-allows' },
  { rule: 'AdminNetworkPolicy (v1alpha1) is the Admin tier', cluster: world([cnp('anp', 'Admin', 1, { kind: 'AdminNetworkPolicy', ingress: [rule('Deny', [fromNamespaces({ ns: 'y' })])] })], catalogue.allowAll('x')), connection: conn(y('a'), x('a')), allowed: false, ingress: 'admin-tier-denies' },
  { rule: 'BaselineAdminNetworkPolicy (v1alpha1) is the Baseline tier', cluster: world([cnp('default', 'Baseline', 0, { kind: 'BaselineAdminNetworkPolicy', ingress: [rule('Deny', [fromNamespaces({ ns: 'y' })])] })]), connection: conn(y('a'), x('a')), allowed: false, ingress: 'baseline-tier-denies' },
];

describe('netpol tiers: the SIG ClusterNetworkPolicy model', () => {
  for (const c of cases) {
    it(c.rule, () => {
      const v = evaluate(c.cluster, c.connection);
      assert.equal(v.allowed, c.allowed, explainVerdict(v).join('\n'));
      if (c.egress) assert.equal(v.egress.reason, c.egress, explainVerdict(v).join('\n'));
      if (c.ingress) assert.equal(v.ingress.reason, c.ingress, explainVerdict(v).join('\n'));
    });
  }

  it('names the deciding policy, rule and tier', () => {
    const v = evaluate(world([baselineDenyAll]), conn(y('a'), x('a')));
    assert.deepEqual(v.ingress.decidedBy, { tier: 'Baseline', action: 'Deny', policy: { kind: 'ClusterNetworkPolicy', name: 'baseline-deny', tier: 'Baseline', priority: 50 }, rule: 0, ruleName: 'deny-all-namespaces' });
    assert.match(explainVerdict(v)[2]!, /denied, ClusterNetworkPolicy\/baseline-deny rule 0 \(deny-all-namespaces\), Baseline tier priority 50 denies it/);
  });

  it('records the Pass rules a connection went through', () => {
    const v = evaluate(world([passFromY], catalogue.allowAll('x')), conn(y('a'), x('a')));
    assert.deepEqual(v.ingress.passedBy.map((p) => p.policy.name), ['pass-from-y']);
    assert.match(explainVerdict(v)[2]!, /passed on by ClusterNetworkPolicy\/pass-from-y/);
  });

  it('subjects never include hostNetwork pods', () => {
    const cluster = world([cnp('deny-out', 'Admin', 1, { egress: [rule('Deny', [networks('0.0.0.0/0')])] })]);
    cluster.pods.push(pod('x', 'host', { ip: '10.0.0.5', node: 'n1', hostNetwork: true }));
    const v = evaluate(cluster, conn(podAt('x', 'host'), ipAt('8.8.8.8')));
    assert.equal(v.egress.reason, 'not-a-pod');
  });
});

describe('netpol tiers: the two-sided comparison', () => {
  const all = (c: Cluster, before: NetworkPolicy[], after: NetworkPolicy[]) => compareConnectivity(c, before, after, { includeNewlyAllowed: true });

  it('allow-all under a Baseline deny opens exactly what the Baseline tier denied, and says which rule', () => {
    const c = world([baselineDenyAll]);
    const r = all(c, [], [catalogue.allowAll('x')]);
    assert.equal(r.denied.length, 0);
    assert.ok(r.allowed.length > 0);
    for (const cls of r.allowed) {
      assert.equal(cls.to.kind, 'pod');
      assert.ok(cls.from.kind === 'pod', `only pod peers were denied: ${cls.description}`);
      assert.match(cls.description, /denied before, allowed after \(ingress of x\/. denied by ClusterNetworkPolicy\/baseline-deny rule deny-all-namespaces in the Baseline tier\)/);
    }
    // every pod of every namespace (x's own included) to every pod of x, on all three protocols
    const pairs = new Set(r.allowed.map((cls) => `${cls.from.kind === 'pod' ? cls.from.pod.name + '.' + cls.from.pod.namespace : ''}>${cls.to.kind === 'pod' ? cls.to.pod.name : ''}/${cls.protocol}`));
    assert.equal(pairs.size, 9 * 3 * 3);
  });

  it('allow-all under an Admin deny changes nothing: the Admin tier decides before and after', () => {
    const r = all(world([denyFromY]), [], [catalogue.allowAll('x')]);
    assert.deepEqual([r.denied.length, r.allowed.length], [0, 0]);
  });

  it('allow-all under a Baseline deny of egress opens egress, not ingress', () => {
    const egressDeny = cnp('no-internet', 'Baseline', 1, { subject: inNamespaces({ ns: 'x' }), egress: [rule('Deny', [networks('0.0.0.0/0')], undefined, 'no-egress')] });
    const r = all(world([egressDeny]), [], [catalogue.allowAll('x')]);
    assert.ok(r.allowed.length > 0);
    assert.ok(r.allowed.every((cls) => cls.deniedBy.every((d) => d.direction === 'Egress' && d.pod.namespace === 'x')));
  });

  it('a policy in another namespace than the Baseline subject changes nothing', () => {
    const r = all(world([baselineDenyAll]), [], [catalogue.allowAll('y')]);
    assert.deepEqual([r.denied.length, r.allowed.length], [0, 0]);
  });
});
