// The tiered model: Admin (first match, by priority) → CiliumDeny (first match, every rule a Deny)
// → NetworkPolicy (union of the allow rules of the isolating NetworkPolicies and of every Cilium
// rule selecting the pod; isolated when either isolates) → Baseline (first match, by priority) →
// Default (allowed), as the SIG network-policy-api and docs.cilium.io specify. Without Cilium
// policies (or with enable-policy=never) the Cilium parts are empty and the SIG model is unchanged.
// Calico's default tier stands in for the NetworkPolicy tier where one of its policies applies, and
// its other tiers go before, between or after these by order (calico-tiers.ts, tiers-calico.ts).
// Every decision is a set of ports with the rule that decided it, so the evaluator (one port) and
// the exact comparison (all ports) share this code.
import type { Labels, Pod, Protocol } from '../model.ts';
import type { ClusterIndex, Peer } from './cluster-index.ts';
import { compileClusterPolicy, tierOrder, type ClusterPeer, type ClusterRule, type CompiledClusterPolicy } from './compile-cluster.ts';
import type { CompiledPolicy } from './compile.ts';
import type { PolicyIndex } from './policy-index.ts';
import { judge, peerMatches, portsOf, selects, type Judgement } from './match.ts';
import { ALL_PORTS, intersect, NO_PORTS, subtract, union, type PortSet } from './ports.ts';
import { matchesSelector } from './selector.ts';
import type { ClusterPolicyRef, Decider, Direction } from './types.ts';
import type { ClusterPolicy } from '../model.ts';
import { ciliumSelects, formatCiliumRule, formatCniRef, type CiliumMode, type CompiledCilium } from './compile-cilium.ts';
import { ciliumRulePorts } from './match-cilium.ts';
import type { CompiledCalico } from './compile-calico.ts';
import { appliesCalico, calicoAllowsAll, judgeCalicoTier, judgeCalicoTiers, laterCalicoTierApplies } from './tiers-calico.ts';
import type { CalicoTier } from './calico-tiers.ts';
import type { CompiledAntrea } from './compile-antrea.ts';
import { antreaBaselineDenies, antreaOrdersAdmin, antreaSelecting, judgeAntrea, type AntreaApplied, type Judging } from './tiers-antrea.ts';

/** The policies of each tier that select one pod, in evaluation order. */
export interface Selection {
  np: CompiledPolicy[];
  admin: CompiledClusterPolicy[];
  baseline: CompiledClusterPolicy[];
  /** Cilium rules selecting the pod (none when the agent's mode is `never`). */
  cilium: CompiledCilium[];
  /** enable-policy=always: every pod is isolated in both directions. */
  alwaysIsolated: boolean;
  /** Calico default-tier policies selecting the pod, by order. */
  calico: CompiledCalico[];
  /** Calico policies of the other tiers selecting the pod, by order, and those tiers in order. */
  calicoOther: CompiledCalico[];
  calicoTiers: CalicoTier[];
  /** Antrea-native policies with rules applying to the pod, in evaluation order. */
  antrea: AntreaApplied[];
  /** The cluster has Antrea policies and Antrea's order of the Admin tier matters here (tiers-antrea.ts). */
  antreaOrdersAdmin: boolean;
}

/** Cilium policies and the agent's enforcement mode, the same before and after any change we compare. */
export interface CniTiers {
  cilium: CompiledCilium[];
  ciliumMode: CiliumMode;
  /** Calico's default tier, by order (compile-cni.ts). */
  calico: CompiledCalico[];
  /** Calico's other tiers: their policies by order, the tiers in evaluation order (calico-tiers.ts). */
  calicoOther: CompiledCalico[];
  calicoTiers: CalicoTier[];
  /** By Tier priority, then policy priority (compile-antrea.ts). */
  antrea: CompiledAntrea[];
}

export const NO_CNI: CniTiers = { cilium: [], ciliumMode: 'default', calico: [], calicoOther: [], calicoTiers: [], antrea: [] };

/** One policy set (NetworkPolicies plus the cluster-wide tiers) over one cluster; per-pod caches. */
export interface TieredView {
  policies: PolicyIndex;
  cluster: CompiledClusterPolicy[];
  cni: CniTiers;
  selecting(pod: Pod): Selection;
}

export function compileClusterPolicies(policies: readonly ClusterPolicy[]): CompiledClusterPolicy[] {
  return policies.map(compileClusterPolicy).sort(tierOrder);
}

export function subjectSelects(p: CompiledClusterPolicy, pod: Pod, namespaceLabels: Labels): boolean {
  // Subjects never include hostNetwork pods (the API says so).
  return pod.hostNetwork !== true && matchesSelector(p.subject.namespaces, namespaceLabels) && matchesSelector(p.subject.pods, pod.metadata.labels ?? {});
}

export function tieredView(policies: PolicyIndex, cluster: CompiledClusterPolicy[], index: Pick<ClusterIndex, 'namespaceLabels'>, cni: CniTiers = NO_CNI): TieredView {
  const cilium = cni.ciliumMode === 'never' ? [] : cni.cilium;
  const cache = new Map<Pod, Selection>();
  return {
    policies,
    cluster,
    cni,
    selecting(pod) {
      let found = cache.get(pod);
      if (!found) {
        const labels = index.namespaceLabels(pod.metadata.namespace);
        const chosen = cluster.filter((c) => subjectSelects(c, pod, labels));
        const admin = chosen.filter((c) => c.ref.tier === 'Admin');
        const antrea = antreaSelecting(cni.antrea, pod, labels);
        found = {
          // A NetworkPolicy selects pods of its own namespace only: look at those alone.
          np: policies.in(pod.metadata.namespace).filter((p) => selects(p, pod)),
          admin,
          baseline: chosen.filter((c) => c.ref.tier === 'Baseline'),
          cilium: cilium.filter((u) => ciliumSelects(u, pod, labels)),
          alwaysIsolated: cni.ciliumMode === 'always' && pod.hostNetwork !== true,
          calico: cni.calico.filter((c) => c.selects(pod, labels)),
          calicoOther: cni.calicoOther.filter((c) => c.selects(pod, labels)),
          calicoTiers: cni.calicoTiers,
          antrea,
          antreaOrdersAdmin: antreaOrdersAdmin(cni.antrea.length > 0, antrea, admin),
        };
        cache.set(pod, found);
      }
      return found;
    },
  };
}

function clusterPeerMatches(peer: ClusterPeer, target: Peer): boolean {
  if (peer.kind === 'nodes') return target.kind === 'node' && target.nodeLabels !== undefined && matchesSelector(peer.selector, target.nodeLabels);
  if (peer.kind === 'unmodelled') return false; // see unprovenReasons: the proof never relies on this
  return peerMatches(peer, target);
}

function clusterRulePorts(rule: ClusterRule, target: Peer, protocol: Protocol, destination: Pod | undefined): PortSet {
  if (rule.peers !== 'all' && !rule.peers.some((p) => clusterPeerMatches(p, target))) return NO_PORTS;
  return portsOf(rule.ports, protocol, destination);
}

export interface Segment {
  ports: PortSet;
  allowed: boolean;
  decider: Decider;
}

export interface Pass {
  ports: PortSet;
  policy: ClusterPolicyRef;
  rule: number;
  ruleName?: string;
}

/** One direction judged through every tier: disjoint segments covering all ports, and the Pass rules met. */
export interface TieredJudgement {
  np: Judgement;
  segments: Segment[];
  passes: Pass[];
  /** Cilium allow rules that matched in the NetworkPolicy tier, with their ports (for can-reach). */
  ciliumMatches: { text: string; ports: PortSet }[];
}

export function judgeTiers(direction: Direction, subject: Pod, sel: Selection, peer: Peer, protocol: Protocol): TieredJudgement {
  const np = judge(direction, subject, sel.np, peer, protocol);
  const destination = direction === 'Ingress' ? subject : peer.kind === 'pod' ? peer.pod : undefined;
  const segments: Segment[] = [];
  const passes: Pass[] = [];
  const ciliumMatches: TieredJudgement['ciliumMatches'] = [];
  let open: PortSet = ALL_PORTS;

  const firstMatch = (tier: 'Admin' | 'Baseline', policies: CompiledClusterPolicy[]) => {
    let passed: PortSet = NO_PORTS; // a Pass skips the rest of this tier only
    for (const policy of policies) {
      for (const rule of policy.rules[direction]) {
        const ports = subtract(intersect(clusterRulePorts(rule, peer, protocol, destination), open), passed);
        if (ports.length === 0) continue;
        const at = { policy: policy.ref, rule: rule.index, ...(rule.name ? { ruleName: rule.name } : {}) };
        if (rule.action === 'Pass') {
          passed = union(passed, ports);
          passes.push({ ports, ...at });
          continue;
        }
        segments.push({ ports, allowed: rule.action === 'Allow', decider: { tier, action: rule.action, ...at } });
        open = subtract(open, ports);
        if (open.length === 0) return;
      }
    }
  };

  // Calico's other tiers by order, around the SIG tiers where Calico puts them (calico-tiers.ts).
  const calicoSlot = (slot: CalicoTier['slot']) => {
    if (open.length > 0 && sel.calicoOther.length > 0) open = judgeCalicoTiers(direction, sel, slot, peer, protocol, destination, open, segments);
  };
  // Only built where Antrea rules apply: judgeTiers runs once per pair of ends and protocol.
  const antrea = (): Judging => ({ d: direction, subject, peer, protocol, destination, segments, passes });
  calicoSlot(0);
  // With Antrea policies in the cluster, Antrea's Tiers before baseline and the Admin tier are one
  // list before the NetworkPolicies, in Antrea's order (tiers-antrea.ts).
  if (sel.antreaOrdersAdmin) open = judgeAntrea(antrea(), sel.antrea, false, open, sel.admin, (rule) => clusterRulePorts(rule, peer, protocol, destination));
  else firstMatch('Admin', sel.admin);
  calicoSlot(1);
  // Cilium deny rules win over every allow, Kubernetes NetworkPolicies included.
  for (const u of sel.cilium) {
    for (const rule of u.deny[direction]) {
      if (open.length === 0) break;
      const ports = intersect(ciliumRulePorts(rule, peer, protocol, destination, subject), open);
      if (ports.length === 0) continue;
      segments.push({ ports, allowed: false, decider: { tier: 'CiliumDeny', action: 'Deny', policy: u.ref, rule: rule.field, text: formatCiliumRule(u.ref, rule) } });
      open = subtract(open, ports);
    }
  }
  // A pod isolated by a NetworkPolicy or a Cilium rule is decided in that tier: the Baseline tier
  // never sees it. Without Cilium, `cni` stays absent and this is the SIG NetworkPolicy tier.
  const ciliumIsolating = sel.cilium.filter((u) => u.isolates[direction]);
  const cniIsolated = ciliumIsolating.length > 0 || sel.alwaysIsolated;
  if (open.length > 0 && appliesCalico(sel.calico, direction).length > 0) {
    open = judgeCalicoTier(direction, sel.calico, np, peer, protocol, destination, open, segments);
  } else if (open.length > 0 && (np.isolatedBy.length > 0 || cniIsolated)) {
    let allowed = np.ownNode ? ALL_PORTS : np.matches.reduce<PortSet>((acc, m) => union(acc, m.ports), NO_PORTS);
    const allowedBy: string[] = [];
    for (const u of sel.cilium) {
      for (const rule of u.allow[direction]) {
        const ports = intersect(ciliumRulePorts(rule, peer, protocol, destination, subject), open);
        if (ports.length === 0) continue;
        allowed = union(allowed, ports);
        allowedBy.push(formatCiliumRule(u.ref, rule));
        ciliumMatches.push({ text: formatCiliumRule(u.ref, rule), ports });
      }
    }
    const isolatedBy = np.isolatedBy.map((p) => p.ref);
    const cni = cniIsolated || allowedBy.length > 0
      ? { cni: { isolatedBy: [...ciliumIsolating.map((u) => `${formatCniRef(u.ref)} ${u.ref.part}`), ...(sel.alwaysIsolated ? ['Cilium enable-policy=always'] : [])], allowedBy } }
      : {};
    const yes = intersect(open, allowed);
    const no = subtract(open, allowed);
    if (yes.length > 0) segments.push({ ports: yes, allowed: true, decider: { tier: 'NetworkPolicy', action: 'Allow', isolatedBy, ...cni } });
    if (no.length > 0) segments.push({ ports: no, allowed: false, decider: { tier: 'NetworkPolicy', action: 'Deny', isolatedBy, ...cni } });
    open = NO_PORTS;
  }
  calicoSlot(2);
  // Antrea's baseline Tier (priority 253) before the SIG Baseline tier (Antrea runs it at 254).
  if (open.length > 0 && sel.antrea.length > 0) open = judgeAntrea(antrea(), sel.antrea, true, open);
  if (open.length > 0) firstMatch('Baseline', sel.baseline);
  calicoSlot(3);
  if (open.length > 0) segments.push({ ports: open, allowed: true, decider: { tier: 'Default', action: 'Allow' } });
  return { np, segments, passes, ciliumMatches };
}

export function allowedPortsOf(j: TieredJudgement): PortSet {
  return j.segments.reduce<PortSet>((acc, s) => (s.allowed ? union(acc, s.ports) : acc), NO_PORTS);
}

/**
 * Conservative and cheap: does everything that reaches the NetworkPolicy tier come out allowed,
 * whatever the peer? True when the pod is isolated by a rule with no peers and no ports, or when it
 * is not isolated and no Baseline policy selecting it has a Deny rule in this direction. (Pass in
 * the Baseline tier hands over to Default, which allows.) False means "maybe not", never "no".
 */
export function allowsFromNetworkPolicyTier(sel: Selection, d: Direction): boolean {
  const isolating = sel.np.filter((p) => p.isolates[d]);
  // Calico: when the first rule met in its default tier allows everything, every port reaching
  // the tier is allowed; ports decided earlier are the same on both sides, so after ⊇ before.
  if (appliesCalico(sel.calico, d).length > 0) return sel.cilium.length === 0 && !sel.alwaysIsolated && calicoAllowsAll(sel.calico, isolating, d);
  if (isolating.length > 0 || sel.alwaysIsolated || sel.cilium.some((u) => u.isolates[d])) {
    // Cilium allow rules join the union whether or not their policy isolates: an allow-all one counts.
    return isolating.some((p) => p.rules[d].some((r) => r.peers === 'all' && r.ports === 'all'))
      || sel.cilium.some((u) => u.allow[d].some((r) => r.ports === 'all' && (r.peers === 'all' || r.peers.some((x) => x.kind === 'entity' && x.entity === 'all'))));
  }
  // Not isolated: what reaches the tier goes on to Calico's later tiers, Antrea's baseline Tier and the Baseline tier.
  return !laterCalicoTierApplies(sel, d) && !sel.baseline.some((b) => b.rules[d].some((r) => r.action === 'Deny')) && !antreaBaselineDenies(sel.antrea, d);
}

/**
 * Why the model cannot vouch for this pod's side when its NetworkPolicy tier changes. Admin-tier
 * rules are the same before and after such a change and decide the same connections, so only the
 * Baseline tier matters: rules that cannot be evaluated (domain names), and policies of equal
 * priority whose order the API leaves to the implementation.
 */
export function unprovenReasons(sel: Selection, d: Direction): string[] {
  const out: string[] = [];
  for (const b of sel.baseline) for (const u of b.unmodelled[d]) out.push(`${u}, which the proof cannot evaluate`);
  const withRules = sel.baseline.filter((b) => b.rules[d].length > 0);
  for (let i = 1; i < withRules.length; i++) {
    const [a, b] = [withRules[i - 1]!, withRules[i]!];
    if (a.ref.priority === b.ref.priority) {
      out.push(`${a.ref.kind}/${a.ref.name} and ${b.ref.kind}/${b.ref.name} share priority ${a.ref.priority} in the Baseline tier, so their order is up to the implementation`);
    }
  }
  return out;
}
