// Real RBAC: the restricted user (no rights of its own) with exactly the ClusterRoles of
// deploy/rbac.yaml, with less, and with only per-namespace rights (the fallback path).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshNamespaces, getPolicy, policyNames, userPolicy } from '../support/cluster.ts';
import { BIN, REPO, restrictedKubeconfig } from '../support/env.ts';
import { kubectl, kubectlOk, plugin } from '../support/run.ts';

const USER = 'restricted';
const bindings: string[] = [];

function bindCluster(role: string): void {
  const name = `cisnp-test-${role}`;
  kubectlOk(['create', 'clusterrolebinding', name, `--clusterrole=${role}`, `--user=${USER}`]);
  bindings.push(`clusterrolebinding/${name}`);
}

function unbindAll(): void {
  for (const b of bindings.splice(0)) kubectl(['delete', b, '--ignore-not-found']);
}

const asRestricted = (args: string[]) => plugin(args, { kubeconfig: restrictedKubeconfig() });

describe('RBAC with the restricted user', () => {
  before(() => kubectlOk(['apply', '-f', path.join(REPO, 'deploy', 'rbac.yaml')]));
  afterEach(unbindAll);

  it('with no rights: audit cannot check (exit 2), and says which permission is missing', () => {
    const r = asRestricted(['audit']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /forbidden: cannot list namespaces/);
  });

  it('with exactly the cis-netpol ClusterRole: audit, remediate and rollback all work', () => {
    bindCluster('cis-netpol');
    const [a, b] = freshNamespaces('rbac', 2) as [string, string];
    const mine = userPolicy(b, 'user-own');
    const scope = ['-n', `${a},${b}`];
    assert.equal(asRestricted(['audit', ...scope]).code, 1);
    let r = asRestricted(['remediate', ...scope]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(policyNames(a), ['cis-default-allow']);
    // Without -n: one cluster-wide list of each (the ClusterRole allows it), no fallback note.
    r = asRestricted(['audit', '-o', 'json']);
    assert.notEqual(r.code, 2, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).notes, []);
    r = asRestricted(['rollback', ...scope]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(policyNames(a), []);
    assert.equal(getPolicy(b, 'user-own').metadata.resourceVersion, mine.metadata.resourceVersion);
  });

  it('with exactly the cis-netpol ClusterRole: every cluster-wide policy kind the server serves is listed, none forbidden', () => {
    bindCluster('cis-netpol');
    const [a] = freshNamespaces('rbackinds', 1) as [string];
    const r = asRestricted(['audit', '-n', a, '-v', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const listed = [...r.stderr.matchAll(/list (\S+\.\S+): ok/g)].map((m) => m[1]).sort();
    assert.deepEqual(listed, [
      'adminnetworkpolicies.policy.networking.k8s.io', 'baselineadminnetworkpolicies.policy.networking.k8s.io', 'ciliumclusterwidenetworkpolicies.cilium.io',
      'ciliumnetworkpolicies.cilium.io', 'clusternetworkpolicies.crd.antrea.io', 'clusternetworkpolicies.policy.networking.k8s.io', 'globalnetworkpolicies.crd.projectcalico.org',
      'networkpolicies.crd.antrea.io', 'networkpolicies.crd.projectcalico.org', 'tiers.crd.antrea.io', 'tiers.crd.projectcalico.org',
    ]);
    // (The 5.3.1 enforcement read of daemonsets is another role's, cis-netpol-cni: its 403 is expected here.)
    assert.doesNotMatch(r.stderr, /list \S+\.(policy\.networking\.k8s\.io|cilium\.io|crd\.projectcalico\.org|projectcalico\.org|crd\.antrea\.io): Forbidden/);
    assert.deepEqual(JSON.parse(r.stdout).notes, []);
  });

  it('with list but no create: remediate fails per namespace, naming the missing permission', () => {
    bindCluster('cis-netpol-audit');
    const [a, b] = freshNamespaces('rbacro', 2) as [string, string];
    assert.equal(asRestricted(['audit', '-n', `${a},${b}`]).code, 1);
    const r = asRestricted(['remediate', '-n', `${a},${b}`]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, new RegExp(`${a} +FAILED +forbidden: cannot create networkpolicies "cis-default-allow" in namespace "${a}"`));
    assert.match(r.stdout, /grant "create" on networkpolicies/);
    assert.match(r.stdout, /Policy Application Failures: +2/);
    assert.deepEqual(policyNames(a), []);
    // The client dry run needs no create right.
    assert.equal(asRestricted(['remediate', '-n', `${a},${b}`, '--dry-run']).code, 1);
  });

  it('without a cluster-wide list of policies it falls back per namespace and says so', () => {
    const [a, b] = freshNamespaces('rbacfb', 2) as [string, string];
    userPolicy(b, 'user-own');
    const role = 'cisnp-test-ns-only';
    kubectlOk(['create', 'clusterrole', role, '--verb=get,list', '--resource=namespaces']);
    bindings.push(`clusterrole/${role}`);
    bindCluster(role);
    for (const ns of [a, b]) {
      kubectlOk(['create', 'rolebinding', 'cisnp-test-read', '-n', ns, '--clusterrole=cis-netpol-audit', `--user=${USER}`]);
    }
    const r = asRestricted(['audit', '-o', 'json']);
    const report = JSON.parse(r.stdout);
    assert.match(report.notes.join('\n'), /Listing NetworkPolicies cluster-wide is forbidden; fell back to one list per namespace/);
    const status = (ns: string) => report.findings.find((f: { namespace: string }) => f.namespace === ns)?.status;
    assert.equal(status(a), 'FAIL');
    assert.equal(status(b), 'PASS');
    // Namespaces of other tests are unreadable for this user: could not check → exit 2.
    assert.equal(r.code, 2);
    assert.match(JSON.stringify(report.findings), /Could not read NetworkPolicies: forbidden/);
  });
});

describe('kubectl plugin discovery', () => {
  it('`kubectl cis-netpol` runs the executable found on PATH', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-path-'));
    fs.symlinkSync(BIN, path.join(dir, 'kubectl-cis_netpol'));
    const env = { PATH: `${dir}:${process.env['PATH']}` };
    const list = kubectl(['plugin', 'list'], { env });
    assert.match(list.stdout, /kubectl-cis_netpol/);
    const [ns] = freshNamespaces('disc', 1) as [string];
    const r = kubectl(['cis-netpol', 'audit', '-n', ns], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\[-\] FAIL: The following 1 namespace\(s\) do not have a NetworkPolicy defined:/);
    assert.match(kubectl(['cis-netpol', 'version'], { env }).stdout, /^kubectl-cis_netpol \d+\.\d+\.\d+/);
  });
});
