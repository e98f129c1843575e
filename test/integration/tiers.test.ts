// Cluster-wide policies on a real kube-apiserver with the upstream CRDs (scripts/testenv): the
// built executable refuses a placeholder that would open a Baseline-tier deny, writes where the
// Admin tier decides, offers select-none, and will not vouch for pods a Cilium policy selects.
// Every cluster-wide object here selects only this suite's namespaces (by a label of its run) and
// is deleted afterwards: other suites share the cluster.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { freshNamespaces, policiesIn } from '../support/cluster.ts';
import { kubectl, kubectlOk, plugin } from '../support/run.ts';

const RUN = randomBytes(3).toString('hex');
const MARK = `cis-netpol-tiers-${RUN}`;
const NET = `10.${randomInt(192, 255)}.${randomInt(0, 256)}`;
let host = 10;
const created: [string, string][] = [];
const pods: [string, string][] = [];

function apply(yaml: string, kind: string, name: string): void {
  kubectlOk(['create', '-f', '-'], { input: yaml });
  created.push([kind, name]);
}

function label(ns: string, value: string): void {
  kubectlOk(['label', 'namespace', ns, `${MARK}=${value}`]);
}

function makePod(namespace: string, name: string, labels: Record<string, string>): string {
  const ip = `${NET}.${host++}`;
  kubectlOk(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] } }) });
  pods.push([namespace, name]);
  kubectlOk(['patch', 'pod', '-n', namespace, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { podIP: ip, podIPs: [{ ip }] } })]);
  return ip;
}

interface Result { namespace: string; status: string; reason: string; error?: { kind: string; hint: string }; connectivity?: { unchanged: boolean; broken: string[]; opened: string[]; unproven: string[] } }
const resultOf = (stdout: string, ns: string): Result => (JSON.parse(stdout).results as Result[]).find((r) => r.namespace === ns)!;

after(() => {
  for (const [kind, name] of created.splice(0).reverse()) kubectl(['delete', kind, name, '--ignore-not-found', '--wait=false']);
  for (const [ns, name] of pods.splice(0)) kubectl(['delete', 'pod', '-n', ns, name, '--grace-period=0', '--force', '--ignore-not-found']);
});

describe('cluster-wide tiers against a real API server', () => {
  let tenant: string;
  let other: string;
  let guarded: string;

  before(() => {
    [tenant, other, guarded] = freshNamespaces('tiers', 3) as [string, string, string];
    label(tenant, 'tenant');
    label(other, 'other');
    label(guarded, 'guarded');
    makePod(tenant, 'web', { app: 'web' });
    makePod(other, 'client', { app: 'client' });
    makePod(guarded, 'db', { app: 'db' });
    // The case: a Baseline-tier policy that denies ingress from every namespace.
    apply(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline-${RUN}}
spec:
  tier: Baseline
  priority: 50
  subject: {namespaces: {matchLabels: {${MARK}: tenant}}}
  ingress:
  - {name: deny-all-namespaces, action: Deny, from: [{namespaces: {}}]}
`, 'clusternetworkpolicy', `baseline-${RUN}`);
    apply(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: admin-${RUN}}
spec:
  tier: Admin
  priority: 20
  subject: {namespaces: {matchLabels: {${MARK}: guarded}}}
  ingress:
  - {name: no-other, action: Deny, from: [{namespaces: {matchLabels: {${MARK}: other}}}]}
`, 'clusternetworkpolicy', `admin-${RUN}`);
  });

  it('can-reach names the Baseline rule that denies today', () => {
    const r = plugin(['can-reach', '--from', `${other}/client`, '--to', `${tenant}/web`, '--port', '80', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.verdict, report.ingress.reason, report.ingress.decidedBy.policy.name, report.ingress.decidedBy.ruleName], ['DENIED', 'baseline-tier-denies', `baseline-${RUN}`, 'deny-all-namespaces']);
  });

  it('remediate refuses the allow-all placeholder where it would open the Baseline deny: exit 2, nothing written, the rule named', () => {
    const r = plugin(['remediate', '-n', tenant, '-o', 'json']);
    assert.equal(r.code, 2, r.stderr);
    const res = resultOf(r.stdout, tenant);
    assert.deepEqual([res.status, res.error?.kind], ['FAILED', 'Opening']);
    assert.match(res.error!.hint, /--template select-none/);
    assert.ok(res.connectivity!.opened.some((l) => l.includes(`ClusterNetworkPolicy/baseline-${RUN} rule deny-all-namespaces in the Baseline tier`)), res.connectivity!.opened.join('\n'));
    assert.ok(res.connectivity!.opened.some((l) => l.includes(`any pod in ${tenant} (now or later)`)), res.connectivity!.opened.join('\n'));
    assert.deepEqual(policiesIn(tenant), []);
    const table = plugin(['remediate', '-n', tenant]);
    assert.match(table.stdout, new RegExp(`\\[✗\\] ${tenant}: would allow connections denied today:`));
  });

  it('--template select-none is written there and changes nothing; can-reach still says DENIED', () => {
    const r = plugin(['remediate', '-n', tenant, '--template', 'select-none', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const res = resultOf(r.stdout, tenant);
    assert.deepEqual([res.status, res.connectivity?.unchanged], ['FIXED', true]);
    const [p] = policiesIn(tenant);
    assert.deepEqual((p!.spec['podSelector'] as { matchExpressions: { operator: string }[] }).matchExpressions.map((e) => e.operator), ['Exists', 'DoesNotExist']);
    const reach = plugin(['can-reach', '--from', `${other}/client`, '--to', `${tenant}/web`, '--port', '80', '-o', 'json']);
    assert.equal(JSON.parse(reach.stdout).verdict, 'DENIED');
    const audit = plugin(['audit', '-n', tenant, '-o', 'json']);
    assert.equal(audit.code, 0, audit.stderr);
  });

  it('where the Admin tier denies, the allow-all placeholder changes nothing and is written', () => {
    const r = plugin(['remediate', '-n', guarded, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual([resultOf(r.stdout, guarded).status, resultOf(r.stdout, guarded).connectivity?.unchanged], ['FIXED', true]);
    const reach = plugin(['can-reach', '--from', `${other}/client`, '--to', `${guarded}/db`, '--port', '5432', '-o', 'json']);
    assert.deepEqual([JSON.parse(reach.stdout).verdict, JSON.parse(reach.stdout).ingress.reason], ['DENIED', 'admin-tier-denies']);
  });

  it('audit notes what covers a namespace; --count-cluster-policies makes it COVERED', () => {
    const [fresh] = freshNamespaces('tiers-audit', 1) as [string];
    label(fresh, 'tenant');
    const plain = plugin(['audit', '-n', fresh, '-o', 'json']);
    assert.equal(plain.code, 1);
    const f = JSON.parse(plain.stdout).findings[0];
    assert.deepEqual([f.status, f.notes.map((n: { message: string }) => n.message)], ['FAIL', [`covered by ClusterNetworkPolicy baseline-${RUN} (Baseline tier, priority 50)`]]);
    const counted = plugin(['audit', '-n', fresh, '--count-cluster-policies', '-o', 'json']);
    assert.equal(counted.code, 0, counted.stderr);
    assert.equal(JSON.parse(counted.stdout).findings[0].status, 'COVERED');
  });

  it('a CiliumNetworkPolicy with L7 rules that selects the pods: not proven, refused unless --accept-unproven', () => {
    const [cil] = freshNamespaces('tiers-cilium', 1) as [string];
    makePod(cil, 'api', { app: 'api' });
    kubectlOk(['create', '-f', '-'], { input: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-l7, namespace: ${cil}}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]
` });
    const refused = plugin(['remediate', '-n', cil, '-o', 'json']);
    assert.equal(refused.code, 2, refused.stderr);
    const res = resultOf(refused.stdout, cil);
    // Its L3/L4 part is modelled (it isolates the pod, so the placeholder would open other ports);
    // its L7 part is not, so the pods stay "not proven" too.
    assert.equal(res.error?.kind, 'Opening');
    assert.match(res.connectivity!.unproven.join('\n'), new RegExp(`not proven: CiliumNetworkPolicy ${cil}/api-l7 \\(.*\\) selects every pod here and has parts the proof cannot model: spec\\.ingress\\[0\\]\\.toPorts\\[0\\] has rules \\(L7`));
    assert.deepEqual(policiesIn(cil), []);
    const accepted = plugin(['remediate', '-n', cil, '--accept-unproven', '--accept-opening', '-o', 'json']);
    assert.equal(accepted.code, 1, accepted.stderr);
    assert.equal(resultOf(accepted.stdout, cil).status, 'FIXED');
  });

  it('a Calico NetworkPolicy (crd.projectcalico.org/v1) after order 1000: the placeholder (order 1000) would open what its tier denies: refused, nothing written', () => {
    const [cal] = freshNamespaces('tiers-calico', 1) as [string];
    makePod(cal, 'db', { app: 'db' });
    kubectlOk(['create', '-f', '-'], { input: `apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default.db-from-api, namespace: ${cal}}
spec:
  order: 2000
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - {action: Allow, protocol: TCP, source: {selector: app == 'api'}, destination: {ports: [5432]}}
` });
    const r = plugin(['remediate', '-n', cal, '-o', 'json']);
    assert.equal(r.code, 2, r.stderr);
    const res = resultOf(r.stdout, cal);
    // Calico's default tier is modelled: the policy selects db, so ingress from anything but app=api
    // ends at the tier's end-of-tier deny today; a placeholder at order 1000 comes first and allows it.
    assert.equal(res.error?.kind, 'Opening', JSON.stringify(res));
    assert.ok(res.connectivity!.opened.length > 0, JSON.stringify(res.connectivity));
    assert.deepEqual(policiesIn(cal), []);
    const audit = plugin(['audit', '-n', cal, '-o', 'json']);
    assert.deepEqual(JSON.parse(audit.stdout).findings[0].notes.map((n: { message: string }) => n.message), [`covered by CalicoNetworkPolicy ${cal}/default.db-from-api`]);
  });
});

