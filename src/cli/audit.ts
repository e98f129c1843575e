import { UsageError } from '../core/errors.ts';
import { runAudit, type SnapshotSource } from '../app/audit.ts';
import { enforcementWarning, readEnforcement } from '../app/audit-cni.ts';
import { asInspector } from '../app/inspect-ports.ts';
import { parseStateFile } from '../kube/state-file.ts';
import { renderAudit } from '../output/audit.ts';
import type { Command } from './command.ts';
import { exceptionsOption, readExceptions } from './exceptions.ts';
import { auditExit } from './exit.ts';
import { manyContexts, runMany } from './many.ts';
import { scopeOptions, toScope, type ScopeFlags } from './flags.ts';

export const auditCommand: Command = {
  name: 'audit',
  describe: 'Check that every namespace has at least one NetworkPolicy (CIS 5.3.2)',
  examples: [
    ['kubectl cis-netpol audit', 'audit all non-system namespaces'],
    ['kubectl cis-netpol audit -n prod,staging -o json', 'two namespaces, as JSON'],
    ['kubectl get ns,netpol -A -o yaml | kubectl cis-netpol audit -f -', 'audit a saved snapshot'],
    ['kubectl cis-netpol audit --exceptions exceptions.yaml -o junit --output-file cis-5.3.2.xml', 'with exemptions; the table on stdout, JUnit in a file'],
  ],
  builder: (y) =>
    exceptionsOption(scopeOptions(y))
      .option('filename', { alias: 'f', type: 'string', describe: 'Audit a saved state (kubectl get namespaces,networkpolicies -A -o yaml) instead of a cluster; - reads stdin' })
      .option('count-cluster-policies', { type: 'boolean', default: false, describe: 'Count a namespace without NetworkPolicies that a cluster-wide policy (ClusterNetworkPolicy, ANP/BANP, Cilium/Calico/Antrea) covers as COVERED, not FAIL' }),
  async run(argv, ctx) {
    const scope = toScope(argv as unknown as ScopeFlags);
    const rules = readExceptions(argv, ctx.io);
    const options = { countClusterPolicies: Boolean(argv['count-cluster-policies']) };
    const many = await manyContexts(argv, ctx);
    if (many) {
      if (argv['filename'] !== undefined) throw new UsageError('-f reads one saved state; several contexts read clusters', 'drop -f or the extra contexts');
      return runMany(ctx, many, 'audit', (cluster, deps) => runAudit({ kind: 'cluster', cluster }, scope, deps, rules, options), (r) => auditExit(r as never));
    }
    const file = argv['filename'] as string | undefined;
    let source: SnapshotSource;
    if (file !== undefined) {
      let text: string;
      try {
        text = file === '-' ? await ctx.io.readStdin() : ctx.io.readFile(file);
      } catch (err) {
        throw new UsageError(`cannot read -f ${file}: ${(err as Error).message}`, 'check the path, or pass - to read stdin');
      }
      source = { kind: 'file', path: file === '-' ? '<stdin>' : file, state: parseStateFile(text, file === '-' ? 'stdin' : file) };
    } else {
      source = { kind: 'cluster', cluster: await ctx.cluster() };
    }
    const audited = await runAudit(source, scope, ctx.deps, rules, options);
    // After the audit, not beside it: concurrent first requests would run an exec plugin twice, and
    // reading it beside the audit's later requests measured slower (more TLS connections over
    // HTTP/1.1; docs/release.md, "Start-up, round two").
    const enforcement = source.kind === 'cluster' ? await readEnforcement(asInspector(source.cluster), ctx.deps) : undefined;
    const report = enforcement ? { ...audited, enforcement } : audited;
    await ctx.report(report, (style) => renderAudit(report, style));
    const warning = enforcementWarning(enforcement);
    if (warning) ctx.io.err.write(`${warning}\n`);
    return auditExit(report);
  },
};
