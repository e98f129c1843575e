// can-reach and prune with the built executable on a real kube-apiserver. Pods never run here (no
// scheduler, no kubelet): they are created with kubectl and their IPs written through the status
// subresource, as a kubelet would. Every test makes its own namespaces, node and addresses, and
// scopes with -n: the cluster is shared with other tests.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshNamespaces, getPolicy, policyNames, userPolicy, type Obj } from '../support/cluster.ts';
import { restrictedKubeconfig } from '../support/env.ts';
import { kubectl, kubectlOk, plugin } from '../support/run.ts';

// Addresses of this run: 10.<128-191>.<0-255>.x, unlikely to meet another test's pods.
const NET = `10.${randomInt(128, 192)}.${randomInt(0, 256)}`;
let hosts = 10;
const nextIP = () => `${NET}.${hosts++}`;
const nodes: string[] = [];
const pods: [string, string][] = [];

interface PodSpec {
  labels: Record<string, string>;
  ports?: { name: string; containerPort: number; protocol?: string }[];
}

/** A Node with an InternalIP address (cluster-scoped: deleted after the suite). */
function makeNode(name: string): string {
  const ip = nextIP();
  kubectlOk(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } }) });
  nodes.push(name);
  kubectlOk(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: ip }] } })]);
  return ip;
}

/** A Pod on `node` whose IP is written through the status subresource. */
function makePod(namespace: string, name: string, node: string, spec: PodSpec): string {
  const ip = nextIP();
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: spec.labels },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', ports: spec.ports ?? [] }] },
  };
  kubectlOk(['create', '-f', '-'], { input: JSON.stringify(pod) });
  pods.push([namespace, name]);
  kubectlOk(['patch', 'pod', '-n', namespace, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { podIP: ip, podIPs: [{ ip }] } })]);
  return ip;
}

function apply(yaml: string): void {
  kubectlOk(['apply', '-f', '-'], { input: yaml });
}

const fingerprint = (o: Obj) => ({ uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion });

// Other suites read every pod and node of the shared cluster: leave none of ours behind. Without a
// kubelet a pod is only gone when force-deleted.
after(() => {
  for (const [ns, name] of pods.splice(0)) kubectl(['delete', 'pod', '-n', ns, name, '--grace-period=0', '--force', '--ignore-not-found']);
  for (const n of nodes.splice(0)) kubectl(['delete', 'node', n, '--ignore-not-found', '--wait=false']);
});

describe('can-reach against a real API server', () => {
  let client: string;
  let shop: string;
  let nodeIP: string;
  let webIP: string;
  let stateFile: string;
  let stateText: string;

  before(() => {
    [client, shop] = freshNamespaces('reach', 2) as [string, string];
    const node = `reach-node-${NET.replaceAll('.', '-')}`;
    nodeIP = makeNode(node);
    makePod(client, 'client', node, { labels: { app: 'client' } });
    webIP = makePod(shop, 'web', node, { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
    makePod(shop, 'db', node, { labels: { app: 'db' }, ports: [{ name: 'pg', containerPort: 5432 }] });
    apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ${shop}}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: ${shop}}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${client}}}, podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-to-db, namespace: ${shop}}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: ${shop}}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: pg}]
`);
    // The same state, saved as the docs tell users to.
    stateText = kubectlOk(['get', 'ns,pods,nodes,netpol', '-A', '-o', 'yaml']);
    stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-reach-')), 'state.yaml');
    fs.writeFileSync(stateFile, stateText);
  });

  // [from, to, port, expected exit code]
  const connections = (): [string, string, string, number][] => [
    [`${client}/client`, `${shop}/web`, 'http', 0],
    [`${client}/client`, `${shop}/web`, '8080', 0],
    [`${client}/client`, webIP, '8080', 0],
    [`${client}/client`, `${shop}/web`, '9090', 1],
    [`${client}/client`, `${shop}/db`, 'pg', 1],
    [`${shop}/web`, `${shop}/db`, 'pg', 0],
    [`${shop}/web`, `${shop}/db`, '5433', 1],
    [`${shop}/web`, '8.8.8.8', '53/UDP', 1],
    [`${shop}/db`, `${client}/client`, '80', 1],
    [`${client}/client`, '203.0.113.9', '443', 0],
  ];

  it('live and from the saved state agree, connection by connection (allowed and denied)', () => {
    const strip = (json: string) => {
      const { timestamp, source, ...rest } = JSON.parse(json) as Record<string, unknown>;
      return rest;
    };
    for (const [from, to, port, code] of connections()) {
      const what = `${from} → ${to} ${port}`;
      const live = plugin(['can-reach', '--from', from, '--to', to, '--port', port, '-o', 'json']);
      const saved = plugin(['can-reach', '-f', stateFile, '--from', from, '--to', to, '--port', port, '-o', 'json']);
      assert.equal(live.code, code, `${what} live: ${live.stderr}`);
      assert.equal(saved.code, code, `${what} from file: ${saved.stderr}`);
      assert.deepEqual(strip(saved.stdout), strip(live.stdout), what);
      const report = JSON.parse(live.stdout);
      assert.deepEqual([report.apiVersion, report.kind, report.verdict], ['cis-netpol.io/v1', 'CanReachReport', code === 0 ? 'ALLOWED' : 'DENIED'], what);
    }
  });

  it('prints the verdict and the deciding policies and rules per direction', () => {
    let r = plugin(['can-reach', '--from', `${client}/client`, '--to', `${shop}/web`, '--port', 'http']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^ALLOWED: TCP 8080 \\(http\\) from pod ${client}/client \\(${NET}\\.\\d+\\) to pod ${shop}/web \\(${webIP}\\)\n`));
    assert.match(r.stdout, new RegExp(`\n  egress   ALLOWED  not isolated: no policy isolates ${client}/client for egress\n`));
    assert.match(r.stdout, new RegExp(`\n  ingress  ALLOWED  allowed by ${shop}/web-from-client ingress rule 0: from pods app=client in namespaces kubernetes.io/metadata.name=${client}; ports TCP http\n`));

    r = plugin(['can-reach', '--from', `${client}/client`, '--to', `${shop}/web`, '--port', '9090']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^DENIED: TCP 9090 /);
    assert.match(r.stdout, new RegExp(`ingress  DENIED   no rule allows: ${shop}/default-deny, ${shop}/web-from-client select ${shop}/web but no ingress rule allows this peer, port and protocol`));

    r = plugin(['can-reach', '--from', nodeIP, '--to', `${shop}/db`, '--port', '5432']);
    assert.equal(r.code, 0, 'ingress from the pod\'s own node is always allowed');
    assert.match(r.stdout, /ingress  ALLOWED  own node: /);
  });

  it('-f - reads the saved state from stdin', () => {
    const r = plugin(['can-reach', '-f', '-', '--from', `${shop}/web`, '--to', `${shop}/db`, '--port', 'pg', '-o', 'yaml'], { input: stateText });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^apiVersion: cis-netpol\.io\/v1\nkind: CanReachReport\n/m);
    assert.match(r.stdout, /source:\n {2}kind: file\n {2}path: <stdin>\n/);
  });

  it('errors are one line and exit 2: bad endpoint, unknown pod, named port that does not resolve', () => {
    const cases: [string[], RegExp][] = [
      [['--from', client, '--to', `${shop}/web`, '--port', '80'], /^error: invalid --from ".*": expected <namespace>\/<pod> or an IP address \(next: /],
      [['--from', `${client}/ghost`, '--to', `${shop}/web`, '--port', '80'], new RegExp(`^error: pod ${client}/ghost is not in the cluster \\(context "`)],
      [['--from', `${client}/client`, '--to', `${shop}/db`, '--port', 'http'], new RegExp(`^error: named port "http/TCP" does not resolve: pod ${shop}/db has no TCP container port named "http" \\(next: its named ports: pg \\(TCP 5432\\)\\)`)],
      [['--from', `${client}/client`, '--to', `${shop}/web`, '--port', '80/ICMP'], /^error: invalid --port "80\/ICMP": unknown protocol/],
    ];
    for (const [args, msg] of cases) {
      const r = plugin(['can-reach', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  it('without list on pods and nodes it says which permission is missing (exit 2)', () => {
    const r = plugin(['can-reach', '--from', `${client}/client`, '--to', `${shop}/web`, '--port', '80'], { kubeconfig: restrictedKubeconfig() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: forbidden: this user may not list [a-z, ]*(pods|nodes)[a-z, ]* cluster-wide \(context "[^"]+", [^)]+\); can-reach needs "list" on namespaces, pods, nodes and networkpolicies \(next: grant "list" on /);
  });
});

describe('prune against a real API server', () => {
  it('--yes removes only placeholders with real policies beside them; user policies keep uid and resourceVersion', () => {
    const [mixed, alone, edited, plain] = freshNamespaces('prune', 4) as [string, string, string, string];
    const scope = ['-n', `${mixed},${alone},${edited},${plain}`];
    const node = `prune-node-${NET.replaceAll('.', '-')}`;
    makeNode(node);
    makePod(mixed, 'web', node, { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] });
    makePod(mixed, 'api', node, { labels: { app: 'api' } });
    makePod(alone, 'one', node, { labels: { app: 'one' } });

    // The placeholder first (as remediate leaves it), then the teams' own policies.
    let r = plugin(['remediate', '-n', `${mixed},${alone},${edited}`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const webIngress = userPolicy(mixed, 'web-ingress', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: http}]}]}');
    const apiEgress = userPolicy(mixed, 'api-egress', '{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]}');
    const editedOwn = userPolicy(edited, 'own');
    kubectlOk(['patch', 'networkpolicy', '-n', edited, 'cis-default-allow', '--type', 'merge', '-p', '{"spec":{"ingress":[{"from":[{"podSelector":{}}]}]}}']);
    const plainOwn = userPolicy(plain, 'own');
    const placeholderAlone = getPolicy(alone, 'cis-default-allow');

    // Without --yes: the plan and its proof, nothing deleted, exit 1.
    r = plugin(['prune', ...scope]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`\\[\\+\\] ${mixed} +PLANNED +cis-default-allow: Would be removed, leaving policies api-egress, web-ingress \\(run again with --yes to remove it\\)\n {6}become denied \\(\\d+ connection classes, 2 pods with an IP; the detailed list: -o json, connectivity\\.details\\):\n`));
    assert.match(r.stdout, new RegExp(` {8}- egress from 1 of 2 pods in ns ${mixed} \\(api\\) to 0\\.0\\.0\\.0/0 outside pod IPs \\(internet, node addresses [^)]*\\) on all ports\n`));
    assert.match(r.stdout, new RegExp(` {8}- ingress to 1 of 2 pods in ns ${mixed} \\(web\\) from 1 of 2 pods in ns ${mixed} \\(api\\) on TCP 1-8079, 8081-65535, all UDP ports, all SCTP ports\n`));
    assert.match(r.stdout, new RegExp(`\\[✓\\] ${alone} +KEPT +cis-default-allow: Only NetworkPolicy in the namespace`));
    assert.match(r.stdout, new RegExp(`\\[✓\\] ${edited} +KEPT +cis-default-allow: Edited since cis-netpol created it`));
    assert.ok(!r.stdout.includes(plain), 'a namespace without our placeholder is not reported');
    assert.match(r.stdout, /PLAN ONLY: nothing was deleted/);
    assert.match(r.stdout, /Why prune: NetworkPolicies are additive\./);
    assert.deepEqual(policyNames(mixed), ['api-egress', 'cis-default-allow', 'web-ingress']);

    // --dry-run=server: the API server accepts the delete, nothing goes.
    r = plugin(['prune', ...scope, '--dry-run=server']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /server dry run accepted it/);
    assert.deepEqual(policyNames(mixed), ['api-egress', 'cis-default-allow', 'web-ingress']);

    // --yes: only the placeholder beside real policies goes.
    r = plugin(['prune', ...scope, '--yes', '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.apiVersion, report.kind, report.mode], ['cis-netpol.io/v1', 'PruneReport', 'apply']);
    assert.deepEqual(report.results.map((x: { namespace: string; status: string }) => `${x.namespace} ${x.status}`), [`${mixed} REMOVED`, `${alone} KEPT`, `${edited} KEPT`].sort());
    const proof = report.results.find((x: { namespace: string }) => x.namespace === mixed).connectivity;
    assert.equal(proof.unchanged, false);
    assert.ok(proof.details.length === proof.classes && proof.details.every((c: { change: string }) => c.change === 'denied'));
    assert.deepEqual(policyNames(mixed), ['api-egress', 'web-ingress']);
    assert.deepEqual(policyNames(alone), ['cis-default-allow'], 'the only policy stays');
    assert.deepEqual(fingerprint(getPolicy(alone, 'cis-default-allow')), fingerprint(placeholderAlone));
    assert.deepEqual(policyNames(edited), ['cis-default-allow', 'own'], 'an edited placeholder needs --force');
    for (const [ns, before] of [[mixed, webIngress], [mixed, apiEgress], [edited, editedOwn], [plain, plainOwn]] as const) {
      assert.deepEqual(fingerprint(getPolicy(ns, before.metadata.name)), fingerprint(before), `${ns}/${before.metadata.name} untouched`);
    }

    // --force takes the edited one too; then nothing is left to prune (exit 0).
    r = plugin(['prune', ...scope, '--yes', '--force']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`${edited} +REMOVED`));
    assert.deepEqual(policyNames(edited), ['own']);
    r = plugin(['prune', ...scope, '--yes']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(policyNames(alone), ['cis-default-allow']);
  });
});
