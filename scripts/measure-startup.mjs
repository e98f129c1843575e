#!/usr/bin/env node
// Size and start-up of the single executable, side by side with kubectl's own start-up.
//
//   node scripts/measure-startup.mjs [--exe dist/kubectl-cis_netpol]... [--runs 21] [--warmup 3]
//                                    [--audit] [--namespaces 100] [--compare] [--json]
//
// Each round runs, one after another (round-robin, so load on the machine hits all alike):
//   kubectl version --client          the yardstick (goal: --version and --help ≤ 1.3× its median)
//   <exe> --version, <exe> --help     for every --exe given (default dist/kubectl-cis_netpol)
//   <exe> audit                       with --audit: against $KUBECONFIG, which must reach an API
//                                     server; namespaces startup-000… are created first (kubectl
//                                     apply) so that at least --namespaces are audited (goal < 300 ms)
// --compare adds the same bundle built with useCodeCache: false, `node bundle.cjs --version` and
// `node -e 0` (the floor). Wall time is measured with process.hrtime around spawnSync (median, min,
// max of --runs after --warmup); "cpu" is the mean CPU time (user + system) of one run, which other
// load disturbs less. Numbers only: nothing here fails on a slow run (timing is not a test).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BIN_NAME, HOST_NODE, REPO_ROOT, buildSea, mb } from './lib/sea.mjs';

const RATIO_GOAL = 1.3;
const AUDIT_GOAL_MS = 300;
const { values: opts } = parseArgs({
  options: {
    exe: { type: 'string', multiple: true },
    runs: { type: 'string', default: '21' },
    warmup: { type: 'string', default: '3' },
    audit: { type: 'boolean', default: false },
    namespaces: { type: 'string', default: '100' },
    compare: { type: 'boolean', default: false },
    'no-compare': { type: 'boolean', default: false }, // the default; kept for older callers
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
const warmup = Number(opts.warmup);
const exes = (opts.exe?.length ? opts.exe : [path.join(REPO_ROOT, 'dist', BIN_NAME)]).map((e) => path.resolve(e));

async function size(file) {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

// CPU time of waited-for children (user + system), from /proc/self/stat. Clock ticks (USER_HZ).
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
function childCpuMs() {
  try {
    const s = readFileSync('/proc/self/stat', 'utf8');
    const fields = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK; // cutime, cstime
  } catch {
    return Number.NaN;
  }
}

function once(c) {
  const cpu0 = childCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!(c.ok ?? [0]).includes(r.status)) throw new Error(`${c.cmd} ${c.args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childCpuMs() - cpu0 };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

function kubectl(args, input) {
  const r = spawnSync('kubectl', args, { input, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** At least `n` namespaces named startup-NNN exist (creates the missing ones in one apply). */
function ensureNamespaces(n) {
  const items = Array.from({ length: n }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `startup-${String(i).padStart(3, '0')}`, labels: { 'cis-netpol.io/startup-bench': 'true' } } }));
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  return kubectl(['get', 'namespaces', '-o', 'name']).trim().split('\n').length;
}

const archive = path.join(REPO_ROOT, 'release', `${BIN_NAME}_linux_amd64.tar.gz`);
for (const e of exes) {
  if ((await size(e)) === null) {
    console.error(`measure-startup: no executable at ${e} (run: npm run build)`);
    process.exit(2);
  }
}
const label = (e) => (exes.length > 1 ? path.relative(process.cwd(), e) || e : 'exe');

const candidates = [{ name: 'kubectl version --client', group: 'kubectl', cmd: 'kubectl', args: ['version', '--client'] }];
for (const e of exes) {
  candidates.push({ name: `${label(e)} --version`, group: 'version', exe: e, cmd: e, args: ['--version'] });
  candidates.push({ name: `${label(e)} --help`, group: 'help', exe: e, cmd: e, args: ['--help'] });
}
let audited = null;
if (opts.audit) {
  if (!process.env.KUBECONFIG) throw new Error('--audit needs KUBECONFIG (eval "$(scripts/testenv start)")');
  audited = ensureNamespaces(Number(opts.namespaces));
  for (const e of exes) candidates.push({ name: `${label(e)} audit (${audited} ns)`, group: 'audit', exe: e, cmd: e, args: ['audit', '--include-system'], ok: [0, 1] });
}
let work = null;
try {
  if (opts.compare) {
    work = await mkdtemp(path.join(tmpdir(), 'cis-netpol-measure-'));
    const cjs = path.join(REPO_ROOT, 'dist', `${BIN_NAME}.cjs`);
    if ((await size(cjs)) === null) throw new Error(`no bundle at ${cjs} (run: npm run build)`);
    const noCache = path.join(work, `${BIN_NAME}-no-code-cache`);
    await buildSea({ main: cjs, nodeBinary: HOST_NODE, blobOptions: { useCodeCache: false, useSnapshot: false }, out: noCache, strip: 'strip' });
    candidates.push(
      { name: 'useCodeCache: false --version', group: 'other', cmd: noCache, args: ['--version'] },
      { name: 'node bundle.cjs --version', group: 'other', cmd: HOST_NODE, args: [cjs, '--version'] },
      { name: 'node -e 0', group: 'other', cmd: HOST_NODE, args: ['-e', '0'] },
    );
  }

  const loadBefore = loadavg()[0];
  for (let i = 0; i < warmup; i++) for (const c of candidates) once(c);
  const samples = candidates.map(() => []);
  for (let i = 0; i < runs; i++) candidates.forEach((c, j) => samples[j].push(once(c)));
  const results = candidates.map((c, j) => ({
    name: c.name,
    group: c.group,
    exe: c.exe,
    ...stats(samples[j].map((x) => x.ms)),
    cpuMean: samples[j].reduce((a, x) => a + x.cpu, 0) / samples[j].length,
  }));
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`;
  const yard = results[0].median;
  const goals = [];
  for (const r of results) {
    if (r.group === 'version' || r.group === 'help') {
      const ratio = r.median / yard;
      goals.push({ name: r.name, goal: `≤ ${RATIO_GOAL}× kubectl`, value: `${ratio.toFixed(2)}× (${r.median.toFixed(1)} / ${yard.toFixed(1)} ms)`, met: ratio <= RATIO_GOAL });
    }
    if (r.group === 'audit') goals.push({ name: r.name, goal: `< ${AUDIT_GOAL_MS} ms`, value: `${r.median.toFixed(1)} ms`, met: r.median < AUDIT_GOAL_MS });
  }
  const sizes = await Promise.all(exes.map(async (e) => ({ exe: e, bytes: await size(e) })));
  const archiveBytes = await size(archive);

  if (opts.json) {
    console.log(JSON.stringify({ sizes, archive, archiveBytes, machine, runs, warmup, results, goals }, null, 2));
  } else {
    console.log(`archive     ${archiveBytes === null ? '(none: npm run release)' : `${archiveBytes} bytes (${mb(archiveBytes)})`}  ${path.relative(REPO_ROOT, archive)}`);
    for (const s of sizes) console.log(`executable  ${s.bytes} bytes (${mb(s.bytes)})  ${path.relative(REPO_ROOT, s.exe) || s.exe}`);
    console.log(`machine     ${machine}`);
    console.log(`start-up    ${runs} runs after ${warmup} warm-ups each, round-robin:`);
    for (const r of results) {
      console.log(`  ${r.name.padEnd(40)} median ${r.median.toFixed(1).padStart(6)} ms   min ${r.min.toFixed(1).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms   cpu ${r.cpuMean.toFixed(0).padStart(4)} ms`);
    }
    for (const g of goals) console.log(`goal        ${g.name.padEnd(40)} ${g.goal.padEnd(16)} ${g.value}: ${g.met ? 'met' : 'NOT met'}`);
  }
} finally {
  if (work) await rm(work, { recursive: true, force: true });
}
