// The --help fast path (built texts) prints what yargs prints, for every command and both spellings,
// and leaves every other argv to yargs.
import assert from 'node:assert/strict';
import { COMMANDS } from '../../../src/cli/commands.ts';
import { BUILT_HELP, fastHelp } from '../../../src/cli/help-texts.ts';
import { runCli } from '../../../src/cli/root.ts';
import type { IO } from '../../../src/cli/io.ts';

/** runCli from source: BUILT_HELP is undefined there, so this is always yargs' output. */
async function yargsOutput(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const fail = () => {
    throw new Error('help must not touch this');
  };
  const io: IO = {
    out: { write: (s: string) => { out += s; } },
    err: { write: (s: string) => { out += `[stderr] ${s}`; } },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    signal: new AbortController().signal,
    now: () => new Date(0),
    readStdin: fail,
    readFile: fail,
    writeFile: fail,
    listContexts: fail,
    connect: fail,
    spinner: fail,
  };
  const code = await runCli(args, io);
  return { code, out };
}

/** The texts as scripts/lib/sea.mjs captures them: `--help`, and `<command> --help` per command. */
async function captured(): Promise<Record<string, string>> {
  const keys = ['', ...COMMANDS.map((c) => c.name)];
  const texts = await Promise.all(keys.map(async (k) => (await yargsOutput(k === '' ? ['--help'] : [k, '--help'])).out));
  return Object.fromEntries(keys.map((k, i) => [k, texts[i]!]));
}

describe('cli/help-texts: --help without yargs', () => {
  let texts: Record<string, string>;
  before(async () => {
    texts = await captured();
  });

  it('from source there are no built texts (tests and `node src/main.ts` always run yargs)', () => {
    assert.equal(BUILT_HELP, undefined);
    assert.equal(fastHelp(['--help'], BUILT_HELP), undefined);
  });

  it('the top-level help lists exactly the commands the build captures texts for', async () => {
    const top = (await yargsOutput(['--help'])).out;
    // The same pattern as captureHelp in scripts/lib/sea.mjs.
    const names = [...top.matchAll(/^ {2}kubectl cis-netpol (\S+) /gm)].map((m) => m[1]);
    assert.deepEqual(names, COMMANDS.map((c) => c.name));
  });

  const forms = (name: string) => (name === '' ? [['--help'], ['-h']] : [[name, '--help'], [name, '-h']]);
  for (const name of ['', ...COMMANDS.map((c) => c.name)]) {
    for (const args of forms(name)) {
      it(`${args.join(' ')}: the same bytes as yargs, exit 0`, async () => {
        const full = await yargsOutput(args);
        assert.equal(full.code, 0);
        assert.ok(full.out.endsWith('\n') && !full.out.includes('[stderr]'));
        assert.equal(fastHelp(args, texts), full.out);
      });
    }
  }

  const toYargs: string[][] = [
    ['--help', 'audit'],
    ['audit', '--help', '-n', 'a'],
    ['audit', '-n', '--help'],
    ['audti', '--help'],
    ['', '--help'],
    ['--version', '--help'],
    ['--help', '--version'],
    ['-h', '-h'],
    ['audit'],
    [],
    ['toString', '--help'],
  ];
  for (const args of toYargs) {
    it(`${JSON.stringify(args)}: left to yargs`, async () => {
      assert.equal(fastHelp(args, texts), undefined);
    });
  }
});
