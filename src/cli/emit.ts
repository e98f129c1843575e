// Printing a command's report: the table, -o json|yaml (the report itself), or a report format
// (JUnit, kube-bench, SARIF, PolicyReport, HTML: all rendered from the same Evidence). With
// --output-file the chosen format goes to the file and stdout keeps the table; --write-report then
// applies the policy report to each cluster with server-side apply.
import type { Cluster } from '../app/ports.ts';
import { UsageError } from '../core/errors.ts';
import type { Evidence } from '../core/evidence.ts';
import { isReportFormat, renderReport } from '../output/formats/index.ts';
import { policyReports, type ReportFlavour } from '../output/formats/policyreport.ts';
import { renderMachine } from '../output/machine.ts';
import type { OutputFormat } from './flags.ts';
import type { IO } from './io.ts';

export interface EmitOptions {
  output: OutputFormat;
  outputFile?: string;
  flavour: ReportFlavour;
  writeReport: boolean;
}

export function validateEmit(o: EmitOptions): void {
  if (o.outputFile !== undefined && (o.outputFile === '' || o.output === 'table')) {
    throw new UsageError('--output-file needs a report format to write', 'e.g. -o junit --output-file cis-5.3.2.xml (the table still goes to stdout)');
  }
  if (o.writeReport && o.output !== 'policyreport') throw new UsageError('--write-report applies the policy report', 'add -o policyreport (with --output-file to keep the table on stdout)');
}

/** Renders the chosen format, and says whether the table goes to stdout beside it. */
export function emit(io: IO, o: EmitOptions, report: object, evidence: () => Evidence, table: () => string): void {
  if (o.output === 'table') {
    io.out.write(table());
    return;
  }
  const text = isReportFormat(o.output) ? renderReport(o.output, evidence(), o.flavour) : renderMachine(report, o.output);
  if (o.outputFile === undefined) {
    io.out.write(text);
    return;
  }
  try {
    io.writeFile(o.outputFile, text);
  } catch (err) {
    throw new UsageError(`cannot write --output-file ${o.outputFile}: ${(err as Error).message}`, 'check that the directory exists and is writable');
  }
  io.out.write(table());
}

const PLURALS: Record<ReportFlavour, string> = { wgpolicyk8s: 'clusterpolicyreports', openreports: 'clusterreports' };

/** --write-report: one report per cluster, applied to that cluster. */
export async function writeReports(e: Evidence, flavour: ReportFlavour, clusterOf: (name: string) => Promise<Cluster>, err: IO['err']): Promise<void> {
  for (const { cluster, object } of policyReports(e, flavour)) {
    const c = await clusterOf(cluster);
    if (!c.applyClusterObject) throw new UsageError('this cluster client cannot apply reports', 'run against a cluster, not a saved state');
    await c.applyClusterObject(object as never, PLURALS[flavour]);
    err.write(`wrote ${String(object['kind'])} ${String((object['metadata'] as { name: string }).name)} to ${cluster}\n`);
  }
}
