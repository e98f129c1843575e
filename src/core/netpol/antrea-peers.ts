// The parts of one Antrea-native rule (crd.antrea.io v1beta1, docs/antrea-network-policy.md
// "Behavior of to and from selectors"): its peers, its ports, and the appliedTo entries that say
// which pods it applies to. What we cannot evaluate is named in `out` (the proof is then "not
// proven" for the policy's pods) and left out of the matcher, never guessed.
import type { Labels, Pod, Protocol } from '../model.ts';
import { namespaceOf, type Peer } from './cluster-index.ts';
import { isObject, readSelector, type Json } from './cni-common.ts';
import { PROTOCOLS, type CompiledPort } from './compile.ts';
import { parseCIDR, type AddressRange } from './ip.ts';
import { inIPBlock, portsOf } from './match.ts';
import { ALL_PORTS, NO_PORTS, type PortSet } from './ports.ts';
import { matchesSelector, type CompiledSelector, type Requirement } from './selector.ts';

/** Which namespaces a pod peer looks in; `self`: the namespace of the pod the rule applies to. */
type PeerNamespaces = { kind: 'own'; namespace: string } | { kind: 'selected'; selector: CompiledSelector } | { kind: 'self' };

export type AntreaPeer =
  | { kind: 'pods'; namespaces: PeerNamespaces; pods: CompiledSelector }
  | { kind: 'ipBlock'; cidr: AddressRange; except: AddressRange[]; text: string }
  // Node IPs (and hostNetwork pods, which share them) of the nodes the selector picks.
  | { kind: 'nodes'; selector: CompiledSelector };

/** Where the policy lives: a namespaced NetworkPolicy reads a lone podSelector in its namespace. */
export interface PolicyScope {
  cluster: boolean;
  namespace: string;
}

const selectorOf = (raw: unknown, where: string, out: string[]): CompiledSelector => {
  const s = readSelector(raw, where);
  out.push(...s.dropped);
  return { requirements: s.requirements };
};

const PEER_FIELDS = new Set(['podSelector', 'namespaceSelector', 'namespaces', 'ipBlock', 'nodeSelector']);

/** One `from`/`to` entry; undefined when it cannot be evaluated (named in `out`). */
export function readPeer(raw: unknown, where: string, scope: PolicyScope, out: string[]): AntreaPeer | undefined {
  if (!isObject(raw) || Object.keys(raw).length === 0) return void out.push(`${where} is empty or unreadable`);
  const unknown = Object.keys(raw).filter((k) => !PEER_FIELDS.has(k) && !(k === 'scope' && raw.scope === 'Cluster'));
  // group (ClusterGroup/Group), serviceAccount, fqdn, externalEntitySelector, scope ClusterSet, …
  if (unknown.length > 0) return void out.push(`${where} has ${unknown.map((k) => `${k} ${JSON.stringify(raw[k])}`).join(', ')} (not modelled)`);
  if (raw.ipBlock !== undefined) {
    const b = isObject(raw.ipBlock) ? raw.ipBlock : {};
    const cidr = typeof b.cidr === 'string' ? parseCIDR(b.cidr) : undefined;
    const except = (Array.isArray(b.except) ? b.except : []).map((e) => (typeof e === 'string' ? parseCIDR(e) : undefined));
    if (!cidr || except.some((e) => !e) || Object.keys(raw).length > 1) return void out.push(`${where}.ipBlock is not readable alone`);
    return { kind: 'ipBlock', cidr, except: except as AddressRange[], text: `${String(b.cidr)}${except.length ? ` except ${(b.except as string[]).join(',')}` : ''}` };
  }
  if (raw.nodeSelector !== undefined) {
    if (Object.keys(raw).length > 1) return void out.push(`${where}.nodeSelector is not alone`);
    return { kind: 'nodes', selector: selectorOf(raw.nodeSelector, `${where}.nodeSelector`, out) };
  }
  const pods = selectorOf(raw.podSelector ?? {}, `${where}.podSelector`, out);
  if (raw.namespaces !== undefined) {
    const n = isObject(raw.namespaces) ? raw.namespaces : {};
    // sameLabels relates the peer's namespace labels to the applied-to pod's ("a no-op on
    // Namespaces that do not have all the labels"): not modelled.
    if (!scope.cluster || n.match !== 'Self' || Object.keys(n).length !== 1 || raw.namespaceSelector !== undefined) return void out.push(`${where}.namespaces ${JSON.stringify(raw.namespaces)} (only match: Self is modelled)`);
    return { kind: 'pods', namespaces: { kind: 'self' }, pods };
  }
  if (raw.namespaceSelector !== undefined) return { kind: 'pods', namespaces: { kind: 'selected', selector: selectorOf(raw.namespaceSelector, `${where}.namespaceSelector`, out) }, pods };
  // A lone podSelector: every namespace in a ClusterNetworkPolicy, its own in a NetworkPolicy.
  return { kind: 'pods', namespaces: scope.cluster ? { kind: 'selected', selector: { requirements: [] } } : { kind: 'own', namespace: scope.namespace }, pods };
}

/** `subjectNamespace`: the namespace of the pod the rule applies to (for `namespaces: Self`). */
export function antreaPeerMatches(peer: AntreaPeer, target: Peer, subjectNamespace: string): boolean {
  switch (peer.kind) {
    case 'ipBlock':
      // Antrea matches ipBlocks on addresses, so a pod's address is inside one too.
      return target.address !== undefined && inIPBlock(peer, target.address);
    case 'nodes':
      return target.kind === 'node' && target.nodeLabels !== undefined && matchesSelector(peer.selector, target.nodeLabels);
    case 'pods': {
      if (target.kind !== 'pod') return false;
      const ns = peer.namespaces;
      const namespace = namespaceOf(target.pod, target.namespaceLabels);
      const inNamespace = ns.kind === 'own' ? namespace === ns.namespace
        : ns.kind === 'self' ? namespace === subjectNamespace
          : matchesSelector(ns.selector, target.namespaceLabels);
      return inNamespace && matchesSelector(peer.pods, target.pod.metadata.labels ?? {});
    }
  }
}

const PORT_FIELDS = new Set(['protocol', 'port', 'endPort']);

/**
 * `ports` and `protocols` together: `protocols` (ICMP, IGMP) adds traffic of other protocols, so a
 * rule with only `protocols` matches no TCP, UDP or SCTP connection. 'all': neither is set.
 */
export function readPorts(rule: Json, where: string, out: string[]): 'all' | CompiledPort[] {
  const ports = Array.isArray(rule.ports) ? rule.ports : [];
  const protocols = Array.isArray(rule.protocols) ? rule.protocols : [];
  if (ports.length === 0 && protocols.length === 0) return 'all';
  const compiled: CompiledPort[] = [];
  ports.forEach((raw, i) => {
    const p = isObject(raw) ? raw : {};
    const extra = Object.keys(p).filter((k) => !PORT_FIELDS.has(k));
    // sourcePort/sourceEndPort narrow by the client's port, which a connection class does not fix.
    if (extra.length > 0) out.push(`${where}.ports[${i}] has ${extra.join(', ')} (not modelled)`);
    const protocol = (p.protocol ?? 'TCP') as Protocol;
    if (!PROTOCOLS.includes(protocol)) return void out.push(`${where}.ports[${i}] protocol ${JSON.stringify(p.protocol)} unreadable`);
    if (p.port === undefined) return void compiled.push({ protocol, port: { kind: 'all' } });
    // A string is a port name ("80" as a string names no port we can resolve: not modelled).
    if (typeof p.port === 'string') {
      if (/^\d+$/.test(p.port)) out.push(`${where}.ports[${i}] port "${p.port}" is a number written as a string`);
      return void compiled.push({ protocol, port: { kind: 'named', name: p.port } });
    }
    const from = Number(p.port);
    const to = typeof p.endPort === 'number' ? p.endPort : from;
    compiled.push({ protocol, port: { kind: 'range', from, to } });
  });
  return compiled;
}

export function rulePortSet(ports: 'all' | CompiledPort[], protocol: Protocol, destination: Pod | undefined): PortSet {
  return ports === 'all' ? ALL_PORTS : ports.length === 0 ? NO_PORTS : portsOf(ports, protocol, destination);
}

/** An appliedTo entry as a matcher on one pod; undefined when it cannot be evaluated. */
export interface AppliedTo {
  selects(pod: Pod, namespaceLabels: Labels): boolean;
  /** Pod label requirements a future pod may satisfy to be selected. */
  podRequirements: readonly Requirement[];
}

const NOTHING: AppliedTo = { selects: () => false, podRequirements: [] };

export function readAppliedTo(raw: unknown, where: string, scope: PolicyScope, out: string[]): AppliedTo | undefined {
  if (!isObject(raw) || Object.keys(raw).length === 0) return void out.push(`${where} is empty or unreadable`);
  // Nodes are no pod: the policy filters node traffic only, the same before and after any change.
  if (raw.nodeSelector !== undefined && Object.keys(raw).length === 1) return NOTHING;
  const unknown = Object.keys(raw).filter((k) => k !== 'podSelector' && k !== 'namespaceSelector');
  // group, serviceAccount, service (NodePort), externalEntitySelector: not in our data.
  if (unknown.length > 0) return void out.push(`${where} has ${unknown.join(', ')} (not modelled)`);
  if (!scope.cluster && raw.namespaceSelector !== undefined) return void out.push(`${where}.namespaceSelector is forbidden in an Antrea NetworkPolicy`);
  const pods = selectorOf(raw.podSelector ?? {}, `${where}.podSelector`, out);
  const ns = raw.namespaceSelector !== undefined ? selectorOf(raw.namespaceSelector, `${where}.namespaceSelector`, out) : undefined;
  return {
    podRequirements: pods.requirements,
    selects: (pod, namespaceLabels) => pod.hostNetwork !== true
      && (scope.cluster || namespaceOf(pod, namespaceLabels) === scope.namespace)
      && matchesSelector(pods, pod.metadata.labels ?? {})
      && (ns === undefined || matchesSelector(ns, namespaceLabels)),
  };
}
