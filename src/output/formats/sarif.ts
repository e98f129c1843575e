// -o sarif: SARIF 2.1.0, one run, one rule (5.3.2) and one result per namespace that is not
// compliant: FAIL (kind fail, level error), EXEMPT (the same, with an accepted external
// suppression carrying reason, owner and expiry, so viewers hide it but keep it), ERROR (kind open:
// the check could not be made). Namespaces are logical locations `cluster/namespace`.
import { CONTROL, type Evidence, type EvidenceItem } from '../../core/evidence.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const RULE_ID = 'CIS-5.3.2';

function result(i: EvidenceItem) {
  const fqn = `${i.cluster}/${i.namespace}`;
  const base = {
    ruleId: RULE_ID,
    ruleIndex: 0,
    message: { text: `${i.namespace}: ${i.reason}` },
    locations: [{ logicalLocations: [{ name: i.namespace, fullyQualifiedName: fqn, kind: 'namespace' }] }],
    partialFingerprints: { 'cisNetpolNamespace/v1': fqn },
    properties: { cluster: i.cluster, namespace: i.namespace, verdict: i.verdict, ...(i.action ? { action: i.action } : {}), policies: i.policies },
  };
  if (i.verdict === 'ERROR') return { ...base, kind: 'open', level: 'none' };
  const e = i.exemption;
  const suppressions = i.verdict === 'EXEMPT' && e
    ? [{ kind: 'external', status: 'accepted', justification: `${e.reason} (owner ${e.owner}, until ${e.until}; ${e.where})`, properties: { owner: e.owner, until: e.until, ...(e.expires ? { expires: e.expires } : {}), where: e.where } }]
    : undefined;
  return { ...base, kind: 'fail', level: 'error', ...(suppressions ? { suppressions } : {}) };
}

export function renderSarif(e: Evidence): string {
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'kubectl-cis-netpol',
          version: e.toolVersion,
          semanticVersion: e.toolVersion,
          rules: [{
            id: RULE_ID,
            name: 'NamespacesHaveNetworkPolicies',
            shortDescription: { text: `${CONTROL.benchmark} ${CONTROL.id}: ${CONTROL.title}` },
            fullDescription: { text: `Every namespace should have at least one NetworkPolicy (${CONTROL.benchmark} ${CONTROL.id}, section ${CONTROL.section} ${CONTROL.sectionText}).` },
            help: { text: CONTROL.remediation },
            defaultConfiguration: { level: 'error' },
            properties: { tags: ['CIS', 'Kubernetes', 'NetworkPolicy'] },
          }],
        },
      },
      invocations: [{
        executionSuccessful: e.summary.ERROR === 0 && e.clusters.every((c) => !c.error),
        commandLine: `kubectl cis-netpol ${e.command}${e.dryRun !== 'none' ? ` --dry-run=${e.dryRun}` : ''}`,
        endTimeUtc: e.timestamp,
        toolExecutionNotifications: e.clusters.filter((c) => c.error).map((c) => ({ level: 'error', message: { text: `${c.cluster}: ${c.error}` } })),
      }],
      results: e.items.filter((i) => i.verdict === 'FAIL' || i.verdict === 'EXEMPT' || i.verdict === 'ERROR').map(result),
      properties: {
        reportApiVersion: e.apiVersion,
        command: e.command,
        clusters: e.clusters.map((c) => ({ name: c.cluster, server: c.source.kind === 'cluster' ? c.source.server : c.source.path })),
        summary: e.summary,
      },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
