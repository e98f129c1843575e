// SIG network-policy-api policies (ClusterNetworkPolicy v1alpha2, AdminNetworkPolicy and
// BaselineAdminNetworkPolicy v1alpha1, already in one shape in the model) compiled into first-match
// rules of the Admin or Baseline tier, every default written out as in compile.ts.
import type { ClusterPolicy, ClusterPolicyPeer, ClusterPolicyPort, ClusterPolicyRule, LabelSelector } from '../model.ts';
import { PROTOCOLS, type CompiledPeer, type CompiledPort } from './compile.ts';
import { parseCIDR } from './ip.ts';
import { compileSelector, type CompiledSelector } from './selector.ts';
import type { ClusterPolicyRef, Direction, TierAction } from './types.ts';
import { compareText } from '../order.ts';

export type ClusterPeer =
  | CompiledPeer
  // Node addresses (and hostNetwork pods on them) of the nodes the selector picks.
  | { kind: 'nodes'; selector: CompiledSelector }
  // Domain names: resolved by the implementation at run time, so no address set can stand for them.
  | { kind: 'unmodelled'; what: string };

export interface ClusterRule {
  index: number;
  name?: string;
  action: TierAction;
  peers: 'all' | ClusterPeer[];
  ports: 'all' | CompiledPort[];
}

export interface CompiledClusterPolicy {
  ref: ClusterPolicyRef;
  /** Subject: pods (never hostNetwork ones) in namespaces matching `namespaces` whose labels match `pods`. */
  subject: { namespaces: CompiledSelector; pods: CompiledSelector };
  rules: Record<Direction, ClusterRule[]>;
  /** Per direction, rules whose peers cannot be evaluated: the proof is "not proven" where they apply. */
  unmodelled: Record<Direction, string[]>;
  problems: string[];
  key: string;
}

const EVERYTHING: LabelSelector = {};

function compilePeer(peer: ClusterPolicyPeer): ClusterPeer[] {
  if ('namespaces' in peer) return [{ kind: 'pods', namespaces: { kind: 'selected', selector: compileSelector(peer.namespaces) }, pods: compileSelector(EVERYTHING) }];
  if ('pods' in peer) {
    return [{ kind: 'pods', namespaces: { kind: 'selected', selector: compileSelector(peer.pods.namespaceSelector) }, pods: compileSelector(peer.pods.podSelector) }];
  }
  if ('networks' in peer) {
    // `networks` matches pod addresses too (the API says so): the same matcher as ipBlock.
    return peer.networks.map((text): ClusterPeer => {
      const cidr = parseCIDR(text);
      return cidr ? { kind: 'ipBlock', cidr, except: [], text } : { kind: 'invalid', problem: `network "${text}" is not a CIDR` };
    });
  }
  if ('nodes' in peer) return [{ kind: 'nodes', selector: compileSelector(peer.nodes) }];
  if ('domainNames' in peer) return [{ kind: 'unmodelled', what: `domainNames ${peer.domainNames.join(', ')}` }];
  return [{ kind: 'invalid', problem: `a peer with no known field (${peer.unknown})` }];
}

function compilePort(port: ClusterPolicyPort): CompiledPort[] {
  // A named port carries no protocol: it matches the container port of that name, whatever its protocol.
  if ('namedPort' in port) return PROTOCOLS.map((protocol) => ({ protocol, port: { kind: 'named', name: port.namedPort } }));
  return [{ protocol: port.protocol, port: { kind: 'range', from: port.port, to: port.endPort ?? port.port } }];
}

function describeRule(ref: ClusterPolicyRef, d: Direction, r: { index: number; name?: string }): string {
  return `${ref.kind}/${ref.name} ${d.toLowerCase()} rule ${r.name ?? r.index}`;
}

function compileRule(ref: ClusterPolicyRef, d: Direction, rule: ClusterPolicyRule, index: number, problems: string[]): ClusterRule {
  const action: TierAction = rule.action === 'Accept' ? 'Allow' : rule.action;
  const peers = rule.peers.flatMap(compilePeer);
  const out: ClusterRule = { index, action, peers, ports: rule.ports && rule.ports.length > 0 ? rule.ports.flatMap(compilePort) : 'all' };
  if (rule.name) out.name = rule.name;
  const invalid = peers.flatMap((p) => (p.kind === 'invalid' ? [p.problem] : []));
  if (invalid.length === 0) return out;
  // Fail closed, as the API asks of a peer it cannot read: an Accept matches nothing there, while a
  // Deny or a Pass becomes "deny all".
  const failClosed = action !== 'Allow';
  problems.push(`${describeRule(ref, d, out)}: ${invalid.join('; ')}; ${failClosed ? 'the rule denies all traffic (fail closed)' : 'that peer matches nothing'}`);
  return failClosed ? { ...out, action: 'Deny', peers: 'all' } : out;
}

export function compileClusterPolicy(p: ClusterPolicy): CompiledClusterPolicy {
  const ref: ClusterPolicyRef = { kind: p.kind, name: p.metadata.name, tier: p.spec.tier, priority: p.spec.priority };
  const subject = 'namespaces' in p.spec.subject
    ? { namespaces: compileSelector(p.spec.subject.namespaces), pods: compileSelector(EVERYTHING) }
    : { namespaces: compileSelector(p.spec.subject.pods.namespaceSelector), pods: compileSelector(p.spec.subject.pods.podSelector) };
  const problems: string[] = [];
  const rules = {
    Ingress: p.spec.ingress.map((r, i) => compileRule(ref, 'Ingress', r, i, problems)),
    Egress: p.spec.egress.map((r, i) => compileRule(ref, 'Egress', r, i, problems)),
  };
  const unmodelled = { Ingress: [] as string[], Egress: [] as string[] };
  for (const d of ['Ingress', 'Egress'] as const) {
    for (const r of rules[d]) {
      if (r.peers === 'all') continue;
      for (const peer of r.peers) if (peer.kind === 'unmodelled') unmodelled[d].push(`${describeRule(ref, d, r)} has ${peer.what}`);
    }
  }
  return { ref, subject, rules, unmodelled, problems, key: JSON.stringify([p.kind, p.metadata.name, p.spec]) };
}

/** Policies of one tier in evaluation order: lower priority first; ties by kind and name (see tiers.ts). */
export function tierOrder(a: CompiledClusterPolicy, b: CompiledClusterPolicy): number {
  return a.ref.priority - b.ref.priority || compareText(a.ref.kind, b.ref.kind) || compareText(a.ref.name, b.ref.name);
}

export function formatClusterPolicy(ref: ClusterPolicyRef): string {
  return `${ref.kind}/${ref.name}`;
}
