// The 5.3.1 verdict beside the 5.3.2 audit: a namespace "with a NetworkPolicy" means little where
// nothing enforces one. Best effort: a failed or forbidden read never changes the audit's outcome.
import type { CniVerdict } from '../core/cni/types.ts';
import { KNOWN_NAMESPACES, judgeCni } from '../core/cni/verdict.ts';
import { readCniEvidence } from './cni.ts';
import type { Inspector } from './inspect-ports.ts';
import type { AppDeps } from './ports.ts';

/** What the audit report carries (`enforcement`), for every verdict that could be read. */
export interface AuditEnforcement {
  control: '5.3.1';
  verdict: CniVerdict;
  enforcedBy: string[];
  summary: string;
  hint: string;
}

export async function readEnforcement(i: Inspector | undefined, deps: AppDeps): Promise<AuditEnforcement | undefined> {
  if (!i) return undefined;
  try {
    const evidence = await readCniEvidence(i, deps);
    // The audit's own ClusterRole reads no DaemonSets: with none readable anywhere, say nothing
    // rather than warn on every audit (`kubectl cis-netpol cni` and doctor say it in full).
    if (evidence.unreadable.length >= KNOWN_NAMESPACES.length) {
      deps.log('CIS 5.3.1 check skipped: DaemonSets are not readable (ClusterRole cis-netpol-cni grants it)');
      return undefined;
    }
    const j = judgeCni(evidence);
    return { control: '5.3.1', verdict: j.verdict, enforcedBy: j.enforcedBy, summary: j.summary, hint: j.hint };
  } catch (err) {
    deps.log(`CIS 5.3.1 check skipped: ${(err as Error).message}`);
    return undefined;
  }
}

/** The one-line warning of the audit (stderr), or nothing when enforced or unread. */
export function enforcementWarning(e: AuditEnforcement | undefined): string | undefined {
  if (!e || e.verdict === 'ENFORCED') return undefined;
  return `warning: CIS 5.3.1: NetworkPolicies may change no traffic here: ${e.summary} (details: kubectl cis-netpol cni)`;
}
