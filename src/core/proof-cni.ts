// CNI-specific policy kinds (Cilium, Calico, Antrea) are read but not modelled yet: wherever one
// selects or may select pods of a namespace, the proof says "not proven" there, never "unchanged".
// Today's pods are checked with each kind's selection (netpol/cni-selection.ts, which errs towards
// selecting); pods started later may carry any labels, so a policy whose scope includes the
// namespace counts for them too.
import type { CniPolicy, Namespace } from './model.ts';
import { cniSelection } from './netpol/cni-selection.ts';
import type { ProofState } from './proof.ts';

const CLUSTER_WIDE = new Set<CniPolicy['kind']>(['CiliumClusterwideNetworkPolicy', 'CalicoGlobalNetworkPolicy', 'AntreaClusterNetworkPolicy']);
const NAME_LABEL = 'kubernetes.io/metadata.name';
const MAX_NAMES = 3;
// One line per policy up to this many; past it, a count (a cluster may hold hundreds).
const MAX_POLICIES = 10;

export function cniLabel(p: CniPolicy): string {
  return p.metadata.namespace ? `${p.kind} ${p.metadata.namespace}/${p.metadata.name}` : `${p.kind} ${p.metadata.name}`;
}

export function cniReasons(state: Pick<ProofState, 'cniPolicies' | 'pods'>, ns: Namespace): string[] {
  const name = ns.metadata.name;
  const namespaceLabels = { [NAME_LABEL]: name, ...ns.metadata.labels };
  const pods = state.pods.filter((p) => p.metadata.namespace === name && !p.hostNetwork);
  const out: string[] = [];
  for (const p of state.cniPolicies) {
    if (!CLUSTER_WIDE.has(p.kind) && p.metadata.namespace !== name) continue;
    const sel = cniSelection(p);
    // Cilium and Antrea document a policy without rules as applying to nothing.
    if (sel.directions.length === 0) continue;
    const chosen = pods.filter((pod) => sel.selects({ namespace: name, podLabels: pod.metadata.labels ?? {}, namespaceLabels })).map((pod) => pod.metadata.name);
    const shown = chosen.slice(0, MAX_NAMES).join(', ') + (chosen.length > MAX_NAMES ? ', …' : '');
    const what = chosen.length > 0 ? `selects ${chosen.length === pods.length ? 'every pod' : `pods ${shown}`} here` : 'may select pods started here later';
    const approx = sel.approximations.length > 0 ? ` (${sel.approximations.join('; ')})` : '';
    out.push(`not proven: ${cniLabel(p)} (${sel.subject}, ${sel.directions.join('/').toLowerCase()}) ${what} and is not modelled${approx}`);
  }
  if (out.length <= MAX_POLICIES) return out;
  return [...out.slice(0, MAX_POLICIES), `not proven: … and ${out.length - MAX_POLICIES} more Cilium/Calico/Antrea policies that select or may select pods here`];
}
