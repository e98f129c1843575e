// Flags → validated options, and exit codes decided once from the reports.
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/core/errors.ts';
import type { RemediationReport, RemediationSummary } from '../../../src/core/remediate.ts';
import type { AuditReport, AuditSummary } from '../../../src/core/report.ts';
import type { RollbackReport } from '../../../src/core/rollback.ts';
import { auditExit, remediateExit, rollbackExit } from '../../../src/cli/exit.ts';
import { toConcurrency, toDryRun, toOutput, toScope, toTimeoutMs, type GlobalFlags, type ScopeFlags } from '../../../src/cli/flags.ts';

const usage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);

describe('cli/flags: toScope', () => {
  const flags = (f: Partial<ScopeFlags>): ScopeFlags => ({ 'include-system': false, ...f });
  const cases: [what: string, f: Partial<ScopeFlags>, namespaces: string[], exclude: string[]][] = [
    ['nothing: all namespaces', {}, [], []],
    ['-A alone', { 'all-namespaces': true }, [], []],
    ['-n a', { namespace: ['a'] }, ['a'], []],
    ['-n a,b', { namespace: ['a,b'] }, ['a', 'b'], []],
    ['-n a -n b,c', { namespace: ['a', 'b,c'] }, ['a', 'b', 'c'], []],
    ['-n " a , b ,"', { namespace: [' a , b ,'] }, ['a', 'b'], []],
    ['-n a,a -n a (duplicates once)', { namespace: ['a,a', 'a'] }, ['a'], []],
    ['--exclude x-*,y --exclude z?', { exclude: ['x-*,y', 'z?'] }, [], ['x-*', 'y', 'z?']],
    ['-n "" (empty) is no -n', { namespace: [''] }, [], []],
  ];
  for (const [what, f, namespaces, exclude] of cases) {
    it(what, () => assert.deepEqual(toScope(flags(f)), { namespaces, exclude, includeSystem: false }));
  }

  it('--include-system is carried', () => assert.equal(toScope(flags({ 'include-system': true })).includeSystem, true));

  const errors: [what: string, f: Partial<ScopeFlags>, message: RegExp][] = [
    ['-n with -A', { namespace: ['a'], 'all-namespaces': true }, /^-n\/--namespace and -A\/--all-namespaces cannot be used together$/],
    ['an invalid namespace name', { namespace: ['ok,Bad_Name'] }, /^invalid namespace name "Bad_Name"/],
    ['a too long namespace name', { namespace: ['a'.repeat(64)] }, /^invalid namespace name/],
    ['a bad glob', { exclude: ['team-[a]'] }, /^invalid glob "team-\[a\]"/],
  ];
  for (const [what, f, message] of errors) it(`refuses ${what}`, () => assert.throws(() => toScope(flags(f)), usage(message)));
});

describe('cli/flags: toOutput', () => {
  const g = (f: Partial<GlobalFlags>): GlobalFlags => ({ 'request-timeout': '30s', verbose: 0, json: false, color: true, ...f });
  const ok: [what: string, f: Partial<GlobalFlags>, out: string][] = [
    ['default', {}, 'table'],
    ['-o table', { output: 'table' }, 'table'],
    ['-o json', { output: 'json' }, 'json'],
    ['-o yaml', { output: 'yaml' }, 'yaml'],
    ['--json', { json: true }, 'json'],
    ['--json -o json', { json: true, output: 'json' }, 'json'],
  ];
  for (const [what, f, out] of ok) it(`${what} → ${out}`, () => assert.equal(toOutput(g(f)), out));

  const bad: [what: string, f: Partial<GlobalFlags>, message: RegExp][] = [
    ['--json -o yaml', { json: true, output: 'yaml' }, /^--json conflicts with -o yaml$/],
    ['--json -o table', { json: true, output: 'table' }, /^--json conflicts with -o table$/],
    ['-o wide', { output: 'wide' }, /^unknown output format "wide"$/],
    ['-o JSON', { output: 'JSON' }, /^unknown output format "JSON"$/],
  ];
  for (const [what, f, message] of bad) it(`refuses ${what}`, () => assert.throws(() => toOutput(g(f)), usage(message)));
});

describe('cli/flags: toDryRun', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'none'], ['none', 'none'], ['false', 'none'],
    ['', 'client'], ['client', 'client'], ['true', 'client'],
    ['server', 'server'],
  ];
  for (const [v, out] of cases) it(`${JSON.stringify(v)} → ${out}`, () => assert.equal(toDryRun(v), out));
  for (const v of ['Server', 'all', 'yes']) it(`refuses ${v}`, () => assert.throws(() => toDryRun(v), usage(/^invalid --dry-run value/)));
});

describe('cli/flags: toTimeoutMs', () => {
  const cases: [string, number][] = [
    ['30s', 30_000], ['0', 0], ['10', 10_000], ['1m', 60_000], ['1h', 3_600_000], ['250ms', 250], ['1.5s', 1500], [' 5s ', 5000],
  ];
  for (const [v, ms] of cases) it(`${JSON.stringify(v)} → ${ms} ms`, () => assert.equal(toTimeoutMs(v), ms));
  for (const v of ['', 'abc', '-1s', '10d', '5 s', 's']) it(`refuses ${JSON.stringify(v)}`, () => assert.throws(() => toTimeoutMs(v), usage(/^invalid --request-timeout/)));
});

describe('cli/flags: toConcurrency', () => {
  for (const [v, n] of [[1, 1], [16, 16], [256, 256], ['8', 8]] as const) it(`${JSON.stringify(v)} → ${n}`, () => assert.equal(toConcurrency(v), n));
  for (const v of [0, -1, 257, 1.5, Number.NaN, 'x', '']) {
    it(`refuses ${JSON.stringify(v)}`, () => assert.throws(() => toConcurrency(v), usage(/must be a whole number from 1 to 256$/)));
  }
});

describe('cli/exit', () => {
  const auditReport = (s: Partial<AuditSummary>): AuditReport => ({
    apiVersion: 'cis-netpol.io/v1', kind: 'AuditReport', control: '5.3.2', timestamp: '', source: { kind: 'file', path: 'x' },
    compliant: false, summary: { total: 0, checked: 0, passed: 0, failed: 0, covered: 0, skipped: 0, errors: 0, ...s }, findings: [], notes: [],
  });
  const audits: [what: string, s: Partial<AuditSummary>, code: number][] = [
    ['all pass', { passed: 3 }, 0],
    ['nothing checked', {}, 0],
    ['only skipped', { skipped: 2 }, 0],
    ['a failure', { passed: 1, failed: 1 }, 1],
    ['an error', { passed: 1, errors: 1 }, 2],
    ['a failure and an error: could not check wins', { failed: 1, errors: 1 }, 2],
  ];
  for (const [what, s, code] of audits) it(`audit, ${what} → ${code}`, () => assert.equal(auditExit(auditReport(s)), code));

  const remediationReport = (s: Partial<RemediationSummary>, interrupted = false): RemediationReport => ({
    apiVersion: 'cis-netpol.io/v1', kind: 'RemediationReport', control: '5.3.2', timestamp: '', source: { kind: 'file', path: 'x' },
    dryRun: 'none', template: 'allow-all', policyName: 'p', interrupted,
    summary: { total: 0, alreadyHadPolicy: 0, applied: 0, planned: 0, systemSkipped: 0, otherSkipped: 0, failures: 0, unknown: 0, ...s },
    results: [], notes: [],
  });
  const remediations: [what: string, s: Partial<RemediationSummary>, interrupted: boolean, code: number][] = [
    ['nothing to do', { alreadyHadPolicy: 2, systemSkipped: 3 }, false, 0],
    ['applied', { applied: 2 }, false, 1],
    ['planned (dry run)', { planned: 2 }, false, 1],
    ['a failure', { applied: 2, failures: 1 }, false, 2],
    ['an unknown outcome', { applied: 2, unknown: 1 }, false, 2],
    ['interrupted', { applied: 1 }, true, 2],
  ];
  for (const [what, s, interrupted, code] of remediations) it(`remediate, ${what} → ${code}`, () => assert.equal(remediateExit(remediationReport(s, interrupted)), code));

  const rollbackReport = (s: Partial<RollbackReport['summary']>, interrupted = false): RollbackReport => ({
    apiVersion: 'cis-netpol.io/v1', kind: 'RollbackReport', timestamp: '', source: { kind: 'file', path: 'x' }, dryRun: 'none', interrupted,
    summary: { removed: 0, planned: 0, kept: 0, failures: 0, unknown: 0, namespacesFailingAfter: 0, ...s }, results: [], namespacesFailingAfter: [], notes: [],
  });
  const rollbacks: [what: string, s: Partial<RollbackReport['summary']>, interrupted: boolean, code: number][] = [
    ['nothing to do', {}, false, 0],
    ['removed, some kept', { removed: 2, kept: 1, namespacesFailingAfter: 2 }, false, 0],
    ['a failure', { removed: 1, failures: 1 }, false, 2],
    ['an unknown outcome', { unknown: 1 }, false, 2],
    ['interrupted', { removed: 1 }, true, 2],
  ];
  for (const [what, s, interrupted, code] of rollbacks) it(`rollback, ${what} → ${code}`, () => assert.equal(rollbackExit(rollbackReport(s, interrupted)), code));
});
