// Exact comparison: what a policy change breaks, as classes of connections, and their summary.
import assert from 'node:assert/strict';
import { compareConnectivity, summarise, type ConnectionClass, type Cluster } from '../../../src/core/netpol/index.ts';
import { catalogue, cidr, e2eModel, node, ns, pod, policy, tcp } from './fixtures.ts';

const endText = (e: ConnectionClass['from']) => (e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : e.description);
const brief = (c: ConnectionClass) => `${c.protocol} ${c.ports.from}-${c.ports.to} ${endText(c.from)} -> ${endText(c.to)}`;

function dualStackCluster(): Cluster {
  return {
    namespaces: [ns('d'), ns('e')],
    pods: [
      pod('d', 'web', { labels: { app: 'web' }, ip: ['10.244.9.2', 'fd00:244::2'], node: 'n1' }),
      pod('e', 'api', { labels: { app: 'api' }, ip: ['10.244.9.3', 'fd00:244::3'], node: 'n1' }),
    ],
    nodes: [node('n1', '10.0.0.5', 'fd00::5')],
    policies: [],
  };
}

describe('netpol compare: placeholders', () => {
  it('adding allow-all to a namespace without policies changes nothing, in either direction', () => {
    const r = compareConnectivity(e2eModel(), [], [catalogue.allowAll('x')], { includeNewlyAllowed: true });
    assert.deepEqual([r.denied, r.allowed], [[], []]);
  });

  it('the cluster-internal template cuts egress outside the pod network and ingress from outside it', () => {
    const r = compareConnectivity(e2eModel(), [], [catalogue.clusterInternal('x')]);
    const lines = new Set(r.denied.filter((c) => c.protocol === 'TCP').map(brief));
    for (const p of ['a', 'b', 'c']) {
      assert.ok(lines.has(`TCP 1-65535 x/${p} -> 0.0.0.0/0 outside pod and node addresses`));
      assert.ok(lines.has(`TCP 1-65535 x/${p} -> node n1 (10.0.0.5)`), 'egress to the API server on a node address');
      assert.ok(lines.has(`TCP 1-65535 0.0.0.0/0 outside pod and node addresses -> x/${p}`), 'ingress from external clients');
    }
    // Ingress from the pod's own node (kubelet probes) survives; from the other node it does not.
    assert.ok(!lines.has('TCP 1-65535 node n1 (10.0.0.5) -> x/a'));
    assert.ok(lines.has('TCP 1-65535 node n2 (10.0.0.6) -> x/a'));
    assert.ok(!lines.has('TCP 1-65535 node n2 (10.0.0.6) -> x/b'));
    assert.ok(r.denied.every((c) => c.from.kind !== 'pod' || c.to.kind !== 'pod'), 'pod-to-pod traffic is unaffected');
    assert.equal(r.denied.length, 3 * (3 * 3 + 3 * 2), 'per protocol: 3 pods x (external + 2 nodes) egress, 3 pods x (external + other node) ingress');
  });

  it('summarises the cluster-internal template per namespace in a few lines', () => {
    const cluster = e2eModel();
    const r = compareConnectivity(cluster, [], [catalogue.clusterInternal('x')]);
    assert.deepEqual(summarise(cluster, r.denied), [
      {
        namespace: 'x',
        lines: [
          'egress from all 3 pods in ns x to 0.0.0.0/0 outside pod IPs (internet, node addresses 10.0.0.5, 10.0.0.6, NodeLocal DNS 169.254.20.10) on all ports',
          "ingress to all 3 pods in ns x from 0.0.0.0/0 outside pod IPs (external clients and load balancers, node addresses 10.0.0.5, 10.0.0.6), except from each pod's own node on all ports",
        ],
      },
    ]);
  });

  it('removing the placeholder is what lets a stricter policy take effect', () => {
    const strict = catalogue.defaultDenyIngress('x');
    const r = compareConnectivity(e2eModel(), [catalogue.allowAll('x'), strict], [strict]);
    assert.ok(r.denied.some((c) => c.to.kind === 'pod' && c.to.pod.namespace === 'x' && c.from.kind === 'pod'));
    assert.deepEqual(compareConnectivity(e2eModel(), [strict], [catalogue.allowAll('x'), strict], {}).denied, []);
  });

  it('covers IPv6 in a dual-stack cluster', () => {
    const cluster = dualStackCluster();
    const r = compareConnectivity(cluster, [], [catalogue.clusterInternal('d')], { protocols: ['TCP'] });
    assert.ok(r.denied.some((c) => c.family === 'IPv6' && brief(c) === 'TCP 1-65535 d/web -> ::/0 outside pod and node addresses'));
    assert.ok(r.denied.some((c) => c.family === 'IPv4' && brief(c) === 'TCP 1-65535 d/web -> 0.0.0.0/0 outside pod and node addresses'));
    const lines = summarise(cluster, r.denied)[0]!.lines;
    assert.match(lines[0]!, /^egress from the only pod in ns d \(web\) to 0\.0\.0\.0\/0 and ::\/0 outside pod IPs \(internet, node addresses 10\.0\.0\.5, fd00::5/);
  });
});

describe('netpol compare: exact splitting', () => {
  it('splits ports at every port and endPort boundary', () => {
    const after = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{ ports: [tcp(80, 82), tcp(443)] }] });
    const r = compareConnectivity(e2eModel(), [], [after], { protocols: ['TCP'] });
    const fromYb = r.denied.filter((c) => c.from.kind === 'pod' && c.from.pod.namespace === 'y' && c.from.pod.name === 'b');
    assert.deepEqual(fromYb.map((c) => [c.ports.from, c.ports.to]), [[1, 79], [83, 442], [444, 65535]]);
  });

  it('splits ports at named-port resolutions of the destination pod', () => {
    const after = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{ ports: [tcp('serve-81-tcp')] }] });
    const r = compareConnectivity(e2eModel(), [], [after], { protocols: ['TCP'] });
    assert.deepEqual([...new Set(r.denied.map((c) => `${c.ports.from}-${c.ports.to}`))], ['1-80', '82-65535']);
  });

  it('splits addresses at every CIDR and except boundary and keeps pods apart', () => {
    const after = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [cidr('0.0.0.0/0', ['10.0.0.0/8'])] }] });
    const r = compareConnectivity(e2eModel(), [], [after], { protocols: ['UDP'] });
    const targets = r.denied.map((c) => endText(c.to)).sort();
    assert.deepEqual(targets, [
      '10.0.0.0/8 outside pod and node addresses',
      'node n1 (10.0.0.5)',
      'node n2 (10.0.0.6)',
      ...['x', 'y', 'z'].flatMap((n) => ['a', 'b', 'c'].map((p) => `${n}/${p}`)),
    ].sort());
    const external = r.denied.find((c) => c.to.kind === 'external')!;
    assert.equal(external.to.kind === 'external' && external.to.ranges[0]!.start, '10.0.0.0');
  });

  it('says which side denies each class', () => {
    const r = compareConnectivity(e2eModel(), [], [catalogue.defaultDenyEgress('x'), catalogue.defaultDenyIngress('y')], { protocols: ['TCP'] });
    const by = (from: string, to: string) =>
      r.denied.find((c) => endText(c.from) === from && endText(c.to) === to)?.deniedBy.map((d) => `${d.direction} ${d.pod.namespace}/${d.pod.name} ${d.isolatedBy.map((p) => p.name).join()}`);
    assert.deepEqual(by('x/a', 'y/a'), ['Egress x/a default-deny-egress', 'Ingress y/a default-deny-ingress']);
    assert.deepEqual(by('x/a', 'z/a'), ['Egress x/a default-deny-egress']);
    assert.deepEqual(by('z/a', 'y/a'), ['Ingress y/a default-deny-ingress']);
  });

  it('limits the classes to the scope namespaces', () => {
    const r = compareConnectivity(e2eModel(), [], [catalogue.defaultDenyIngress('x')], { namespaces: ['y'], protocols: ['TCP'] });
    assert.ok(r.denied.length > 0);
    assert.ok(r.denied.every((c) => c.from.kind === 'pod' && c.from.pod.namespace === 'y'));
  });

  it('reports newly allowed classes on request', () => {
    const r = compareConnectivity(e2eModel(), [catalogue.defaultDenyAll('z')], [catalogue.allowAll('z')], { includeNewlyAllowed: true, protocols: ['SCTP'] });
    assert.deepEqual(r.denied, []);
    assert.ok(r.allowed.some((c) => brief(c) === 'SCTP 1-65535 z/a -> 0.0.0.0/0 outside pod and node addresses'));
    assert.match(summarise(e2eModel(), r.allowed)[0]!.lines[0]!, /^newly allowed: egress from all 3 pods in ns z/);
  });

  it('summarises pod peers by namespace', () => {
    const cluster = e2eModel();
    const after = policy('x', 'p', { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [tcp(80)] }] });
    const r = compareConnectivity(cluster, [], [after]);
    assert.deepEqual(summarise(cluster, r.denied), [
      {
        namespace: 'x',
        lines: [
          'egress from all 3 pods in ns x to 0.0.0.0/0 outside pod IPs (internet, node addresses 10.0.0.5, 10.0.0.6, NodeLocal DNS 169.254.20.10) on all ports',
          'egress from all 3 pods in ns x to all 3 pods in ns x on all ports',
          'egress from all 3 pods in ns x to all 3 pods in ns y on TCP 1-79, 81-65535, all UDP ports, all SCTP ports',
          'egress from all 3 pods in ns x to all 3 pods in ns z on all ports',
        ],
      },
    ]);
  });

  it('reports problems in policies the API server would reject', () => {
    const bad = policy('x', 'bad', { ingress: [{ from: [cidr('10.0.0.0/99')] }] });
    assert.equal(compareConnectivity(e2eModel(), [], [bad]).problems.length, 1);
  });
});
