// Evidence on a real API server: exceptions by annotation and by file, remediate kept out of an
// exempt namespace, --output-file beside the table, -o kube-bench parsed by kube-bench's own Go
// types, and --write-report applied to both policy-report CRDs (installed from their Go modules).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { freshNamespaces, policyNames } from '../support/cluster.ts';
import { adminKubeconfig, REPO } from '../support/env.ts';
import { renderedDom, screenshot } from '../support/chromium.ts';
import { checkKubeBench } from '../support/kube-bench.ts';
import { kubectlJson, kubectlOk, plugin } from '../support/run.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-reports-'));
const annotate = (ns: string, reason: string, owner: string, until: string) =>
  kubectlOk(['annotate', 'namespace', ns, `cis-netpol.io/exempt-reason=${reason}`, `cis-netpol.io/exempt-owner=${owner}`, `cis-netpol.io/exempt-until=${until}`]);

describe('reports and exceptions against a real API server', () => {
  before(() => {
    execFileSync(path.join(REPO, 'scripts', 'report-crds'), ['install', adminKubeconfig()], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  it('annotations: EXEMPT does not fail the audit; an expired one does, naming the annotation', () => {
    const [exempt, expired, plain] = freshNamespaces('exc', 3) as [string, string, string];
    annotate(exempt, 'vendor appliance', 'platform@example.com', '2099-12-31');
    kubectlOk(['create', '-f', '-'], { input: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: ${plain}}\nspec: {podSelector: {}}\n` });

    let r = plugin(['audit', '-n', `${exempt},${plain}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`${exempt} +<none> +EXEMPT +Exempt until 2099-12-31 \\(owner platform@example.com\\): vendor appliance \\[annotation cis-netpol.io/exempt-reason on namespace ${exempt}\\]`));

    annotate(expired, 'temporary', 'ops', '2020-01-01');
    r = plugin(['audit', '-n', `${exempt},${expired}`, '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const f = JSON.parse(r.stdout).findings.find((x: { namespace: string }) => x.namespace === expired);
    assert.equal(f.status, 'FAIL');
    assert.match(f.reason, new RegExp(`exemption expired on 2020-01-01 \\(owner ops; annotation cis-netpol.io/exempt-reason on namespace ${expired}\\)`));
  });

  it('remediate never writes into an exempt namespace; it does where the exemption expired', () => {
    const [exempt, expired] = freshNamespaces('exr', 2) as [string, string];
    annotate(exempt, 'no pods here', 'ops', '2099-01-01');
    annotate(expired, 'no pods here', 'ops', '2001-01-01');
    const r = plugin(['remediate', '-n', `${exempt},${expired}`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`\\[✓\\] ${exempt} +EXEMPT +Exempt until 2099-01-01`));
    assert.deepEqual(policyNames(exempt), []);
    assert.deepEqual(policyNames(expired), ['cis-default-allow']);
  });

  it('--exceptions FILE: a glob exempts; an expired entry fails naming file and line; a bad file exits 2', () => {
    const [a, b] = freshNamespaces('exf', 2) as [string, string];
    const file = path.join(tmp, 'exceptions.yaml');
    fs.writeFileSync(file, `apiVersion: cis-netpol.io/v1\nkind: NetworkPolicyExceptions\nexceptions:\n- namespace: ${a}\n  reason: legacy\n  owner: alice\n  until: 2099-01-01\n- namespace: ${b.replace(/-\d+$/, '-*')}\n  reason: old\n  owner: bob\n  until: 2000-01-01\n`);
    let r = plugin(['audit', '-n', `${a},${b}`, '--exceptions', file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`${a} +<none> +EXEMPT +Exempt until 2099-01-01 \\(owner alice\\): legacy \\[${file.replace(/[.]/g, '\\.')}:4\\]`));
    assert.match(r.stdout, new RegExp(`${b} +<none> +FAIL +No NetworkPolicy defined, and its exemption expired on 2000-01-01 \\(owner bob; ${file.replace(/[.]/g, '\\.')}:8\\)`));
    fs.writeFileSync(file, 'apiVersion: cis-netpol.io/v1\nkind: NetworkPolicyExceptions\nexceptions:\n- reason: x\n');
    r = plugin(['audit', '-n', a, '--exceptions', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `error: exception at ${file}:4 has no namespace (next: give a namespace name or glob of lowercase letters, digits, "-", "*" and "?")\n`);
  });

  it('--output-file: the table on stdout, JUnit in the file; -o kube-bench parses with kube-bench\'s types', () => {
    const [a] = freshNamespaces('out', 1) as [string];
    const file = path.join(tmp, 'junit.xml');
    let r = plugin(['audit', '-n', a, '-o', 'junit', '--output-file', file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^NAMESPACE +POLICIES +STATUS +NOTE\n/);
    const xml = fs.readFileSync(file, 'utf8');
    assert.match(xml, new RegExp(`<testcase name="5.3.2 ${a}" classname="5.3.2 Ensure that all Namespaces have NetworkPolicies defined" time="0">\\n +<failure type="FAIL"`));
    r = plugin(['remediate', '-n', a, '-o', 'kube-bench']);
    assert.equal(r.code, 1, r.stderr);
    const checked = checkKubeBench(r.stdout);
    assert.equal(checked.code, 0, checked.out);
    assert.equal(checked.out, 'ok: 1 checks, pass 1 fail 0 warn 0 info 0\n');
    assert.equal(checkKubeBench(r.stdout.replace('"total_pass": 1', '"total_pass": 2')).code, 1, 'the checker can fail');
  });

  it('every kube-bench golden file parses with kube-bench\'s types', () => {
    const dir = path.join(REPO, 'test', 'unit', 'golden', 'formats');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('kube-bench.json'));
    assert.equal(files.length, 3);
    for (const f of files) {
      const r = checkKubeBench(fs.readFileSync(path.join(dir, f), 'utf8'));
      assert.equal(r.code, 0, `${f}: ${r.out}`);
    }
  });

  for (const [flavour, resource, kind] of [['wgpolicyk8s', 'clusterpolicyreports.wgpolicyk8s.io', 'ClusterPolicyReport'], ['openreports', 'clusterreports.openreports.io', 'ClusterReport']] as const) {
    it(`--write-report (${flavour}): a ${kind} applied with our field manager, updated in place on the next run`, () => {
      const [a, b] = freshNamespaces(`wr${flavour.slice(0, 2)}`, 2) as [string, string];
      annotate(b, 'batch only', 'data', '2099-01-01');
      let r = plugin(['audit', '-n', `${a},${b}`, '-o', 'policyreport', '--report-format', flavour, '--write-report']);
      assert.equal(r.code, 1, r.stderr);
      // stderr: our line, then (from audit) the CIS 5.3.1 warning when enforcement cannot be shown here.
      assert.equal(r.stderr.split('\n')[0], `wrote ${kind} cis-netpol-5-3-2 to admin@testenv`);
      const printed = yaml.load(r.stdout) as { kind: string };
      assert.equal(printed.kind, kind);
      let stored = kubectlJson<{ metadata: { uid: string; managedFields: { manager: string; operation: string }[] }; summary: Record<string, number>; results: { result: string; resources: { name: string }[]; properties: Record<string, string> }[] }>(['get', resource, 'cis-netpol-5-3-2', '--show-managed-fields']);
      assert.deepEqual(stored.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`), ['kubectl-cis-netpol/Apply']);
      assert.deepEqual(stored.summary, { pass: 0, fail: 1, warn: 0, error: 0, skip: 1 });
      assert.equal(stored.results.find((x) => x.resources[0]?.name === b)?.properties['exemption-owner'], 'data');
      const uid = stored.metadata.uid;
      kubectlOk(['create', '-f', '-'], { input: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: ${a}}\nspec: {podSelector: {}}\n` });
      r = plugin(['audit', '-n', `${a},${b}`, '-o', 'policyreport', '--report-format', flavour, '--write-report', '--output-file', path.join(tmp, `${flavour}.yaml`)]);
      assert.equal(r.code, 0, r.stderr);
      stored = kubectlJson(['get', resource, 'cis-netpol-5-3-2']);
      assert.equal(stored.metadata.uid, uid, 'the same object, applied again');
      assert.deepEqual(stored.summary, { pass: 1, fail: 0, warn: 0, error: 0, skip: 1 });
    });
  }
});

describe('the HTML report in headless Chromium', () => {
  it('renders: cluster, who ran it, server version, every namespace with its verdict, exemptions, the proof', () => {
    const [fixed, exempt, had] = freshNamespaces('html', 3) as [string, string, string];
    annotate(exempt, 'appliance <b>not bold</b>', 'platform@example.com', '2099-01-01');
    kubectlOk(['create', '-f', '-'], { input: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: ${had}}\nspec: {podSelector: {}}\n` });
    const file = path.join(tmp, 'remediate.html');
    const r = plugin(['remediate', '-n', `${fixed},${exempt},${had}`, '-o', 'html', '--output-file', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Policies Applied: +1/, 'the table on stdout');

    const size = screenshot(file, path.join(tmp, 'remediate.png'));
    assert.deepEqual(size, { width: 1280, height: 900 });
    assert.ok(fs.statSync(path.join(tmp, 'remediate.png')).size > 20_000, 'a page with content, not a blank one');

    const dom = renderedDom(file);
    const text = dom.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
    const version = kubectlJson<{ serverVersion: { gitVersion: string } }>(['version']).serverVersion.gitVersion;
    for (const want of ['Context admin@testenv', `Server version ${version}`, 'Run by admin (groups: system:masters', 'kubectl cis-netpol remediate']) assert.ok(text.includes(want), `${want} in: ${text.slice(0, 600)}`);
    const row = (ns: string) => new RegExp(`<tr data-namespace="${ns}" data-verdict="(\\w+)">(.*?)</tr>`).exec(dom);
    assert.equal(row(fixed)?.[1], 'PASS');
    assert.match(row(fixed)?.[2] ?? '', /FIXED.*cis-default-allow.*connectivity unchanged/);
    assert.equal(row(exempt)?.[1], 'EXEMPT');
    assert.match(row(exempt)?.[2] ?? '', /owner platform@example.com, until 2099-01-01/);
    assert.ok(!/<b>not bold<\/b>/.test(dom) && text.includes('appliance <b>not bold</b>'), 'values are text, not markup');
    assert.equal(row(had)?.[1], 'PASS');
  });
});
