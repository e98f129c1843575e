// The versioned CNI report (kubectl cis-netpol cni -o json|yaml).
import { REPORT_API_VERSION } from '../report.ts';
import type { CniJudgement } from './types.ts';

export interface CniReport extends CniJudgement {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'CniReport';
  control: '5.3.1';
  timestamp: string;
  source: { kind: 'cluster'; context: string; server: string };
}

export function cniReport(j: CniJudgement, identity: { context: string; server: string }, now: Date): CniReport {
  return { apiVersion: REPORT_API_VERSION, kind: 'CniReport', control: '5.3.1', timestamp: now.toISOString(), source: { kind: 'cluster', ...identity }, ...j };
}
