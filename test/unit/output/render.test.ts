// Golden tests for the table renderers: the guide's lines word for word, and the report blocks.
// Regenerate after an intended change with UPDATE_GOLDEN=1, then review the diff of test/unit/golden/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRollback } from '../../../src/app/rollback.ts';
import { audit } from '../../../src/core/audit.ts';
import { summarise, type DryRun, type RemediateResult, type RemediationReport } from '../../../src/core/remediate.ts';
import type { SkipReason } from '../../../src/core/scope.ts';
import type { RollbackReport } from '../../../src/core/rollback.ts';
import { renderAudit } from '../../../src/output/audit.ts';
import { renderRemediation } from '../../../src/output/remediate.ts';
import { renderRollback } from '../../../src/output/rollback.ts';
import { renderMachine } from '../../../src/output/machine.ts';
import { deps, FIXED_NOW, scope, scopeOptions, state } from '../builders.ts';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const PLAIN = { color: false };

function matchesGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN']) fs.writeFileSync(file, actual);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `differs from ${path.relative(process.cwd(), file)} (UPDATE_GOLDEN=1 rewrites it)`);
}

// ---------------------------------------------------------------------------------------------
// Audit

function mixedAudit() {
  const world = state()
    .namespace('prod').policy('prod', 'web').policy('prod', 'db').policy('prod', 'cache').policy('prod', 'api').policy('prod', 'deny-all')
    .namespace('placeholder-only').ours('placeholder-only')
    .namespace('placeholder-overrides').ours('placeholder-overrides').policy('placeholder-overrides', 'strict')
    .namespace('legacy').policy('legacy', 'cis-allow-all-safety-net')
    .namespace('payments')
    .namespace('default')
    .namespace('kube-system')
    .namespace('sandbox-alice')
    .namespace('old', { terminating: true })
    .namespace('locked');
  return audit(
    world.snapshot({ missing: ['ghost'], unreadable: [{ namespace: 'locked', message: 'forbidden: cannot list networkpolicies in namespace "locked"' }], notes: ['Listing NetworkPolicies cluster-wide is forbidden; fell back to one list per namespace'] }),
    scope({ exclude: ['sandbox-*'] }),
    FIXED_NOW,
  );
}

describe('output/audit: renderAudit', () => {
  it('golden: mixed statuses, notes, FAIL and ERROR sections', () => {
    matchesGolden('audit-mixed.txt', renderAudit(mixedAudit(), PLAIN));
  });

  it('golden: the same, coloured for a terminal', () => {
    matchesGolden('audit-mixed-color.txt', renderAudit(mixedAudit(), { color: true }));
  });

  it('golden: compliant', () => {
    const r = audit(state().namespace('a').policy('a', 'web').namespace('b').ours('b').namespace('kube-system').snapshot(), scope(), FIXED_NOW);
    matchesGolden('audit-pass.txt', renderAudit(r, PLAIN));
  });

  it('the guide\'s PASS line, word for word', () => {
    const r = audit(state().namespace('a').policy('a', 'web').namespace('b').policy('b', 'web').namespace('kube-system').snapshot(), scope(), FIXED_NOW);
    const lines = renderAudit(r, PLAIN).split('\n');
    assert.ok(lines.includes('[+] PASS: All 2 checked namespaces have at least one NetworkPolicy defined'));
    assert.ok(lines.includes('[*] 1 namespace(s) skipped (see SKIPPED rows for reasons)'));
  });

  it('the guide\'s FAIL line followed by one "    - name" line per namespace, and no PASS line', () => {
    const text = renderAudit(mixedAudit(), PLAIN);
    assert.ok(text.includes('[-] FAIL: The following 2 namespace(s) do not have a NetworkPolicy defined:\n    - default\n    - payments\n'));
    assert.ok(!text.includes('[+] PASS'));
  });

  it('errors without failures: the ERROR section and no PASS line', () => {
    const r = audit(state().namespace('a').policy('a', 'web').snapshot({ missing: ['ghost'] }), scope(), FIXED_NOW);
    const text = renderAudit(r, PLAIN);
    assert.ok(text.endsWith('[!] ERROR: 1 namespace(s) could not be checked:\n    - ghost: Namespace not found\n'));
    assert.ok(!text.includes('[+] PASS') && !text.includes('[-] FAIL'));
  });

  it('no namespaces at all: no table', () => {
    assert.equal(renderAudit(audit(state().snapshot(), scope(), FIXED_NOW), PLAIN), '[+] PASS: All 0 checked namespaces have at least one NetworkPolicy defined\n');
  });
});

// ---------------------------------------------------------------------------------------------
// Remediation

// Built as data (renderers take data): the app's connectivity proof is not part of these goldens.
const SYSTEM = (ns: string): SkipReason => ({ kind: 'system', rule: ns, message: `System namespace (matches ${ns}; use --include-system to check it)` });
const LONG_NAME = 'a-namespace-with-a-really-long-name-for-the-column';

function remediationResults(dryRun: DryRun): RemediateResult[] {
  const done = (ns: string): RemediateResult => (dryRun === 'none'
    ? { namespace: ns, status: 'FIXED', policy: 'cis-default-allow', reason: 'Policy applied successfully' }
    : { namespace: ns, status: 'PLANNED', policy: 'cis-default-allow', reason: `Policy would be applied (${dryRun} dry run${dryRun === 'server' ? ' accepted it' : ''})` });
  const results: RemediateResult[] = [
    done(LONG_NAME),
    { namespace: 'kube-public', status: 'SKIPPED', reason: SYSTEM('kube-public').message, skip: SYSTEM('kube-public') },
    { namespace: 'kube-system', status: 'SKIPPED', reason: SYSTEM('kube-system').message, skip: SYSTEM('kube-system') },
    { namespace: 'multi', status: 'PASS', reason: 'Already has 2 NetworkPolicies (a, b)' },
    done('payments'),
    { namespace: 'prod', status: 'PASS', reason: 'Already has a NetworkPolicy (web)' },
    { namespace: 'sandbox-bob', status: 'SKIPPED', reason: 'Excluded (--exclude sandbox-*)', skip: { kind: 'excluded', rule: 'sandbox-*', message: 'Excluded (--exclude sandbox-*)' } },
    done('staging'),
  ];
  if (dryRun === 'none') {
    results.push(
      { namespace: 'flaky', status: 'UNKNOWN', policy: 'cis-default-allow', reason: 'Outcome unknown: the request did not complete; run remediate again to converge', error: { kind: 'ServerError', message: 'server error 503', hint: 'check the API server health' } },
      { namespace: 'locked-down', status: 'FAILED', reason: 'forbidden: cannot create networkpolicies in namespace "locked-down"', error: { kind: 'Forbidden', message: 'forbidden', hint: 'grant "create" on networkpolicies' } },
      { namespace: 'ghost', status: 'ERROR', reason: 'Namespace not found', error: { kind: 'NotFound', message: 'namespace "ghost" not found', hint: 'check the name given to -n' } },
    );
  }
  return results.sort((a, b) => a.namespace.localeCompare(b.namespace));
}

function remediation(dryRun: DryRun): RemediationReport {
  const results = remediationResults(dryRun);
  return {
    apiVersion: 'cis-netpol.io/v1', kind: 'RemediationReport', control: '5.3.2', timestamp: FIXED_NOW.toISOString(),
    source: { kind: 'cluster', context: 'kind-test', server: 'https://127.0.0.1:6443' },
    dryRun, template: 'allow-all', policyName: 'cis-default-allow', interrupted: false,
    summary: summarise(results), results, notes: ['a note from the reader'],
  };
}

describe('output/remediate: renderRemediation', () => {
  it('golden: applied, with failures, an unknown outcome, an error and notes', () => {
    matchesGolden('remediation-applied.txt', renderRemediation(remediation('none'), PLAIN));
  });

  it('golden: client dry run', () => {
    matchesGolden('remediation-dry-run.txt', renderRemediation(remediation('client'), PLAIN));
  });

  it('golden: interrupted', () => {
    matchesGolden('remediation-interrupted.txt', renderRemediation({ ...remediation('none'), interrupted: true }, PLAIN));
  });

  it('the report block: Timestamp and the SUMMARY STATISTICS labels', () => {
    const text = renderRemediation(remediation('none'), PLAIN);
    const block = text.slice(text.indexOf('\n====='));
    assert.ok(block.startsWith(`\n${'='.repeat(80)}\nCIS Benchmark 5.3.2 - NetworkPolicy Remediation Report\n${'='.repeat(80)}\nTimestamp: 2024-05-01T12:00:00.000Z\n\nSUMMARY STATISTICS:\n`));
    const stats = block.slice(0, block.indexOf('\n\n', block.indexOf('SUMMARY STATISTICS:'))).split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim().replace(/\s+/g, ' '));
    assert.deepEqual(stats, [
      'Total Namespaces Processed: 11',
      'Already Had Policy: 2',
      'Policies Applied: 3',
      'System Namespaces Skipped: 2',
      'Other Namespaces Skipped: 1',
      'Policy Application Failures: 2',
      'Outcome Unknown: 1',
    ]);
  });

  it('per-namespace lines: mark, padded name, status, reason (the hint only for failures)', () => {
    const lines = renderRemediation(remediation('none'), PLAIN).split('\n');
    assert.ok(lines.includes(`[+] ${'payments'.padEnd(50)}  FIXED      Policy applied successfully`));
    assert.ok(lines.includes(`[✗] ${'locked-down'.padEnd(50)}  FAILED     forbidden: cannot create networkpolicies in namespace "locked-down" (grant "create" on networkpolicies)`));
    assert.ok(lines.some((l) => l.startsWith('[?] flaky') && !l.includes('check the API server health')), 'no hint for an unknown outcome');
  });

  it('the name column is at least 34 wide', () => {
    const r = remediation('client');
    const short = { ...r, results: r.results.filter((x) => x.namespace.length < 20) };
    assert.ok(renderRemediation(short, PLAIN).split('\n').includes(`[✓] ${'prod'.padEnd(34)}  PASS       Already has a NetworkPolicy (web)`));
  });
});

// ---------------------------------------------------------------------------------------------
// Rollback

// KNOWN BUG (reported, not fixed here): stat() in src/output/lines.ts pads labels to 29 columns,
// and "Namespaces Failing 5.3.2 After:" is 31 characters, so its value is glued to the colon.
// The golden files hold the line with one space; drop this once the layout is fixed.

async function rollback(dryRun: DryRun, build = rollbackWorld): Promise<RollbackReport> {
  return runRollback({ scope: scopeOptions(), dryRun, force: false, concurrency: 1 }, build(), deps());
}

function rollbackWorld() {
  return state()
    .namespace('only-ours').ours('only-ours')
    .namespace('with-user-policy').ours('with-user-policy').policy('with-user-policy', 'web')
    .namespace('edited').ours('edited', { edited: true })
    .namespace('locked').ours('locked')
    .namespace('flaky').ours('flaky')
    .namespace('kube-system').ours('kube-system')
    .cluster()
    .fail({ op: 'deletePolicy', namespace: 'locked' }, 'Forbidden')
    .fail({ op: 'deletePolicy', namespace: 'flaky' }, 'ServerError');
}

describe('output/rollback: renderRollback', () => {
  it('golden: removed, kept, failed, unknown, and what fails 5.3.2 again', async () => {
    matchesGolden('rollback-mixed.txt', renderRollback(await rollback('none'), PLAIN));
  });

  it('golden: server dry run, interrupted, with a note', async () => {
    const r = await rollback('server', () => state().namespace('a').ours('a').namespace('b').ours('b').policy('b', 'web').cluster());
    matchesGolden('rollback-dry-run.txt', renderRollback({ ...r, interrupted: true, notes: ['a note from the reader'] }, PLAIN));
  });

  it('golden: nothing to remove', async () => {
    matchesGolden('rollback-empty.txt', renderRollback(await rollback('none', () => state().namespace('a').policy('a', 'web').cluster()), PLAIN));
  });
});

describe('output/machine', () => {
  it('JSON is the report itself, indented, with a final newline', () => {
    const r = mixedAudit();
    const text = renderMachine(r, 'json');
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(r)));
  });

  it('YAML starts with the apiVersion', () => {
    assert.ok(renderMachine(mixedAudit(), 'yaml').startsWith('apiVersion: cis-netpol.io/v1\nkind: AuditReport\n'));
  });
});
