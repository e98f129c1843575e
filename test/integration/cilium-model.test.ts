// Cilium policies modelled exactly, on a real kube-apiserver with Cilium's CRDs (scripts/testenv),
// objects written as docs.cilium.io writes them: remediate refuses where the allow-all placeholder
// would change a verdict (a Cilium rule isolates the pods; the agent's mode `always`), writes with
// "connectivity unchanged" where it provably does not (an allow-all Cilium rule, a deny rule, rules
// that isolate nothing), and can-reach names the deciding Cilium rule; the same for Calico's
// default tier (crd.projectcalico.org/v1 objects). Antrea's cases are in antrea-model.test.ts.
import assert from 'node:assert/strict';
import { policiesIn } from '../support/cluster.ts';
import { assertWrittenUnchanged, modelObjects, remediateJson } from '../support/model-objects.ts';
import { kubectl, plugin } from '../support/run.ts';

const { create, namespaceWithPod, removeAll } = modelObjects();

describe('Cilium and Calico policies in the proof, against a real API server', () => {
  let client: string;
  after(() => {
    // Policies go too: other suites share the cluster (and can-reach lists what selects its ends).
    removeAll();
  });
  before(() => {
    client = namespaceWithPod('cil-client', 'client');
  });

  it('a CiliumNetworkPolicy isolating the pods: the placeholder would open them, so remediate refuses and names it; can-reach names the rule', () => {
    const ns = namespaceWithPod('cil-isolated', 'web');
    create(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: same-namespace, namespace: ${ns}}
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints: [{}]
`);
    const { code, res } = remediateJson(ns);
    assert.equal(code, 2);
    assert.deepEqual([res.status, res.error?.kind, res.connectivity?.unproven], ['FAILED', 'Opening', []]);
    assert.ok(res.connectivity!.opened.some((l) => l.includes(`from the only pod in ns ${client} (client)`) && l.includes(`isolated by CiliumNetworkPolicy ${ns}/same-namespace spec`)), res.connectivity!.opened.join('\n'));
    assert.deepEqual(policiesIn(ns), []);
    const reach = JSON.parse(plugin(['can-reach', '--from', `${client}/client`, '--to', `${ns}/web`, '--port', '80', '-o', 'json']).stdout);
    assert.deepEqual([reach.verdict, reach.ingress.reason], ['DENIED', 'no-rule-allows']);
    assert.match(reach.ingress.explanation, new RegExp(`CiliumNetworkPolicy ${ns}/same-namespace spec`));
  });

  it('a Cilium rule allowing everything, a deny rule, and rules that isolate nothing: the placeholder changes nothing and is written', () => {
    const ns = namespaceWithPod('cil-open', 'web');
    create(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: open-but-not-client, namespace: ${ns}}
spec:
  endpointSelector: {}
  ingress:
  - fromEntities: [all]
  ingressDeny:
  - fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: ${client}}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
  egress:
  - toEntities: [all]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: dns-no-isolation, namespace: ${ns}}
spec:
  endpointSelector: {matchLabels: {app: web}}
  enableDefaultDeny: {egress: false}
  egress:
  - toEntities: [world]
    toPorts: [{ports: [{port: "53", protocol: ANY}]}]
`);
    assertWrittenUnchanged(ns);
    assert.equal(policiesIn(ns).length, 1);
    const reach = JSON.parse(plugin(['can-reach', '--from', `${client}/client`, '--to', `${ns}/web`, '--port', '80', '-o', 'json']).stdout);
    assert.deepEqual([reach.verdict, reach.ingress.reason], ['DENIED', 'cilium-denies']);
    assert.match(reach.ingress.explanation, new RegExp(`CiliumNetworkPolicy ${ns}/open-but-not-client spec\\.ingressDeny\\[0\\]`));
  });

  it('a Cilium rule with L7 parts keeps "not proven" for the pods it selects', () => {
    const ns = namespaceWithPod('cil-l7', 'api');
    create(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-l7, namespace: ${ns}}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEntities: [all]
    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]
`);
    const { code, res } = remediateJson(ns);
    // Refused (it would also open the ports the L4 part leaves closed), and the L7 part is named.
    assert.equal(code, 2);
    assert.match(res.connectivity!.unproven.join('\n'), new RegExp(`CiliumNetworkPolicy ${ns}/api-l7 .* has parts the proof cannot model: spec\\.ingress\\[0\\]\\.toPorts\\[0\\] has rules \\(L7`));
  });

  it('a Calico NetworkPolicy (crd.projectcalico.org/v1) isolating the pods after order 1000: refused, the end of its tier named', () => {
    const ns = namespaceWithPod('cal', 'db');
    create(`apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default.db, namespace: ${ns}}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Allow
    source: {selector: app == 'client'}
`);
    const { code, res } = remediateJson(ns);
    assert.deepEqual([code, res.error?.kind, res.connectivity?.unproven], [2, 'Opening', []]);
    assert.ok(res.connectivity!.opened.some((l) => l.includes(`end of Calico's default tier (it applies through CalicoNetworkPolicy ${ns}/default.db)`)), res.connectivity!.opened.join('\n'));
    assert.deepEqual(policiesIn(ns), []);
    const reach = JSON.parse(plugin(['can-reach', '--from', `${client}/client`, '--to', `${ns}/db`, '--port', '5432', '-o', 'json']).stdout);
    assert.deepEqual([reach.verdict, reach.ingress.reason], ['DENIED', 'calico-denies']);
  });

  it('a Calico NetworkPolicy that decides everything before order 1000: the placeholder changes nothing and is written', () => {
    const ns = namespaceWithPod('cal-first', 'db');
    create(`apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default.decide-first, namespace: ${ns}}
spec:
  order: 500
  selector: all()
  types: [Ingress, Egress]
  ingress:
  - action: Deny
    source: {namespaceSelector: projectcalico.org/name == '${client}'}
  - action: Allow
  egress:
  - action: Allow
`);
    assertWrittenUnchanged(ns);
    const reach = JSON.parse(plugin(['can-reach', '--from', `${client}/client`, '--to', `${ns}/db`, '--port', '5432', '-o', 'json']).stdout);
    assert.deepEqual([reach.verdict, reach.ingress.reason], ['DENIED', 'calico-denies']);
    assert.match(reach.ingress.explanation, new RegExp(`CalicoNetworkPolicy ${ns}/default.decide-first ingress rule ingress\\[0\\] \\(order 500\\)`));
  });

  describe('the agent\'s mode from cilium-config', () => {
    before(() => {
      kubectl(['delete', 'configmap', '-n', 'kube-system', 'cilium-config', '--ignore-not-found']);
      create(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {enable-policy: always}\n`);
    });
    after(() => kubectl(['delete', 'configmap', '-n', 'kube-system', 'cilium-config', '--ignore-not-found']));

    it('enable-policy=always: every pod is isolated, so even a namespace without any policy is refused', () => {
      const ns = namespaceWithPod('cil-always', 'web');
      const { code, res, stdout } = remediateJson(ns);
      assert.deepEqual([code, res.error?.kind], [2, 'Opening']);
      assert.ok(res.connectivity!.opened.some((l) => l.includes('Cilium enable-policy=always')), res.connectivity!.opened.join('\n'));
      assert.match(stdout, /Cilium policies are modelled with enable-policy=always \(ConfigMap kube-system\/cilium-config enable-policy=always\)/);
    });
  });
});
