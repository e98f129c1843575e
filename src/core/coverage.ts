// Which cluster-wide policies apply to a namespace's pods, for audit notes ("covered by
// ClusterNetworkPolicy X, Baseline tier"), the opt-in COVERED status and the placeholder-overrides
// note. Pure. CIS 5.3.2 itself counts NetworkPolicy objects only; this is context, never the verdict
// unless the user opts in.
import type { ClusterPolicy, CniPolicy, LabelSelector, Namespace } from './model.ts';
import { cniSelection } from './netpol/cni-selection.ts';
import { compileSelector, matchesSelector, satisfyingLabels } from './netpol/selector.ts';

const NAME_LABEL = 'kubernetes.io/metadata.name';

export interface Coverage {
  /** e.g. "ClusterNetworkPolicy default-deny (Baseline tier, priority 10)" */
  label: string;
  kind: string;
  name: string;
  /** SIG tier, or the CNI kind's own word for where it sits. */
  tier: 'Admin' | 'Baseline' | 'CNI';
  /** Has a Deny rule (SIG kinds): an allow-all NetworkPolicy placeholder overrides it when Baseline. */
  denies: boolean;
}

function nsLabels(ns: Namespace): Record<string, string> {
  return { [NAME_LABEL]: ns.metadata.name, ...ns.metadata.labels };
}

function matches(s: LabelSelector, ns: Namespace): boolean {
  return matchesSelector(compileSelector(s), nsLabels(ns));
}

/** SIG policies whose subject can hold pods of this namespace and that have rules. */
export function clusterCoverage(policies: readonly ClusterPolicy[], ns: Namespace): Coverage[] {
  return policies
    .filter((p) => p.spec.ingress.length + p.spec.egress.length > 0)
    .filter((p) => {
      const s = p.spec.subject;
      return 'namespaces' in s ? matches(s.namespaces, ns) : matches(s.pods.namespaceSelector, ns) && satisfyingLabels(s.pods.podSelector) !== undefined;
    })
    .map((p) => ({
      label: `${p.kind} ${p.metadata.name} (${p.spec.tier} tier, priority ${p.spec.priority})`,
      kind: p.kind,
      name: p.metadata.name,
      tier: p.spec.tier,
      denies: [...p.spec.ingress, ...p.spec.egress].some((r) => r.action === 'Deny'),
    }));
}

/** CNI policies in this namespace, or cluster-wide ones that select its pods (label-less pods as the probe). */
export function cniCoverage(policies: readonly CniPolicy[], ns: Namespace): Coverage[] {
  const name = ns.metadata.name;
  return policies
    .filter((p) => {
      if (p.metadata.namespace) return p.metadata.namespace === name;
      const sel = cniSelection(p);
      return sel.directions.length > 0 && sel.selects({ namespace: name, podLabels: {}, namespaceLabels: nsLabels(ns) });
    })
    .map((p) => ({ label: `${p.kind} ${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name}`, kind: p.kind, name: p.metadata.name, tier: 'CNI' as const, denies: false }));
}
