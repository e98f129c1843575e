// Antrea-native policies modelled exactly, on a real kube-apiserver with Antrea's CRDs (vendored,
// scripts/testenv-crds/antrea), objects written as docs/antrea-network-policy.md writes them:
// remediate refuses where the allow-all placeholder would change a verdict (a Drop in the baseline
// Tier, which a pod the placeholder isolates no longer reaches), writes with "connectivity
// unchanged" where it provably does not (rules in a Tier before the NetworkPolicies, a custom Tier
// read from the cluster), says "not proven" where an FQDN or L7 rule touches the pods, and
// can-reach names the deciding Antrea policy, Tier and rule. Cluster-wide policies select only this
// file's namespaces: other suites share the server.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { policiesIn } from '../support/cluster.ts';
import { assertWrittenUnchanged, modelObjects, remediateJson } from '../support/model-objects.ts';
import { plugin } from '../support/run.ts';

const RUN = randomInt(1e6).toString(36);
const { create, namespaceWithPod, removeAll } = modelObjects();

function canReach(from: string, to: string, port: number) {
  return JSON.parse(plugin(['can-reach', '--from', from, '--to', to, '--port', String(port), '-o', 'json']).stdout);
}

describe('Antrea-native policies in the proof, against a real API server', () => {
  let client: string;
  after(removeAll);
  before(() => {
    client = namespaceWithPod('antrea-client', 'client');
  });

  it('a Drop in the baseline Tier: the placeholder would isolate the pods past it, so remediate refuses and names the rule; can-reach names policy, Tier and rule', () => {
    const ns = namespaceWithPod('antrea-base', 'web');
    create(`apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: antrea-model-base-${RUN}}
spec:
  priority: 10
  tier: baseline
  appliedTo:
  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${ns}}}
  ingress:
  - action: Drop
    name: deny-other-namespaces
    from:
    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [${ns}]}]}
`);
    const { code, res } = remediateJson(ns);
    assert.equal(code, 2, JSON.stringify(res));
    assert.deepEqual([res.status, res.error?.kind, res.connectivity?.unproven], ['FAILED', 'Opening', []]);
    assert.ok(res.connectivity!.opened.some((l) => l.includes(`from the only pod in ns ${client} (client)`) && l.includes(`dropped by AntreaClusterNetworkPolicy antrea-model-base-${RUN} ingress rule ingress[0] (deny-other-namespaces), tier baseline`)), res.connectivity!.opened.join('\n'));
    assert.deepEqual(policiesIn(ns), []);
    const reach = canReach(`${client}/client`, `${ns}/web`, 80);
    assert.deepEqual([reach.verdict, reach.ingress.reason], ['DENIED', 'antrea-denies']);
    assert.match(reach.ingress.explanation, new RegExp(`dropped by AntreaClusterNetworkPolicy antrea-model-base-${RUN} ingress rule ingress\\[0\\] \\(deny-other-namespaces\\), tier baseline \\(priority 253\\), policy priority 10; no NetworkPolicy isolates`));
  });

  it('Reject and Allow in a custom Tier read from the cluster, before the NetworkPolicies: the placeholder changes nothing and is written', () => {
    const ns = namespaceWithPod('antrea-tier', 'web');
    create(`apiVersion: crd.antrea.io/v1beta1
kind: Tier
metadata: {name: antrea-model-${RUN}}
spec: {priority: ${randomInt(20, 49)}, description: "a custom tier"}
---
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: decide-first, namespace: ${ns}}
spec:
  priority: 5
  tier: antrea-model-${RUN}
  appliedTo:
  - podSelector: {}
  ingress:
  - action: Reject
    name: no-client-http
    from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${client}}}
    ports:
    - {protocol: TCP, port: 80, endPort: 90}
  - action: Allow
  egress:
  - action: Allow
`);
    assertWrittenUnchanged(ns);
    assert.equal(policiesIn(ns).length, 1);
    const reach = canReach(`${client}/client`, `${ns}/web`, 85);
    assert.deepEqual([reach.verdict, reach.ingress.reason], ['DENIED', 'antrea-denies']);
    assert.match(reach.ingress.explanation, new RegExp(`rejected by AntreaNetworkPolicy ${ns}/decide-first ingress rule ingress\\[0\\] \\(no-client-http\\), tier antrea-model-${RUN} \\(priority \\d+\\), policy priority 5; Antrea Tiers other than baseline decide before any NetworkPolicy`));
    assert.equal(canReach(`${client}/client`, `${ns}/web`, 443).verdict, 'ALLOWED');
  });

  it('FQDN and L7 rules keep "not proven" for the pods they touch; a namespace they do not touch is proven', () => {
    const ns = namespaceWithPod('antrea-fqdn', 'api');
    const other = namespaceWithPod('antrea-other', 'api');
    create(`apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: egress-fqdn, namespace: ${ns}}
spec:
  priority: 5
  appliedTo:
  - podSelector: {matchLabels: {app: api}}
  egress:
  - action: Allow
    to:
    - fqdn: "*.example.com"
  - action: Drop
---
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: http-only, namespace: ${ns}}
spec:
  priority: 6
  appliedTo:
  - podSelector: {}
  ingress:
  - action: Allow
    l7Protocols:
    - http: {path: "/api/*"}
`);
    const { code, res } = remediateJson(ns);
    assert.deepEqual([code, res.status, res.error?.kind], [2, 'FAILED', 'NotProven']);
    const unproven = res.connectivity!.unproven.join('\n');
    assert.match(unproven, new RegExp(`AntreaNetworkPolicy ${ns}/egress-fqdn .* has parts the proof cannot model: egress\\[0\\]\\.to\\[0\\] has fqdn "\\*\\.example\\.com"`));
    assert.match(unproven, new RegExp(`AntreaNetworkPolicy ${ns}/http-only .* has parts the proof cannot model: ingress\\[0\\] has l7Protocols`));
    assert.deepEqual(policiesIn(ns), []);
    assertWrittenUnchanged(other);
  });
});
