// The kube-bench checker (test/kube-bench-check): a Go program that parses our -o kube-bench
// output with kube-bench's own types. Built once per go.sum into the testenv cache (a cold build
// downloads kube-bench's module and its dependencies from the Go module proxy: about a minute).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './env.ts';

const SRC = path.join(REPO, 'test', 'kube-bench-check');

export function kubeBenchChecker(): string {
  const hash = createHash('sha256').update(fs.readFileSync(path.join(SRC, 'go.sum'))).update(fs.readFileSync(path.join(SRC, 'main.go'))).digest('hex').slice(0, 12);
  const cache = process.env['CIS_NETPOL_TESTENV_CACHE'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'kubectl-cis-netpol', 'testenv');
  const bin = path.join(cache, `kube-bench-check-${hash}`);
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(cache, { recursive: true });
    // -mod=readonly: go.sum pins every module, kube-bench's included, so nothing unverified enters.
    execFileSync('go', ['build', '-mod=readonly', '-trimpath', '-o', `${bin}.tmp`, '.'], { cwd: SRC, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GOWORK: 'off', GOFLAGS: '' } });
    fs.renameSync(`${bin}.tmp`, bin);
  }
  return bin;
}

export function checkKubeBench(json: string): { code: number; out: string } {
  const r = spawnSync(kubeBenchChecker(), [], { input: json, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
