// Lookups over one cluster snapshot: pods by name and address, namespace labels, node addresses.
// Built once per evaluator; nothing here is cached across calls.
import type { Labels, Pod } from '../model.ts';
import { parseIP, type Address, type Family } from './ip.ts';
import type { Cluster, PodRef } from './types.ts';

/** The API server adds this label to every namespace (since 1.21); selectors may rely on it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The namespace a pod counts as in: its namespace's name label (the proof's stand-ins for future pods carry their target's). */
export function namespaceOf(pod: Pod, namespaceLabels: Labels): string {
  return namespaceLabels[NAMESPACE_NAME_LABEL] ?? pod.metadata.namespace;
}

/** The other end of a connection as policies see it. */
export type Peer =
  | { kind: 'pod'; pod: Pod; namespaceLabels: Labels; address?: Address }
  // Node traffic: a node address or a hostNetwork pod. Only ipBlock can match it.
  | { kind: 'node'; node?: string; nodeLabels?: Labels; address?: Address; hostNetworkPod?: Pod }
  | { kind: 'external'; address: Address };

export interface ClusterIndex {
  findPod(ref: PodRef): Pod | undefined;
  /** Pods on the pod network: the only pods that policies select or that pod selectors match. */
  networkPods: readonly Pod[];
  namespaceLabels(namespace: string): Labels;
  /** Labels of a known node (ClusterNetworkPolicy `nodes` peers select by them). */
  nodeLabels(node: string | undefined): Labels | undefined;
  /** Who owns an address: a pod-network pod, node traffic, or nobody in the cluster. */
  peerAt(address: Address): Peer;
  /** Every address that belongs to a node or a hostNetwork pod, with its node. */
  nodeAddresses: readonly { node?: string; address: Address }[];
}

export function podKey(ref: PodRef): string {
  return `${ref.namespace}/${ref.name}`;
}

function addressKey(a: Address): string {
  return `${a.family}|${a.value}`;
}

export function podRef(pod: Pod): PodRef {
  return { namespace: pod.metadata.namespace, name: pod.metadata.name };
}

export function podAddresses(pod: Pod): Address[] {
  return pod.podIPs.map(parseIP).filter((a): a is Address => a !== undefined);
}

export function podAddress(pod: Pod, family: Family): Address | undefined {
  return podAddresses(pod).find((a) => a.family === family);
}

function isNetworkPod(pod: Pod): boolean {
  return pod.hostNetwork !== true;
}

export function indexCluster(cluster: Cluster): ClusterIndex {
  const pods = new Map(cluster.pods.map((p) => [podKey(podRef(p)), p]));
  // The API server sets the name label on every namespace; an explicit one (the proof's stand-ins
  // for future pods carry their target's) wins. Built on first use per namespace: a watch's proof
  // indexes a whole large cluster per batch and asks for the labels of only a few namespaces.
  const byName = new Map(cluster.namespaces.map((n) => [n.metadata.name, n]));
  const nsLabels = new Map<string, Labels>();
  const namespaceLabels = (namespace: string): Labels => {
    let labels = nsLabels.get(namespace);
    if (!labels) {
      const n = byName.get(namespace) ?? cluster.namespaceNamed?.(namespace);
      labels = n ? { [NAMESPACE_NAME_LABEL]: n.metadata.name, ...n.metadata.labels } : { [NAMESPACE_NAME_LABEL]: namespace };
      nsLabels.set(namespace, labels);
    }
    return labels;
  };

  const nodeLabelsByName = new Map(cluster.nodes.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  const nodeLabels = (node: string | undefined): Labels | undefined => (node === undefined ? undefined : nodeLabelsByName.get(node));
  const networkPods = cluster.pods.filter(isNetworkPod);
  const byAddress = new Map<string, Peer>();
  const nodeAddresses: { node?: string; address: Address }[] = [];
  // Pod-network pods win over node addresses: an address cannot be both in a sane cluster, and a
  // pod verdict is the stricter one.
  for (const pod of networkPods) {
    for (const address of podAddresses(pod)) {
      const key = addressKey(address);
      if (!byAddress.has(key)) byAddress.set(key, { kind: 'pod', pod, namespaceLabels: namespaceLabels(pod.metadata.namespace) });
    }
  }
  for (const node of cluster.nodes) {
    for (const text of node.addresses) {
      const address = parseIP(text);
      if (!address || byAddress.has(addressKey(address))) continue;
      byAddress.set(addressKey(address), { kind: 'node', node: node.metadata.name, nodeLabels: node.metadata.labels ?? {} });
      nodeAddresses.push({ node: node.metadata.name, address });
    }
  }
  for (const pod of cluster.pods.filter((p) => !isNetworkPod(p))) {
    for (const address of podAddresses(pod)) {
      if (byAddress.has(addressKey(address))) continue;
      const labels = nodeLabels(pod.nodeName);
      byAddress.set(addressKey(address), { kind: 'node', node: pod.nodeName, ...(labels ? { nodeLabels: labels } : {}), hostNetworkPod: pod });
      nodeAddresses.push({ node: pod.nodeName, address });
    }
  }

  return {
    findPod: (ref) => pods.get(podKey(ref)),
    networkPods,
    namespaceLabels,
    nodeLabels,
    peerAt(address) {
      const owner = byAddress.get(addressKey(address));
      return owner ? { ...owner, address } : { kind: 'external', address };
    },
    nodeAddresses,
  };
}
