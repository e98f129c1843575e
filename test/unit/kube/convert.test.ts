// API objects ↔ the core model. `from` must survive both ways: a lost `from` means "allow all".
import assert from 'node:assert/strict';
import { placeholderPolicy, templateSpec } from '../../../src/core/placeholder.ts';
import { compilePolicy } from '../../../src/core/netpol/compile.ts';
import { compileSelector } from '../../../src/core/netpol/selector.ts';
import { toManifest, toNamespace, toNode, toPod, toPolicy } from '../../../src/kube/convert.ts';
import { ours, policy } from '../builders.ts';

const peer = { podSelector: { matchLabels: { app: 'frontend' } } };

describe('kube/convert: toPolicy', () => {
  it('reads `_from` (typed client-node objects)', () => {
    const p = toPolicy({ metadata: { name: 'p', namespace: 'a' }, spec: { podSelector: {}, ingress: [{ _from: [peer] }] } });
    assert.deepEqual(p.spec.ingress, [{ from: [peer] }]);
  });

  it('reads `from` (plain JSON/YAML)', () => {
    const p = toPolicy({ metadata: { name: 'p', namespace: 'a' }, spec: { podSelector: {}, ingress: [{ from: [peer] }] } });
    assert.deepEqual(p.spec.ingress, [{ from: [peer] }]);
  });

  it('an empty rule stays empty (allow all), an absent list stays absent', () => {
    const p = toPolicy({ metadata: { name: 'p', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } });
    assert.deepEqual(p.spec, { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
  });

  it('a full policy: selectors, ipBlock with except, ports (numeric strings become numbers, names stay)', () => {
    const raw = {
      metadata: { name: 'web', namespace: 'prod', uid: 'u1', resourceVersion: '42', labels: { a: 'b' }, annotations: { c: 'd' }, creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: {
        podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: {} }, podSelector: null }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: '8080' }, { port: 'http' }] }],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [] } }], ports: [{ protocol: 'UDP', port: 53, endPort: 60 }] }],
      },
    };
    assert.deepEqual(toPolicy(raw), {
      metadata: { name: 'web', namespace: 'prod', uid: 'u1', resourceVersion: '42', labels: { a: 'b' }, annotations: { c: 'd' } },
      spec: {
        podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 8080 }, { port: 'http' }] }],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP', port: 53, endPort: 60 }] }],
      },
    });
  });

  it('kubectl\'s last-applied copy of the object is not kept; every other annotation and label is, as it was', () => {
    const p = ours('a');
    const raw = JSON.parse(JSON.stringify({ ...p, metadata: { ...p.metadata, annotations: { ...p.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', other: 'x' } } }));
    const back = toPolicy(raw);
    assert.deepEqual(back.metadata.annotations, { ...p.metadata.annotations, other: 'x' });
    assert.deepEqual(back.metadata.labels, p.metadata.labels);
    assert.equal(toPolicy({ metadata: { name: 'p', namespace: 'a', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, spec: {} }).metadata.annotations, undefined);
  });

  it('a missing podSelector is the empty selector', () => {
    assert.deepEqual(toPolicy({ metadata: { name: 'p', namespace: 'a' }, spec: {} }).spec, { podSelector: {} });
  });
});

describe('kube/convert: one shared copy of what every placeholder repeats', () => {
  const placeholder = (namespace: string) => toPolicy(toManifest(placeholderPolicy(namespace, { name: 'cis-default-allow', template: 'allow-all', version: '0.1.0' })));

  it('placeholders of one template share one spec, one label and one annotation record, and one compiled form', () => {
    const [a, b] = [placeholder('a'), placeholder('b')];
    assert.equal(a.spec, b.spec);
    assert.equal(a.metadata.labels, b.metadata.labels);
    assert.equal(a.metadata.annotations, b.metadata.annotations);
    assert.deepEqual(a.spec, templateSpec('allow-all'));
    const [ca, cb] = [compilePolicy(a), compilePolicy(b)];
    assert.equal(ca.rules, cb.rules);
    assert.deepEqual([ca.ref, cb.ref], [{ namespace: 'a', name: 'cis-default-allow' }, { namespace: 'b', name: 'cis-default-allow' }]);
  });

  it("a user's policy keeps its own spec and labels; a spec naming its own namespace compiles per namespace", () => {
    const raw = (namespace: string) => ({ metadata: { name: 'p', namespace, labels: { team: 'red' } }, spec: { podSelector: {}, ingress: [{ from: [peer] }] } });
    const [a, b] = [toPolicy(raw('a')), toPolicy(raw('b'))];
    assert.notEqual(a.spec, b.spec);
    assert.notEqual(a.metadata.labels, b.metadata.labels);
    const shared = { ...a.spec };
    const [ca, cb] = [compilePolicy({ ...a, spec: shared }), compilePolicy({ ...b, spec: shared })];
    assert.notEqual(ca.rules, cb.rules);
    assert.deepEqual(ca.rules.Ingress[0]?.peers, [{ kind: 'pods', namespaces: { kind: 'own', namespace: 'a' }, pods: compileSelector(peer.podSelector) }]);
    assert.deepEqual(cb.rules.Ingress[0]?.peers, [{ kind: 'pods', namespaces: { kind: 'own', namespace: 'b' }, pods: compileSelector(peer.podSelector) }]);
  });
});

describe('kube/convert: toManifest (the body createPolicy sends)', () => {
  it('round trip: manifest → JSON → toPolicy gives the model back, for both templates', () => {
    for (const template of ['allow-all', 'cluster-internal'] as const) {
      const p = ours('a', { template });
      const back = toPolicy(JSON.parse(JSON.stringify(toManifest(p))));
      assert.deepEqual(back.spec, templateSpec(template));
      assert.deepEqual([back.metadata.labels, back.metadata.annotations], [p.metadata.labels, p.metadata.annotations]);
    }
  });

  it('toManifest keeps plain `from`, and round-trips through toPolicy', () => {
    const p = ours('a', { template: 'cluster-internal' });
    const m = toManifest(p);
    assert.deepEqual(m['spec'].ingress, [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }]);
    assert.deepEqual(toPolicy(JSON.parse(JSON.stringify(m))).spec, p.spec);
  });

  it('the body carries no uid or resourceVersion (a create, not an update)', () => {
    const p = ours('a');
    p.metadata.uid = 'u';
    p.metadata.resourceVersion = '7';
    assert.deepEqual(Object.keys(toManifest(p)['metadata']).sort(), ['annotations', 'labels', 'name', 'namespace']);
  });
});

describe('kube/convert: toNamespace', () => {
  const cases: [what: string, raw: Record<string, unknown>, phase: 'Active' | 'Terminating'][] = [
    ['active', { metadata: { name: 'a' }, status: { phase: 'Active' } }, 'Active'],
    ['no status', { metadata: { name: 'a' } }, 'Active'],
    ['phase Terminating', { metadata: { name: 'a' }, status: { phase: 'Terminating' } }, 'Terminating'],
    ['deletionTimestamp as a string, phase still Active', { metadata: { name: 'a', deletionTimestamp: '2024-05-01T11:00:00Z' }, status: { phase: 'Active' } }, 'Terminating'],
    ['deletionTimestamp as a Date (typed client)', { metadata: { name: 'a', deletionTimestamp: new Date('2024-05-01T11:00:00Z') } }, 'Terminating'],
  ];
  for (const [what, raw, phase] of cases) it(`${what} → ${phase}`, () => assert.equal(toNamespace(raw).phase, phase));

  it('metadata: deletionTimestamp normalised to ISO, labels copied', () => {
    const ns = toNamespace({ metadata: { name: 'a', labels: { team: 'x' }, deletionTimestamp: new Date('2024-05-01T11:00:00Z') } });
    assert.deepEqual(ns.metadata, { name: 'a', labels: { team: 'x' }, deletionTimestamp: '2024-05-01T11:00:00.000Z' });
  });
});

describe('kube/convert: pods and nodes', () => {
  it('toPod: IPs (podIPs, else podIP), ports of all containers, node, hostNetwork', () => {
    const pod = toPod({
      metadata: { name: 'web-1', namespace: 'prod', labels: { app: 'web' } },
      spec: { nodeName: 'n1', hostNetwork: true, initContainers: [{ ports: [{ containerPort: 9000 }] }], containers: [{ ports: [{ name: 'http', containerPort: '8080', protocol: 'TCP' }] }, {}] },
      status: { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] },
    });
    assert.deepEqual(pod, {
      metadata: { name: 'web-1', namespace: 'prod', labels: { app: 'web' } },
      nodeName: 'n1', hostNetwork: true, podIPs: ['10.0.0.1', 'fd00::1'],
      containerPorts: [{ containerPort: 9000 }, { containerPort: 8080, name: 'http', protocol: 'TCP' }],
    });
    assert.deepEqual(toPod({ metadata: { name: 'p', namespace: 'a' }, status: { podIP: '10.0.0.2' } }).podIPs, ['10.0.0.2']);
  });

  it('toNode: internal and external addresses only', () => {
    const node = toNode({ metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'n1' }, { type: 'ExternalIP', address: '203.0.113.5' }] } });
    assert.deepEqual(node, { metadata: { name: 'n1' }, addresses: ['10.0.0.5', '203.0.113.5'] });
  });
});
