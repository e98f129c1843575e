// runRollback against the fake Cluster: only our unchanged placeholders go.
import assert from 'node:assert/strict';
import { runRollback, type RollbackOptions } from '../../../src/app/rollback.ts';
import type { DryRun } from '../../../src/core/remediate.ts';
import type { RollbackReport } from '../../../src/core/rollback.ts';
import { deps, scopeOptions, state } from '../builders.ts';

function options(o: { dryRun?: DryRun; force?: boolean; exclude?: string[]; namespaces?: string[]; concurrency?: number } = {}): RollbackOptions {
  return { scope: scopeOptions({ exclude: o.exclude ?? [], namespaces: o.namespaces ?? [] }), dryRun: o.dryRun ?? 'none', force: o.force ?? false, concurrency: o.concurrency ?? 4 };
}
const lines = (r: RollbackReport) => r.results.map((x) => `${x.namespace}/${x.policy} ${x.status}`);

function world() {
  return state()
    .namespace('a').ours('a')
    .namespace('b').ours('b', { edited: true })
    .namespace('c').ours('c').policy('c', 'web')
    .namespace('d').policy('d', 'cis-default-allow')
    .namespace('kube-system').ours('kube-system')
    .namespace('team-x').ours('team-x');
}

describe('app/rollback', () => {
  it('removes our unchanged placeholders only; keeps the edited one; leaves user policies', async () => {
    const cluster = world().cluster();
    const r = await runRollback(options({ exclude: ['team-*'] }), cluster, deps());
    assert.deepEqual(lines(r), [
      'a/cis-default-allow REMOVED', 'b/cis-default-allow KEPT', 'c/cis-default-allow REMOVED', 'kube-system/cis-default-allow REMOVED',
    ]);
    assert.deepEqual(
      Object.fromEntries(['a', 'b', 'c', 'd', 'kube-system', 'team-x'].map((n) => [n, cluster.policyNames(n)])),
      { a: [], b: ['cis-default-allow'], c: ['web'], d: ['cis-default-allow'], 'kube-system': [], 'team-x': ['cis-default-allow'] },
    );
    assert.deepEqual(r.namespacesFailingAfter, ['a', 'kube-system']);
    assert.deepEqual(r.summary, { removed: 3, planned: 0, kept: 1, failures: 0, unknown: 0, namespacesFailingAfter: 2 });
    assert.deepEqual([r.apiVersion, r.kind, r.interrupted], ['cis-netpol.io/v1', 'RollbackReport', false]);
  });

  it('--force removes the edited one too', async () => {
    const cluster = world().cluster();
    const r = await runRollback(options({ force: true, exclude: ['team-*'] }), cluster, deps());
    assert.equal(r.summary.kept, 0);
    assert.deepEqual(cluster.policyNames('b'), []);
  });

  it('--dry-run=client writes nothing', async () => {
    const cluster = world().cluster();
    const r = await runRollback(options({ dryRun: 'client' }), cluster, deps());
    assert.deepEqual(cluster.writes, []);
    assert.equal(r.summary.planned, 4);
    assert.deepEqual(r.namespacesFailingAfter, ['a', 'kube-system', 'team-x']);
  });

  it('--dry-run=server sends each delete with dryRun and removes nothing', async () => {
    const cluster = world().cluster();
    const r = await runRollback(options({ dryRun: 'server' }), cluster, deps());
    assert.ok(cluster.writes.length === 4 && cluster.writes.every((w) => w.op === 'deletePolicy' && w.dryRun === true));
    assert.deepEqual(cluster.policyNames('a'), ['cis-default-allow']);
    assert.equal(r.summary.planned, 4);
  });

  it('the delete carries uid and resourceVersion: a placeholder changed meanwhile is KEPT (409)', async () => {
    const cluster = state().namespace('a').ours('a').cluster();
    cluster.beforeWrite = () => { cluster.policies[0]!.metadata.resourceVersion = '2'; };
    const r = await runRollback(options(), cluster, deps());
    assert.deepEqual(lines(r), ['a/cis-default-allow KEPT']);
    assert.deepEqual(cluster.policyNames('a'), ['cis-default-allow']);
  });

  it('a placeholder already gone counts as removed', async () => {
    const cluster = state().namespace('a').ours('a').cluster();
    cluster.beforeWrite = () => { cluster.policies = []; };
    assert.deepEqual(lines(await runRollback(options(), cluster, deps())), ['a/cis-default-allow REMOVED']);
  });

  it('a fatal error stops new deletes; the rest are "Not attempted"', async () => {
    const cluster = state().namespacesNamed('a', 'b', 'c').ours('a').ours('b').ours('c').cluster().fail({ op: 'deletePolicy', namespace: 'a' }, 'Unreachable');
    const r = await runRollback(options({ concurrency: 1 }), cluster, deps());
    assert.deepEqual(lines(r), ['a/cis-default-allow UNKNOWN', 'b/cis-default-allow FAILED', 'c/cis-default-allow FAILED']);
    assert.equal(r.results[1]?.reason, 'Not attempted: stopped after: unreachable: deletePolicy in a (fake)');
    assert.equal(cluster.writes.length, 1);
  });

  it('an aborted signal stops new deletes and marks the report interrupted', async () => {
    const controller = new AbortController();
    const cluster = state().namespacesNamed('a', 'b', 'c').ours('a').ours('b').ours('c').cluster();
    cluster.beforeWrite = () => controller.abort();
    const r = await runRollback(options({ concurrency: 1 }), cluster, deps({ signal: controller.signal }));
    assert.deepEqual(lines(r), ['a/cis-default-allow REMOVED', 'b/cis-default-allow FAILED', 'c/cis-default-allow FAILED']);
    assert.equal(r.results[2]?.reason, 'Not attempted: interrupted');
    assert.equal(r.interrupted, true);
  });

  it('nothing of ours: nothing to do', async () => {
    const cluster = state().namespace('d').policy('d', 'web').cluster();
    const r = await runRollback(options(), cluster, deps());
    assert.deepEqual([r.results, cluster.writes, r.namespacesFailingAfter], [[], [], []]);
  });
});
