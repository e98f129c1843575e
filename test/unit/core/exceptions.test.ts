// Exceptions: FAIL → EXEMPT only while an exception is valid; expired and malformed ones stay FAIL
// and say where they are written (file:line or the annotation).
import assert from 'node:assert/strict';
import { parseExceptionsFile } from '../../../src/app/exceptions-file.ts';
import { audit } from '../../../src/core/audit.ts';
import { applyExceptions, expiryOf, type ExceptionRule } from '../../../src/core/exceptions.ts';
import { UsageError } from '../../../src/core/errors.ts';
import { planRemediation } from '../../../src/core/remediate.ts';
import { FIXED_NOW, scope, state } from '../builders.ts';

const FILE = `apiVersion: cis-netpol.io/v1
kind: NetworkPolicyExceptions
exceptions:
  # legacy appliances
  - namespace: legacy-*
    reason: vendor appliance, no pod network
    owner: platform@example.com
    until: 2024-06-30

  - {namespace: old, reason: migrated, owner: bob, until: 2024-04-30}
  - namespace: sloppy
    until: soon
`;

const RULES = parseExceptionsFile(FILE, 'exceptions.yaml');
const ANN = (reason: string, owner: string, until: string) => ({ 'cis-netpol.io/exempt-reason': reason, 'cis-netpol.io/exempt-owner': owner, 'cis-netpol.io/exempt-until': until });

function judged(rules: readonly ExceptionRule[] = RULES, now = FIXED_NOW) {
  const world = state()
    .namespace('legacy-a').namespace('legacy-b').policy('legacy-b', 'web')
    .namespace('old').namespace('sloppy').namespace('plain')
    .namespace('annotated', { annotations: ANN('batch jobs only', 'data@example.com', '2024-05-01') })
    .namespace('ann-expired', { annotations: ANN('temporary', 'ops', '2024-04-30T23:59:59Z') })
    .namespace('ann-half', { annotations: { 'cis-netpol.io/exempt-reason': 'forgot the rest' } });
  const snap = world.snapshot();
  return applyExceptions(audit(snap, scope(), now), { rules, namespaces: snap.namespaces, now });
}

const row = (r: ReturnType<typeof judged>, ns: string) => {
  const f = r.findings.find((x) => x.namespace === ns);
  assert.ok(f, ns);
  return f;
};

describe('core/exceptions', () => {
  it('the file: one rule per entry, each with the line it starts on', () => {
    assert.deepEqual(RULES.map((r) => [r.namespace, r.source.kind === 'file' ? r.source.line : 0, r.problems.length]), [['legacy-*', 5, 0], ['old', 10, 0], ['sloppy', 11, 3]]);
  });

  const cases: [ns: string, status: string, reasonPart: string][] = [
    ['legacy-a', 'EXEMPT', 'Exempt until 2024-06-30 (owner platform@example.com): vendor appliance, no pod network [exceptions.yaml:5]'],
    ['legacy-b', 'PASS', '1 NetworkPolicy defined'],
    ['old', 'FAIL', 'exemption expired on 2024-04-30 (owner bob; exceptions.yaml:10)'],
    ['sloppy', 'FAIL', 'exemption is malformed (exceptions.yaml:11): reason is missing; owner is missing; until "soon" is not a date'],
    ['plain', 'FAIL', 'No NetworkPolicy defined'],
    // A bare date lasts through that day (UTC): FIXED_NOW is 2024-05-01T12:00Z.
    ['annotated', 'EXEMPT', 'Exempt until 2024-05-01 (owner data@example.com): batch jobs only [annotation cis-netpol.io/exempt-reason on namespace annotated]'],
    ['ann-expired', 'FAIL', 'expired on 2024-04-30T23:59:59Z'],
    ['ann-half', 'FAIL', 'malformed (annotation cis-netpol.io/exempt-until on namespace ann-half): cis-netpol.io/exempt-owner is missing; cis-netpol.io/exempt-until is missing'],
  ];
  for (const [ns, status, reason] of cases) {
    it(`${ns}: ${status}`, () => {
      const f = row(judged(), ns);
      assert.equal(f.status, status);
      assert.ok(f.reason.includes(reason), f.reason);
    });
  }

  it('EXEMPT does not fail the audit; the expired and malformed ones do', () => {
    const r = judged();
    assert.equal(r.summary.exempt, 2);
    assert.equal(r.summary.failed, 5);
    const only = judged(RULES.slice(0, 1));
    assert.equal(only.findings.filter((f) => f.status === 'FAIL').map((f) => f.namespace).join(','), 'ann-expired,ann-half,old,plain,sloppy');
    const clean = applyExceptions(audit(state().namespace('legacy-x').namespace('ok').policy('ok', 'web').snapshot(), scope(), FIXED_NOW), { rules: RULES, namespaces: [], now: FIXED_NOW });
    assert.equal(clean.compliant, true);
  });

  it('after the expiry day the same exception fails', () => {
    assert.equal(row(judged(RULES, new Date('2024-07-01T00:00:00Z')), 'legacy-a').status, 'FAIL');
    assert.equal(row(judged(RULES, new Date('2024-06-30T23:59:59Z')), 'legacy-a').status, 'EXEMPT');
  });

  it('dates: impossible days and other text are not dates', () => {
    assert.equal(expiryOf('2026-02-30'), undefined);
    assert.equal(expiryOf('next week'), undefined);
    assert.equal(expiryOf('2026-02-28')?.toISOString(), '2026-03-01T00:00:00.000Z');
  });

  it('remediate plans nothing for an exempt namespace, and a placeholder where the exemption expired', () => {
    const snap = state().namespace('legacy-a').namespace('old').snapshot();
    const plan = planRemediation(snap, scope(), { name: 'cis-default-allow', template: 'allow-all', version: '0' }, { rules: RULES, now: FIXED_NOW });
    assert.deepEqual(plan.creates.map((p) => p.metadata.namespace), ['old']);
    assert.deepEqual(plan.decided.map((d) => [d.namespace, d.status, d.exemption?.owner]), [['legacy-a', 'EXEMPT', 'platform@example.com']]);
  });

  const bad: [what: string, text: string, message: RegExp][] = [
    ['not YAML', 'apiVersion: [', /^cannot read exceptions file x.yaml:\d+/],
    ['another kind', 'apiVersion: v1\nkind: ConfigMap\n', /x.yaml:1 has apiVersion "v1" and kind "ConfigMap"/],
    ['an entry without namespace', 'apiVersion: cis-netpol.io/v1\nkind: NetworkPolicyExceptions\nexceptions:\n- reason: r\n  owner: o\n  until: 2030-01-01\n', /exception at x.yaml:4 has no namespace/],
    ['a bad glob', 'apiVersion: cis-netpol.io/v1\nkind: NetworkPolicyExceptions\nexceptions:\n- namespace: "Prod/*"\n', /x.yaml:4 has an invalid namespace "Prod\/\*"/],
  ];
  for (const [what, text, message] of bad) {
    it(`a file that cannot be used is a usage error naming file and line: ${what}`, () => {
      assert.throws(() => parseExceptionsFile(text, 'x.yaml'), (e: Error) => e instanceof UsageError && message.test(e.message));
    });
  }

  it('unknown fields make the entry malformed (a typo must not silently drop the expiry)', () => {
    const [r] = parseExceptionsFile('apiVersion: cis-netpol.io/v1\nkind: NetworkPolicyExceptions\nexceptions:\n- namespace: a\n  reason: r\n  owner: o\n  until: 2030-01-01\n  expires: 2031-01-01\n', 'x.yaml');
    assert.deepEqual(r?.problems, ['unknown field "expires" (fields: namespace, reason, owner, until)']);
  });
});
