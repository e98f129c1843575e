// CNI-specific policy kinds: Cilium's, Calico's (in their tiers) and Antrea's are modelled
// (netpol/compile-*.ts) and join the comparison, except a policy with parts the model cannot decide
// (L7, FQDNs, services, groups, a Calico tier with no readable Tier object, …): that policy makes
// the proof say "not proven" wherever it selects or may select pods of a namespace, never
// "unchanged". Prune uses the same reasons (core/prune.ts).
// Today's pods are checked with each kind's selection (netpol/cni-selection.ts, which errs towards
// selecting); pods started later may carry any labels, so a policy whose scope includes the
// namespace counts for them too.
import type { CniPolicy, Namespace } from './model.ts';
import { cniSelection } from './netpol/cni-selection.ts';
import { unmodelledParts } from './netpol/compile-cni.ts';
import type { ProofState } from './proof.ts';

const CLUSTER_WIDE = new Set<CniPolicy['kind']>(['CiliumClusterwideNetworkPolicy', 'CalicoGlobalNetworkPolicy', 'AntreaClusterNetworkPolicy']);
const NAME_LABEL = 'kubernetes.io/metadata.name';
const MAX_NAMES = 3;
// One line per policy up to this many; past it, a count (a cluster may hold hundreds).
const MAX_POLICIES = 10;

export function cniLabel(p: CniPolicy): string {
  return p.metadata.namespace ? `${p.kind} ${p.metadata.namespace}/${p.metadata.name}` : `${p.kind} ${p.metadata.name}`;
}

const selections = new WeakMap<CniPolicy, ReturnType<typeof cniSelection>>();

function selectionOf(p: CniPolicy): ReturnType<typeof cniSelection> {
  let found = selections.get(p);
  if (!found) selections.set(p, (found = cniSelection(p)));
  return found;
}

export function cniReasons(state: Pick<ProofState, 'cniPolicies' | 'pods' | 'ciliumMode'>, ns: Namespace): string[] {
  const name = ns.metadata.name;
  const namespaceLabels = { [NAME_LABEL]: name, ...ns.metadata.labels };
  const pods = state.pods.filter((p) => p.metadata.namespace === name && !p.hostNetwork);
  const out: string[] = [];
  const parts = unmodelledParts(state.cniPolicies, state.ciliumMode);
  for (const p of state.cniPolicies) {
    if (!CLUSTER_WIDE.has(p.kind) && p.metadata.namespace !== name) continue;
    const why = parts.get(p);
    if (why === undefined) continue;
    const sel = selectionOf(p);
    // Cilium and Antrea document a policy without rules as applying to nothing.
    if (sel.directions.length === 0) continue;
    const chosen = pods.filter((pod) => sel.selects({ namespace: name, podLabels: pod.metadata.labels ?? {}, namespaceLabels })).map((pod) => pod.metadata.name);
    const shown = chosen.slice(0, MAX_NAMES).join(', ') + (chosen.length > MAX_NAMES ? ', …' : '');
    const what = chosen.length > 0 ? `selects ${chosen.length === pods.length ? 'every pod' : `pods ${shown}`} here` : 'may select pods started here later';
    const approx = sel.approximations.length > 0 ? ` (${sel.approximations.join('; ')})` : '';
    const modelText = why.length > 0 ? `has parts the proof cannot model: ${why.join('; ')}` : 'is not modelled';
    out.push(`not proven: ${cniLabel(p)} (${sel.subject}, ${sel.directions.join('/').toLowerCase()}) ${what} and ${modelText}${why.length > 0 ? '' : approx}`);
  }
  if (out.length <= MAX_POLICIES) return out;
  return [...out.slice(0, MAX_POLICIES), `not proven: … and ${out.length - MAX_POLICIES} more Cilium/Calico/Antrea policies that select or may select pods here`];
}
