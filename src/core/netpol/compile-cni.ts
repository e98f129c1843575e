// CNI-specific policies of a cluster compiled into the tiers they join (tiers.ts): Cilium's,
// Calico's in the tiers its Tier objects order, and Antrea-native ones (ordered by the Antrea Tier
// objects read with them). A policy with parts the model cannot decide makes the proof say "not
// proven" for the pods it selects (proof-cni.ts).
import type { CniPolicy } from '../model.ts';
import { ipBlocksOf } from './address-space.ts';
import { compileCalico, isCalico, type CompiledCalico } from './compile-calico.ts';
import { arrangeTiers, calicoTies, DEFAULT_TIER, isCalicoTier, placePolicies, policyCompare, SIG_TIERS } from './calico-tiers.ts';
import { compileCilium, isCilium, type CiliumMode } from './compile-cilium.ts';
import { antreaOrder, antreaTiers, antreaTies, compileAntrea, isAntreaPolicy, type CompiledAntrea } from './compile-antrea.ts';
import { formatRange } from './ip.ts';
import type { CniTiers } from './tiers.ts';
import type { Cluster } from './types.ts';

/** The Calico policies compiled in the order given (what cannot be placed or ordered noted), and the tiers. */
function calicoAligned(policies: readonly CniPolicy[]) {
  const calico = policies.filter(isCalico).map(compileCalico);
  const tiers = arrangeTiers(policies);
  placePolicies(calico, tiers);
  calicoTies(calico);
  return { calico, tiers: tiers.tiers };
}

/** Antrea policies compiled in the order given (ties among them noted). */
function antreaAligned(policies: readonly CniPolicy[]): CompiledAntrea[] {
  const tiers = antreaTiers(policies);
  const antrea = policies.filter(isAntreaPolicy).map((p) => compileAntrea(p, tiers));
  antreaTies(antrea);
  return antrea;
}

export function compileCniTiers(cluster: Pick<Cluster, 'cniPolicies' | 'ciliumMode'>): CniTiers {
  const cilium = (cluster.cniPolicies ?? []).filter(isCilium).flatMap(compileCilium);
  const { calico, tiers } = calicoAligned(cluster.cniPolicies ?? []);
  const placed = new Set(tiers.map((t) => t.name).filter((t) => !SIG_TIERS.has(t)));
  const sorted = [...calico].sort(policyCompare);
  const antrea = antreaAligned(cluster.cniPolicies ?? []).sort(antreaOrder);
  return {
    cilium,
    ciliumMode: cluster.ciliumMode ?? 'default',
    calico: sorted.filter((c) => c.tier === DEFAULT_TIER),
    // A policy of a tier that cannot be placed joins no tier: the proof says "not proven" for its pods.
    calicoOther: sorted.filter((c) => c.tier !== DEFAULT_TIER && placed.has(c.tier)),
    calicoTiers: tiers.filter((t) => t.name !== DEFAULT_TIER),
    antrea,
  };
}

/** The CIDRs of the CNI rules, for address-space.ts to cut the outside world on. */
export function cniBlocks(t: CniTiers): ReturnType<typeof ipBlocksOf> {
  const calico = [...t.calico, ...t.calicoOther].flatMap((c) => [...c.rules.Ingress, ...c.rules.Egress].flatMap((r) => r.nets)).map((cidr) => ({ kind: 'ipBlock' as const, cidr, except: [], text: formatRange(cidr) }));
  return ipBlocksOf([...t.cilium, { rules: { Ingress: [{ peers: calico }], Egress: [] } }, ...t.antrea]);
}

const memo = new WeakMap<readonly CniPolicy[], Map<string, Map<CniPolicy, string[] | undefined>>>();

/**
 * Per policy: undefined when it is modelled exactly (it joins the comparison, or is not enforced:
 * Cilium with enable-policy=never); otherwise why not ([] for a kind that is not modelled at all).
 */
export function unmodelledParts(policies: readonly CniPolicy[], mode: CiliumMode | undefined): Map<CniPolicy, string[] | undefined> {
  const byMode = memo.get(policies) ?? new Map<string, Map<CniPolicy, string[] | undefined>>();
  memo.set(policies, byMode);
  const known = byMode.get(mode ?? 'default');
  if (known) return known;
  const out = new Map<CniPolicy, string[] | undefined>();
  const calicoPolicies = policies.filter(isCalico);
  const compiled = calicoAligned(policies).calico;
  const calico = new Map(calicoPolicies.map((p, i) => [p, compiled[i]!] as const));
  const antreaPolicies = policies.filter(isAntreaPolicy);
  const antreaCompiled = antreaAligned(policies);
  const antrea = new Map(antreaPolicies.map((p, i) => [p, antreaCompiled[i]!] as const));
  for (const p of policies) {
    let parts: string[] | undefined = [];
    if (isCilium(p)) parts = mode === 'never' ? undefined : compileCilium(p).flatMap((u) => u.unmodelled);
    else if (isCalico(p)) parts = calico.get(p)!.unmodelled;
    else if (isAntreaPolicy(p)) parts = antrea.get(p)!.unmodelled;
    // A Tier (Calico's or Antrea's) only orders the policies, which carry what cannot be placed.
    const tier = isCalicoTier(p) || p.kind === 'AntreaTier';
    out.set(p, tier || (parts && parts.length === 0 && (isCilium(p) || isCalico(p) || isAntreaPolicy(p))) ? undefined : parts);
  }
  byMode.set(mode ?? 'default', out);
  return out;
}
