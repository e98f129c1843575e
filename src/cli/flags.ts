// Flags shared by the commands, and their translation into validated options.
// kubectl conventions: --kubeconfig, --context, -n, -A, -o, --dry-run=client|server, --request-timeout.
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { checkNamespaceName, compileGlob } from '../core/glob.ts';
import type { DryRun } from '../core/remediate.ts';
import type { ScopeOptions } from '../core/scope.ts';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../output/formats/index.ts';
import { REPORT_FLAVOURS, type ReportFlavour } from '../output/formats/policyreport.ts';

export type OutputFormat = 'table' | 'json' | 'yaml' | ReportFormat;

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  'request-timeout': string;
  verbose: number;
  output?: string;
  json: boolean;
  color: boolean;
  'output-file'?: string;
  'report-format'?: string;
  'write-report'?: boolean;
}

export interface ScopeFlags {
  namespace?: string[];
  'all-namespaces'?: boolean;
  exclude?: string[];
  'include-system': boolean;
}

export function globalOptions<T>(y: Argv<T>) {
  return y
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)', global: true })
    .option('context', { type: 'string', describe: 'The kubeconfig context to use; several (a,b,c) run audit or remediate on each cluster, merged into one report', global: true })
    .option('all-contexts', { type: 'boolean', default: false, describe: 'audit or remediate every context of the kubeconfig (bounded parallel, one merged report)', global: true })
    .option('request-timeout', { type: 'string', default: '30s', describe: 'Time to wait for one API request (e.g. 10s, 1m; 0 waits forever)', global: true })
    .option('output', { alias: 'o', type: 'string', describe: `Output format: table, json, yaml, or a report: ${REPORT_FORMATS.join(', ')}`, global: true })
    .option('output-file', { type: 'string', describe: 'Write the -o format to this file and print the table as usual', global: true })
    .option('report-format', { type: 'string', default: 'wgpolicyk8s', describe: '-o policyreport: wgpolicyk8s (ClusterPolicyReport v1alpha2) or openreports (ClusterReport v1alpha1)', global: true })
    .option('write-report', { type: 'boolean', default: false, describe: 'Also apply the policy report to the cluster (server-side apply; needs patch on the report resource)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'Same as -o json', global: true })
    .option('color', { type: 'boolean', default: true, describe: 'Colour the table on a terminal (--no-color turns it off)', global: true })
    .option('verbose', { alias: 'v', type: 'count', describe: 'Log API requests and show stack traces on errors', global: true });
}

export function scopeOptions<T>(y: Argv<T>) {
  return y
    .option('namespace', { alias: 'n', type: 'string', array: true, describe: 'Only these namespaces (repeatable or comma-separated)' })
    .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'All namespaces (the default)' })
    .option('exclude', { type: 'string', array: true, describe: 'Skip namespaces matching this glob (repeatable, e.g. "team-*")' })
    .option('include-system', { type: 'boolean', default: false, describe: 'Also check kube-system, kube-public, kube-node-lease and kube-*, openshift-*, calico-*' });
}

/** A string, so that a bad value is quoted as typed (a number option would turn "abc" into NaN). */
export function concurrencyOption<T>(y: Argv<T>, describe: string, fallback: number) {
  return y.option('concurrency', { type: 'string', default: String(fallback), describe });
}

export function dryRunOption<T>(y: Argv<T>) {
  return y.option('dry-run', {
    type: 'string',
    describe: 'client: only print what would change; server: send the writes with dryRun=All so admission judges them',
  });
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function toScope(f: ScopeFlags): ScopeOptions {
  const namespaces = [...new Set(splitList(f.namespace))];
  if (namespaces.length > 0 && f['all-namespaces']) throw new UsageError('-n/--namespace and -A/--all-namespaces cannot be used together', 'use one of them');
  namespaces.forEach(checkNamespaceName);
  const exclude = splitList(f.exclude);
  exclude.forEach(compileGlob);
  return { namespaces, exclude, includeSystem: f['include-system'] };
}

export function toOutput(f: GlobalFlags): OutputFormat {
  if (f.json && f.output && f.output !== 'json') throw new UsageError(`--json conflicts with -o ${f.output}`, 'use one of them');
  const o = f.json ? 'json' : (f.output ?? 'table');
  if (o === 'table' || o === 'json' || o === 'yaml' || isReportFormat(o)) return o;
  throw new UsageError(`unknown output format "${o}"`, `use -o table, json, yaml, ${REPORT_FORMATS.join(', ')}`);
}

export function toFlavour(v: string): ReportFlavour {
  const f = REPORT_FLAVOURS.find((x) => x === v);
  if (!f) throw new UsageError(`unknown --report-format "${v}"`, `use one of: ${REPORT_FLAVOURS.join(', ')}`);
  return f;
}

export function toDryRun(v: string | undefined): DryRun {
  if (v === undefined || v === 'none' || v === 'false') return 'none';
  if (v === '' || v === 'client' || v === 'true') return 'client';
  if (v === 'server') return 'server';
  throw new UsageError(`invalid --dry-run value "${v}"`, 'use --dry-run, --dry-run=client or --dry-run=server');
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** kubectl's --request-timeout: seconds, or a Go duration such as 1m30s; 0 means none. */
export function toTimeoutMs(v: string): number {
  const text = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`invalid --request-timeout "${v}"`, 'use a duration such as 30s, 1m30s, or 0 for no timeout');
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 1000), 0));
}

export function toConcurrency(v: unknown): number {
  const n = /^\d+$/.test(String(v).trim()) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`invalid --concurrency "${String(v)}": must be a whole number from 1 to 256`, 'the default suits most clusters; lower it for a busy API server');
  return n;
}
