// One spec per bug found in review, named after what was wrong.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planRemediation } from '../../src/core/remediate.ts';
import { planRollback } from '../../src/core/rollback.ts';
import { toConcurrency, toTimeoutMs } from '../../src/cli/flags.ts';
import { kubeconfigFiles, mergeKubeconfigs } from '../../src/kube/kubeconfig.ts';
import { toApiError } from '../../src/kube/map-error.ts';
import { parseStateFile } from '../../src/kube/state-file.ts';
import { renderRollback } from '../../src/output/rollback.ts';
import { namespace, ours, scope, snapshot } from './builders.ts';

const where = { verb: 'list' as const, resource: 'namespaces' as const, context: 'c', server: 'https://s' };
const placeholder = { name: 'cis-default-allow', template: 'allow-all' as const, version: 'x' };

describe('regressions', () => {
  it('remediate reports an unreadable namespace as unreadable, not as "not found"', () => {
    const snap = snapshot({ namespaces: [namespace('locked')], unreadable: [{ namespace: 'locked', message: 'forbidden: cannot list' }] });
    const plan = planRemediation(snap, scope(), placeholder);
    assert.equal(plan.decided[0]?.error?.kind, 'Unreadable');
    assert.match(plan.decided[0]?.error?.hint ?? '', /grant "list" on networkpolicies/);
    const missing = planRemediation(snapshot({ missing: ['ghost'] }), scope(), placeholder);
    assert.equal(missing.decided[0]?.error?.kind, 'NotFound');
  });

  it('rollback fails for namespaces it could not find or read, instead of reporting nothing to do', () => {
    const snap = snapshot({ namespaces: [namespace('b'), namespace('c')], policies: [ours('c')], missing: ['ghost'], unreadable: [{ namespace: 'b', message: 'forbidden' }] });
    const plan = planRollback(snap, scope(), false);
    assert.deepEqual(plan.kept.map((r) => [r.namespace, r.status]), [['ghost', 'FAILED'], ['b', 'FAILED']]);
    assert.equal(plan.deletes.length, 1);
  });

  it('the rollback summary label is separated from its value', () => {
    const text = renderRollback({ apiVersion: 'cis-netpol.io/v1', kind: 'RollbackReport', timestamp: 't', source: { kind: 'file', path: 'x' }, dryRun: 'none', interrupted: false, summary: { removed: 0, planned: 0, kept: 0, failures: 0, unknown: 0, namespacesFailingAfter: 2 }, results: [], namespacesFailingAfter: ['a', 'b'], notes: [] }, { color: false });
    assert.match(text, /Namespaces Failing 5\.3\.2 After: +2/);
  });

  it('an empty or comment-only kubeconfig in KUBECONFIG is an empty config, as in kubectl', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-reg-'));
    const empty = path.join(dir, 'empty');
    const comments = path.join(dir, 'comments');
    const real = path.join(dir, 'real');
    fs.writeFileSync(empty, '');
    fs.writeFileSync(comments, '# nothing here\n\n');
    fs.writeFileSync(real, 'clusters: [{name: c, cluster: {server: "https://x"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u}}]\ncurrent-context: ctx\n');
    const files = kubeconfigFiles({ envValue: [empty, comments, real].join(path.delimiter) });
    assert.equal(mergeKubeconfigs(files).currentContext, 'ctx');
  });

  it('a typed list (kubectl get --raw) gives its items their kind', () => {
    const state = parseStateFile('{"kind":"NamespaceList","apiVersion":"v1","items":[{"metadata":{"name":"a"}}]}', 'x');
    assert.deepEqual(state.namespaces.map((n) => n.metadata.name), ['a']);
  });

  it('error messages never end in an empty reason', () => {
    assert.match(toApiError(new TypeError('fetch failed'), where).message, /: connection failed$/);
    assert.match(toApiError({ code: 404, body: '', headers: {} }, where).message, /: HTTP 404$/);
  });

  it('--concurrency quotes the value as typed', () => {
    assert.throws(() => toConcurrency('abc'), /invalid --concurrency "abc"/);
    assert.equal(toConcurrency('8'), 8);
  });

  it('--request-timeout takes Go durations such as 1m30s, as kubectl does', () => {
    assert.equal(toTimeoutMs('1m30s'), 90_000);
    assert.equal(toTimeoutMs('500ms'), 500);
    assert.equal(toTimeoutMs('2'), 2000);
    assert.equal(toTimeoutMs('0'), 0);
    assert.throws(() => toTimeoutMs('1x'), /invalid --request-timeout/);
  });
});

describe('regressions: CLI hints', () => {
  it('a mistyped command suggests the real one, not `<typo> --help`', async () => {
    const { runCli } = await import('../../src/cli/root.ts');
    let err = '';
    const io = { out: { write: () => true }, err: { write: (t: string) => { err += t; return true; } }, stdoutIsTTY: false, stderrIsTTY: false, env: {}, signal: new AbortController().signal, now: () => new Date(0), readStdin: async () => '', readFile: () => '', writeFile: () => {}, connect: () => { throw new Error('no cluster'); } };
    assert.equal(await runCli(['audti'], io), 2);
    assert.match(err, /did you mean `kubectl cis-netpol audit`\?/);
    assert.doesNotMatch(err, /audti --help/);
  });
});
