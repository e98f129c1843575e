// Why the model cannot vouch for a namespace: CNI policies (Cilium, Calico, Antrea) with parts it
// does not model that select or may select pods there, Baseline-tier rules it cannot evaluate, Baseline
// policies whose relative order the API leaves open, and policy APIs it could not read. Future pods
// may carry any labels, so a policy counts here when its namespace part can match the namespace.
import type { ClusterPolicy, LabelSelector, Namespace, NetworkPolicy } from './model.ts';
import { compileSelector, matchesSelector, satisfyingLabels } from './netpol/selector.ts';
import { cniReasons } from './proof-cni.ts';
import type { ProofState } from './proof.ts';

const NAME_LABEL = 'kubernetes.io/metadata.name';

function namespaceMatches(s: LabelSelector, ns: Namespace): boolean {
  return matchesSelector(compileSelector(s), { [NAME_LABEL]: ns.metadata.name, ...ns.metadata.labels });
}

/** Can this policy's subject contain a pod of `ns`, for some pod labels? */
function mayApplyTo(p: ClusterPolicy, ns: Namespace): boolean {
  const s = p.spec.subject;
  if ('namespaces' in s) return namespaceMatches(s.namespaces, ns);
  return namespaceMatches(s.pods.namespaceSelector, ns) && satisfyingLabels(s.pods.podSelector) !== undefined;
}

function hasUnmodelled(p: ClusterPolicy, d: 'ingress' | 'egress'): boolean {
  return p.spec[d].some((r) => r.peers.some((x) => 'domainNames' in x));
}

/** The template selects no pod at all (a contradictory selector): it changes nothing under any model. */
export function selectsNoPod(template: NetworkPolicy | undefined): boolean {
  return template !== undefined && satisfyingLabels(template.spec.podSelector) === undefined;
}

export function unprovenForNamespace(state: ProofState, ns: Namespace, template: NetworkPolicy | undefined): string[] {
  if (selectsNoPod(template)) return [];
  const out: string[] = [];
  // Tiers only order Calico's policies: without them a policy of another tier is "not proven"
  // on its own (calico-tiers.ts), and the default tier needs none.
  for (const api of state.unreadable.filter((a) => a.kind !== 'CalicoTier')) {
    out.push(`could not read ${api.resource}.${api.group} (${api.message ?? 'unreadable'}): the proof does not cover ${api.kind} objects`);
  }
  // Admin-tier rules decide the same connections before and after a NetworkPolicy change, so only
  // the Baseline tier can make the model wrong here (see netpol/tiers.ts unprovenReasons).
  const baseline = state.clusterPolicies.filter((p) => p.spec.tier === 'Baseline' && mayApplyTo(p, ns));
  for (const p of baseline) {
    for (const d of ['ingress', 'egress'] as const) {
      if (hasUnmodelled(p, d)) out.push(`${p.kind}/${p.metadata.name} has ${d} rules with domainNames peers, which the proof cannot evaluate (Baseline tier)`);
    }
  }
  for (let i = 0; i < baseline.length; i++) {
    for (let j = i + 1; j < baseline.length; j++) {
      const [a, b] = [baseline[i]!, baseline[j]!];
      if (a.spec.priority !== b.spec.priority) continue;
      const overlap = (['ingress', 'egress'] as const).some((d) => a.spec[d].length > 0 && b.spec[d].length > 0);
      if (overlap) out.push(`${a.kind}/${a.metadata.name} and ${b.kind}/${b.metadata.name} share priority ${a.spec.priority} in the Baseline tier and may both apply here; their order is up to the implementation`);
    }
  }
  out.push(...cniReasons(state, ns));
  return out;
}
