// Remediation planning and the reported outcome of each create.
import assert from 'node:assert/strict';
import { ApiError, outcomeUnknown, type ApiErrorKind } from '../../../src/core/errors.ts';
import { isOurs, templateSpec, type PlaceholderOptions } from '../../../src/core/placeholder.ts';
import { createOutcome, notAttempted, planRemediation, summarise, type RemediateResult, type RemediateStatus } from '../../../src/core/remediate.ts';
import { ours, scope, state, TEST_VERSION } from '../builders.ts';

const PLACEHOLDER: PlaceholderOptions = { name: 'cis-default-allow', template: 'allow-all', version: TEST_VERSION };

describe('core/remediate: planRemediation', () => {
  const world = state()
    .namespace('prod').policy('prod', 'web')
    .namespace('empty-a')
    .namespace('empty-b')
    .namespace('kube-system')
    .namespace('dying', { terminating: true })
    .namespace('sandbox-1')
    .namespace('locked');
  const plan = planRemediation(
    world.snapshot({ missing: ['ghost'], unreadable: [{ namespace: 'locked', message: 'forbidden (fake)' }] }),
    scope({ exclude: ['sandbox-*'] }),
    PLACEHOLDER,
  );

  it('creates a placeholder exactly in the in-scope namespaces without a policy', () => {
    assert.deepEqual(plan.creates.map((p) => p.metadata.namespace), ['empty-a', 'empty-b']);
  });

  it('each create is our placeholder with the chosen name and template', () => {
    for (const p of plan.creates) {
      assert.ok(isOurs(p));
      assert.equal(p.metadata.name, 'cis-default-allow');
      assert.deepEqual(p.spec, templateSpec('allow-all'));
    }
  });

  it('every other namespace is decided without a write, with its reason', () => {
    const decided = Object.fromEntries(plan.decided.map((d) => [d.namespace, `${d.status}: ${d.reason}`]));
    assert.deepEqual(decided, {
      prod: 'PASS: Already has a NetworkPolicy (web)',
      'kube-system': 'SKIPPED: System namespace (matches kube-system; use --include-system to check it)',
      dying: 'SKIPPED: Namespace is terminating (being deleted; takes no new objects)',
      'sandbox-1': 'SKIPPED: Excluded (--exclude sandbox-*)',
      locked: 'ERROR: Could not read NetworkPolicies: forbidden (fake)',
      ghost: 'ERROR: Namespace not found',
    });
  });

  it('a skipped namespace keeps the skip reason (the summary counts system skips from it)', () => {
    assert.equal(plan.decided.find((d) => d.namespace === 'kube-system')?.skip?.kind, 'system');
    assert.equal(plan.decided.find((d) => d.namespace === 'sandbox-1')?.skip?.kind, 'excluded');
  });

  it('PASS lists several policies by name', () => {
    const p = planRemediation(state().namespace('a').policy('a', 'x').policy('a', 'y').snapshot(), scope(), PLACEHOLDER);
    assert.equal(p.decided[0]?.reason, 'Already has 2 NetworkPolicies (x, y)');
  });

  it('a namespace holding only our edited placeholder is not touched again', () => {
    const p = planRemediation(state().namespace('a').ours('a', { edited: true }).snapshot(), scope(), PLACEHOLDER);
    assert.deepEqual([p.creates.length, p.decided[0]?.status], [0, 'PASS']);
  });

  it('the cluster-internal template and a custom name are used as given', () => {
    const p = planRemediation(state().namespace('a').snapshot(), scope(), { name: 'baseline', template: 'cluster-internal', version: '1' });
    assert.equal(p.creates[0]?.metadata.name, 'baseline');
    assert.deepEqual(p.creates[0]?.spec, templateSpec('cluster-internal'));
  });
});

describe('core/remediate: createOutcome for every ApiError kind', () => {
  const p = ours('prod');
  // Record<ApiErrorKind, …>: a new kind fails the type check until it is given an expected outcome here.
  const expected: Record<ApiErrorKind, { status: RemediateStatus; reason: string | RegExp; policy: boolean; error: boolean }> = {
    AlreadyExists: { status: 'PASS', reason: 'A NetworkPolicy named cis-default-allow appeared meanwhile (409 AlreadyExists); nothing changed', policy: false, error: false },
    NotFound: { status: 'SKIPPED', reason: 'Namespace was deleted meanwhile (404)', policy: false, error: false },
    NamespaceTerminating: { status: 'SKIPPED', reason: 'Namespace is terminating (being deleted; takes no new objects)', policy: false, error: false },
    Forbidden: { status: 'FAILED', reason: 'the Forbidden message', policy: false, error: true },
    Conflict: { status: 'FAILED', reason: 'the Conflict message', policy: false, error: true },
    Invalid: { status: 'FAILED', reason: 'the Invalid message', policy: false, error: true },
    Unauthorized: { status: 'FAILED', reason: 'the Unauthorized message', policy: false, error: true },
    Throttled: { status: 'FAILED', reason: 'the Throttled message', policy: false, error: true },
    Expired: { status: 'FAILED', reason: 'the Expired message', policy: false, error: true },
    TLS: { status: 'FAILED', reason: 'the TLS message', policy: false, error: true },
    Other: { status: 'FAILED', reason: 'the Other message', policy: false, error: true },
    Unreachable: { status: 'UNKNOWN', reason: /^Outcome unknown: the request did not complete/, policy: true, error: true },
    Timeout: { status: 'UNKNOWN', reason: /^Outcome unknown/, policy: true, error: true },
    Aborted: { status: 'UNKNOWN', reason: /^Outcome unknown/, policy: true, error: true },
    ServerError: { status: 'UNKNOWN', reason: /^Outcome unknown/, policy: true, error: true },
  };
  for (const [kind, e] of Object.entries(expected) as [ApiErrorKind, (typeof expected)[ApiErrorKind]][]) {
    it(`${kind} → ${e.status}`, () => {
      const err = new ApiError(kind, `the ${kind} message`, `the ${kind} hint`, 400);
      const r = createOutcome(p, err, 'none');
      assert.equal(r.status, e.status);
      assert.equal(r.namespace, 'prod');
      if (typeof e.reason === 'string') assert.equal(r.reason, e.reason);
      else assert.match(r.reason, e.reason);
      assert.equal(r.policy, e.policy ? 'cis-default-allow' : undefined, 'the placeholder is named only when it may exist');
      assert.deepEqual(r.error, e.error ? { kind, message: `the ${kind} message`, hint: `the ${kind} hint` } : undefined);
      assert.equal(outcomeUnknown(err), e.status === 'UNKNOWN');
    });
  }

  it('Forbidden carries the RBAC hint through to the result', () => {
    const r = createOutcome(p, new ApiError('Forbidden', 'forbidden: cannot create networkpolicies', 'grant "create" on networkpolicies'), 'none');
    assert.equal(r.error?.hint, 'grant "create" on networkpolicies');
  });

  const successes: [dryRun: 'none' | 'client' | 'server', status: RemediateStatus, reason: string][] = [
    ['none', 'FIXED', 'Policy applied successfully'],
    ['client', 'PLANNED', 'Policy would be applied (client dry run)'],
    ['server', 'PLANNED', 'Policy would be applied (server dry run accepted it)'],
  ];
  for (const [dryRun, status, reason] of successes) {
    it(`success with --dry-run=${dryRun} → ${status}`, () => {
      assert.deepEqual(createOutcome(p, undefined, dryRun), { namespace: 'prod', status, policy: 'cis-default-allow', reason });
    });
  }

  it('notAttempted says why, as a failure', () => {
    assert.deepEqual(notAttempted(p, 'interrupted'), {
      namespace: 'prod', status: 'FAILED', reason: 'Not attempted: interrupted',
      error: { kind: 'NotAttempted', message: 'not attempted: interrupted', hint: 'run remediate again' },
    });
  });
});

describe('core/remediate: summarise', () => {
  const r = (status: RemediateStatus, skip?: 'system' | 'excluded' | 'terminating'): RemediateResult => ({
    namespace: 'x', status, reason: '',
    ...(skip ? { skip: skip === 'terminating' ? { kind: skip, message: '' } : { kind: skip, rule: '', message: '' } } : {}),
  });
  it('counts each status into its bucket', () => {
    const results = [
      r('PASS'), r('PASS'), r('FIXED'), r('PLANNED'), r('SKIPPED', 'system'), r('SKIPPED', 'system'),
      r('SKIPPED', 'excluded'), r('SKIPPED', 'terminating'), r('SKIPPED'), r('FAILED'), r('ERROR'), r('UNKNOWN'),
    ];
    assert.deepEqual(summarise(results), { total: 12, alreadyHadPolicy: 2, applied: 1, planned: 1, systemSkipped: 2, otherSkipped: 3, failures: 2, unknown: 1 });
  });
  it('nothing to count', () => {
    assert.deepEqual(summarise([]), { total: 0, alreadyHadPolicy: 0, applied: 0, planned: 0, systemSkipped: 0, otherSkipped: 0, failures: 0, unknown: 0 });
  });
});
