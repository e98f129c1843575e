// Cluster-wide policy kinds → the model. The SIG network-policy-api kinds (ClusterNetworkPolicy
// v1alpha2, AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1) become one ClusterPolicy
// shape; Cilium, Calico and Antrea objects keep their spec as plain JSON (CniPolicy) until each is
// modelled. Input is plain JSON (custom objects have no typed client-node model, so no `_from`).
import type {
  ClusterPolicy, ClusterPolicyAction, ClusterPolicyKind, ClusterPolicyPeer, ClusterPolicyPort, ClusterPolicyRule,
  ClusterPolicySubject, CniPolicy, CniPolicyKind, LabelSelector, NamespacedPodSelector, Protocol,
} from '../core/model.ts';
import { meta, selector } from './convert.ts';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const json = (v: unknown) => JSON.stringify(v) ?? String(v);

/** Which model kind an object of this apiVersion and kind is; undefined for every other object. */
export function policyKindOf(apiVersion: string | undefined, kind: string | undefined):
  | { family: 'cluster'; kind: ClusterPolicyKind }
  | { family: 'cni'; kind: CniPolicyKind }
  | undefined {
  const group = (apiVersion ?? '').includes('/') ? apiVersion!.split('/')[0] : '';
  switch (`${kind}.${group}`) {
    case 'ClusterNetworkPolicy.policy.networking.k8s.io': return { family: 'cluster', kind: 'ClusterNetworkPolicy' };
    case 'AdminNetworkPolicy.policy.networking.k8s.io': return { family: 'cluster', kind: 'AdminNetworkPolicy' };
    case 'BaselineAdminNetworkPolicy.policy.networking.k8s.io': return { family: 'cluster', kind: 'BaselineAdminNetworkPolicy' };
    case 'CiliumNetworkPolicy.cilium.io': return { family: 'cni', kind: 'CiliumNetworkPolicy' };
    case 'CiliumClusterwideNetworkPolicy.cilium.io': return { family: 'cni', kind: 'CiliumClusterwideNetworkPolicy' };
    // projectcalico.org/v3 (the Calico API server) and crd.projectcalico.org/v1 (its storage) are
    // the same objects; the readers take one of the two, never both.
    case 'NetworkPolicy.projectcalico.org':
    case 'NetworkPolicy.crd.projectcalico.org': return { family: 'cni', kind: 'CalicoNetworkPolicy' };
    case 'GlobalNetworkPolicy.projectcalico.org':
    case 'GlobalNetworkPolicy.crd.projectcalico.org': return { family: 'cni', kind: 'CalicoGlobalNetworkPolicy' };
    case 'Tier.projectcalico.org':
    case 'Tier.crd.projectcalico.org': return { family: 'cni', kind: 'CalicoTier' };
    case 'NetworkPolicy.crd.antrea.io': return { family: 'cni', kind: 'AntreaNetworkPolicy' };
    case 'ClusterNetworkPolicy.crd.antrea.io': return { family: 'cni', kind: 'AntreaClusterNetworkPolicy' };
    case 'Tier.crd.antrea.io': return { family: 'cni', kind: 'AntreaTier' };
    default: return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// SIG kinds

/**
 * A LabelSelector and nothing else: an object with other keys is another shape (or a newer field)
 * and must not be read as the `{}` that selects everything.
 */
function labelSelector(v: unknown): LabelSelector | undefined {
  if (!isObject(v) || !Object.keys(v).every((k) => k === 'matchLabels' || k === 'matchExpressions')) return undefined;
  return selector(v) ?? {};
}

/**
 * The first v1alpha1 releases (network-policy-api v0.1.x) wrote peer namespaces as a NamespacedPeer,
 * `{namespaceSelector}` or `{sameLabels}` / `{notSameLabels}`; later ones as a plain LabelSelector.
 * sameLabels and notSameLabels relate peer to subject and are not modelled: undefined (fail closed).
 */
function peerNamespaces(v: unknown): LabelSelector | undefined {
  const plain = labelSelector(v);
  if (plain) return plain;
  if (isObject(v) && Object.keys(v).length === 1 && 'namespaceSelector' in v) return labelSelector(v.namespaceSelector);
  return undefined;
}

/** `{namespaceSelector, podSelector}`, or v0.1.x's peer form `{namespaces: NamespacedPeer, podSelector}`. */
function namespacedPod(p: unknown, peerForm: boolean): NamespacedPodSelector | undefined {
  // Both selectors are required by the CRDs; a missing one must not silently widen to "all".
  if (!isObject(p)) return undefined;
  const keys = Object.keys(p).sort().join(',');
  const podSelector = labelSelector(p.podSelector);
  const namespaceSelector = keys === 'namespaceSelector,podSelector' ? labelSelector(p.namespaceSelector)
    : peerForm && keys === 'namespaces,podSelector' ? peerNamespaces(p.namespaces) : undefined;
  return podSelector && namespaceSelector ? { namespaceSelector, podSelector } : undefined;
}

/**
 * A peer sets exactly one field (the CRDs say so). Anything else, a field we do not know (a newer
 * CRD) or a malformed value, becomes `{ unknown }`: the spec asks implementations to fail closed.
 */
function peer(p: unknown): ClusterPolicyPeer {
  const set = isObject(p) ? Object.entries(p).filter(([, v]) => v !== undefined && v !== null) : [];
  const [field, value] = set.length === 1 ? set[0]! : [undefined, undefined];
  const strings = (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? [...v] : undefined);
  switch (field) {
    case 'namespaces': { const namespaces = peerNamespaces(value); if (namespaces) return { namespaces }; break; }
    case 'nodes': { const nodes = labelSelector(value); if (nodes) return { nodes }; break; }
    case 'pods': { const pods = namespacedPod(value, true); if (pods) return { pods }; break; }
    case 'networks': { const networks = strings(value); if (networks) return { networks }; break; }
    case 'domainNames': { const domainNames = strings(value); if (domainNames) return { domainNames }; break; }
    default: break;
  }
  return { unknown: json(p) };
}

type PortOrUnknown = ClusterPolicyPort | { unknown: string };

const PROTOCOL = (p: unknown): Protocol | undefined => (p === undefined || p === null ? 'TCP' : p === 'TCP' || p === 'UDP' || p === 'SCTP' ? p : undefined);

/** v1alpha1 `ports[]`: exactly one of portNumber, portRange (protocol defaults to TCP), namedPort. */
function portV1alpha1(p: Raw): PortOrUnknown {
  const protocol = PROTOCOL(p.portNumber?.protocol ?? p.portRange?.protocol);
  if (isObject(p.portNumber) && protocol && Number.isInteger(p.portNumber.port)) return { protocol, port: p.portNumber.port };
  if (isObject(p.portRange) && protocol && Number.isInteger(p.portRange.start) && Number.isInteger(p.portRange.end)) {
    return { protocol, port: p.portRange.start, endPort: p.portRange.end };
  }
  if (typeof p.namedPort === 'string') return { namedPort: p.namedPort };
  return { unknown: json(p) };
}

/**
 * v1alpha2 `protocols[]`: one of tcp / udp / sctp with an optional destinationPort (number or range;
 * absent: every port of that protocol, written 1-65535), or destinationNamedPort.
 */
function protocolV1alpha2(p: Raw): PortOrUnknown {
  if (typeof p.destinationNamedPort === 'string' && Object.keys(p).length === 1) return { namedPort: p.destinationNamedPort };
  const entries = Object.entries(p);
  const names: Record<string, Protocol> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
  if (entries.length === 1 && names[entries[0]![0]] && isObject(entries[0]![1])) {
    const protocol = names[entries[0]![0]]!;
    const dp = entries[0]![1].destinationPort;
    if (dp === undefined || dp === null) return { protocol, port: 1, endPort: 65535 };
    if (Number.isInteger(dp.number) && dp.range === undefined) return { protocol, port: dp.number };
    if (isObject(dp.range) && Number.isInteger(dp.range.start) && Number.isInteger(dp.range.end)) return { protocol, port: dp.range.start, endPort: dp.range.end };
  }
  return { unknown: json(p) };
}

const ACTIONS: Record<string, ClusterPolicyAction> = { Accept: 'Accept', Allow: 'Accept', Deny: 'Deny', Pass: 'Pass' };

/**
 * One rule. What cannot be modelled (an unknown action or port entry) fails the rule closed: it
 * gets an `{ unknown }` peer, so no proof over it can claim "unchanged"; an unknown action is read
 * as Deny, the action a placeholder could wrongly be proven harmless against.
 */
function rule(r: Raw, peersKey: 'from' | 'to', v1alpha2: boolean): ClusterPolicyRule {
  const unknown: string[] = [];
  let action = ACTIONS[String(r.action)];
  if (!action) {
    unknown.push(`action ${json(r.action)}`);
    action = 'Deny';
  }
  const out: ClusterPolicyRule = { action, peers: Array.isArray(r[peersKey]) ? r[peersKey].map(peer) : [] };
  if (typeof r.name === 'string' && r.name) out.name = r.name;
  const list = v1alpha2 ? r.protocols : r.ports;
  if (Array.isArray(list)) {
    out.ports = [];
    for (const p of list) {
      const port = isObject(p) ? (v1alpha2 ? protocolV1alpha2(p) : portV1alpha1(p)) : { unknown: json(p) };
      if ('unknown' in port) unknown.push(`port ${port.unknown}`);
      else out.ports.push(port);
    }
  }
  for (const u of unknown) out.peers.push({ unknown: u });
  return out;
}

/**
 * A subject is `namespaces` or `pods`. One we cannot read is taken as every pod: the widest subject
 * is the conservative one for the proof (more pods where the placeholder could change a verdict).
 */
function subject(s: unknown): ClusterPolicySubject {
  const namespaces = isObject(s) && s.pods == null ? labelSelector(s.namespaces) : undefined;
  if (namespaces) return { namespaces };
  const pods = isObject(s) && s.namespaces == null ? namespacedPod(s.pods, false) : undefined;
  return pods ? { pods } : { pods: { namespaceSelector: {}, podSelector: {} } };
}

/**
 * ClusterNetworkPolicy keeps its tier and priority; AdminNetworkPolicy is the Admin tier with its
 * priority; BaselineAdminNetworkPolicy (a singleton without priority) the Baseline tier, priority 0.
 * An unreadable tier is taken as Baseline, the tier an allow-all NetworkPolicy overrides.
 */
export function toClusterPolicy(raw: Raw, kind: ClusterPolicyKind): ClusterPolicy {
  const spec = isObject(raw.spec) ? raw.spec : {};
  const v1alpha2 = kind === 'ClusterNetworkPolicy'; // v1alpha2 and v1beta1: the same fields
  const tier = kind === 'AdminNetworkPolicy' ? 'Admin' : kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : spec.tier === 'Admin' ? 'Admin' : 'Baseline';
  const priority = kind === 'BaselineAdminNetworkPolicy' ? 0 : Number.isFinite(Number(spec.priority)) ? Number(spec.priority) : 0;
  const rules = (list: unknown, key: 'from' | 'to') => (Array.isArray(list) ? list.filter(isObject).map((r) => rule(r, key, v1alpha2)) : []);
  return {
    kind,
    apiVersion: String(raw.apiVersion ?? ''),
    metadata: meta(raw.metadata),
    spec: { tier, priority, subject: subject(spec.subject), ingress: rules(spec.ingress, 'from'), egress: rules(spec.egress, 'to') },
  };
}

// ---------------------------------------------------------------------------------------------
// CNI kinds

/**
 * The spec as plain JSON. Calico's crd.projectcalico.org/v1 objects keep `metadata.name` as stored,
 * which for older Calico carries the tier prefix (`default.allow-dns`, `security.block`); we do not
 * strip it, so names match what `kubectl get` shows for the group that was read.
 * A CiliumNetworkPolicy may carry `spec` (one rule), `specs` (several) or both: `specs` goes under
 * `spec.specs` (Cilium's rule has no such field), so both survive in one object.
 */
export function toCniPolicy(raw: Raw, kind: CniPolicyKind, apiVersion = String(raw.apiVersion ?? '')): CniPolicy {
  const spec: Record<string, unknown> = isObject(raw.spec) ? structuredClone(raw.spec) : {};
  if (Array.isArray(raw.specs)) spec['specs'] = structuredClone(raw.specs);
  return { kind, apiVersion, metadata: meta(raw.metadata), spec };
}
