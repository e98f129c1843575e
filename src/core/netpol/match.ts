// Matching compiled policies against one pod and one peer. Every answer is a set of ports, so the
// evaluator (one port) and the exact comparison (all ports at once) share the same code.
import type { Pod, Protocol } from '../model.ts';
import type { Peer } from './cluster-index.ts';
import type { CompiledPeer, CompiledPolicy, CompiledPort, CompiledRule } from './compile.ts';
import { rangeContains, type Address } from './ip.ts';
import { ALL_PORTS, NO_PORTS, portSet, union, type PortRange, type PortSet } from './ports.ts';
import { matchesSelector } from './selector.ts';
import type { Direction } from './types.ts';

export function inIPBlock(peer: Extract<CompiledPeer, { kind: 'ipBlock' }>, address: Address): boolean {
  return rangeContains(peer.cidr, address) && !peer.except.some((e) => rangeContains(e, address));
}

export function peerMatches(peer: CompiledPeer, target: Peer): boolean {
  switch (peer.kind) {
    case 'pods': {
      // Pod and namespace selectors only ever match pod-network pods, never node or outside traffic.
      if (target.kind !== 'pod') return false;
      const inNamespace =
        peer.namespaces.kind === 'own'
          ? target.pod.metadata.namespace === peer.namespaces.namespace
          : matchesSelector(peer.namespaces.selector, target.namespaceLabels);
      return inNamespace && matchesSelector(peer.pods, target.pod.metadata.labels ?? {});
    }
    case 'ipBlock':
      // Conformance (the upstream e2e CIDR cases) expects ipBlock to match pod addresses too.
      return target.address !== undefined && inIPBlock(peer, target.address);
    case 'invalid':
      return false;
  }
}

/** A named port means the destination pod's container port of that name and protocol. */
function namedPorts(name: string, protocol: Protocol, destination: Pod | undefined): PortRange[] {
  if (!destination) return [];
  return destination.containerPorts
    .filter((c) => c.name === name && (c.protocol ?? 'TCP') === protocol)
    .map((c) => ({ from: c.containerPort, to: c.containerPort }));
}

export function portsOf(ports: 'all' | CompiledPort[], protocol: Protocol, destination: Pod | undefined): PortSet {
  if (ports === 'all') return ALL_PORTS;
  const ranges: PortRange[] = [];
  for (const p of ports) {
    if (p.protocol !== protocol) continue;
    if (p.port.kind === 'all') return ALL_PORTS;
    if (p.port.kind === 'range') ranges.push({ from: p.port.from, to: p.port.to });
    else ranges.push(...namedPorts(p.port.name, protocol, destination));
  }
  return portSet(ranges);
}

/** The ports on which this rule lets traffic through to or from `target`. */
export function rulePorts(rule: CompiledRule, target: Peer, protocol: Protocol, destination: Pod | undefined): PortSet {
  if (rule.peers !== 'all' && !rule.peers.some((p) => peerMatches(p, target))) return NO_PORTS;
  return portsOf(rule.ports, protocol, destination);
}

export function selects(policy: CompiledPolicy, pod: Pod): boolean {
  // A policy selects pods of its own namespace only, and only pods on the pod network.
  return (
    policy.namespace === pod.metadata.namespace &&
    pod.hostNetwork !== true &&
    matchesSelector(policy.podSelector, pod.metadata.labels ?? {})
  );
}

export interface RuleMatch {
  policy: CompiledPolicy;
  rule: CompiledRule;
  ports: PortSet;
}

/** The raw facts of one direction; `judgedPorts` and the verdict derive from them. */
export interface Judgement {
  direction: Direction;
  subject: Pod;
  selectedBy: CompiledPolicy[];
  isolatedBy: CompiledPolicy[];
  ownNode: boolean;
  /** Rules of isolating policies that match the peer on at least one port. */
  matches: RuleMatch[];
}

/**
 * Judges one direction at `subject` (the source pod for egress, the destination pod for ingress).
 * `selectedBy` must be the policies that select the subject.
 */
export function judge(direction: Direction, subject: Pod, selectedBy: CompiledPolicy[], peer: Peer, protocol: Protocol): Judgement {
  const isolatedBy = selectedBy.filter((p) => p.isolates[direction]);
  // Named ports resolve at the destination: the peer for egress, the subject itself for ingress.
  const destination = direction === 'Ingress' ? subject : peer.kind === 'pod' ? peer.pod : undefined;
  const ownNode = direction === 'Ingress' && peer.kind === 'node' && peer.node !== undefined && peer.node === subject.nodeName;
  const matches: RuleMatch[] = [];
  for (const policy of isolatedBy) {
    for (const rule of policy.rules[direction]) {
      const ports = rulePorts(rule, peer, protocol, destination);
      if (ports.length > 0) matches.push({ policy, rule, ports });
    }
  }
  return { direction, subject, selectedBy, isolatedBy, ownNode, matches };
}

/** Ports allowed in this direction: all unless isolated; otherwise the union of matching rules. */
export function judgedPorts(j: Judgement): PortSet {
  if (j.isolatedBy.length === 0 || j.ownNode) return ALL_PORTS;
  return j.matches.reduce<PortSet>((acc, m) => union(acc, m.ports), NO_PORTS);
}
