// Calico tiers other than `default`, on a real kube-apiserver with Calico's vendored Tier and policy
// CRDs (scripts/testenv-crds/calico), objects written as Calico's tiered-policy tutorial writes them
// (crd.projectcalico.org/v1, policy names prefixed `<tier>.`): remediate writes with "connectivity
// unchanged" where a tier before the default tier decides the same with or without the placeholder,
// refuses where a tier after it would stop being reached, and says "not proven" for a policy whose
// tier has no Tier object; can-reach names tier, policy and rule; prune lists what a later tier
// denies once the placeholder goes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freshNamespaces, policiesIn, userPolicy } from '../support/cluster.ts';
import { modelObjects, remediateJson } from '../support/model-objects.ts';
import { kubectl, plugin } from '../support/run.ts';

const RUN = randomBytes(3).toString('hex');
const { create, makePod, removeAll } = modelObjects();

const tier = (name: string, order?: number) => `apiVersion: crd.projectcalico.org/v1
kind: Tier
metadata: {name: ${name}}
spec: {${order === undefined ? '' : `order: ${order}`}}
`;
// A namespaced Calico policy in `tierName`: deny ingress from the client's namespace, then `then`.
const denyFrom = (tierName: string, ns: string, client: string, then = '') => `apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: ${tierName}.deny-client, namespace: ${ns}}
spec:
  tier: ${tierName}
  order: 10
  selector: all()
  types: [Ingress]
  ingress:
  - action: Deny
    source: {namespaceSelector: projectcalico.org/name == '${client}'}
${then}`;

describe('Calico tiers in the proof, prune and can-reach, against a real API server', () => {
  let client: string;
  let ownDefault = false;
  before(() => {
    [client] = freshNamespaces('calt-client', 1) as [string];
    makePod(client, 'client', { app: 'client' });
    // Calico creates the `default` Tier itself; here nothing does. Made only if absent, removed only if made here.
    ownDefault = kubectl(['create', '-f', '-'], { input: 'apiVersion: crd.projectcalico.org/v1\nkind: Tier\nmetadata: {name: default}\nspec: {order: 1000000, defaultAction: Deny}\n' }).code === 0;
  });
  after(() => {
    removeAll();
    if (ownDefault) kubectl(['delete', 'tier.crd.projectcalico.org', 'default', '--ignore-not-found']);
  });

  it('a security tier before the default tier: unchanged with the placeholder, written; can-reach names tier, policy and rule', () => {
    const [ns] = freshNamespaces('calt-first', 1) as [string];
    makePod(ns, 'web', { app: 'web' });
    const sec = `sec-${RUN}`;
    create(tier(sec, 100));
    create(denyFrom(sec, ns, client, '  - action: Pass\n'));
    const { code, res } = remediateJson(ns);
    assert.equal(code, 1, JSON.stringify(res));
    assert.deepEqual([res.status, res.connectivity?.unchanged, res.connectivity?.unproven], ['FIXED', true, []]);
    assert.equal(policiesIn(ns).length, 1);
    const reach = JSON.parse(plugin(['can-reach', '--from', `${client}/client`, '--to', `${ns}/web`, '--port', '80', '-o', 'json']).stdout);
    assert.deepEqual([reach.verdict, reach.ingress.reason, reach.ingress.decidedBy.calicoTier, reach.ingress.decidedBy.rule], ['DENIED', 'calico-denies', sec, 'ingress[0]']);
    assert.match(reach.ingress.explanation, new RegExp(`CalicoNetworkPolicy ${ns}/${sec}\\.deny-client ingress rule ingress\\[0\\] \\(tier ${sec}, order 10\\); the first matching rule of Calico tier ${sec} decides`));
  });

  it('a tier after the default tier: the placeholder would stop it from being reached, so remediate refuses and names it', () => {
    const [ns] = freshNamespaces('calt-late', 1) as [string];
    makePod(ns, 'web', { app: 'web' });
    const late = `late-${RUN}`;
    create(tier(late, 2000000));
    create(denyFrom(late, ns, client));
    const { code, res } = remediateJson(ns);
    assert.deepEqual([code, res.error?.kind, res.connectivity?.unproven], [2, 'Opening', []]);
    assert.ok(res.connectivity!.opened.some((l) => l.includes(`CalicoNetworkPolicy ${ns}/${late}.deny-client ingress rule ingress[0] (tier ${late}, order 10)`)), res.connectivity!.opened.join('\n'));
    assert.deepEqual(policiesIn(ns), []);
  });

  it('a policy naming a tier that has no Tier object: not proven, nothing written', () => {
    const [ns] = freshNamespaces('calt-ghost', 1) as [string];
    makePod(ns, 'web', { app: 'web' });
    create(denyFrom(`ghost-${RUN}`, ns, client));
    const { code, res } = remediateJson(ns);
    assert.equal(code, 2);
    assert.match(res.connectivity!.unproven.join('\n'), new RegExp(`not proven: CalicoNetworkPolicy ${ns}/ghost-${RUN}\\.deny-client .* tier ghost-${RUN}: no Tier object of that name was read`));
    assert.deepEqual(policiesIn(ns), []);
  });

  it('prune: once the placeholder goes, a later tier is reached again, and what it denies is listed with tier, policy and rule', () => {
    const [ns] = freshNamespaces('calt-prune', 1) as [string];
    makePod(ns, 'web', { app: 'web' });
    assert.equal(remediateJson(ns).res.status, 'FIXED');
    userPolicy(ns, 'api-only', '{podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}'); // selects no pod here
    const late = `prune-late-${RUN}`;
    create(tier(late));
    create(denyFrom(late, ns, client));
    const r = plugin(['prune', '-n', ns, '-o', 'json']);
    const res = JSON.parse(r.stdout).results.find((x: { namespace: string }) => x.namespace === ns);
    assert.deepEqual([res.status, res.connectivity.unchanged, res.connectivity.unproven], ['PLANNED', false, []]);
    assert.ok(res.connectivity.denied.some((l: string) => l.includes(`from the only pod in ns ${client} (client)`) && l.includes(`CalicoNetworkPolicy ${ns}/${late}.deny-client ingress rule ingress[0] (tier ${late}, order 10)`)), res.connectivity.denied.join('\n'));
    assert.equal(policiesIn(ns).length, 2, 'plan only: nothing deleted');
  });
});
