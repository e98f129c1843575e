// The address space cut into classes that every policy treats alike. Boundaries: every ipBlock
// CIDR and except (start and one past the end), and every pod, node and hostNetwork address as a
// single point. Between two boundaries nothing can tell addresses apart, so atoms with the same
// owner and the same ipBlock memberships are merged into one class.
import type { ClusterIndex, Peer } from './cluster-index.ts';
import { podAddresses } from './cluster-index.ts';
import type { CompiledPeer } from './compile.ts';
import { familyMax, type AddressRange, type Family } from './ip.ts';
import { inIPBlock } from './match.ts';

export type IPBlockPeer = Extract<CompiledPeer, { kind: 'ipBlock' }>;

/** Addresses outside the pod network that every policy treats alike: one node, or outside the cluster. */
export interface AddressClass {
  family: Family;
  /** Sorted, disjoint, non-adjacent. */
  ranges: AddressRange[];
  /** The class's first address as a peer; any other address of the class gives the same verdicts. */
  peer: Extract<Peer, { kind: 'node' | 'external' }>;
}

type WithRules = { rules: Record<'Ingress' | 'Egress', readonly { peers: 'all' | readonly { kind: string }[] }[]> };

/** The ipBlocks (and ClusterNetworkPolicy `networks` CIDRs) of one policy's rules, repeats kept. */
export function ipBlocksIn(policy: WithRules): IPBlockPeer[] {
  const found: IPBlockPeer[] = [];
  for (const rule of [...policy.rules.Ingress, ...policy.rules.Egress]) {
    if (rule.peers === 'all') continue;
    for (const peer of rule.peers) if (peer.kind === 'ipBlock') found.push(peer as IPBlockPeer);
  }
  return found;
}

/** Every ipBlock of the policies, once each. */
export function ipBlocksOf(policies: readonly WithRules[]): IPBlockPeer[] {
  return distinctBlocks(policies.flatMap(ipBlocksIn));
}

/** One block per text (the same text parses to the same block). Their order cuts nothing differently. */
export function distinctBlocks(blocks: readonly IPBlockPeer[]): IPBlockPeer[] {
  return [...new Map(blocks.map((b) => [b.text, b])).values()];
}

/** Every address that belongs to a pod-network pod, a node or a hostNetwork pod, per family. */
export function ownedAddresses(index: ClusterIndex, family: Family): bigint[] {
  const values = [
    ...index.networkPods.flatMap(podAddresses),
    ...index.nodeAddresses.map((n) => n.address),
  ]
    .filter((a) => a.family === family)
    .map((a) => a.value);
  return [...new Set(values)].sort(compareBig);
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function boundaries(family: Family, blocks: IPBlockPeer[], owned: bigint[]): bigint[] {
  const cuts = new Set<bigint>([0n, familyMax(family) + 1n]);
  const cutRange = (r: AddressRange) => {
    if (r.family !== family) return;
    cuts.add(r.start);
    cuts.add(r.end + 1n);
  };
  for (const b of blocks) {
    cutRange(b.cidr);
    b.except.forEach(cutRange);
  }
  for (const value of owned) cutRange({ family, start: value, end: value });
  return [...cuts].sort(compareBig);
}

function signature(peer: Peer, blocks: IPBlockPeer[]): string {
  const owner = peer.kind === 'node' ? `node:${peer.node ?? ''}` : peer.kind;
  const memberships = blocks.map((b) => (peer.address && inIPBlock(b, peer.address) ? '1' : '0')).join('');
  return `${owner}|${memberships}`;
}

export function addressClasses(index: ClusterIndex, blocks: IPBlockPeer[]): AddressClass[] {
  const classes: AddressClass[] = [];
  for (const family of [4, 6] as const) {
    const cuts = boundaries(family, blocks, ownedAddresses(index, family));
    const bySignature = new Map<string, AddressClass>();
    for (let i = 0; i + 1 < cuts.length; i++) {
      const start = cuts[i]!;
      const end = cuts[i + 1]! - 1n;
      const peer = index.peerAt({ family, value: start });
      // Pod addresses are not address classes: each pod is its own endpoint.
      if (peer.kind === 'pod') continue;
      const key = signature(peer, blocks);
      const existing = bySignature.get(key);
      if (!existing) {
        const cls: AddressClass = { family, ranges: [{ family, start, end }], peer };
        bySignature.set(key, cls);
        classes.push(cls);
        continue;
      }
      const last = existing.ranges[existing.ranges.length - 1]!;
      if (last.end + 1n === start) last.end = end;
      else existing.ranges.push({ family, start, end });
    }
  }
  return classes;
}
