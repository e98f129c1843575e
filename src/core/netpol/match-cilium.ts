// Matching compiled Cilium rules against one peer, as sets of ports (like match.ts). Entities as
// docs.cilium.io defines them: `host` is the subject's own node (hostNetwork pods on it included),
// `remote-node` any other node, `cluster` every pod and node, `world` everything outside the
// cluster, `all` everything.
import type { Pod, Protocol } from '../model.ts';
import type { Peer } from './cluster-index.ts';
import type { CiliumPeer, CiliumRule } from './compile-cilium.ts';
import { NAMESPACE_NAME_LABEL } from './cluster-index.ts';
import { inIPBlock, portsOf } from './match.ts';
import { NO_PORTS, type PortSet } from './ports.ts';

function entityMatches(entity: string, target: Peer, subject: Pod): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'cluster':
      return target.kind !== 'external';
    case 'world':
      return target.kind === 'external';
    case 'world-ipv4':
      return target.kind === 'external' && target.address.family === 4;
    case 'world-ipv6':
      return target.kind === 'external' && target.address.family === 6;
    case 'host':
      return target.kind === 'node' && target.node !== undefined && target.node === subject.nodeName;
    case 'remote-node':
      return target.kind === 'node' && target.node !== undefined && target.node !== subject.nodeName;
    default:
      return false;
  }
}

export function ciliumPeerMatches(peer: CiliumPeer, target: Peer, subject: Pod): boolean {
  switch (peer.kind) {
    case 'entity':
      return entityMatches(peer.entity, target, subject);
    case 'ipBlock':
      return target.kind === 'external' && inIPBlock(peer, target.address);
    case 'endpoints': {
      if (target.kind !== 'pod') return false;
      const namespace = target.namespaceLabels[NAMESPACE_NAME_LABEL] ?? target.pod.metadata.namespace;
      if (peer.namespace !== undefined && peer.namespace !== namespace) return false;
      return peer.selector.selects({ namespace, podLabels: target.pod.metadata.labels ?? {}, namespaceLabels: target.namespaceLabels });
    }
  }
}

export function ciliumRulePorts(rule: CiliumRule, target: Peer, protocol: Protocol, destination: Pod | undefined, subject: Pod): PortSet {
  if (rule.peers !== 'all' && !rule.peers.some((p) => ciliumPeerMatches(p, target, subject))) return NO_PORTS;
  return portsOf(rule.ports, protocol, destination);
}
