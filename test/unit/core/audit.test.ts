// CIS 5.3.2 verdicts: one finding per namespace, each with its reason and notes.
import assert from 'node:assert/strict';
import { audit } from '../../../src/core/audit.ts';
import type { AuditFinding, AuditReport } from '../../../src/core/report.ts';
import { FIXED_NOW, IDENTITY, scope, state } from '../builders.ts';

const brief = (r: AuditReport) => r.findings.map((f) => `${f.namespace} ${f.status}`);
const finding = (r: AuditReport, ns: string): AuditFinding => {
  const f = r.findings.find((x) => x.namespace === ns);
  assert.ok(f, `no finding for ${ns}`);
  return f;
};

describe('core/audit: statuses', () => {
  const world = state()
    .namespace('prod').policy('prod', 'web')
    .namespace('empty')
    .namespace('kube-system')
    .namespace('dying', { terminating: true })
    .namespace('locked')
    .namespace('team-a');
  const report = audit(
    world.snapshot({ unreadable: [{ namespace: 'locked', message: 'forbidden (fake)' }], missing: ['ghost'] }),
    scope({ exclude: ['team-*'] }),
    FIXED_NOW,
  );

  it('one finding per namespace, sorted by name, missing ones last', () => {
    assert.deepEqual(brief(report), [
      'dying SKIPPED', 'empty FAIL', 'kube-system SKIPPED', 'locked ERROR', 'prod PASS', 'team-a SKIPPED', 'ghost ERROR',
    ]);
  });

  const reasons: [ns: string, reason: string][] = [
    ['prod', '1 NetworkPolicy defined'],
    ['empty', 'No NetworkPolicy defined'],
    ['kube-system', 'System namespace (matches kube-system; use --include-system to check it)'],
    ['dying', 'Namespace is terminating (being deleted; takes no new objects)'],
    ['team-a', 'Excluded (--exclude team-*)'],
    ['locked', 'Could not read NetworkPolicies: forbidden (fake)'],
    ['ghost', 'Namespace not found'],
  ];
  for (const [ns, reason] of reasons) it(`${ns}: "${reason}"`, () => assert.equal(finding(report, ns).reason, reason));

  it('a SKIPPED finding carries the skip reason it was decided by', () => {
    assert.deepEqual(finding(report, 'team-a').skip, { kind: 'excluded', rule: 'team-*', message: 'Excluded (--exclude team-*)' });
    assert.equal(finding(report, 'kube-system').skip?.kind, 'system');
  });

  it('summary counts, and compliance derived from them', () => {
    assert.deepEqual(report.summary, { total: 7, checked: 2, passed: 1, failed: 1, covered: 0, skipped: 3, errors: 2 });
    assert.equal(report.compliant, false);
  });

  it('report header: version, kind, control, timestamp, source', () => {
    assert.deepEqual(
      { apiVersion: report.apiVersion, kind: report.kind, control: report.control, timestamp: report.timestamp, source: report.source },
      { apiVersion: 'cis-netpol.io/v1', kind: 'AuditReport', control: '5.3.2', timestamp: '2024-05-01T12:00:00.000Z', source: { kind: 'cluster', ...IDENTITY } },
    );
  });
});

describe('core/audit: compliance', () => {
  const cases: [what: string, build: () => ReturnType<typeof state>, compliant: boolean][] = [
    ['every namespace has a policy', () => state().namespace('a').policy('a', 'p').namespace('b').ours('b'), true],
    ['one namespace without a policy', () => state().namespace('a').policy('a', 'p').namespace('b'), false],
    ['only skipped namespaces lack policies', () => state().namespace('a').policy('a', 'p').namespace('kube-system'), true],
    ['no namespaces at all', () => state(), true],
  ];
  for (const [what, build, compliant] of cases) {
    it(`${what}: compliant=${compliant}`, () => assert.equal(audit(build().snapshot(), scope(), FIXED_NOW).compliant, compliant));
  }

  it('an unreadable namespace makes the report not compliant (could not check)', () => {
    const r = audit(state().namespace('a').snapshot({ unreadable: [{ namespace: 'a', message: 'x' }] }), scope(), FIXED_NOW);
    assert.deepEqual([r.compliant, r.summary.errors, r.summary.failed], [false, 1, 0]);
  });

  it('an unreadable namespace that is skipped anyway stays SKIPPED', () => {
    const r = audit(state().namespace('kube-system').snapshot({ unreadable: [{ namespace: 'kube-system', message: 'x' }] }), scope(), FIXED_NOW);
    assert.deepEqual(brief(r), ['kube-system SKIPPED']);
  });

  it('policies of namespaces outside the snapshot are ignored', () => {
    const r = audit(state().namespace('a').policy('elsewhere', 'p').snapshot(), scope(), FIXED_NOW);
    assert.deepEqual(brief(r), ['a FAIL']);
  });

  it('policy names are listed sorted, with a plural reason', () => {
    const r = audit(state().namespace('a').policy('a', 'zeta').policy('a', 'alpha').snapshot(), scope(), FIXED_NOW);
    assert.deepEqual([finding(r, 'a').policies, finding(r, 'a').reason], [['alpha', 'zeta'], '2 NetworkPolicy objects defined']);
  });

  it('the reader\'s notes are carried into the report', () => {
    assert.deepEqual(audit(state().snapshot({ notes: ['fell back'] }), scope(), FIXED_NOW).notes, ['fell back']);
  });
});

describe('core/audit: notes on PASS findings', () => {
  it('placeholder-only: our placeholder is the only policy', () => {
    const r = audit(state().namespace('a').ours('a').snapshot(), scope(), FIXED_NOW);
    assert.deepEqual(finding(r, 'a').notes, [
      { kind: 'placeholder-only', policy: 'cis-default-allow', message: 'only policy is the cis-netpol placeholder cis-default-allow' },
    ]);
  });

  const overrides: [n: number, message: string][] = [
    [1, 'placeholder overrides 1 stricter policy (policies are additive; remove it with `kubectl cis-netpol prune`)'],
    [3, 'placeholder overrides 3 stricter policies (policies are additive; remove it with `kubectl cis-netpol prune`)'],
  ];
  for (const [n, message] of overrides) {
    it(`placeholder-overrides ${n}: names the policies it neutralises`, () => {
      const s = state().namespace('a').ours('a');
      const names = Array.from({ length: n }, (_, i) => `strict-${i}`);
      for (const name of names) s.policy('a', name);
      const notes = finding(audit(s.snapshot(), scope(), FIXED_NOW), 'a').notes;
      assert.deepEqual(notes, [{ kind: 'placeholder-overrides', policy: 'cis-default-allow', overridden: names, message }]);
    });
  }

  const legacy = ['cis-default-allow', 'cis-allow-all-safety-net', 'cis-baseline-allow-web'];
  for (const name of legacy) {
    it(`legacy name ${name} (not ours) gets a legacy-placeholder note`, () => {
      const notes = finding(audit(state().namespace('a').policy('a', name).snapshot(), scope(), FIXED_NOW), 'a').notes;
      assert.deepEqual(notes, [{ kind: 'legacy-placeholder', policy: name, message: `${name} looks like an older toolkit's placeholder (not created by cis-netpol)` }]);
    });
  }

  it('no note for ordinary names, or for ours under the default (legacy-looking) name', () => {
    assert.deepEqual(finding(audit(state().namespace('a').policy('a', 'cis-baseline-allow').snapshot(), scope(), FIXED_NOW), 'a').notes, []);
    const notes = finding(audit(state().namespace('a').ours('a').snapshot(), scope(), FIXED_NOW), 'a').notes;
    assert.ok(notes.every((n) => n.kind !== 'legacy-placeholder'));
  });

  it('FAIL, SKIPPED and ERROR findings carry no notes', () => {
    const r = audit(state().namespace('a').namespace('kube-system').ours('kube-system').snapshot({ missing: ['x'] }), scope(), FIXED_NOW);
    assert.ok(r.findings.every((f) => f.notes.length === 0));
  });
});
