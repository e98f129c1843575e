// doctor's judgements, one table per line of the screen.
import assert from 'node:assert/strict';
import { apisCheck, COMMAND_NEEDS, permissionCheck, terminatingCheck, versionCheck, type NeedResult } from '../../../src/core/doctor.ts';
import type { Namespace } from '../../../src/core/model.ts';

describe('core/doctor: server version against the tested range', () => {
  const cases: [string, string, string, RegExp][] = [
    ['v1.34.4', '34', 'OK', /^v1\.34\.4 \(tested: v1\.34 to v1\.37\)$/],
    ['v1.37.2', '37', 'OK', /tested/],
    ['v1.33.9', '33', 'WARN', /older than tested/],
    ['v1.38.0', '38', 'WARN', /newer than tested/],
    ['v1.35.1-gke.100', '35+', 'OK', /v1\.35\.1-gke\.100/],
    ['weird', '', 'WARN', /unreadable/],
  ];
  for (const [gitVersion, minor, status, detail] of cases) {
    it(`${gitVersion} (minor "${minor}") → ${status}`, () => {
      const c = versionCheck({ gitVersion, minor });
      assert.equal(c.status, status);
      assert.match(c.detail, detail);
    });
  }
});

describe('core/doctor: permissions per command', () => {
  const audit = COMMAND_NEEDS.find((c) => c.command === 'audit')!;
  const [ns, getNs, np] = audit.needs as [NeedResult['need'], NeedResult['need'], NeedResult['need']];
  const ok = (need: NeedResult['need']): NeedResult => ({ need, clusterWide: true });

  it('all allowed cluster-wide → OK, naming each permission', () => {
    const c = permissionCheck('audit', audit.role, true, [ok(ns), ok(getNs), ok(np)], 'alice');
    assert.deepEqual([c.status, c.detail, c.next], ['OK', 'list namespaces, get namespaces, list networkpolicies.networking.k8s.io: allowed cluster-wide', undefined]);
  });

  it('denied cluster-wide but allowed in every namespace reviewed → WARN (the slower fallback works)', () => {
    const c = permissionCheck('audit', audit.role, true, [ok(ns), ok(getNs), { need: np, clusterWide: false, perNamespace: { allowed: ['a', 'b'], denied: [] } }], 'alice');
    assert.equal(c.status, 'WARN');
    assert.match(c.detail, /list networkpolicies\.networking\.k8s\.io denied cluster-wide, allowed in all 2 namespace\(s\) checked: works, one request per namespace/);
    assert.equal(c.next, 'kubectl apply -f deploy/rbac.yaml && kubectl create clusterrolebinding cis-netpol-audit-alice --clusterrole=cis-netpol-audit --user=alice');
  });

  it('denied in some namespaces → FAIL for audit, WARN for another command; names them', () => {
    const results: NeedResult[] = [ok(ns), ok(getNs), { need: np, clusterWide: false, perNamespace: { allowed: ['a'], denied: ['b', 'c'] } }];
    const a = permissionCheck('audit', audit.role, true, results, 'alice');
    assert.equal(a.status, 'FAIL');
    assert.match(a.detail, /^audit will fail: list networkpolicies\.networking\.k8s\.io denied cluster-wide and in 2 namespace\(s\): b, c$/);
    assert.equal(permissionCheck('remediate', 'cis-netpol', false, results, 'alice').status, 'WARN');
  });

  it('a cluster-scoped permission denied → FAIL with the ClusterRole to bind', () => {
    const c = permissionCheck('audit', audit.role, true, [{ need: ns, clusterWide: false }, ok(getNs), ok(np)], '');
    assert.match(c.detail, /^audit will fail: list namespaces denied$/);
    assert.match(c.next ?? '', /--clusterrole=cis-netpol-audit --user=<you>$/);
  });
});

describe('core/doctor: namespaces stuck Terminating, APIs', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const ns = (name: string, deleted?: string): Namespace => ({ metadata: { name, ...(deleted ? { deletionTimestamp: deleted } : {}) }, phase: deleted ? 'Terminating' : 'Active' });
  const all = [ns('live'), ns('old', '2026-12-01T10:00:00Z'), ns('recent', '2026-12-01T11:59:00Z')];

  it('only those Terminating at least --stuck-after', () => {
    assert.match(terminatingCheck(all, now, 600_000).detail, /^1 namespace\(s\) Terminating for 600 s or more .*: old$/);
    assert.match(terminatingCheck(all, now, 0).detail, /: old, recent$/);
    assert.equal(terminatingCheck(all, now, 3 * 3600_000).status, 'OK');
  });

  it('policy APIs: the cluster-wide groups served, or FAIL without networking.k8s.io/v1', () => {
    const groups = [{ name: 'networking.k8s.io', versions: ['v1'] }, { name: 'cilium.io', versions: ['v2', 'v2alpha1'] }, { name: 'apps', versions: ['v1'] }];
    assert.equal(apisCheck(groups).detail, 'NetworkPolicy (networking.k8s.io/v1) served; cluster-wide policy APIs: cilium.io/v2,v2alpha1');
    assert.equal(apisCheck([{ name: 'apps', versions: ['v1'] }]).status, 'FAIL');
  });
});
