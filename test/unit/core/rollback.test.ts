// Rollback removes exactly what we created and nobody changed since; never anything else.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError, type ApiErrorKind } from '../../../src/core/errors.ts';
import type { NetworkPolicy } from '../../../src/core/model.ts';
import { isOurs, isUnmodified } from '../../../src/core/placeholder.ts';
import { planRemediation } from '../../../src/core/remediate.ts';
import { deleteOutcome, namespacesFailingAfter, planRollback, type RollbackResult, type RollbackStatus } from '../../../src/core/rollback.ts';
import type { Snapshot } from '../../../src/core/report.ts';
import { namespace, ours, policy, policyOfKind, POLICY_KINDS, scope, snapshot, state, TEST_VERSION } from '../builders.ts';

const key = (p: NetworkPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;

describe('core/rollback: planRollback', () => {
  const world = state()
    .namespace('a').ours('a')
    .namespace('b').ours('b', { edited: true })
    .namespace('c').policy('c', 'web').ours('c')
    .namespace('d').policy('d', 'cis-default-allow')
    .namespace('kube-system').ours('kube-system')
    .namespace('team-x').ours('team-x')
    .namespace('dying', { terminating: true }).ours('dying')
    .ours('gone-namespace');
  const snap = world.snapshot();

  it('deletes our unchanged placeholders, also in system and terminating namespaces', () => {
    const plan = planRollback(snap, scope({ exclude: ['team-*'] }), false);
    assert.deepEqual(plan.deletes.map(key).sort(), ['a/cis-default-allow', 'c/cis-default-allow', 'dying/cis-default-allow', 'kube-system/cis-default-allow']);
  });

  it('keeps an edited placeholder, saying why', () => {
    const plan = planRollback(snap, scope({ exclude: ['team-*'] }), false);
    assert.deepEqual(plan.kept, [{
      namespace: 'b', policy: 'cis-default-allow', status: 'KEPT',
      reason: 'Edited since cis-netpol created it (spec differs from the template); use --force to remove it anyway',
    }]);
  });

  it('--force also deletes the edited one', () => {
    const plan = planRollback(snap, scope({ exclude: ['team-*'] }), true);
    assert.ok(plan.deletes.map(key).includes('b/cis-default-allow'));
    assert.deepEqual(plan.kept, []);
  });

  it('excluded namespaces are left untouched (neither deleted nor reported kept)', () => {
    const plan = planRollback(snap, scope({ exclude: ['team-*'] }), true);
    assert.ok(![...plan.deletes.map((p) => p.metadata.namespace), ...plan.kept.map((k) => k.namespace)].includes('team-x'));
  });

  it('never a user policy, even one named like ours', () => {
    const plan = planRollback(snap, scope(), true);
    assert.ok(!plan.deletes.some((p) => p.metadata.namespace === 'd' || p.metadata.name === 'web'));
  });

  it('never a policy in a namespace outside the snapshot', () => {
    assert.ok(!planRollback(snap, scope(), true).deletes.some((p) => p.metadata.namespace === 'gone-namespace'));
  });
});

describe('core/rollback: deleteOutcome', () => {
  const p = ours('a');
  const expected: Record<ApiErrorKind, RollbackStatus> = {
    NotFound: 'REMOVED', Conflict: 'KEPT',
    Unreachable: 'UNKNOWN', Timeout: 'UNKNOWN', Aborted: 'UNKNOWN', ServerError: 'UNKNOWN',
    AlreadyExists: 'FAILED', Forbidden: 'FAILED', NamespaceTerminating: 'FAILED', Invalid: 'FAILED', Unauthorized: 'FAILED',
    Throttled: 'FAILED', Expired: 'FAILED', TLS: 'FAILED', Other: 'FAILED',
  };
  for (const [kind, status] of Object.entries(expected) as [ApiErrorKind, RollbackStatus][]) {
    it(`${kind} → ${status}`, () => {
      const r = deleteOutcome(p, new ApiError(kind, `the ${kind} message`, 'h'), 'none');
      assert.equal(r.status, status);
      assert.deepEqual([r.namespace, r.policy], ['a', 'cis-default-allow']);
      if (kind === 'NotFound') assert.equal(r.error, undefined);
      else assert.equal(r.error?.kind, kind);
    });
  }
  const ok: ['none' | 'client' | 'server', RollbackStatus, string][] = [
    ['none', 'REMOVED', 'Placeholder removed'],
    ['client', 'PLANNED', 'Would be removed (client dry run)'],
    ['server', 'PLANNED', 'Would be removed (server dry run accepted it)'],
  ];
  for (const [dryRun, status, reason] of ok) {
    it(`success with --dry-run=${dryRun} → ${status}`, () => assert.deepEqual(deleteOutcome(p, undefined, dryRun), { namespace: 'a', policy: 'cis-default-allow', status, reason }));
  }
});

describe('core/rollback: namespacesFailingAfter', () => {
  const snap = state()
    .namespace('only-ours').ours('only-ours')
    .namespace('mixed').ours('mixed').policy('mixed', 'web')
    .namespace('two-ours').ours('two-ours').ours('two-ours', { name: 'second' })
    .namespace('bare')
    .snapshot();
  const res = (ns: string, status: RollbackStatus, policyName = 'cis-default-allow'): RollbackResult => ({ namespace: ns, policy: policyName, status, reason: '' });
  const cases: [what: string, results: RollbackResult[], failing: string[]][] = [
    ['nothing removed', [], []],
    ['the only policy removed', [res('only-ours', 'REMOVED')], ['only-ours']],
    ['the only policy planned (dry run)', [res('only-ours', 'PLANNED')], ['only-ours']],
    ['a user policy remains', [res('mixed', 'REMOVED')], []],
    ['one of two of ours removed', [res('two-ours', 'REMOVED')], []],
    ['both of ours removed', [res('two-ours', 'REMOVED'), res('two-ours', 'REMOVED', 'second')], ['two-ours']],
    ['kept, failed or unknown removals do not count', [res('only-ours', 'KEPT'), res('two-ours', 'FAILED'), res('two-ours', 'UNKNOWN', 'second')], []],
    ['sorted by name', [res('two-ours', 'REMOVED'), res('two-ours', 'REMOVED', 'second'), res('only-ours', 'REMOVED')], ['only-ours', 'two-ours']],
  ];
  for (const [what, results, failing] of cases) it(what, () => assert.deepEqual(namespacesFailingAfter(snap, results), failing));

  it('a namespace that had no policy before is not "failing again"', () => {
    assert.ok(!namespacesFailingAfter(snap, []).includes('bare'));
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random snapshots

const NAMES = ['default', 'prod', 'staging', 'team-a', 'team-b', 'dev', 'kube-system', 'kube-flannel', 'openshift-dns', 'calico-system'];
const POLICY_NAMES = ['cis-default-allow', 'web', 'deny-all', 'baseline'];
const KINDS = POLICY_KINDS;


const arbSnapshot: fc.Arbitrary<Snapshot> = fc
  .record({
    namespaces: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), terminating: fc.boolean() }), { selector: (n) => n.name, maxLength: NAMES.length }),
    policies: fc.uniqueArray(
      fc.record({ ns: fc.constantFrom(...NAMES, 'not-listed'), name: fc.constantFrom(...POLICY_NAMES), kind: fc.constantFrom(...KINDS) }),
      { selector: (p) => `${p.ns}/${p.name}`, maxLength: 20 },
    ),
  })
  .map(({ namespaces, policies }) => snapshot({
    namespaces: namespaces.map((n) => namespace(n.name, { terminating: n.terminating })),
    policies: policies.map((p) => policyOfKind(p.ns, p.name, p.kind)),
  }));

const arbScope = fc.record({
  exclude: fc.subarray(['team-*', 'dev', '*-system', 'p?od', 'staging']),
  includeSystem: fc.boolean(),
});

describe('core/rollback and remediate: properties over random snapshots', () => {
  it('rollback: every planned delete is ours, in a listed, non-excluded namespace; unmodified unless forced', () => {
    fc.assert(fc.property(arbSnapshot, arbScope, fc.boolean(), (snap, so, force) => {
      const sc = scope(so);
      const listed = new Map(snap.namespaces.map((n) => [n.metadata.name, n]));
      const plan = planRollback(snap, sc, force);
      for (const p of plan.deletes) {
        assert.ok(isOurs(p), `${key(p)} is not ours`);
        assert.ok(force || isUnmodified(p), `${key(p)} was edited`);
        const ns = listed.get(p.metadata.namespace);
        assert.ok(ns, `${key(p)} is outside the snapshot`);
        assert.notEqual(sc.skipReason(ns)?.kind, 'excluded');
      }
      if (force) assert.deepEqual(plan.kept, []);
      for (const k of plan.kept) assert.equal(k.status, 'KEPT');
    }));
  });

  it('rollback: ours in listed, non-excluded namespaces are all either deleted or kept, once', () => {
    fc.assert(fc.property(arbSnapshot, arbScope, fc.boolean(), (snap, so, force) => {
      const sc = scope(so);
      const eligible = snap.policies
        .filter((p) => isOurs(p))
        .filter((p) => {
          const ns = snap.namespaces.find((n) => n.metadata.name === p.metadata.namespace);
          return ns !== undefined && sc.skipReason(ns)?.kind !== 'excluded';
        })
        .map(key).sort();
      const plan = planRollback(snap, sc, force);
      assert.deepEqual([...plan.deletes.map(key), ...plan.kept.map((k) => `${k.namespace}/${k.policy}`)].sort(), eligible);
    }));
  });

  it('remediate: every planned create is in an in-scope namespace that had no policy; each such namespace gets one', () => {
    fc.assert(fc.property(arbSnapshot, arbScope, (snap, so) => {
      const sc = scope(so);
      const withPolicy = new Set(snap.policies.map((p) => p.metadata.namespace));
      const plan = planRemediation(snap, sc, { name: 'cis-default-allow', template: 'allow-all', version: TEST_VERSION });
      const created = plan.creates.map((p) => p.metadata.namespace);
      for (const ns of created) assert.ok(!withPolicy.has(ns), `create in ${ns}, which had a policy`);
      const expected = snap.namespaces.filter((n) => !withPolicy.has(n.metadata.name) && sc.skipReason(n) === undefined).map((n) => n.metadata.name);
      assert.deepEqual([...created].sort(), expected.sort());
      assert.ok(plan.creates.every(isOurs));
      // Every namespace is decided exactly once, by a create or without one.
      assert.deepEqual([...created, ...plan.decided.map((d) => d.namespace)].sort(), snap.namespaces.map((n) => n.metadata.name).sort());
    }));
  });

  it('remediate then rollback: rollback plans to delete exactly what remediate would create', () => {
    fc.assert(fc.property(arbSnapshot, arbScope, (snap, so) => {
      const sc = scope(so);
      const plan = planRemediation(snap, sc, { name: 'cis-netpol-new', template: 'allow-all', version: TEST_VERSION });
      const after: Snapshot = { ...snap, policies: [...snap.policies, ...plan.creates] };
      const newOnes = planRollback(after, sc, false).deletes.filter((p) => p.metadata.name === 'cis-netpol-new').map(key).sort();
      assert.deepEqual(newOnes, plan.creates.map(key).sort());
    }));
  });
});
