// Whether the proof lets a placeholder be written in a namespace, and if not, what the user reads:
// what it would change, and the ways out (a template that selects no pod, or an explicit flag).
import type { RemediateResult } from './remediate.ts';

export interface Connectivity {
  /** No connection changes either way, and the model covers every policy that applies. */
  unchanged: boolean;
  /** Allowed today, denied after. */
  broken: string[];
  /** Denied today (by a cluster-wide tier), allowed after. */
  opened: string[];
  /** Why the proof cannot vouch for this namespace. */
  unproven: string[];
}

export interface Acceptance {
  acceptDisruption: boolean;
  acceptOpening?: boolean;
  acceptUnproven?: boolean;
  placeholder: { template: string };
}

const SELECT_NONE_HINT = 'use --template select-none (a placeholder that selects no pod: it satisfies the CIS 5.3.2 existence check and changes no connection under any policy model)';

export function refusalOf(c: Connectivity, o: Acceptance): RemediateResult | undefined {
  const what: string[] = [];
  const flags: string[] = [];
  if (c.broken.length > 0 && !o.acceptDisruption) {
    what.push('would deny connections allowed today');
    flags.push('--accept-disruption');
  }
  if (c.opened.length > 0 && !o.acceptOpening) {
    what.push('would allow connections that a cluster-wide policy denies today');
    flags.push('--accept-opening');
  }
  if (c.unproven.length > 0 && !o.acceptUnproven) {
    what.push('cannot be proven to change nothing here');
    flags.push('--accept-unproven');
  }
  if (what.length === 0) return undefined;
  const kind = c.broken.length > 0 && !o.acceptDisruption ? 'Disruption' : c.opened.length > 0 && !o.acceptOpening ? 'Opening' : 'NotProven';
  const template = o.placeholder.template;
  const hint = template === 'select-none' ? `pass ${flags.join(' and ')} to accept it` : `${SELECT_NONE_HINT}, or pass ${flags.join(' and ')} to accept it`;
  return {
    namespace: '',
    status: 'FAILED',
    reason: `Refused: template ${template} ${what.join(' and ')} (see below); nothing was written`,
    error: { kind, message: `template ${template} ${what.join(' and ')}`, hint },
  };
}
