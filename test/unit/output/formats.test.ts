// Golden files for every report format, all rendered from the same Evidence; SARIF validated
// against the SARIF 2.1.0 JSON schema (shipped by @microsoft/jest-sarif) with Ajv.
// Regenerate after an intended change with UPDATE_GOLDEN=1, then review the diff.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import * as yaml from 'js-yaml';
import { parseExceptionsFile } from '../../../src/app/exceptions-file.ts';
import { audit } from '../../../src/core/audit.ts';
import { evidenceOf, toEvidence, type Evidence } from '../../../src/core/evidence.ts';
import { applyExceptions } from '../../../src/core/exceptions.ts';
import { summarise, type RemediateResult, type RemediationReport } from '../../../src/core/remediate.ts';
import { renderReport, REPORT_FORMATS } from '../../../src/output/formats/index.ts';
import { renderPolicyReport } from '../../../src/output/formats/policyreport.ts';
import { renderMany } from '../../../src/output/many.ts';
import { FIXED_NOW, scope, state } from '../builders.ts';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'formats');
const require = createRequire(import.meta.url);

function matchesGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN']) fs.writeFileSync(file, actual);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `differs from ${path.relative(process.cwd(), file)} (UPDATE_GOLDEN=1 rewrites it)`);
}

const EXCEPTIONS = `apiVersion: cis-netpol.io/v1
kind: NetworkPolicyExceptions
exceptions:
- namespace: legacy-*
  reason: vendor appliance <no pod network> & "friends"
  owner: platform@example.com
  until: 2024-06-30
- namespace: old
  reason: migrated
  owner: bob
  until: 2024-04-30
`;

export function auditEvidence(): Evidence {
  const world = state()
    .namespace('prod').policy('prod', 'web').policy('prod', 'db')
    .namespace('payments')
    .namespace('legacy-erp')
    .namespace('old')
    .namespace('kube-system')
    .namespace('locked');
  const snap = world.snapshot({ missing: ['ghost'], unreadable: [{ namespace: 'locked', message: 'forbidden: cannot list networkpolicies in namespace "locked"' }] });
  const rules = parseExceptionsFile(EXCEPTIONS, 'exceptions.yaml');
  const report = applyExceptions(audit(snap, scope(), FIXED_NOW), { rules, namespaces: snap.namespaces, now: FIXED_NOW });
  return evidenceOf(report, '0.1.0', { user: 'admin', groups: ['system:masters', 'system:authenticated'], serverVersion: 'v1.37.2' });
}

function remediationEvidence(): Evidence {
  const results: RemediateResult[] = [
    { namespace: 'default', status: 'FIXED', policy: 'cis-default-allow', reason: 'Policy applied successfully', connectivity: { unchanged: true, broken: [], opened: [], unproven: [] } },
    { namespace: 'legacy-erp', status: 'EXEMPT', reason: 'Exempt until 2024-06-30 (owner platform@example.com): vendor appliance [exceptions.yaml:4]', exemption: { reason: 'vendor appliance', owner: 'platform@example.com', until: '2024-06-30', expires: '2024-07-01T00:00:00.000Z', state: 'active', where: 'exceptions.yaml:4', source: { kind: 'file', file: 'exceptions.yaml', line: 4 } } },
    { namespace: 'shop', status: 'FAILED', reason: 'Refused: template cluster-internal would deny connections allowed today', connectivity: { unchanged: false, broken: ['egress from any pod in shop to 0.0.0.0/0 outside pod IPs on all ports'], opened: [], unproven: [] } },
    { namespace: 'prod', status: 'PASS', reason: 'Already has a NetworkPolicy (web)' },
  ];
  const r: RemediationReport = {
    apiVersion: 'cis-netpol.io/v1', kind: 'RemediationReport', control: '5.3.2', timestamp: FIXED_NOW.toISOString(),
    source: { kind: 'cluster', context: 'kind-test', server: 'https://127.0.0.1:6443' },
    dryRun: 'none', template: 'allow-all', policyName: 'cis-default-allow', interrupted: false, summary: summarise(results), results, notes: [],
  };
  return evidenceOf(r, '0.1.0');
}

/** Two clusters, one of them down. */
function multiEvidence(): Evidence {
  const a = auditEvidence();
  const report = audit(state().namespace('default').snapshot(), scope(), FIXED_NOW);
  return toEvidence([
    { report: { ...report, source: { kind: 'cluster', context: 'east', server: 'https://east:6443' } }, run: { cluster: 'east', source: { kind: 'cluster', context: 'east', server: 'https://east:6443' } } },
    { run: { cluster: 'west', source: { kind: 'cluster', context: 'west', server: 'https://west:6443' }, error: 'cannot reach https://west:6443 (ECONNREFUSED)' } },
  ], 'audit', a.toolVersion, a.timestamp);
}

const EXT: Record<string, string> = { junit: 'xml', 'kube-bench': 'json', sarif: 'sarif.json', policyreport: 'yaml', html: 'html' };

describe('output/formats: golden files', () => {
  for (const format of REPORT_FORMATS) {
    it(`${format}: audit with exemptions, an error and a missing namespace`, () => matchesGolden(`audit.${EXT[format]}`.replace('audit.', `audit-${format}.`), renderReport(format, auditEvidence())));
    it(`${format}: remediation with a proof and an exempt namespace`, () => matchesGolden(`remediate-${format}.${EXT[format]}`, renderReport(format, remediationEvidence())));
    it(`${format}: two clusters, one down`, () => matchesGolden(`multi-${format}.${EXT[format]}`, renderReport(format, multiEvidence())));
  }
  it('the merged table of a many-cluster run', () => matchesGolden('multi-table.txt', renderMany(multiEvidence(), { color: false })));
  it('policyreport --report-format openreports', () => matchesGolden('audit-openreports.yaml', renderPolicyReport(auditEvidence(), 'openreports')));

  it('no format carries colour codes or spinner characters', () => {
    for (const format of REPORT_FORMATS) {
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(renderReport(format, auditEvidence()), /\u001b\[|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, format);
    }
  });
});

describe('output/formats: content', () => {
  const sarifSchema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
  const ajv = new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language pattern is not valid with the u flag;
  addFormats.default(ajv); // a CommonJS module: its function is also its .default
  const validate = ajv.compile(sarifSchema);

  for (const [what, e] of [['audit', auditEvidence], ['remediate', remediationEvidence], ['multi', multiEvidence]] as const) {
    it(`SARIF validates against the SARIF 2.1.0 schema: ${what}`, () => {
      const log = JSON.parse(renderReport('sarif', e()));
      assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    });
  }

  it('the schema check can fail: a result without a message is refused', () => {
    const log = JSON.parse(renderReport('sarif', auditEvidence()));
    delete log.runs[0].results[0].message;
    assert.equal(validate(log), false);
  });

  it('SARIF: one result per non-compliant namespace; the exempt one suppressed with owner and expiry', () => {
    const run = JSON.parse(renderReport('sarif', auditEvidence())).runs[0];
    assert.deepEqual(run.results.map((r: { properties: { namespace: string; verdict: string } }) => `${r.properties.namespace}:${r.properties.verdict}`), ['legacy-erp:EXEMPT', 'locked:ERROR', 'old:FAIL', 'payments:FAIL', 'ghost:ERROR']);
    const exempt = run.results[0];
    assert.equal(exempt.suppressions[0].status, 'accepted');
    assert.equal(exempt.suppressions[0].properties.until, '2024-06-30');
  });

  it('JUnit: one testcase per namespace, failures carry the remediation, EXEMPT is skipped', () => {
    const xml = renderReport('junit', auditEvidence());
    assert.equal((xml.match(/<testcase /g) ?? []).length, 7);
    assert.match(xml, /<testsuites [^>]*tests="7" failures="2" errors="2" skipped="2"/);
    assert.match(xml, /<testcase name="5.3.2 legacy-erp"[^>]*>\n\s*<skipped message="EXEMPT: Exempt until 2024-06-30/);
    assert.match(xml, /<failure type="FAIL" message="old: No NetworkPolicy defined, and its exemption expired on 2024-04-30[^"]*">[^<]*Remediation: /);
    assert.ok(!xml.includes('<no pod network>') && xml.includes('&#60;no pod network&#62; &#38; &#34;friends&#34;'), 'escaped');
  });

  it('policyreport: a ClusterPolicyReport whose summary counts the results', () => {
    const doc = yaml.load(renderReport('policyreport', auditEvidence())) as { kind: string; summary: Record<string, number>; results: { result: string; resources: { name: string }[] }[] };
    assert.equal(doc.kind, 'ClusterPolicyReport');
    assert.deepEqual(doc.summary, { pass: 1, fail: 2, warn: 0, error: 2, skip: 2 });
    assert.equal(doc.results.find((r) => r.resources[0]?.name === 'legacy-erp')?.result, 'skip');
  });

  it('kube-bench: Totals add up and every check is 5.3.2', () => {
    const doc = JSON.parse(renderReport('kube-bench', auditEvidence()));
    assert.deepEqual(doc.Totals, { total_pass: 1, total_fail: 2, total_warn: 2, total_info: 2 });
    assert.ok(doc.Controls[0].tests[0].results.every((c: { test_number: string }) => c.test_number === '5.3.2'));
  });

  it('HTML: no script and no external reference', () => {
    const html = renderReport('html', auditEvidence());
    assert.doesNotMatch(html, /<script|<link|src=|url\(|https?:\/\/(?!127\.0\.0\.1)/i);
  });
});
