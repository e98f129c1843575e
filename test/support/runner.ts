// The cis-k8s-hardening unified runner, as far as the 5.3.2 wrappers meet it
// (../shared/reference/runner-contract.md): how it runs a check's script, and how it turns the exit
// code and stdout into a status. Tests assert on the status the runner would report, not only on
// exit codes, because the runner's reading is where the toolkit's own scripts went wrong.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminKubeconfig, builtBinary, REPO } from './env.ts';

export type Mode = 'audit' | 'remediate';
/** The statuses the runner derives from a script run (SKIPPED and IGNORED come from its config). */
export type RunnerStatus = 'PASS' | 'FIXED' | 'FAIL' | 'MANUAL' | 'ERROR';

export const SCRIPT_DIR = path.join(REPO, 'Level_1_Master_Node');
export const SCRIPTS: Record<Mode, string> = {
  audit: path.join(SCRIPT_DIR, '5.3.2_audit.sh'),
  remediate: path.join(SCRIPT_DIR, '5.3.2_remediate.sh'),
};

/** The runner's fixed limit per script; a run still going then is killed and reported as ERROR. */
export const RUNNER_TIMEOUT_MS = 60_000;

const MANUAL_PHRASES = ['requires manual', 'manual intervention', 'manual remediation'];

/** A `# Title:` comment within the first 10 lines that contains "(Manual)". */
export function hasManualTitle(scriptText: string): boolean {
  return scriptText.split('\n').slice(0, 10).some((l) => /^#\s*Title:.*\(Manual\)/.test(l));
}

/**
 * The runner's rules. Audit: exit 0 PASS, exit 3 MANUAL, otherwise FAIL unless the output holds a
 * "manual" phrase (then MANUAL). Remediate: non-zero FAIL; zero FIXED when "fixed" appears anywhere,
 * in any case ("prefixed" counts), else PASS. A script titled "(Manual)" is judged by [PASS]/[FAIL].
 */
export function runnerStatus(mode: Mode, code: number | null, stdout: string, scriptText = ''): RunnerStatus {
  if (code === null) return 'ERROR';
  const lower = stdout.toLowerCase();
  if (hasManualTitle(scriptText)) {
    if (mode === 'remediate') throw new Error('the runner never calls a remediate script titled "(Manual)"');
    if (stdout.includes('[PASS]')) return 'PASS';
    if (stdout.includes('[FAIL]')) return 'FAIL';
    return 'MANUAL';
  }
  if (mode === 'audit') {
    if (code === 0) return 'PASS';
    if (code === 3) return 'MANUAL';
    return MANUAL_PHRASES.some((p) => lower.includes(p)) ? 'MANUAL' : 'FAIL';
  }
  if (code !== 0) return 'FAIL';
  return lower.includes('fixed') ? 'FIXED' : 'PASS';
}

export interface RunnerTags {
  /** The last [FAIL_REASON], else (as the runner does for a FAIL) the first non-empty line. */
  reason: string | undefined;
  failReason: string | undefined;
  fixHint: string | undefined;
  cmds: string[];
}

export function runnerTags(stdout: string): RunnerTags {
  const lines = stdout.split('\n');
  const last = (tag: string) => lines.filter((l) => l.startsWith(`[${tag}] `)).map((l) => l.slice(tag.length + 3)).at(-1);
  const failReason = last('FAIL_REASON');
  return {
    failReason,
    fixHint: last('FIX_HINT'),
    cmds: lines.filter((l) => l.startsWith('[CMD] ')).map((l) => l.slice(6)),
    reason: failReason ?? lines.find((l) => l.trim() !== ''),
  };
}

export interface WrapperRun {
  code: number | null;
  stdout: string;
  stderr: string;
  status: RunnerStatus;
  tags: RunnerTags;
  ms: number;
}

export interface WrapperOptions {
  /** Added to the runner-like environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** The runner's working directory: anything but the repository (default: the temp directory). */
  cwd?: string;
  /** Another copy of the script (e.g. outside the repository). */
  script?: string;
}

/** Everything the wrappers read, so that nothing leaks in from the shell that runs the tests. */
const WRAPPER_VARS = [
  'DRY_RUN', 'VERBOSE', 'SKIP_SYSTEM_NS', 'POLICY_TYPE', 'POLICY_NAME', 'EXCLUDED_NAMESPACES', 'ACCEPT_DISRUPTION',
  'EXCEPTIONS_FILE', 'KUBECTL_CIS_NETPOL', 'KREW_ROOT', 'CIS_NETPOL_NAMESPACES', 'CIS_NETPOL_REQUEST_TIMEOUT', 'CIS_NETPOL_TIMEOUT', 'NO_COLOR',
];

/** What the shipped cis_config.json puts in the environment of 5.3.2's scripts, in the runner's order. */
export const SHIPPED_RUNNER_ENV: Record<string, string> = {
  // remediation_config.global
  BACKUP_ENABLED: 'true', BACKUP_DIR: '/var/backups/cis-remediation', DRY_RUN: 'false', WAIT_FOR_API: 'true', API_CHECK_INTERVAL: '5', API_MAX_RETRIES: '60',
  // remediation_config.checks["5.3.2"], keys upper-cased (enabled: true, as docs/runner.md says to set it)
  ENABLED: 'true', DESCRIPTION: 'Ensure NetworkPolicies are defined (Allow-All for Safety First Strategy)', LEVEL: 'L1', TARGET: 'Master Node',
  POLICY_TYPE: 'allow-all', REASON: 'Safety First Strategy - Allow-all NetworkPolicies prevent breaking existing cluster traffic',
  REMEDIATION_NOTE: 'Enable only after implementing proper network segmentation policy and thorough testing', REQUIRES_HEALTH_CHECK: 'true',
  // remediation_config.environment_overrides
  PSS_MODE: 'warn-audit', AUDIT_LEVEL: 'Metadata', ENFORCE_MODE: 'disabled',
};

/**
 * The environment the runner builds for 5.3.2: its own, KUBECONFIG, then what the shipped config
 * adds (SHIPPED_RUNNER_ENV), then the test's additions. The plugin is the built executable unless a
 * test removes KUBECTL_CIS_NETPOL to exercise the lookup.
 */
export function runnerEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of WRAPPER_VARS) delete env[k];
  Object.assign(env, { KUBECONFIG: adminKubeconfig(), KUBECTL_CIS_NETPOL: builtBinary() }, SHIPPED_RUNNER_ENV);
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * `bash <script>` as the runner runs it: no arguments, output captured, a 60 s limit, and stdin
 * left open (inherited in the runner), so a script that prompts hangs until the limit: ERROR.
 */
export function runWrapper(mode: Mode, o: WrapperOptions = {}): Promise<WrapperRun> {
  const script = o.script ?? SCRIPTS[mode];
  const scriptText = fs.readFileSync(script, 'utf8');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { cwd: o.cwd ?? os.tmpdir(), env: runnerEnv(o.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {}); // the script may exit with our end still open
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUNNER_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      const exit = timedOut ? null : code;
      resolve({ code: exit, stdout, stderr, status: runnerStatus(mode, exit, stdout, scriptText), tags: runnerTags(stdout), ms: Date.now() - started });
    });
  });
}

/** A short description of a run for assertion messages. */
export function describeRun(r: WrapperRun): string {
  return `exit ${r.code}, status ${r.status}, ${r.ms} ms\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}
