// Running the built executable and kubectl as a user would, and reading what they leave behind.
import { spawnSync, spawn } from 'node:child_process';
import { adminKubeconfig, builtBinary } from './env.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  kubeconfig?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
}

function baseEnv(o: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: o.kubeconfig ?? adminKubeconfig(), NO_COLOR: undefined };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** The built single executable, as a user runs it. */
export function plugin(args: string[], o: RunOptions = {}): Run {
  const r = spawnSync(builtBinary(), args, { env: baseEnv(o), input: o.input ?? '', encoding: 'utf8', cwd: o.cwd, timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The executable in the background (for signals and faults). */
export function pluginAsync(args: string[], o: RunOptions = {}) {
  return spawn(builtBinary(), args, { env: baseEnv(o), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function kubectl(args: string[], o: RunOptions = {}): Run {
  const r = spawnSync('kubectl', args, { env: baseEnv(o), input: o.input ?? '', encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function kubectlOk(args: string[], o: RunOptions = {}): string {
  const r = kubectl(args, o);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export function kubectlJson<T = any>(args: string[], o: RunOptions = {}): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(kubectlOk([...args, '-o', 'json'], o)) as T;
}
