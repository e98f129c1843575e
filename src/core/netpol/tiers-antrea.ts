// Antrea's tiers in the tiered model (compile-antrea.ts says why each rule is as it is): every
// Tier but baseline as one first-match list ahead of the NetworkPolicy tier, the baseline Tier as
// another after it. A Pass takes its ports out of the rest of the first list only: they go on to
// the NetworkPolicies, then to the baseline Tier. Ingress from the pod's own node is not decided
// here: Antrea always allows it ("Node to Pods running on that Node … will always be allowed").
import type { Labels, Pod, Protocol } from '../model.ts';
import type { Peer } from './cluster-index.ts';
import { antreaRulePorts, formatAntreaRule, type AntreaRule, type CompiledAntrea } from './compile-antrea.ts';
import { intersect, NO_PORTS, subtract, union, type PortSet } from './ports.ts';
import type { Segment } from './tiers.ts';
import type { Direction } from './types.ts';

/** One policy with the rules of it that apply to one pod. */
export interface AntreaApplied {
  policy: CompiledAntrea;
  rules: Record<Direction, AntreaRule[]>;
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
    if (ingress || egress) out.push({ policy, rules: { Ingress: ingress ?? NONE, Egress: egress ?? NONE } });
  }
  byPod.set(pod, out);
  return out;
}

/** Decides what it can of `open` in the baseline Tier or in the ones before it; returns what is left open. */
export function judgeAntrea(d: Direction, applied: AntreaApplied[], baseline: boolean, subject: Pod, peer: Peer, protocol: Protocol, destination: Pod | undefined, open: PortSet, segments: Segment[]): PortSet {
  if (d === 'Ingress' && peer.kind === 'node' && peer.node !== undefined && peer.node === subject.nodeName) return open;
  let passed: PortSet = NO_PORTS;
  for (const { policy, rules } of applied) {
    if (policy.baseline !== baseline) continue;
    for (const rule of rules[d]) {
      if (open.length === 0) return open;
      const ports = subtract(intersect(antreaRulePorts(rule, peer, protocol, destination, subject), open), passed);
      if (ports.length === 0) continue;
      if (rule.action === 'Pass') {
        passed = union(passed, ports);
        continue;
      }
      segments.push({ ports, allowed: rule.action === 'Allow', decider: { tier: 'Antrea', action: rule.action, policy: policy.ref, rule: rule.field, antreaTier: policy.tier, text: formatAntreaRule(policy, d, rule) } });
      open = subtract(open, ports);
    }
  }
  return open;
}

/** Could the baseline Tier deny anything for this pod in this direction? */
export function antreaBaselineDenies(applied: AntreaApplied[], d: Direction): boolean {
  return applied.some((a) => a.policy.baseline && a.rules[d].some((r) => r.action === 'Drop' || r.action === 'Reject'));
}
