// Policies compiled once into matchers with every API default written out, so that the matching
// code never has to remember what an absent field means.
import type { IPBlock, NetworkPolicy, NetworkPolicySpec, PolicyPeer, PolicyPort, Protocol } from '../model.ts';
import { parseCIDR, type AddressRange } from './ip.ts';
import { compileSelector, type CompiledSelector } from './selector.ts';
import type { Direction, PolicyRef } from './types.ts';

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Which namespaces a pod peer looks in. */
export type NamespaceScope =
  | { kind: 'own'; namespace: string } // namespaceSelector absent: the policy's own namespace
  | { kind: 'selected'; selector: CompiledSelector };

export type CompiledPeer =
  // podSelector absent next to a namespaceSelector: every pod in those namespaces.
  | { kind: 'pods'; namespaces: NamespaceScope; pods: CompiledSelector }
  | { kind: 'ipBlock'; cidr: AddressRange; except: AddressRange[]; text: string }
  // Content the API server rejects; it matches nothing, so a report errs towards "denied".
  | { kind: 'invalid'; problem: string };

export type PortMatch =
  | { kind: 'all' } // port absent: every port of the protocol
  | { kind: 'range'; from: number; to: number } // port, or port..endPort
  | { kind: 'named'; name: string }; // resolved against the destination pod's container ports

export interface CompiledPort {
  protocol: Protocol;
  port: PortMatch;
}

export interface CompiledRule {
  index: number;
  /** 'all': from/to absent or empty, so every peer, inside or outside the cluster. */
  peers: 'all' | CompiledPeer[];
  /** 'all': ports absent or empty, so every port of every protocol. */
  ports: 'all' | CompiledPort[];
}

export interface CompiledPolicy {
  ref: PolicyRef;
  namespace: string;
  podSelector: CompiledSelector;
  isolates: Record<Direction, boolean>;
  /** Rules of a direction the policy does not isolate are dropped: the API ignores them too. */
  rules: Record<Direction, CompiledRule[]>;
  problems: string[];
}

function compileIPBlock(block: IPBlock): CompiledPeer {
  const cidr = parseCIDR(block.cidr);
  if (!cidr) return { kind: 'invalid', problem: `ipBlock cidr "${block.cidr}" is not a CIDR` };
  const except: AddressRange[] = [];
  for (const text of block.except ?? []) {
    const range = parseCIDR(text);
    if (!range) return { kind: 'invalid', problem: `ipBlock except "${text}" is not a CIDR` };
    except.push(range);
  }
  const exceptText = block.except?.length ? ` except ${block.except.join(', ')}` : '';
  return { kind: 'ipBlock', cidr, except, text: `${block.cidr}${exceptText}` };
}

function compilePeer(peer: PolicyPeer, namespace: string): CompiledPeer {
  const hasSelector = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (peer.ipBlock && hasSelector) {
    return { kind: 'invalid', problem: 'a peer with ipBlock may not also have pod or namespace selectors' };
  }
  if (peer.ipBlock) return compileIPBlock(peer.ipBlock);
  if (!hasSelector) return { kind: 'invalid', problem: 'a peer must set podSelector, namespaceSelector or ipBlock' };
  return {
    kind: 'pods',
    namespaces: peer.namespaceSelector
      ? { kind: 'selected', selector: compileSelector(peer.namespaceSelector) }
      : { kind: 'own', namespace },
    pods: compileSelector(peer.podSelector ?? {}),
  };
}

function compilePort(port: PolicyPort): CompiledPort {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined) return { protocol, port: { kind: 'all' } };
  if (typeof port.port === 'string') {
    // The API stores an IntOrString; a numeric string from a YAML file still means a number.
    if (!/^[0-9]+$/.test(port.port)) return { protocol, port: { kind: 'named', name: port.port } };
    const n = Number(port.port);
    return { protocol, port: { kind: 'range', from: n, to: port.endPort ?? n } };
  }
  return { protocol, port: { kind: 'range', from: port.port, to: port.endPort ?? port.port } };
}

function compileRule(index: number, peers: PolicyPeer[] | undefined, ports: PolicyPort[] | undefined, namespace: string): CompiledRule {
  return {
    index,
    peers: peers && peers.length > 0 ? peers.map((p) => compilePeer(p, namespace)) : 'all',
    ports: ports && ports.length > 0 ? ports.map(compilePort) : 'all',
  };
}

function problemsOf(rules: CompiledRule[], direction: Direction): string[] {
  return rules.flatMap((r) =>
    r.peers === 'all' ? [] : r.peers.flatMap((p) => (p.kind === 'invalid' ? [`${direction} rule ${r.index}: ${p.problem}; it matches nothing`] : [])),
  );
}

type SpecParts = Pick<CompiledPolicy, 'podSelector' | 'isolates' | 'rules'>;

// What a spec compiles to, by spec object, where it does not depend on the policy's namespace (no
// pod peer without a namespaceSelector): kube/convert.ts gives every placeholder of one template the
// same spec object, so a watch's 10,000 placeholders share one compiled form (~3 MB of heap).
const bySpec = new WeakMap<NetworkPolicySpec, SpecParts>();

function specParts(spec: NetworkPolicySpec, namespace: string): SpecParts {
  const known = bySpec.get(spec);
  if (known) return known;
  // Absent policyTypes: Ingress always, Egress only when the policy has egress rules.
  const types = spec.policyTypes ?? (spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
  const isolates = { Ingress: types.includes('Ingress'), Egress: types.includes('Egress') };
  const rules = {
    Ingress: isolates.Ingress ? (spec.ingress ?? []).map((r, i) => compileRule(i, r.from, r.ports, namespace)) : [],
    Egress: isolates.Egress ? (spec.egress ?? []).map((r, i) => compileRule(i, r.to, r.ports, namespace)) : [],
  };
  const parts = { podSelector: compileSelector(spec.podSelector), isolates, rules };
  const ownNamespace = [...rules.Ingress, ...rules.Egress].some((r) => r.peers !== 'all' && r.peers.some((p) => p.kind === 'pods' && p.namespaces.kind === 'own'));
  if (!ownNamespace) bySpec.set(spec, parts);
  return parts;
}

export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const namespace = policy.metadata.namespace;
  const parts = specParts(policy.spec, namespace);
  const ref = { namespace, name: policy.metadata.name };
  const problems = [...problemsOf(parts.rules.Ingress, 'Ingress'), ...problemsOf(parts.rules.Egress, 'Egress')];
  return { ref, namespace, ...parts, problems: problems.map((p) => `${namespace}/${ref.name}: ${p}`) };
}

/**
 * Compiled policies by the object they were compiled from. Compiling is pure, so an object seen
 * again is not compiled again: within one comparison the "before" and "after" sets share most
 * objects, and a watch keeps one cache across batches (its store replaces an object on every change
 * and never edits one in place), so each batch compiles only what changed. Weak: an object dropped
 * from the store takes its entry with it.
 */
export type CompileCache = WeakMap<NetworkPolicy, CompiledPolicy>;

export function compilePolicies(policies: readonly NetworkPolicy[], cache: CompileCache = new WeakMap()): CompiledPolicy[] {
  return policies.map((p) => {
    let c = cache.get(p);
    if (!c) cache.set(p, (c = compilePolicy(p)));
    return c;
  });
}

export function formatPolicy(ref: PolicyRef): string {
  return `${ref.namespace}/${ref.name}`;
}
