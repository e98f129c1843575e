// __complete (kubectl's plugin completion): commands and flags derived from the yargs definitions,
// -o values, namespaces from the cluster, contexts from the kubeconfig, silence on errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../../src/cli/commands.ts';
import { runCli } from '../../../src/cli/root.ts';
import { complete, flagsOf, type CompletionSources } from '../../../src/cli/complete.ts';
import type { IO } from '../../../src/cli/io.ts';
import type { Command } from '../../../src/cli/command.ts';
import { FIXED_NOW, state } from '../builders.ts';

const sources = (o: Partial<CompletionSources> = {}): CompletionSources => ({
  namespaces: async () => ['default', 'kube-system', 'prod', 'staging'],
  contexts: async () => ['admin@test', 'dev'],
  templates: ['allow-all', 'cluster-internal', 'select-none'],
  ...o,
});

async function values(words: string[], s = sources(), commands: Command[] = COMMANDS): Promise<string[]> {
  return (await complete(words, commands, s)).candidates.map((c) => c.split('\t')[0]!);
}

async function cli(words: string[], io: Partial<IO> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['__complete', ...words], {
    out: { write: (t: string) => { out += t; } },
    err: { write: (t: string) => { err += t; } },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    signal: new AbortController().signal,
    now: () => FIXED_NOW,
    readStdin: async () => '',
    readFile: () => '',
    writeFile: () => {},
    connect: () => state().namespace('alpha').namespace('beta').cluster(),
    ...io,
  });
  return { code, out, err };
}

describe('cli/complete: kubectl plugin completion', () => {
  it('lists every command with its description, from COMMANDS', async () => {
    const r = await complete([''], COMMANDS, sources());
    assert.deepEqual(r.candidates.map((c) => c.split('\t')[0]), COMMANDS.map((c) => c.name));
    assert.ok(r.candidates.every((c) => c.split('\t')[1]!.length > 0));
    assert.equal(r.directive, 4); // no file completion
    assert.deepEqual(await values(['re']), ['remediate']);
  });

  it('a command added later is completed with its own flags, without touching the completer', async () => {
    const extra: Command = {
      name: 'zebra',
      describe: 'A command that does not exist yet',
      builder: (y) => y.option('stripes', { type: 'string', alias: 's', choices: ['few', 'many'], describe: 'How many' }),
      run: async () => 0,
    };
    const commands = [...COMMANDS, extra];
    assert.deepEqual(await values(['ze'], sources(), commands), ['zebra']);
    assert.deepEqual(await values(['zebra', '--str'], sources(), commands), ['--stripes']);
    assert.deepEqual(await values(['zebra', '-s', ''], sources(), commands), ['few', 'many']);
  });

  it('flags of the command and the global ones, long and short', async () => {
    const all = await values(['audit', '-']);
    for (const f of ['--namespace', '-n', '--exclude', '--include-system', '--filename', '-f', '--output', '-o', '--context', '--kubeconfig']) assert.ok(all.includes(f), f);
    assert.ok(!all.includes('--template'), 'a remediate flag is not offered for audit');
    assert.ok((await values(['remediate', '--t'])).includes('--template'));
    assert.deepEqual(await values(['--ku']), ['--kubeconfig']);
  });

  it('the flags each command defines are what yargs is given', () => {
    for (const c of COMMANDS) {
      const names = flagsOf((y) => c.builder(y)).map((f) => f.name);
      assert.equal(new Set(names).size, names.length, `${c.name}: no duplicates`);
    }
    assert.deepEqual(flagsOf((y) => y.option('a', { type: 'boolean' }).options({ b: { type: 'string', alias: ['x'] } })).map((f) => [f.name, f.takesValue, f.aliases]), [['a', false, []], ['b', true, ['x']]]);
  });

  it('-o values, --dry-run values, --template names', async () => {
    assert.deepEqual(await values(['audit', '-o', '']), ['table', 'json', 'yaml']);
    assert.deepEqual(await values(['audit', '--output', 'y']), ['yaml']);
    assert.deepEqual(await values(['audit', '--output=j']), ['json']);
    assert.deepEqual(await values(['remediate', '--dry-run=s']), ['server']);
    assert.deepEqual(await values(['remediate', '--template', '']), ['allow-all', 'cluster-internal', 'select-none']);
  });

  it('namespace names from the cluster, after a comma too, with --context and --kubeconfig passed on', async () => {
    let seen: Record<string, string> = {};
    const s = sources({ namespaces: async (given) => { seen = given; return ['default', 'kube-system', 'prod', 'staging']; } });
    assert.deepEqual(await values(['audit', '-n', 'p'], s), ['prod']);
    assert.deepEqual(await values(['audit', '-n', 'prod,s'], s), ['prod,staging']);
    assert.deepEqual(await values(['audit', '-n', 'prod,'], s), ['prod,default', 'prod,kube-system', 'prod,staging']);
    assert.deepEqual(await values(['--context', 'dev', 'remediate', '--kubeconfig=/k', '--exclude', 'k'], s), ['kube-system']);
    assert.deepEqual(seen, { context: 'dev', kubeconfig: '/k' });
  });

  it('context names; files for --kubeconfig and -f; nothing after a boolean flag', async () => {
    assert.deepEqual(await values(['audit', '--context', '']), ['admin@test', 'dev']);
    assert.deepEqual(await complete(['audit', '--kubeconfig', ''], COMMANDS, sources()), { candidates: [], directive: 0 });
    assert.deepEqual(await complete(['audit', '-f', ''], COMMANDS, sources()), { candidates: [], directive: 0 });
    assert.deepEqual(await values(['audit', '--include-system', '']), []);
  });

  it('__complete through runCli: cobra format, namespaces from the connected cluster', async () => {
    const r = await cli(['audit', '-n', '']);
    assert.equal(r.code, 0);
    assert.equal(r.out, 'alpha\nbeta\n:4\n');
    assert.equal(r.err, '');
  });

  it('__complete stays silent when the cluster cannot be reached or the kubeconfig is broken', async () => {
    const r = await cli(['audit', '-n', ''], { connect: () => { throw new Error('no cluster'); } });
    assert.deepEqual([r.code, r.out, r.err], [0, ':4\n', '']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-complete-'));
    try {
      const bad = path.join(dir, 'config');
      fs.writeFileSync(bad, ': not yaml: [');
      const c = await cli(['audit', '--context', ''], { env: { KUBECONFIG: bad } });
      assert.deepEqual([c.code, c.out, c.err], [0, ':4\n', '']);
      const good = path.join(dir, 'good');
      fs.writeFileSync(good, 'apiVersion: v1\nkind: Config\ncontexts:\n- name: one\n  context: {cluster: c, user: u}\n- name: two\n  context: {cluster: c, user: u}\n');
      const g = await cli(['audit', '--context', 't'], { env: { KUBECONFIG: good } });
      assert.equal(g.out, 'two\n:4\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
