#!/usr/bin/env node
// npm run build (after the type-check):
//   src/main.ts -> dist/kubectl-cis_netpol.cjs   (esbuild, one CommonJS file)
//              -> dist/kubectl-cis_netpol       (Node single executable, linux-amd64, stripped)
//
// Options:
//   --entry FILE        bundle another entry (for testing the pipeline)
//   --no-code-cache     build the blob with useCodeCache: false
//   --out FILE          write the executable elsewhere (default dist/kubectl-cis_netpol), and the
//                       bundle beside it as FILE.cjs
//   --bundle-only       stop after the bundle
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BIN_NAME, HOST_NODE, REPO_ROOT, buildSea, bundle, executableInfo, mb, readPackageJson, topInputs } from './lib/sea.mjs';

const { values: opts } = parseArgs({
  options: {
    entry: { type: 'string' },
    out: { type: 'string' },
    'no-code-cache': { type: 'boolean', default: false },
    'bundle-only': { type: 'boolean', default: false },
  },
});

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`build: the executable is built on linux/x64 only (this is ${process.platform}/${process.arch})`);
  process.exit(2);
}

/** --version answers, and NODE_OPTIONS cannot inject code (execArgvExtension: "none"). */
async function smokeTest(exe, version) {
  const work = await mkdtemp(path.join(tmpdir(), 'cis-netpol-smoke-'));
  try {
    const marker = path.join(work, 'injected');
    const evil = path.join(work, 'evil.cjs');
    await writeFile(evil, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    for (const env of [{ NODE_OPTIONS: '' }, { NODE_OPTIONS: `--require ${evil}` }]) {
      const r = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
      if (r.status !== 0 || r.stdout.trim() !== version) {
        throw new Error(`build: ${exe} --version gave ${JSON.stringify(r.stdout.trim())} (exit ${r.status}) with NODE_OPTIONS=${JSON.stringify(env.NODE_OPTIONS)}: ${r.stderr}`);
      }
    }
    if (existsSync(marker)) throw new Error(`build: NODE_OPTIONS=--require injected code into ${exe}`);
    console.log(`check   --version prints ${version}; NODE_OPTIONS=--require is ignored`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const started = performance.now();
const pkg = await readPackageJson();
const dist = path.join(REPO_ROOT, 'dist');
await mkdir(dist, { recursive: true });

const out = opts.out ? path.resolve(opts.out) : path.join(dist, BIN_NAME);
const b = await bundle({
  entry: opts.entry ? path.resolve(opts.entry) : undefined,
  outfile: `${out}.cjs`,
  version: pkg.version,
});
console.log(`bundle  ${path.relative(REPO_ROOT, b.outfile)}  ${b.bytes} bytes (${mb(b.bytes)})  ${b.ms.toFixed(0)} ms`);
for (const [name, bytes] of topInputs(b.metafile)) console.log(`        ${mb(bytes).padStart(9)}  ${name}`);
if (opts['bundle-only']) process.exit(0);

const sea = await buildSea({
  main: b.outfile,
  nodeBinary: HOST_NODE,
  blobOptions: { useCodeCache: !opts['no-code-cache'] },
  out,
  strip: 'strip',
});
const info = await executableInfo(out);
if (info.format !== 'elf' || info.arch !== 'amd64') throw new Error(`build: ${out} is ${info.format}/${info.arch}, expected elf/amd64`);
await smokeTest(out, pkg.version);
console.log(`blob    ${sea.bytes - sea.baseBytes} bytes added (${mb(sea.bytes - sea.baseBytes)})${opts['no-code-cache'] ? ' (no code cache)' : ' (with code cache)'}`);
console.log(`node    ${sea.baseBytes} bytes (${mb(sea.baseBytes)}) after strip`);
console.log(`exe     ${path.relative(REPO_ROOT, out)}  ${sea.bytes} bytes (${mb(sea.bytes)})  ${sea.ms.toFixed(0)} ms`);
console.log(`build   done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
