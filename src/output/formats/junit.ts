// -o junit: laid out as kube-bench writes JUnit (a <testsuites> wrapper, a <testsuite> for the
// control, a <testcase> per namespace with classname = the control), so CI systems show one line
// per namespace. FAIL → <failure> with the remediation; SKIPPED and EXEMPT → <skipped>; ERROR →
// <error>. With several clusters there is one <testsuite> per cluster.
import { CONTROL, type Evidence, type EvidenceItem } from '../../core/evidence.ts';
import { escapeXml as x } from './xml.ts';

/** Bump when the layout below changes meaning. */
export const JUNIT_FORMAT_VERSION = '1';

function testcase(i: EvidenceItem, multi: boolean): string {
  const name = `${CONTROL.id} ${multi ? `${i.cluster}/` : ''}${i.namespace}`;
  const open = `    <testcase name="${x(name)}" classname="${x(`${CONTROL.id} ${CONTROL.title}`)}" time="0">`;
  const action = i.action ? ` (${i.action})` : '';
  switch (i.verdict) {
    case 'FAIL':
      return `${open}\n      <failure type="FAIL" message="${x(`${i.namespace}: ${i.reason}${action}`)}">${x(`${i.reason}\nRemediation: ${CONTROL.remediation}`)}</failure>\n    </testcase>`;
    case 'ERROR':
      return `${open}\n      <error type="ERROR" message="${x(`${i.namespace}: ${i.reason}${action}`)}"></error>\n    </testcase>`;
    case 'SKIPPED':
    case 'EXEMPT':
      return `${open}\n      <skipped message="${x(`${i.verdict}: ${i.reason}`)}"></skipped>\n    </testcase>`;
    default:
      return `${open}\n      <system-out>${x(`${i.reason}${action}`)}</system-out>\n    </testcase>`;
  }
}

export function renderJunit(e: Evidence): string {
  const multi = e.clusters.length > 1;
  const suites = e.clusters.map((c) => {
    const items = e.items.filter((i) => i.cluster === c.cluster);
    const n = (v: string) => items.filter((i) => i.verdict === v).length;
    const props = [
      ['cis-netpol.io/report-version', e.apiVersion],
      ['cis-netpol.io/junit-format', JUNIT_FORMAT_VERSION],
      ['tool', `kubectl-cis-netpol ${e.toolVersion}`],
      ['command', e.command + (e.dryRun !== 'none' ? ` --dry-run=${e.dryRun}` : '')],
      ['cluster', c.cluster],
      ['server', c.source.kind === 'cluster' ? c.source.server : c.source.path],
      ...(c.error ? [['cluster-error', c.error]] : []),
    ].map(([k, v]) => `      <property name="${x(k ?? '')}" value="${x(v ?? '')}"></property>`);
    const name = `${CONTROL.benchmark} ${CONTROL.id}${multi ? ` (${c.cluster})` : ''}`;
    // A cluster that could not be read at all is one <error> testcase, so it cannot pass unseen.
    const cases = c.error
      ? [`    <testcase name="${x(`${CONTROL.id} ${c.cluster}`)}" classname="${x(`${CONTROL.id} ${CONTROL.title}`)}" time="0">\n      <error type="ERROR" message="${x(c.error)}"></error>\n    </testcase>`]
      : items.map((i) => testcase(i, multi));
    const errors = n('ERROR') + (c.error ? 1 : 0);
    return [
      `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${n('FAIL')}" errors="${errors}" skipped="${n('SKIPPED') + n('EXEMPT')}" time="0" timestamp="${x(e.timestamp)}">`,
      '    <properties>', ...props, '    </properties>',
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const s = e.summary;
  const tests = e.items.length + e.clusters.filter((c) => c.error).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(`${CONTROL.benchmark} ${CONTROL.id}: ${CONTROL.title}`)}" tests="${tests}" failures="${s.FAIL}" errors="${s.ERROR + e.clusters.filter((c) => c.error).length}" skipped="${s.SKIPPED + s.EXEMPT}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
