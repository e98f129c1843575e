// Which pods does a Cilium, Calico or Antrea policy select? The connectivity proof must name every
// such pod as "not proven", so the answer is exact where the projects document the semantics and
// otherwise OVER-approximates (selects more, never less), saying what was approximated.
// One file per project holds its rules: cni-cilium.ts, cni-calico.ts, cni-antrea.ts.
import type { CniPolicy, Labels } from '../model.ts';
import type { Direction } from './types.ts';
import { antreaSelection } from './cni-antrea.ts';
import { calicoSelection } from './cni-calico.ts';
import { ciliumSelection } from './cni-cilium.ts';

export interface SelectionTarget {
  namespace: string;
  podLabels: Labels;
  namespaceLabels: Labels;
}

export interface CniSelection {
  /** Directions the policy has rules or isolation for (Ingress/Egress); both when unclear. */
  directions: Direction[];
  selects(t: SelectionTarget): boolean;
  /** Human-readable notes on what was over-approximated. Empty when exact. */
  approximations: string[];
  /** Short description of the subject for reports, e.g. "endpointSelector app=web in ns shop". */
  subject: string;
}

export function cniSelection(p: CniPolicy): CniSelection {
  switch (p.kind) {
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
      return ciliumSelection(p);
    case 'CalicoNetworkPolicy':
    case 'CalicoGlobalNetworkPolicy':
      return calicoSelection(p);
    case 'CalicoTier':
      // Orders Calico's policies (calico-tiers.ts) and selects nothing itself.
      return { directions: [], selects: () => false, approximations: [], subject: 'a Calico tier, which selects no pod itself' };
    case 'AntreaNetworkPolicy':
    case 'AntreaClusterNetworkPolicy':
      return antreaSelection(p);
    case 'AntreaTier':
      // Orders the Antrea policies; selects no pod itself.
      return { directions: [], selects: () => false, approximations: [], subject: 'no pod (a Tier)' };
    default: {
      // A kind added to the model without a compiler here: claim everything rather than nothing.
      const kind: string = (p as CniPolicy).kind;
      return {
        directions: ['Ingress', 'Egress'],
        selects: () => true,
        approximations: [`kind ${kind} not understood: taken to select every pod in every namespace`],
        subject: `every pod (kind ${kind})`,
      };
    }
  }
}
