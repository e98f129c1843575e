// can-reach: flag parsing, judging a saved state (pure), the forbidden message, the renderer, the exit code.
import assert from 'node:assert/strict';
import { canReach, listClusterWide, runCanReach, type CanReachOptions, type CanReachReport } from '../../src/app/can-reach.ts';
import { parseEndpoint, parsePort } from '../../src/cli/can-reach.ts';
import { canReachExit } from '../../src/cli/exit.ts';
import { ApiError, UsageError } from '../../src/core/errors.ts';
import type { Snapshot } from '../../src/core/report.ts';
import type { ClusterState } from '../../src/kube/state-file.ts';
import { renderCanReach } from '../../src/output/can-reach.ts';
import { deps, FIXED_NOW, FakeCluster, ours } from './builders.ts';
import { catalogue, cnp, fromNamespaces, inNamespaces, ipAt, node, ns, podAt, pod, podSel, policy, rule, tcp, udp } from './netpol/fixtures.ts';

const FILE: Snapshot['source'] = { kind: 'file', path: 'state.yaml' };

// shop: web (http 8080, dns 53/UDP) and db (pg 5432), default-deny both ways plus web-from-client;
// dev: client; legacy: svc, still under the cis-netpol placeholder; node n1 10.0.0.5.
function world(): ClusterState {
  return {
    namespaces: [ns('shop', { team: 'shop' }), ns('dev'), ns('legacy')],
    nodes: [node('n1', '10.0.0.5')],
    pods: [
      pod('shop', 'web', { labels: { app: 'web' }, ip: '10.1.0.6', node: 'n1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
      pod('shop', 'db', { labels: { app: 'db' }, ip: '10.1.0.7', node: 'n1', ports: [{ name: 'pg', containerPort: 5432 }] }),
      pod('dev', 'client', { labels: { app: 'client' }, ip: '10.1.0.5', node: 'n1' }),
      pod('dev', 'pending', { labels: { app: 'client' } }),
      pod('legacy', 'svc', { labels: { app: 'svc' }, ip: '10.1.0.8', node: 'n1' }),
    ],
    policies: [
      catalogue.defaultDenyAll('shop'),
      policy('shop', 'web-from-client', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [tcp('http')] }],
      }),
      policy('legacy', 'deny-all', { policyTypes: ['Ingress', 'Egress'] }),
      ours('legacy'),
    ],
    clusterPolicies: [],
    cniPolicies: [],
  };
}

const opts = (from: CanReachOptions['from'], to: CanReachOptions['to'], port: number | string, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP'): CanReachOptions => ({ from, to, port: { port, protocol } });
const judge = (o: CanReachOptions, state = world()) => canReach(state, o, FILE, FIXED_NOW);

describe('can-reach: parseEndpoint', () => {
  const cases: [string, unknown][] = [
    ['shop/web-7d4b9', { kind: 'pod', namespace: 'shop', name: 'web-7d4b9' }],
    ['shop/web.v2', { kind: 'pod', namespace: 'shop', name: 'web.v2' }],
    ['10.0.0.7', { kind: 'ip', ip: '10.0.0.7' }],
    [' 10.0.0.7 ', { kind: 'ip', ip: '10.0.0.7' }],
    ['fd00::1', { kind: 'ip', ip: 'fd00::1' }],
  ];
  for (const [input, want] of cases) it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.deepEqual(parseEndpoint('from', input), want));

  const bad: [string, RegExp][] = [
    ['shop', /expected <namespace>\/<pod> or an IP address/],
    ['10.0.0.0/8', /a CIDR is not an endpoint/],
    ['a/b/c', /not a pod or a single address/],
    ['Shop/web', /"Shop" is not a namespace name/],
    ['shop/Web_1', /"Web_1" is not a pod name/],
    ['/web', /"" is not a namespace name/],
    ['10.0.0.300', /expected <namespace>\/<pod> or an IP address/],
  ];
  for (const [input, msg] of bad) {
    it(`rejects ${JSON.stringify(input)} with a UsageError`, () => {
      assert.throws(() => parseEndpoint('to', input), (e: unknown) => e instanceof UsageError && msg.test(e.message) && e.message.startsWith(`invalid --to "${input}"`));
    });
  }
});

describe('can-reach: parsePort', () => {
  const cases: [string, unknown][] = [
    ['80', { port: 80, protocol: 'TCP' }],
    ['53/UDP', { port: 53, protocol: 'UDP' }],
    ['53/udp', { port: 53, protocol: 'UDP' }],
    ['3868/SCTP', { port: 3868, protocol: 'SCTP' }],
    ['http', { port: 'http', protocol: 'TCP' }],
    ['dns/UDP', { port: 'dns', protocol: 'UDP' }],
    ['65535', { port: 65535, protocol: 'TCP' }],
  ];
  for (const [input, want] of cases) it(`${input} → ${JSON.stringify(want)}`, () => assert.deepEqual(parsePort(input), want));

  const bad: [string, RegExp][] = [
    ['0', /from 1 to 65535/],
    ['65536', /from 1 to 65535/],
    ['80/ICMP', /unknown protocol "ICMP"/],
    ['80/TCP/x', /at most one "\/"/],
    ['HTTP', /neither a port number nor a container port name/],
    ['a-very-long-port-name', /neither a port number nor a container port name/],
    ['', /neither a port number nor a container port name/],
  ];
  for (const [input, msg] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.throws(() => parsePort(input), (e: unknown) => e instanceof UsageError && msg.test(e.message)));
  }
});

describe('can-reach: canReach (pure)', () => {
  it('allowed by a rule: the report names the policy, the rule index and carries the rule', () => {
    const r = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 8080));
    assert.equal(r.verdict, 'ALLOWED');
    assert.equal(r.allowed, true);
    assert.equal(r.egress.reason, 'not-isolated');
    assert.equal(r.ingress.reason, 'allowed-by-rule');
    assert.deepEqual(r.ingress.allowedBy, [{ policy: { namespace: 'shop', name: 'web-from-client' }, ruleIndex: 0 }]);
    assert.deepEqual(r.ingress.rules.map((x) => [x.policy.name, x.ruleIndex, x.placeholder]), [['web-from-client', 0, false]]);
    assert.deepEqual(r.ingress.rules[0]?.rule.ports, [{ protocol: 'TCP', port: 'http' }]);
    assert.equal(r.explanation[0], 'TCP 8080 from pod dev/client (10.1.0.5) to pod shop/web (10.1.0.6): allowed');
    assert.equal(r.ingress.explanation, r.explanation[2]);
    assert.deepEqual([r.apiVersion, r.kind, r.timestamp], ['cis-netpol.io/v1', 'CanReachReport', FIXED_NOW.toISOString()]);
  });

  it('a Baseline-tier ClusterNetworkPolicy decides where no NetworkPolicy isolates the pod, and is named', () => {
    const s = world();
    s.clusterPolicies = [cnp('no-dev', 'Baseline', 7, { subject: inNamespaces({ 'kubernetes.io/metadata.name': 'legacy' }), ingress: [rule('Deny', [fromNamespaces({ 'kubernetes.io/metadata.name': 'dev' })], undefined, 'from-dev')] })];
    s.policies = s.policies.filter((p) => p.metadata.namespace !== 'legacy');
    const r = judge(opts(podAt('dev', 'client'), podAt('legacy', 'svc'), 80), s);
    assert.deepEqual([r.verdict, r.ingress.reason, r.ingress.decidedBy.tier], ['DENIED', 'baseline-tier-denies', 'Baseline']);
    assert.match(r.ingress.explanation, /denied, ClusterNetworkPolicy\/no-dev rule 0 \(from-dev\), Baseline tier priority 7 denies it/);
  });

  it('an Admin-tier Accept wins over a NetworkPolicy that denies', () => {
    const s = world();
    s.clusterPolicies = [cnp('ops', 'Admin', 1, { subject: inNamespaces({ team: 'shop' }), ingress: [rule('Accept', [fromNamespaces({ 'kubernetes.io/metadata.name': 'dev' })])] })];
    const r = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 9090), s);
    assert.deepEqual([r.verdict, r.ingress.reason], ['ALLOWED', 'admin-tier-allows']);
  });

  it('a Cilium policy decides and is named: its rule allows, or it isolates and nothing allows', () => {
    const s = world();
    s.cniPolicies = [{ kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'web-in', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{}] }] } }];
    const denied = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 9090), s);
    assert.deepEqual([denied.verdict, denied.ingress.reason], ['DENIED', 'no-rule-allows']);
    assert.match(denied.explanation[2]!, /CiliumNetworkPolicy shop\/web-in spec selects? shop\/web but no ingress rule allows/);
    assert.ok(!denied.notes.some((n) => /not modelled/.test(n)), denied.notes.join('\n'));
    s.cniPolicies.push({ kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'from-dev' }, spec: { endpointSelector: {}, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'dev' } }], toPorts: [{ ports: [{ port: '9090' }] }] }] } });
    const allowed = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 9090), s);
    assert.deepEqual([allowed.verdict, allowed.ingress.reason], ['ALLOWED', 'allowed-by-rule']);
    assert.match(allowed.explanation[2]!, /allowed by CiliumClusterwideNetworkPolicy from-dev spec\.ingress\[0\]/);
  });

  it('a Cilium deny rule wins and is named', () => {
    const s = world();
    s.cniPolicies = [{ kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'no-dev', namespace: 'shop' }, spec: { endpointSelector: {}, ingressDeny: [{ fromEntities: ['cluster'] }] } }];
    const r = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 8080), s);
    assert.deepEqual([r.verdict, r.ingress.reason], ['DENIED', 'cilium-denies']);
    assert.match(r.explanation[2]!, /denied by CiliumNetworkPolicy shop\/no-dev spec\.ingressDeny\[0\]/);
  });

  it('a CNI-specific policy the model cannot decide (Antrea group peer; Cilium L7) selecting an end is named in the notes', () => {
    const s = world();
    s.cniPolicies = [
      { kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: 'web', namespace: 'shop' }, spec: { priority: 5, appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }], ingress: [{ action: 'Allow', from: [{ group: 'clients' }] }] } },
      { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'web-l7', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ toPorts: [{ ports: [{ port: '8080' }], rules: { http: [{ method: 'GET' }] } }] }] } },
    ];
    const r = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 8080), s);
    assert.ok(r.notes.some((n) => /^AntreaNetworkPolicy shop\/web selects pod shop\/web \(.*ingress\) and is not modelled/.test(n)), r.notes.join('\n'));
    assert.ok(r.notes.some((n) => /^CiliumNetworkPolicy shop\/web-l7 selects pod shop\/web/.test(n)), r.notes.join('\n'));
  });

  it('denied: the isolating policies are named and no rule is listed', () => {
    const r = judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 9090));
    assert.equal(r.verdict, 'DENIED');
    assert.equal(r.ingress.reason, 'no-rule-allows');
    assert.deepEqual(r.ingress.isolatedBy.map((p) => p.name), ['default-deny-all', 'web-from-client']);
    assert.deepEqual(r.ingress.rules, []);
  });

  it('a named port resolves against the destination pod, for its protocol', () => {
    assert.deepEqual(judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 'http')).connection, {
      from: podAt('dev', 'client'), to: podAt('shop', 'web'), port: 8080, portName: 'http', protocol: 'TCP',
    });
    assert.equal(judge(opts(podAt('dev', 'client'), ipAt('10.1.0.6'), 'dns', 'UDP')).connection.port, 53, 'an address of a pod resolves too');
  });

  const errors: [string, CanReachOptions, RegExp][] = [
    ['unknown pod', opts(podAt('dev', 'nope'), podAt('shop', 'web'), 80), /^pod dev\/nope is not in state\.yaml$/],
    ['named port of another protocol', opts(podAt('dev', 'client'), podAt('shop', 'web'), 'http', 'UDP'), /pod shop\/web has no UDP container port named "http"/],
    ['named port the pod lacks', opts(podAt('dev', 'client'), podAt('shop', 'db'), 'http'), /^named port "http\/TCP" does not resolve/],
    ['named port to an outside address', opts(podAt('dev', 'client'), ipAt('8.8.8.8'), 'http'), /the destination is address 8\.8\.8\.8, which belongs to no pod/],
    ['named port to a node', opts(podAt('dev', 'client'), ipAt('10.0.0.5'), 'http'), /the destination is node n1/],
    ['IPv4 pod, IPv6 address', opts(podAt('dev', 'client'), ipAt('fd00::1'), 80), /pod dev\/client has no IPv6 address/],
    ['mixed families', opts(ipAt('10.0.0.1'), ipAt('fd00::1'), 80), /different families/],
  ];
  for (const [name, o, msg] of errors) {
    it(`${name} → one UsageError`, () => assert.throws(() => judge(o), (e: unknown) => e instanceof UsageError && msg.test(e.message)));
  }

  it('an unknown pod in a file without pods says how to save one', () => {
    const state = { ...world(), pods: [] };
    assert.throws(() => judge(opts(podAt('dev', 'client'), ipAt('8.8.8.8'), 80), state), (e: unknown) => e instanceof UsageError && /has no Pod objects/.test(e.hint));
  });

  it('a connection the placeholder allows carries the note that it overrides stricter policies', () => {
    const r = judge(opts(podAt('dev', 'client'), podAt('legacy', 'svc'), 443));
    assert.equal(r.verdict, 'ALLOWED');
    assert.deepEqual(r.ingress.rules.map((x) => [x.policy.name, x.placeholder]), [['cis-default-allow', true]]);
    assert.deepEqual(r.notes, [
      'legacy/cis-default-allow is the cis-netpol placeholder: it allows every connection, so legacy\'s own policy (deny-all) cannot deny this one while it exists (policies are additive); remove it with `kubectl cis-netpol prune -n legacy`',
    ]);
  });

  it('no such note where the placeholder is the only policy (it overrides nothing there)', () => {
    const state = world();
    state.policies = state.policies.filter((p) => p.metadata.name !== 'deny-all');
    const r = judge(opts(podAt('dev', 'client'), podAt('legacy', 'svc'), 443), state);
    assert.deepEqual([r.verdict, r.ingress.rules.map((x) => x.placeholder), r.notes], ['ALLOWED', [true], []]);
  });

  it('notes a pod without an address, and connections no policy can judge', () => {
    assert.ok(judge(opts(podAt('dev', 'pending'), ipAt('8.8.8.8'), 80)).notes.some((n) => /dev\/pending has no IP address yet/.test(n)));
    const r = judge(opts(ipAt('192.0.2.1'), ipAt('8.8.8.8'), 80));
    assert.equal(r.verdict, 'ALLOWED');
    assert.ok(r.notes.includes('neither end is a pod on the pod network: NetworkPolicy does not apply to this connection'));
  });

  it('the kubelet exception: ingress from the pod\'s own node is allowed despite default-deny', () => {
    const r = judge(opts(ipAt('10.0.0.5'), podAt('shop', 'db'), 'pg'));
    assert.deepEqual([r.verdict, r.from.kind, r.ingress.reason], ['ALLOWED', 'node', 'own-node']);
  });

  it('egress to the internet under default-deny is denied at the source', () => {
    const r = judge(opts(podAt('shop', 'web'), ipAt('8.8.8.8'), 53, 'UDP'));
    assert.deepEqual([r.verdict, r.egress.reason, r.ingress.reason], ['DENIED', 'no-rule-allows', 'not-a-pod']);
  });
});

describe('can-reach: reading the cluster', () => {
  function fake(): FakeCluster {
    const s = world();
    const c = new FakeCluster(s.namespaces, s.policies);
    c.pods = s.pods;
    c.nodes = s.nodes;
    return c;
  }

  it('reads the four lists once, in parallel, then the cluster-wide policy kinds, and judges on them', async () => {
    const c = fake();
    const r = await runCanReach(opts(podAt('dev', 'client'), podAt('shop', 'web'), 'http'), { kind: 'cluster', cluster: c }, deps());
    assert.equal(r.verdict, 'ALLOWED');
    assert.deepEqual(c.calls.map((x) => x.op).sort(), ['listNamespaces', 'listNodes', 'listPods', 'listPolicies', 'readPolicyKinds']);
    assert.deepEqual(r.source, { kind: 'cluster', context: 'kind-test', server: 'https://127.0.0.1:6443' });
  });

  it('a cluster-wide policy kind it could not read is a note, and the verdict still comes out', async () => {
    const c = fake();
    c.policyApis = [{ group: 'policy.networking.k8s.io', version: 'v1alpha2', resource: 'clusternetworkpolicies', kind: 'ClusterNetworkPolicy', state: 'unreadable', reason: 'Forbidden', message: 'forbidden: ...' }];
    const r = await runCanReach(opts(podAt('dev', 'client'), podAt('shop', 'web'), 'http'), { kind: 'cluster', cluster: c }, deps());
    assert.equal(r.verdict, 'ALLOWED');
    assert.deepEqual(r.notes.filter((n) => n.startsWith('could not read')), ['could not read clusternetworkpolicies.policy.networking.k8s.io (Forbidden): the proof does not cover it; grant "list clusternetworkpolicies" (see deploy/rbac.yaml)']);
  });

  it('names every forbidden list in one error', async () => {
    const c = fake().fail({ op: 'listPods' }, 'Forbidden').fail({ op: 'listNodes' }, 'Forbidden');
    await assert.rejects(runCanReach(opts(podAt('dev', 'client'), podAt('shop', 'web'), 80), { kind: 'cluster', cluster: c }, deps()), (e: unknown) => {
      assert.ok(e instanceof ApiError && e.kind === 'Forbidden');
      assert.match(e.message, /^forbidden: this user may not list pods and nodes cluster-wide \(context "kind-test"/);
      assert.match(e.message, /can-reach needs "list" on namespaces, pods, nodes and networkpolicies/);
      assert.match(e.hint, /grant "list" on pods and nodes cluster-wide/);
      assert.match(e.hint, /can-reach -f/);
      return true;
    });
  });

  it('other failures pass through unchanged', async () => {
    const c = fake().fail({ op: 'listNodes' }, 'Unreachable');
    await assert.rejects(listClusterWide(c, ['nodes'], 'x'), (e: unknown) => e instanceof ApiError && e.kind === 'Unreachable');
  });
});

describe('can-reach: renderer and exit code', () => {
  const render = (r: CanReachReport) => renderCanReach(r, { color: false });

  it('ALLOWED by a rule, with the rule spelt out', () => {
    assert.equal(render(judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 'http'))), [
      'ALLOWED: TCP 8080 (http) from pod dev/client (10.1.0.5) to pod shop/web (10.1.0.6)',
      '',
      '  egress   ALLOWED  not isolated: no policy isolates dev/client for egress',
      '  ingress  ALLOWED  allowed by shop/web-from-client ingress rule 0: from pods app=client in namespaces kubernetes.io/metadata.name=dev; ports TCP http',
      '',
    ].join('\n'));
  });

  it('DENIED, naming the isolating policies', () => {
    assert.equal(render(judge(opts(podAt('shop', 'web'), ipAt('8.8.8.8'), 53, 'UDP'))), [
      'DENIED: UDP 53 from pod shop/web (10.1.0.6) to address 8.8.8.8',
      '',
      '  egress   DENIED   no rule allows: shop/default-deny-all selects shop/web but no egress rule allows this peer, port and protocol',
      '  ingress  ALLOWED  not judged: the destination is not a pod on the pod network, so no policy judges this side',
      '',
    ].join('\n'));
  });

  it('marks the placeholder and prints the notes', () => {
    const text = render(judge(opts(podAt('dev', 'client'), podAt('legacy', 'svc'), 443)));
    assert.match(text, /ingress  ALLOWED  allowed by legacy\/cis-default-allow ingress rule 0 \[cis-netpol placeholder\]: from any peer \(inside or outside the cluster\); all ports\n/);
    assert.match(text, /\n\[!\] legacy\/cis-default-allow is the cis-netpol placeholder/);
  });

  it('exit 0 allowed, 1 denied', () => {
    assert.equal(canReachExit(judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 8080))), 0);
    assert.equal(canReachExit(judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 8081))), 1);
  });

  it('formats the other peer kinds and ports', () => {
    const state = world();
    state.policies.push(policy('dev', 'client-out', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.2.0.0/16'] } }, podSel({ app: 'x' }), { namespaceSelector: {} }], ports: [tcp(8000, 9000), udp(53), { protocol: 'SCTP' }] }],
    }));
    const text = render(judge(opts(podAt('dev', 'client'), podAt('shop', 'web'), 8080), state));
    assert.match(text, /egress   ALLOWED  allowed by dev\/client-out egress rule 0: to 10\.0\.0\.0\/8 except 10\.2\.0\.0\/16 or pods app=x in ns dev or all pods in all namespaces; ports TCP 8000-9000, UDP 53, all SCTP ports\n/);
  });
});
