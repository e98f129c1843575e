// Reading the cluster once: one list of namespaces, one of policies; the per-namespace fallback.
import assert from 'node:assert/strict';
import { runAudit, snapshotFromState } from '../../../src/app/audit.ts';
import { readClusterSnapshot } from '../../../src/app/snapshot.ts';
import type { PolicyApiRead } from '../../../src/core/model.ts';
import { deps, IDENTITY, scopeOptions, state } from '../builders.ts';

describe('app/snapshot: readClusterSnapshot', () => {
  it('all namespaces: one list of namespaces, one cluster-wide list of policies, one read of the cluster-wide kinds', async () => {
    const cluster = state().namespace('a').policy('a', 'web').namespace('b').cluster();
    const s = await readClusterSnapshot(cluster, scopeOptions(), deps());
    assert.deepEqual(cluster.calls.map((c) => c.op), ['listNamespaces', 'listPolicies', 'readPolicyKinds']);
    assert.deepEqual([s.namespaces.map((n) => n.metadata.name), s.policies.map((p) => p.metadata.name)], [['a', 'b'], ['web']]);
    assert.deepEqual([s.source, s.notes, s.missing, s.unreadable], [{ kind: 'cluster', ...IDENTITY }, [], [], []]);
  });

  it('cluster-wide list forbidden: a note, a -v log line, and one list per namespace', async () => {
    const cluster = state().namespacesNamed('a', 'b', 'c').policy('b', 'web').cluster().fail({ op: 'listPolicies', namespace: undefined }, 'Forbidden');
    const d = deps();
    const s = await readClusterSnapshot(cluster, scopeOptions(), d);
    assert.deepEqual(s.notes, ['Listing NetworkPolicies cluster-wide is forbidden; fell back to one list per namespace (slower; grant cluster-wide list to avoid it)']);
    assert.deepEqual(d.logged, ['cluster-wide list of networkpolicies forbidden: falling back to per-namespace lists']);
    assert.deepEqual(cluster.callsTo('listPolicies').map((c) => c.namespace ?? '*').sort(), ['*', 'a', 'b', 'c']);
    assert.deepEqual(s.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['b/web']);
  });

  it('in the fallback, a namespace whose list is forbidden becomes an ERROR finding', async () => {
    const cluster = state().namespacesNamed('a', 'locked').policy('a', 'web').cluster()
      .fail({ op: 'listPolicies', namespace: undefined }, 'Forbidden')
      .fail({ op: 'listPolicies', namespace: 'locked' }, 'Forbidden');
    const s = await readClusterSnapshot(cluster, scopeOptions(), deps());
    assert.deepEqual(s.unreadable, [{ namespace: 'locked', message: 'forbidden: listPolicies in locked (fake)' }]);
    const report = await runAudit({ kind: 'cluster', cluster }, scopeOptions(), deps());
    const f = report.findings.find((x) => x.namespace === 'locked');
    assert.deepEqual([f?.status, f?.reason], ['ERROR', 'Could not read NetworkPolicies: forbidden: listPolicies in locked (fake)']);
    assert.equal(report.compliant, false);
    assert.ok(report.notes[0]?.startsWith('Listing NetworkPolicies cluster-wide is forbidden'));
  });

  it('other failures of the cluster-wide list are thrown (the run could not check)', async () => {
    const cluster = state().namespace('a').cluster().fail({ op: 'listPolicies' }, 'Unreachable');
    await assert.rejects(readClusterSnapshot(cluster, scopeOptions(), deps()), { kind: 'Unreachable' });
  });

  it('a per-namespace failure other than Forbidden/NotFound is thrown', async () => {
    const cluster = state().namespacesNamed('a').cluster().fail({ op: 'listPolicies', namespace: undefined }, 'Forbidden').fail({ op: 'listPolicies', namespace: 'a' }, 'ServerError');
    await assert.rejects(readClusterSnapshot(cluster, scopeOptions(), deps()), { kind: 'ServerError' });
  });

  it('-n: gets each namespace, the first one alone; missing names are reported', async () => {
    const cluster = state().namespacesNamed('a', 'b', 'c').policy('c', 'web').cluster();
    const s = await readClusterSnapshot(cluster, scopeOptions({ namespaces: ['a', 'ghost', 'c'] }), deps());
    assert.deepEqual(cluster.events.slice(0, 2), ['start getNamespace a', 'end getNamespace a'], 'an exec credential plugin runs once');
    assert.deepEqual(cluster.callsTo('listNamespaces'), []);
    assert.deepEqual(cluster.callsTo('listPolicies').map((c) => c.namespace).sort(), ['a', 'c'], 'only the namespaces asked for');
    assert.deepEqual([s.namespaces.map((n) => n.metadata.name).sort(), s.missing, s.policies.map((p) => p.metadata.name)], [['a', 'c'], ['ghost'], ['web']]);
  });

  it('an aborted signal ends the read with InterruptedError', async () => {
    const controller = new AbortController();
    const cluster = state().namespace('a').cluster();
    cluster.listNamespaces = async () => { controller.abort(); return []; };
    await assert.rejects(readClusterSnapshot(cluster, scopeOptions(), deps({ signal: controller.signal })), { name: 'InterruptedError' });
  });
});

describe('app/audit: a saved state instead of a cluster', () => {
  const s = state().namespacesNamed('a', 'b').policy('a', 'web');
  const clusterState = { namespaces: s.namespaces, policies: s.policies, pods: [], nodes: [], clusterPolicies: [], cniPolicies: [] };

  it('all namespaces of the file', () => {
    const snap = snapshotFromState(clusterState, scopeOptions(), 'state.yaml');
    assert.deepEqual([snap.source, snap.namespaces.length, snap.missing], [{ kind: 'file', path: 'state.yaml' }, 2, []]);
  });

  it('-n picks namespaces from the file; absent ones are missing', () => {
    const snap = snapshotFromState(clusterState, scopeOptions({ namespaces: ['b', 'zz'] }), 'state.yaml');
    assert.deepEqual([snap.namespaces.map((n) => n.metadata.name), snap.missing], [['b'], ['zz']]);
  });

  it('runAudit judges the file without any cluster', async () => {
    const r = await runAudit({ kind: 'file', path: 'state.yaml', state: clusterState }, scopeOptions(), deps());
    assert.deepEqual(r.findings.map((f) => `${f.namespace} ${f.status}`), ['a PASS', 'b FAIL']);
  });

  it('runAudit validates globs before reading anything', async () => {
    const cluster = state().cluster();
    await assert.rejects(runAudit({ kind: 'cluster', cluster }, scopeOptions({ exclude: ['BAD'] }), deps()), { name: 'UsageError' });
    assert.deepEqual(cluster.calls, []);
  });
});

describe('app/snapshot: cluster-wide policy kinds that could not be read', () => {
  const unreadable = (resource: string, group: string, reason: string): PolicyApiRead => ({ group, version: 'v1', resource, kind: 'ClusterNetworkPolicy', state: 'unreadable', reason, message: `${reason}: ...` });

  it('one note per unreadable kind, none for served or absent ones; the run goes on', async () => {
    const cluster = state().namespace('a').cluster();
    cluster.policyApis = [
      unreadable('clusternetworkpolicies', 'policy.networking.k8s.io', 'Forbidden'),
      { group: 'cilium.io', version: 'v2', resource: 'ciliumnetworkpolicies', kind: 'CiliumNetworkPolicy', state: 'served', count: 0 },
      { group: 'crd.antrea.io', version: 'v1beta1', resource: 'networkpolicies', kind: 'AntreaNetworkPolicy', state: 'absent' },
      unreadable('globalnetworkpolicies', 'crd.projectcalico.org', 'ServerError'),
    ];
    const s = await readClusterSnapshot(cluster, scopeOptions(), deps());
    assert.deepEqual(s.notes, [
      'could not read clusternetworkpolicies.policy.networking.k8s.io (Forbidden): the proof does not cover it; grant "list clusternetworkpolicies" (see deploy/rbac.yaml)',
      'could not read globalnetworkpolicies.crd.projectcalico.org (ServerError): the proof does not cover it; grant "list globalnetworkpolicies" (see deploy/rbac.yaml)',
    ]);
    assert.deepEqual(s.policyApis, cluster.policyApis);
    const report = await runAudit({ kind: 'cluster', cluster }, scopeOptions(), deps());
    assert.deepEqual(report.notes, s.notes);
  });
});
