// runRemediate against the fake Cluster: dry runs, bounded concurrency, stopping, withdrawing.
import assert from 'node:assert/strict';
import { runRemediate, type RemediateOptions } from '../../../src/app/remediate.ts';
import type { DryRun, RemediationReport } from '../../../src/core/remediate.ts';
import { isOurs } from '../../../src/core/placeholder.ts';
import { deps, policy, scopeOptions, state, TEST_VERSION, type FakeCluster } from '../builders.ts';

function options(o: { dryRun?: DryRun; concurrency?: number; exclude?: string[]; namespaces?: string[] } = {}): RemediateOptions {
  const built = {
    scope: scopeOptions({ exclude: o.exclude ?? [], namespaces: o.namespaces ?? [] }),
    placeholder: { name: 'cis-default-allow', template: 'allow-all' as const, version: TEST_VERSION },
    dryRun: o.dryRun ?? 'none',
    concurrency: o.concurrency ?? 4,
    acceptDisruption: false,
  };
  return built;
}

const statuses = (r: RemediationReport) => Object.fromEntries(r.results.map((x) => [x.namespace, x.status]));
const numbered = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

function mixedCluster(): FakeCluster {
  return state().namespace('prod').policy('prod', 'web').namespace('empty-a').namespace('empty-b').namespace('kube-system').cluster();
}

describe('app/remediate: writes', () => {
  it('creates the placeholder where a policy is missing and reports each namespace', async () => {
    const cluster = mixedCluster();
    const r = await runRemediate(options(), cluster, deps());
    assert.deepEqual(statuses(r), { 'empty-a': 'FIXED', 'empty-b': 'FIXED', 'kube-system': 'SKIPPED', prod: 'PASS' });
    assert.deepEqual(r.results.map((x) => x.namespace), ['empty-a', 'empty-b', 'kube-system', 'prod'], 'sorted by namespace');
    assert.deepEqual(cluster.writes.map((w) => `${w.op} ${w.namespace} dryRun=${w.dryRun}`), ['createPolicy empty-a dryRun=false', 'createPolicy empty-b dryRun=false']);
    assert.deepEqual([cluster.policyNames('empty-a'), cluster.policyNames('prod')], [['cis-default-allow'], ['web']]);
    assert.deepEqual(r.summary, { total: 4, alreadyHadPolicy: 1, applied: 2, planned: 0, systemSkipped: 1, otherSkipped: 0, failures: 0, unknown: 0 });
    assert.deepEqual([r.interrupted, r.dryRun, r.template, r.policyName, r.timestamp], [false, 'none', 'allow-all', 'cis-default-allow', '2024-05-01T12:00:00.000Z']);
  });

  it('--dry-run=client writes nothing and plans every create', async () => {
    const cluster = mixedCluster();
    const r = await runRemediate(options({ dryRun: 'client' }), cluster, deps());
    assert.deepEqual(cluster.writes, []);
    assert.deepEqual(statuses(r), { 'empty-a': 'PLANNED', 'empty-b': 'PLANNED', 'kube-system': 'SKIPPED', prod: 'PASS' });
    assert.equal(r.summary.planned, 2);
  });

  it('--dry-run=server sends every create with dryRun and stores nothing', async () => {
    const cluster = mixedCluster();
    const r = await runRemediate(options({ dryRun: 'server' }), cluster, deps());
    assert.deepEqual(cluster.writes.map((w) => [w.op, w.dryRun]), [['createPolicy', true], ['createPolicy', true]]);
    assert.deepEqual(cluster.policyNames('empty-a'), []);
    assert.equal(r.results.find((x) => x.namespace === 'empty-a')?.reason, 'Policy would be applied (server dry run accepted it)');
    assert.deepEqual(cluster.callsTo('listPolicies').length, 1, 'no verification read after a dry run');
  });

  for (const limit of [1, 3, 16]) {
    it(`--concurrency ${limit}: never more than ${limit} creates in flight`, async () => {
      const cluster = state().namespacesNamed(...numbered('ns', 40)).cluster();
      const r = await runRemediate(options({ concurrency: limit }), cluster, deps());
      assert.equal(cluster.maxInFlightWrites, limit);
      assert.equal(r.summary.applied, 40);
    });
  }

  it('per-namespace failures are collected, the run goes on (Forbidden is not fatal)', async () => {
    const cluster = state().namespacesNamed('a', 'b', 'c').cluster().fail({ op: 'createPolicy', namespace: 'b' }, 'Forbidden');
    const r = await runRemediate(options({ concurrency: 1 }), cluster, deps());
    assert.deepEqual(statuses(r), { a: 'FIXED', b: 'FAILED', c: 'FIXED' });
    assert.deepEqual(r.results.find((x) => x.namespace === 'b')?.error, { kind: 'Forbidden', message: 'forbidden: createPolicy in b (fake)', hint: 'hint for Forbidden' });
  });

  it('a namespace deleted or terminating meanwhile is SKIPPED, a name taken meanwhile is PASS', async () => {
    const cluster = state().namespacesNamed('gone', 'dying', 'taken', 'ok').cluster();
    cluster.beforeWrite = (c) => {
      if (c.namespace === 'gone') cluster.namespaces = cluster.namespaces.filter((n) => n.metadata.name !== 'gone');
      if (c.namespace === 'dying') cluster.namespaces = cluster.namespaces.map((n) => (n.metadata.name === 'dying' ? { ...n, phase: 'Terminating' } : n));
      if (c.namespace === 'taken') cluster.inject({ ...policy('taken', 'cis-default-allow') });
    };
    const r = await runRemediate(options(), cluster, deps());
    assert.deepEqual(statuses(r), { dying: 'SKIPPED', gone: 'SKIPPED', ok: 'FIXED', taken: 'PASS' });
  });

  it('errors that are not ApiErrors become "Other" failures, never thrown past the run', async () => {
    const cluster = state().namespacesNamed('a').cluster();
    cluster.createPolicy = async () => { throw new RangeError('boom'); };
    const r = await runRemediate(options(), cluster, deps());
    assert.deepEqual([r.results[0]?.status, r.results[0]?.error?.kind, r.results[0]?.reason], ['FAILED', 'Other', 'RangeError: boom']);
  });
});

describe('app/remediate: stopping', () => {
  for (const kind of ['Unreachable', 'Timeout', 'TLS', 'Unauthorized'] as const) {
    it(`a fatal ${kind} stops new writes; the rest are "Not attempted"`, async () => {
      const cluster = state().namespacesNamed(...numbered('ns', 10)).cluster().fail((c) => c.op === 'createPolicy' && c.namespace === 'ns-02', kind);
      const r = await runRemediate(options({ concurrency: 1 }), cluster, deps());
      assert.deepEqual(cluster.writes.map((w) => w.namespace), ['ns-00', 'ns-01', 'ns-02']);
      const s = statuses(r);
      assert.deepEqual([s['ns-00'], s['ns-01'], s['ns-02']], ['FIXED', 'FIXED', kind === 'Unreachable' || kind === 'Timeout' ? 'UNKNOWN' : 'FAILED']);
      for (const ns of numbered('ns', 10).slice(3)) {
        const x = r.results.find((y) => y.namespace === ns);
        assert.equal(x?.status, 'FAILED');
        assert.equal(x?.reason, `Not attempted: stopped after: ${kind.toLowerCase()}: createPolicy in ns-02 (fake)`);
      }
      assert.equal(r.interrupted, false);
    });
  }

  it('with several in flight, those already started finish; none start after the fatal error', async () => {
    const cluster = state().namespacesNamed(...numbered('ns', 20)).cluster().fail({ op: 'createPolicy', namespace: 'ns-00' }, 'Unreachable');
    const r = await runRemediate(options({ concurrency: 4 }), cluster, deps());
    assert.equal(cluster.writes.length, 4, 'the first four started together; nothing after the failure');
    assert.equal(r.results.filter((x) => x.reason.startsWith('Not attempted')).length, 16);
  });

  it('an aborted signal stops new writes and marks the report interrupted', async () => {
    const controller = new AbortController();
    const cluster = state().namespacesNamed(...numbered('ns', 10)).cluster();
    cluster.beforeWrite = (c) => { if (c.namespace === 'ns-02') controller.abort(); };
    const r = await runRemediate(options({ concurrency: 1 }), cluster, deps({ signal: controller.signal }));
    assert.deepEqual(cluster.writes.map((w) => w.namespace), ['ns-00', 'ns-01', 'ns-02']);
    assert.equal(r.interrupted, true);
    assert.equal(statuses(r)['ns-02'], 'FIXED', 'the write in flight completes and is reported');
    assert.deepEqual(new Set(r.results.slice(3).map((x) => x.reason)), new Set(['Not attempted: interrupted']));
    assert.equal(cluster.callsTo('listPolicies').length, 1, 'no verification after an interruption');
  });

  it('a signal aborted before the run refuses to start (InterruptedError)', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(runRemediate(options(), mixedCluster(), deps({ signal: controller.signal })), { name: 'InterruptedError' });
  });
});

describe('app/remediate: withdrawing where a user policy appeared meanwhile', () => {
  it('reads again and withdraws our new placeholder next to a user policy that appeared', async () => {
    const cluster = state().namespacesNamed('a', 'b').cluster();
    cluster.afterCreate = (p) => { if (p.metadata.namespace === 'b') cluster.inject(policy('b', 'team-policy')); };
    const r = await runRemediate(options(), cluster, deps());
    assert.deepEqual(statuses(r), { a: 'FIXED', b: 'PASS' });
    assert.equal(r.results.find((x) => x.namespace === 'b')?.reason, 'NetworkPolicy team-policy appeared meanwhile; placeholder withdrawn so it does not override them');
    assert.deepEqual([cluster.policyNames('a'), cluster.policyNames('b')], [['cis-default-allow'], ['team-policy']]);
    assert.deepEqual(cluster.callsTo('deletePolicy').map((c) => `${c.namespace}/${c.name}`), ['b/cis-default-allow']);
    assert.deepEqual(cluster.callsTo('listPolicies').map((c) => c.namespace ?? '*').sort(), ['*', 'a', 'b'], 'one cluster-wide read, then one per namespace written');
    assert.equal(r.summary.applied, 1);
  });

  it('another placeholder of ours appearing is no reason to withdraw', async () => {
    const cluster = state().namespacesNamed('a').cluster();
    cluster.afterCreate = () => cluster.inject({ ...policy('a', 'x'), metadata: { ...cluster.policies[0]!.metadata, name: 'other-run' } });
    const r = await runRemediate(options(), cluster, deps());
    assert.ok(cluster.policies.every(isOurs));
    assert.deepEqual(statuses(r), { a: 'FIXED' });
  });

  it('more than 16 written: one cluster-wide read; if forbidden, per-namespace reads', async () => {
    const names = numbered('ns', 20);
    const cluster = state().namespacesNamed(...names).cluster().fail({ op: 'listPolicies', namespace: undefined }, 'Forbidden');
    cluster.afterCreate = (p) => { if (p.metadata.namespace === 'ns-19') cluster.inject(policy('ns-19', 'late')); };
    const r = await runRemediate(options({ concurrency: 8 }), cluster, deps());
    const lists = cluster.callsTo('listPolicies');
    assert.equal(lists.filter((c) => c.namespace === undefined).length, 2, 'the snapshot read and the verification read, both forbidden');
    assert.equal(lists.filter((c) => c.namespace !== undefined).length, 40, 'per-namespace fallback, twice');
    assert.equal(statuses(r)['ns-19'], 'PASS');
    assert.equal(r.summary.applied, 19);
  });

  it('a withdrawal that fails is a FAILED result', async () => {
    const cluster = state().namespacesNamed('a').cluster().fail({ op: 'deletePolicy' }, 'Forbidden');
    cluster.afterCreate = () => cluster.inject(policy('a', 'team-policy'));
    const r = await runRemediate(options(), cluster, deps());
    assert.equal(r.results[0]?.status, 'FAILED');
    assert.match(r.results[0]?.reason ?? '', /^NetworkPolicy team-policy appeared meanwhile and the placeholder could not be withdrawn: forbidden/);
    assert.equal(r.summary.failures, 1);
  });

  it('a verification read that fails leaves a note, not an error', async () => {
    const cluster = state().namespacesNamed('a').cluster().fail({ op: 'listPolicies', namespace: 'a' }, 'ServerError');
    const r = await runRemediate(options(), cluster, deps());
    assert.deepEqual(statuses(r), { a: 'FIXED' });
    assert.deepEqual(r.notes, ['Could not verify after applying (servererror: listPolicies in a (fake)); run audit to check']);
  });
});
