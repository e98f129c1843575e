// Calico's tiers. The `default` tier stands in for the NetworkPolicy tier when a Calico policy
// applies to the pod in this direction: policies by order, the Kubernetes NetworkPolicies at order
// 1000 (their rules all Allow, so as one block), first match wins, Log goes on, Pass leaves the
// tier, and what no rule decides is denied at the end of the tier (some policy of it applies here).
// Every other tier works the same without the NetworkPolicies and ends with its defaultAction
// (Deny or Pass); a tier with no policy for the pod in this direction is skipped (felix renders
// no rule for it).
// Kubernetes' own-node exception is not granted here: whether Calico admits host traffic to an
// isolated pod depends on Felix settings we do not read, and denying it can only make the proof
// report a change (refuse), never hide one.
import type { Pod, Protocol } from '../model.ts';
import type { Peer } from './cluster-index.ts';
import type { CompiledCalico } from './compile-calico.ts';
import type { CalicoTier } from './calico-tiers.ts';
import { formatCniRef } from './compile-cilium.ts';
import type { Judgement } from './match.ts';
import { intersect, NO_PORTS, subtract, union, type PortSet } from './ports.ts';
import type { Segment, Selection } from './tiers.ts';
import type { Direction } from './types.ts';

export function appliesCalico(calico: CompiledCalico[], d: Direction): CompiledCalico[] {
  return calico.filter((p) => p.types[d]);
}

/**
 * Conservative: does Calico's default tier allow everything that reaches it for this pod? True
 * when the first rule met that is not Log (Calico rules before order 1000, then the Kubernetes
 * NetworkPolicies, then later Calico rules) matches every connection and allows, or the
 * NetworkPolicies come first and one of their rules allows every peer on every port.
 */
export function calicoAllowsAll(calico: CompiledCalico[], isolating: { rules: Record<Direction, { peers: unknown; ports: unknown }[]> }[], d: Direction): boolean {
  const applying = appliesCalico(calico, d);
  const firstRule = (policies: CompiledCalico[]) => policies.flatMap((p) => p.rules[d]).find((r) => r.action !== 'Log');
  const early = firstRule(applying.filter((p) => p.order < 1000));
  if (early) return early.catchAll && early.action === 'Allow';
  if (isolating.length > 0) return isolating.some((p) => p.rules[d].some((r) => r.peers === 'all' && r.ports === 'all'));
  const late = firstRule(applying.filter((p) => p.order > 1000));
  return late !== undefined && late.catchAll && late.action === 'Allow';
}

const DEFAULT: Pick<CalicoTier, 'name' | 'defaultAction'> = { name: 'default', defaultAction: 'Deny' };

/**
 * Decides `open` in one Calico tier (the default tier, with the NetworkPolicies' judgement `np`,
 * unless `tier` is given); returns the ports a Pass, or a defaultAction Pass, handed on.
 */
export function judgeCalicoTier(d: Direction, calico: CompiledCalico[], np: Judgement | undefined, peer: Peer, protocol: Protocol, destination: Pod | undefined, open: PortSet, segments: Segment[], tier = DEFAULT): PortSet {
  const applying = appliesCalico(calico, d);
  const where = (p: CompiledCalico) => (np ? `order ${p.order}` : `tier ${tier.name}, order ${p.order}`);
  let passed: PortSet = NO_PORTS;
  const firstMatch = (policies: CompiledCalico[]) => {
    for (const p of policies) {
      for (const rule of p.rules[d]) {
        if (open.length === 0) return;
        const ports = intersect(rule.ports(peer, protocol, destination), open);
        if (ports.length === 0 || rule.action === 'Log') continue;
        open = subtract(open, ports);
        if (rule.action === 'Pass') passed = union(passed, ports);
        else segments.push({ ports, allowed: rule.action === 'Allow', decider: { tier: 'Calico', calicoTier: tier.name, action: rule.action, policy: p.ref, rule: rule.field, text: `${formatCniRef(p.ref)} ${d.toLowerCase()} rule ${rule.field} (${where(p)})` } });
      }
    }
  };
  if (!np) {
    firstMatch(applying);
    if (tier.defaultAction === 'Pass') return union(passed, open);
    if (open.length > 0) segments.push({ ports: open, allowed: false, decider: { tier: 'Calico', calicoTier: tier.name, action: 'Deny', text: `the end of Calico tier ${tier.name} (defaultAction Deny; it applies through ${applying.map((p) => formatCniRef(p.ref)).join(', ')})` } });
    return passed;
  }
  firstMatch(applying.filter((p) => p.order < 1000));
  if (np.isolatedBy.length > 0 && open.length > 0) {
    const allowed = intersect(np.matches.reduce<PortSet>((acc, m) => union(acc, m.ports), NO_PORTS), open);
    if (allowed.length > 0) segments.push({ ports: allowed, allowed: true, decider: { tier: 'NetworkPolicy', action: 'Allow', isolatedBy: np.isolatedBy.map((p) => p.ref) } });
    open = subtract(open, allowed);
  }
  firstMatch(applying.filter((p) => p.order > 1000));
  if (open.length > 0) {
    const by = [...np.isolatedBy.map((p) => `${p.ref.namespace}/${p.ref.name}`), ...applying.map((p) => formatCniRef(p.ref))];
    segments.push({ ports: open, allowed: false, decider: { tier: 'Calico', calicoTier: 'default', action: 'Deny', text: `the end of Calico's default tier (it applies through ${by.join(', ')})` } });
  }
  return passed;
}

/** Decides `open` in the Calico tiers of one slot (calico-tiers.ts), in order; returns what is left. */
export function judgeCalicoTiers(d: Direction, sel: Selection, slot: CalicoTier['slot'], peer: Peer, protocol: Protocol, destination: Pod | undefined, open: PortSet, segments: Segment[]): PortSet {
  for (const tier of sel.calicoTiers) {
    if (tier.slot !== slot || open.length === 0) continue;
    const policies = sel.calicoOther.filter((p) => p.tier === tier.name);
    if (appliesCalico(policies, d).length > 0) open = judgeCalicoTier(d, policies, undefined, peer, protocol, destination, open, segments, tier);
  }
  return open;
}

/** Whether a Calico tier after the default tier has a policy for this pod and direction. */
export function laterCalicoTierApplies(sel: Selection, d: Direction): boolean {
  if (sel.calicoOther.length === 0) return false; // the common case, on the proof's hot path
  const later = new Set(sel.calicoTiers.filter((t) => t.slot >= 2).map((t) => t.name));
  return appliesCalico(sel.calicoOther, d).some((p) => later.has(p.tier));
}
