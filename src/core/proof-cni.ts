// CNI-specific policy kinds (Cilium, Calico, Antrea) are read but not modelled yet: wherever one
// selects or may select pods of a namespace, the proof says "not proven" there, never "unchanged".
// Until selection is evaluated per kind, a namespaced policy counts for its own namespace and a
// cluster-wide one for every namespace (an over-approximation: it never misses a pod).
import type { CniPolicy, Namespace } from './model.ts';
import type { ProofState } from './proof.ts';

const CLUSTER_WIDE = new Set<CniPolicy['kind']>(['CiliumClusterwideNetworkPolicy', 'CalicoGlobalNetworkPolicy', 'AntreaClusterNetworkPolicy']);

export function cniLabel(p: CniPolicy): string {
  return p.metadata.namespace ? `${p.kind} ${p.metadata.namespace}/${p.metadata.name}` : `${p.kind} ${p.metadata.name}`;
}

export function cniReasons(state: Pick<ProofState, 'cniPolicies'>, ns: Namespace): string[] {
  const name = ns.metadata.name;
  return state.cniPolicies
    .filter((p) => (CLUSTER_WIDE.has(p.kind) ? true : p.metadata.namespace === name))
    .map((p) => `not proven: ${cniLabel(p)} ${CLUSTER_WIDE.has(p.kind) ? 'may select' : 'selects'} pods here and is not modelled`);
}
