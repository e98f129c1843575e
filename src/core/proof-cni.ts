// CNI-specific policy kinds: Cilium's are modelled (netpol/compile-cilium.ts) and join the
// comparison, except a rule with parts the model cannot decide (L7, FQDNs, services, …): that
// policy, like every Calico and Antrea policy (not modelled), makes the proof say "not proven"
// wherever it selects or may select pods of a namespace, never "unchanged".
// Today's pods are checked with each kind's selection (netpol/cni-selection.ts, which errs towards
// selecting); pods started later may carry any labels, so a policy whose scope includes the
// namespace counts for them too.
import type { CniPolicy, Namespace } from './model.ts';
import { cniSelection } from './netpol/cni-selection.ts';
import { compileCilium, isCilium } from './netpol/compile-cilium.ts';
import type { ProofState } from './proof.ts';

const CLUSTER_WIDE = new Set<CniPolicy['kind']>(['CiliumClusterwideNetworkPolicy', 'CalicoGlobalNetworkPolicy', 'AntreaClusterNetworkPolicy']);
const NAME_LABEL = 'kubernetes.io/metadata.name';
const MAX_NAMES = 3;

export function cniLabel(p: CniPolicy): string {
  return p.metadata.namespace ? `${p.kind} ${p.metadata.namespace}/${p.metadata.name}` : `${p.kind} ${p.metadata.name}`;
}

// Per policy object, computed once however many namespaces ask (objects are never mutated).
const parts = new WeakMap<CniPolicy, string[]>();
const selections = new WeakMap<CniPolicy, ReturnType<typeof cniSelection>>();

/** Why a policy is outside the model: [] for a kind not modelled; undefined when it joins the comparison. */
function unmodelled(p: CniPolicy, mode: ProofState['ciliumMode']): string[] | undefined {
  if (!isCilium(p)) return [];
  if (mode === 'never') return undefined; // not enforced at all: it decides nothing
  let found = parts.get(p);
  if (!found) parts.set(p, (found = compileCilium(p).flatMap((u) => u.unmodelled)));
  return found.length > 0 ? found : undefined;
}

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
  for (const p of state.cniPolicies) {
    if (!CLUSTER_WIDE.has(p.kind) && p.metadata.namespace !== name) continue;
    const why = unmodelled(p, state.ciliumMode);
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
  return out;
}
