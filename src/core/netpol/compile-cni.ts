// CNI-specific policies of a cluster compiled into the tiers they join (tiers.ts). Only Cilium's
// are modelled; Calico and Antrea objects stay outside the model and the proof says "not proven"
// for the pods they select (proof-cni.ts).
import { compileCilium, isCilium } from './compile-cilium.ts';
import type { CniTiers } from './tiers.ts';
import type { Cluster } from './types.ts';

export function compileCniTiers(cluster: Pick<Cluster, 'cniPolicies' | 'ciliumMode'>): CniTiers {
  const cilium = (cluster.cniPolicies ?? []).filter(isCilium).flatMap(compileCilium);
  return { cilium, ciliumMode: cluster.ciliumMode ?? 'default' };
}
