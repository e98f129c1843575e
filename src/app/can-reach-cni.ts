// can-reach beside CNI-specific policies (Cilium, Calico, Antrea): not modelled yet, so the ones
// that select either end are named, with what they select, as a note on the verdict.
import type { ResolvedEndpoint } from '../core/netpol/index.ts';
import { cniSelection } from '../core/netpol/cni-selection.ts';
import { cniLabel } from '../core/proof-cni.ts';
import type { ClusterState } from '../kube/state-file.ts';

/** CNI-specific policies that select either end: not modelled, so the verdict may differ under them. */
export function cniNotes(state: ClusterState, ends: ResolvedEndpoint[]): string[] {
  const out: string[] = [];
  for (const e of ends) {
    if (e.kind !== 'pod') continue;
    const pod = state.pods.find((p) => p.metadata.namespace === e.pod.namespace && p.metadata.name === e.pod.name);
    const ns = state.namespaces.find((n) => n.metadata.name === e.pod.namespace);
    if (!pod) continue;
    const target = { namespace: e.pod.namespace, podLabels: pod.metadata.labels ?? {}, namespaceLabels: { 'kubernetes.io/metadata.name': e.pod.namespace, ...ns?.metadata.labels } };
    for (const p of state.cniPolicies) {
      if (p.metadata.namespace && p.metadata.namespace !== e.pod.namespace) continue;
      const sel = cniSelection(p);
      if (sel.directions.length === 0 || !sel.selects(target)) continue;
      out.push(`${cniLabel(p)} selects pod ${e.pod.namespace}/${e.pod.name} (${sel.subject}, ${sel.directions.join('/').toLowerCase()}) and is not modelled: under it this verdict may differ`);
    }
  }
  return out;
}

