#!/usr/bin/env node
// Size and start-up of the single executable.
//
//   node scripts/measure-startup.mjs [--exe dist/kubectl-cis_netpol] [--runs 21] [--warmup 3]
//                                    [--no-compare] [--assert] [--json]
//
// Prints the linux/amd64 archive size (release/, from npm run release), the executable size, and
// the wall time of `<exe> --version` (median and min of --runs spawns after --warmup), measured
// with process.hrtime around spawnSync. Unless --no-compare it also builds, into a temporary
// directory, the same bundle with useCodeCache: false, and times it, plain `node bundle.cjs` and
// `node -e 0` in the same rounds (round-robin, so load on the machine hits all alike).
// "cpu" is the mean CPU time (user + system) of one run, which other load disturbs less than wall time.
// --assert exits 1 when the executable's median is over the 150 ms target.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BIN_NAME, HOST_NODE, REPO_ROOT, buildSea, mb } from './lib/sea.mjs';

const TARGET_MS = 150;
const { values: opts } = parseArgs({
  options: {
    exe: { type: 'string', default: path.join(REPO_ROOT, 'dist', BIN_NAME) },
    runs: { type: 'string', default: '21' },
    warmup: { type: 'string', default: '3' },
    'no-compare': { type: 'boolean', default: false },
    assert: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
const warmup = Number(opts.warmup);

async function size(file) {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

// CPU time of waited-for children (user + system), from /proc/self/stat: less sensitive than wall
// time to other load on the machine. Clock ticks (USER_HZ, 100 on Linux); averaged over the runs.
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
function childCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK; // cutime, cstime
  } catch {
    return NaN;
  }
}

function once(cmd, args) {
  const cpu0 = childCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childCpuMs() - cpu0 };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

const exe = path.resolve(opts.exe);
const archive = path.join(REPO_ROOT, 'release', `${BIN_NAME}_linux_amd64.tar.gz`);
const exeBytes = await size(exe);
if (exeBytes === null) {
  console.error(`measure-startup: no executable at ${exe} (run: npm run build)`);
  process.exit(2);
}
const archiveBytes = await size(archive);

const candidates = [{ name: 'executable (code cache)', cmd: exe, args: ['--version'] }];
let work = null;
try {
  if (!opts['no-compare']) {
    work = await mkdtemp(path.join(tmpdir(), 'cis-netpol-measure-'));
    const cjs = path.join(REPO_ROOT, 'dist', `${BIN_NAME}.cjs`);
    if ((await size(cjs)) === null) throw new Error(`no bundle at ${cjs} (run: npm run build)`);
    const noCache = path.join(work, `${BIN_NAME}-no-code-cache`);
    await buildSea({ main: cjs, nodeBinary: HOST_NODE, blobOptions: { useCodeCache: false }, out: noCache, strip: 'strip' });
    candidates.push(
      { name: 'executable (useCodeCache: false)', cmd: noCache, args: ['--version'] },
      { name: 'node bundle.cjs --version', cmd: HOST_NODE, args: [cjs, '--version'] },
      { name: 'node -e 0', cmd: HOST_NODE, args: ['-e', '0'] },
    );
  }

  const loadBefore = loadavg()[0];
  for (let i = 0; i < warmup; i++) for (const c of candidates) once(c.cmd, c.args);
  const samples = candidates.map(() => []);
  for (let i = 0; i < runs; i++) candidates.forEach((c, j) => samples[j].push(once(c.cmd, c.args)));
  const results = candidates.map((c, j) => ({
    name: c.name,
    ...stats(samples[j].map((x) => x.ms)),
    cpuMean: samples[j].reduce((a, x) => a + x.cpu, 0) / samples[j].length,
  }));
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`;
  const main = results[0];

  if (opts.json) {
    console.log(JSON.stringify({ exe, exeBytes, archive, archiveBytes, machine, targetMs: TARGET_MS, results }, null, 2));
  } else {
    console.log(`archive     ${archiveBytes === null ? '(none: npm run release)' : `${archiveBytes} bytes (${mb(archiveBytes)})`}  ${path.relative(REPO_ROOT, archive)}`);
    console.log(`executable  ${exeBytes} bytes (${mb(exeBytes)})  ${path.relative(REPO_ROOT, exe) || exe}`);
    console.log(`machine     ${machine}`);
    console.log(`start-up    ${runs} runs after ${warmup} warm-ups each, --version:`);
    for (const r of results) {
      console.log(`  ${r.name.padEnd(34)} median ${r.median.toFixed(1).padStart(6)} ms   min ${r.min.toFixed(1).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms   cpu ${r.cpuMean.toFixed(0).padStart(4)} ms`);
    }
    console.log(`target      median < ${TARGET_MS} ms: ${main.median < TARGET_MS ? 'met' : 'NOT met'} (${main.median.toFixed(1)} ms)`);
  }
  if (opts.assert && main.median >= TARGET_MS) process.exitCode = 1;
} finally {
  if (work) await rm(work, { recursive: true, force: true });
}
