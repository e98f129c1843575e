// Calico's `default` tier, as it stands in for the NetworkPolicy tier when a Calico policy applies
// to the pod in this direction: policies by order, the Kubernetes NetworkPolicies at order 1000
// (their rules all Allow, so as one block), first match wins, Log goes on, Pass leaves the tier,
// and what no rule decides is denied at the end of the tier (some policy of it applies here).
// Kubernetes' own-node exception is not granted here: whether Calico admits host traffic to an
// isolated pod depends on Felix settings we do not read, and denying it can only make the proof
// report a change (refuse), never hide one.
import type { Pod, Protocol } from '../model.ts';
import type { Peer } from './cluster-index.ts';
import type { CompiledCalico } from './compile-calico.ts';
import { formatCniRef } from './compile-cilium.ts';
import type { Judgement } from './match.ts';
import { intersect, NO_PORTS, subtract, union, type PortSet } from './ports.ts';
import type { Segment } from './tiers.ts';
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

/** Decides `open` in Calico's default tier; returns the ports a Pass handed on to the next tier. */
export function judgeCalicoTier(d: Direction, calico: CompiledCalico[], np: Judgement, peer: Peer, protocol: Protocol, destination: Pod | undefined, open: PortSet, segments: Segment[]): PortSet {
  const applying = appliesCalico(calico, d);
  let passed: PortSet = NO_PORTS;
  const firstMatch = (policies: CompiledCalico[]) => {
    for (const p of policies) {
      for (const rule of p.rules[d]) {
        if (open.length === 0) return;
        const ports = intersect(rule.ports(peer, protocol, destination), open);
        if (ports.length === 0 || rule.action === 'Log') continue;
        open = subtract(open, ports);
        if (rule.action === 'Pass') passed = union(passed, ports);
        else segments.push({ ports, allowed: rule.action === 'Allow', decider: { tier: 'Calico', action: rule.action, policy: p.ref, rule: rule.field, text: `${formatCniRef(p.ref)} ${d.toLowerCase()} rule ${rule.field} (order ${p.order})` } });
      }
    }
  };
  firstMatch(applying.filter((p) => p.order < 1000));
  if (np.isolatedBy.length > 0 && open.length > 0) {
    const allowed = intersect(np.matches.reduce<PortSet>((acc, m) => union(acc, m.ports), NO_PORTS), open);
    if (allowed.length > 0) segments.push({ ports: allowed, allowed: true, decider: { tier: 'NetworkPolicy', action: 'Allow', isolatedBy: np.isolatedBy.map((p) => p.ref) } });
    open = subtract(open, allowed);
  }
  firstMatch(applying.filter((p) => p.order > 1000));
  if (open.length > 0) {
    const by = [...np.isolatedBy.map((p) => `${p.ref.namespace}/${p.ref.name}`), ...applying.map((p) => formatCniRef(p.ref))];
    segments.push({ ports: open, allowed: false, decider: { tier: 'Calico', action: 'Deny', text: `the end of Calico's default tier (it applies through ${by.join(', ')})` } });
  }
  return passed;
}
