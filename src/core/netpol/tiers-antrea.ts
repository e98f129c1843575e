// Antrea's tiers in the tiered model (compile-antrea.ts says why each rule is as it is): every
// Tier but baseline as one first-match list ahead of the NetworkPolicy tier, the baseline Tier as
// another after it. A Pass takes its ports out of the rest of the first list only: they go on to
// the NetworkPolicies, then to the baseline Tier. In a cluster with Antrea policies the SIG Admin
// tier joins the first list where Antrea runs it (Tier priority 220 for ClusterNetworkPolicy, 251
// for AdminNetworkPolicy, after every Antrea Tier but baseline). Ingress from the pod's own node is not decided
// here: Antrea always allows it ("Node to Pods running on that Node … will always be allowed").
import type { Labels, Pod, Protocol } from '../model.ts';
import { namespaceOf, type Peer } from './cluster-index.ts';
import { antreaRulePorts, formatAntreaRule, type AntreaRule, type CompiledAntrea } from './compile-antrea.ts';
import { intersect, NO_PORTS, subtract, union, type PortSet } from './ports.ts';
import type { ClusterRule, CompiledClusterPolicy } from './compile-cluster.ts';
import type { Pass, Segment } from './tiers.ts';
import type { Direction } from './types.ts';

/** One policy with the rules of it that apply to one pod, and the namespace that pod counts as in. */
export interface AntreaApplied {
  policy: CompiledAntrea;
  rules: Record<Direction, AntreaRule[]>;
  namespace: string;
}

// The views before and after a change share the compiled policies, so one answer per pod serves both.
const memo = new WeakMap<readonly CompiledAntrea[], WeakMap<Pod, AntreaApplied[]>>();
const NONE: AntreaRule[] = [];

export function antreaSelecting(all: readonly CompiledAntrea[], pod: Pod, labels: Labels): AntreaApplied[] {
  if (all.length === 0) return [];
  const byPod = memo.get(all) ?? new WeakMap<Pod, AntreaApplied[]>();
  memo.set(all, byPod);
  const known = byPod.get(pod);
  if (known) return known;
  const out: AntreaApplied[] = [];
  for (const policy of all) {
    let ingress: AntreaRule[] | undefined;
    let egress: AntreaRule[] | undefined;
    for (const r of policy.rules.Ingress) if (r.applies(pod, labels)) (ingress ??= []).push(r);
    for (const r of policy.rules.Egress) if (r.applies(pod, labels)) (egress ??= []).push(r);
    if (ingress || egress) out.push({ policy, rules: { Ingress: ingress ?? NONE, Egress: egress ?? NONE }, namespace: namespaceOf(pod, labels) });
  }
  byPod.set(pod, out);
  return out;
}

/** One direction's judgement in progress (tiers.ts judgeTiers). */
export interface Judging {
  d: Direction;
  subject: Pod;
  peer: Peer;
  protocol: Protocol;
  destination: Pod | undefined;
  segments: Segment[];
  passes: Pass[];
}

/** The SIG Admin tier as Antrea runs it: one Tier among its own (pkg/controller/networkpolicy). */
const ADMIN_TIER_PRIORITY: Record<string, number> = { ClusterNetworkPolicy: 220, AdminNetworkPolicy: 251 };

type Unit = { tier: number; priority: number } & ({ antrea: AntreaApplied } | { admin: CompiledClusterPolicy });

const NO_ADMIN: CompiledClusterPolicy[] = [];
// Per pod (both inputs are the pod's, cached by the view): one sorted list, not one per connection.
const units = { regular: new WeakMap<AntreaApplied[], WeakMap<CompiledClusterPolicy[], Unit[]>>(), baseline: new WeakMap<AntreaApplied[], WeakMap<CompiledClusterPolicy[], Unit[]>>() };

function unitsOf(applied: AntreaApplied[], baseline: boolean, admin: CompiledClusterPolicy[]): Unit[] {
  const memo = units[baseline ? 'baseline' : 'regular'];
  const byAdmin = memo.get(applied) ?? new WeakMap<CompiledClusterPolicy[], Unit[]>();
  memo.set(applied, byAdmin);
  let found = byAdmin.get(admin);
  if (!found) {
    found = [
      ...applied.filter((a) => a.policy.baseline === baseline).map((a) => ({ tier: a.policy.tierPriority, priority: a.policy.priority, antrea: a })),
      ...admin.map((c) => ({ tier: ADMIN_TIER_PRIORITY[c.ref.kind] ?? 220, priority: c.ref.priority, admin: c })),
    ].sort((a, b) => a.tier - b.tier || a.priority - b.priority);
    byAdmin.set(admin, found);
  }
  return found;
}

/**
 * Decides what it can of `open` in the baseline Tier, or in the Tiers before it together with the
 * SIG Admin tier (`admin`, its policies; `adminPorts`, where one of their rules matches): one
 * first-match list by Tier priority, then policy priority. Returns what is left open.
 */
export function judgeAntrea(j: Judging, applied: AntreaApplied[], baseline: boolean, open: PortSet, admin: CompiledClusterPolicy[] = NO_ADMIN, adminPorts?: (rule: ClusterRule) => PortSet): PortSet {
  const ownNode = j.d === 'Ingress' && j.peer.kind === 'node' && j.peer.node !== undefined && j.peer.node === j.subject.nodeName;
  let passed: PortSet = NO_PORTS;
  // The ports a rule matches that are still open and not passed on: decided here, or (no decider:
  // a Pass) passed on to the NetworkPolicies.
  const take = (matched: PortSet, decider: Segment['decider'] | undefined, onPass: (ports: PortSet) => void = () => {}) => {
    const ports = subtract(intersect(matched, open), passed);
    if (ports.length === 0) return;
    if (!decider) {
      passed = union(passed, ports);
      onPass(ports);
      return;
    }
    j.segments.push({ ports, allowed: decider.action === 'Allow', decider });
    open = subtract(open, ports);
  };
  for (const u of unitsOf(applied, baseline, admin)) {
    if ('antrea' in u) {
      if (ownNode) continue;
      const { policy, rules } = u.antrea;
      for (const rule of rules[j.d]) {
        if (open.length === 0) return open;
        const matched = antreaRulePorts(rule, j.peer, j.protocol, j.destination, u.antrea.namespace);
        take(matched, rule.action === 'Pass' ? undefined : { tier: 'Antrea', action: rule.action, policy: policy.ref, rule: rule.field, antreaTier: policy.tier, text: formatAntreaRule(policy, j.d, rule) });
      }
    } else {
      const c = u.admin;
      for (const rule of c.rules[j.d]) {
        if (open.length === 0) return open;
        const at = { policy: c.ref, rule: rule.index, ...(rule.name ? { ruleName: rule.name } : {}) };
        take(adminPorts!(rule), rule.action === 'Pass' ? undefined : { tier: 'Admin', action: rule.action, ...at }, (ports) => j.passes.push({ ports, ...at }));
      }
    }
  }
  return open;
}

/**
 * Must the Admin tier be judged in Antrea's order for this pod? Only where it can differ from the
 * SIG order (priority first): Antrea rules apply to the pod, or both Admin kinds (220 and 251) do.
 */
export function antreaOrdersAdmin(antreaCluster: boolean, applied: AntreaApplied[], admin: CompiledClusterPolicy[]): boolean {
  return antreaCluster && (applied.length > 0 || new Set(admin.map((c) => ADMIN_TIER_PRIORITY[c.ref.kind])).size > 1);
}

/** Could the baseline Tier deny anything for this pod in this direction? */
export function antreaBaselineDenies(applied: AntreaApplied[], d: Direction): boolean {
  return applied.some((a) => a.policy.baseline && a.rules[d].some((r) => r.action === 'Drop' || r.action === 'Reject'));
}
