// Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3, crd.projectcalico.org/v1)
// compiled into the tiered model: each policy of its tier (`spec.tier`, default `default`; the
// order of tiers and of policies in one is calico-tiers.ts), the Kubernetes NetworkPolicies at
// order 1000 of the `default` tier; the first matching rule decides (Allow / Deny / Pass; Log goes
// on); a tier that has a policy for the pod ends with its defaultAction; Pass goes to the next tier.
// Rules follow docs.tigera.io reference/resources/{networkpolicy,globalnetworkpolicy} (Rule,
// EntityRule, Ports). What the snapshot cannot decide is listed in `unmodelled` (service accounts,
// services, L7 `http`, source ports, notSelector, tiers not read, ties Calico versions break
// differently, labels we do not know): the proof then says "not proven" for the policy's pods.
import type { CniPolicy, Labels, Pod, Protocol } from '../model.ts';
import type { Peer } from './cluster-index.ts';
import { NAMESPACE_NAME_LABEL } from './cluster-index.ts';
import { calicoSelection } from './cni-calico.ts';
import { isObject, objects, type Json } from './cni-common.ts';
import { parseCalicoSelector, type CalicoSelector } from './calico-selector.ts';
import type { CniRef } from './compile-cilium.ts';
import { parseCIDR, rangeContains, type AddressRange } from './ip.ts';
import { portsOf } from './match.ts';
import { ALL_PORTS, NO_PORTS, intersect, subtract, type PortSet } from './ports.ts';
import type { Direction } from './types.ts';
import { calicoHints } from './calico-hints.ts';
import { DEFAULT_TIER, tieName } from './calico-tiers.ts';

export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

export interface CalicoRule {
  field: string;
  action: CalicoAction;
  /** Ports on which the rule matches this peer (the subject is the policy's pod). */
  ports(peer: Peer, protocol: Protocol, destination: Pod | undefined): PortSet;
  nets: AddressRange[];
  /** No protocol, peer, port or IP version condition: it matches every connection. */
  catchAll: boolean;
}

export interface CompiledCalico {
  ref: CniRef;
  /** `spec.tier`, `default` when absent. */
  tier: string;
  /** Infinity when `order` is absent. */
  order: number;
  /** The name equal orders are broken by, without the `<tier>.` prefix of older storage. */
  name: string;
  prefixed: boolean;
  types: Record<Direction, boolean>;
  selects(pod: Pod, namespaceLabels: Labels): boolean;
  rules: Record<Direction, CalicoRule[]>;
  /** Pod labels that a future pod may carry to be selected (one set per way found). */
  hints: Record<string, string>[];
  unmodelled: string[];
}

const PROTOCOL_NUMBERS: Record<string, Protocol> = { '6': 'TCP', '17': 'UDP', '132': 'SCTP', TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' };
const FIXED = (k: string) => k.startsWith('projectcalico.org/') || k.startsWith('pcns.') || k.startsWith('pcsa.');

function namespaceOf(pod: Pod, labels: Labels): string {
  return labels[NAMESPACE_NAME_LABEL] ?? pod.metadata.namespace;
}

function podLabel(pod: Pod, nsLabels: Labels, key: string): string | undefined {
  if (key === 'projectcalico.org/namespace') return namespaceOf(pod, nsLabels);
  if (key === 'projectcalico.org/orchestrator') return 'k8s';
  const [labels, k] = key.startsWith('pcns.') ? [nsLabels, key.slice(5)] : [pod.metadata.labels ?? {}, key];
  return Object.hasOwn(labels, k) ? labels[k] : undefined;
}

function parse(raw: unknown, where: string, out: string[], podKeys: boolean): CalicoSelector | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const s = typeof raw === 'string' ? parseCalicoSelector(raw) : { ok: false as const, error: 'not a string' };
  if (!s.ok) {
    out.push(`${where} does not parse (${s.error})`);
    return undefined;
  }
  const unknown = s.keys.filter((k) => (podKeys ? FIXED(k) && k !== 'projectcalico.org/namespace' && k !== 'projectcalico.org/orchestrator' && !(k.startsWith('pcns.') && !k.startsWith('pcns.projectcalico.org/')) : false));
  if (unknown.length > 0) out.push(`${where} reads ${unknown.join(', ')} (not in our data)`);
  return s;
}

function protocolOf(raw: unknown): Protocol | 'other' | undefined {
  if (raw === undefined || raw === null) return undefined;
  return PROTOCOL_NUMBERS[String(raw).toUpperCase()] ?? 'other';
}

function portsField(raw: unknown, protocol: Protocol | 'other' | undefined, where: string, out: string[]): 'all' | ((p: Protocol, dst: Pod | undefined) => PortSet) {
  if (!Array.isArray(raw) || raw.length === 0) return 'all';
  if (protocol === undefined || protocol === 'other') {
    out.push(`${where} without a TCP, UDP or SCTP protocol (Calico rejects it)`);
    return () => NO_PORTS;
  }
  const ranges: { from: number; to: number }[] = [];
  const named: string[] = [];
  for (const p of raw) {
    const m = /^(\d+)(?::(\d+))?$/.exec(String(p));
    if (m) ranges.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]) });
    else named.push(String(p));
  }
  return (proto, dst) => portsOf([...ranges.map((r) => ({ protocol: proto, port: { kind: 'range' as const, ...r } })), ...named.map((name) => ({ protocol: proto, port: { kind: 'named' as const, name } }))], proto, dst);
}

function nets(raw: unknown, where: string, out: string[]): AddressRange[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const parsed = raw.map((x) => (typeof x === 'string' ? parseCIDR(x) : undefined));
  if (parsed.some((x) => !x)) out.push(`${where} has an unreadable CIDR`);
  return parsed.filter((x): x is AddressRange => !!x);
}

const PEER_OK = new Set(['selector', 'namespaceSelector', 'nets', 'notNets', 'ports', 'notPorts']);

function compileRule(p: CniPolicy, d: Direction, r: Json, field: string, out: string[]): CalicoRule {
  const action = (['Allow', 'Deny', 'Pass', 'Log'] as const).find((a) => a === r.action);
  if (!action) out.push(`${field} has action ${JSON.stringify(r.action)}`);
  for (const k of Object.keys(r)) if (!['action', 'protocol', 'notProtocol', 'ipVersion', 'source', 'destination', 'metadata'].includes(k) && r[k] !== null) out.push(`${field} has ${k} (not modelled)`);
  const protocol = protocolOf(r.protocol);
  const notProtocol = protocolOf(r.notProtocol);
  const [peerKey, localKey] = d === 'Ingress' ? ['source', 'destination'] : ['destination', 'source'];
  const peer = isObject(r[peerKey]) ? r[peerKey] : {};
  const local = isObject(r[localKey]) ? r[localKey] : {};
  for (const k of Object.keys(peer)) if (!PEER_OK.has(k) || (d === 'Ingress' && (k === 'ports' || k === 'notPorts'))) out.push(`${field}.${peerKey}.${k} (not modelled)`);
  // The local side may only narrow the destination ports (ingress); anything else is not modelled.
  for (const k of Object.keys(local)) if (d === 'Egress' || (k !== 'ports' && k !== 'notPorts')) out.push(`${field}.${localKey}.${k} (not modelled)`);
  const portSide = d === 'Ingress' ? local : peer;
  const ports = portsField(portSide.ports, protocol, `${field}.destination.ports`, out);
  const notPorts = portsField(portSide.notPorts, protocol, `${field}.destination.notPorts`, out);
  const selector = parse(peer.selector, `${field}.${peerKey}.selector`, out, true);
  const nsSelector = parse(peer.namespaceSelector, `${field}.${peerKey}.namespaceSelector`, out, false);
  const inNets = nets(peer.nets, `${field}.${peerKey}.nets`, out);
  const outNets = nets(peer.notNets, `${field}.${peerKey}.notNets`, out);
  const ipVersion = r.ipVersion === 4 || r.ipVersion === 6 ? r.ipVersion : undefined;
  const endpointsOnly = selector !== undefined || nsSelector !== undefined;
  const global = p.kind === 'CalicoGlobalNetworkPolicy';
  const peerMatches = (target: Peer): boolean => {
    if (ipVersion !== undefined && target.address?.family !== ipVersion) return false;
    if (inNets && !(target.address && inNets.some((n) => rangeContains(n, target.address!)))) return false;
    if (outNets && target.address && outNets.some((n) => rangeContains(n, target.address!))) return false;
    if (!endpointsOnly) return true;
    // Selectors match workload endpoints only: pods on the pod network.
    if (target.kind !== 'pod') return false;
    const ns = namespaceOf(target.pod, target.namespaceLabels);
    if (nsSelector) {
      if (!nsSelector.evaluate((k) => (k === 'projectcalico.org/name' ? ns : Object.hasOwn(target.namespaceLabels, k) ? target.namespaceLabels[k] : undefined))) return false;
    } else if (!global && ns !== p.metadata.namespace) return false;
    return !selector || selector.evaluate((k) => podLabel(target.pod, target.namespaceLabels, k)) === true;
  };
  return {
    field,
    action: action ?? 'Deny',
    nets: [...(inNets ?? []), ...(outNets ?? [])],
    catchAll: protocol === undefined && notProtocol === undefined && ipVersion === undefined && Object.keys(peer).length === 0 && Object.keys(local).length === 0,
    ports: (target, proto, dst) => {
      if ((protocol !== undefined && protocol !== proto) || (notProtocol !== undefined && notProtocol === proto)) return NO_PORTS;
      if (!peerMatches(target)) return NO_PORTS;
      const yes = ports === 'all' ? ALL_PORTS : ports(proto, dst);
      return notPorts === 'all' ? yes : subtract(yes, intersect(notPorts(proto, dst), ALL_PORTS));
    },
  };
}

export function isCalico(p: CniPolicy): boolean {
  return p.kind === 'CalicoNetworkPolicy' || p.kind === 'CalicoGlobalNetworkPolicy';
}

export function compileCalico(p: CniPolicy): CompiledCalico {
  const spec = isObject(p.spec) ? p.spec : {};
  const out: string[] = [];
  const sel = calicoSelection(p);
  out.push(...sel.approximations);
  const tier = typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : DEFAULT_TIER;
  for (const k of ['doNotTrack', 'preDNAT', 'applyOnForward', 'performanceHints']) if (spec[k] !== undefined && spec[k] !== false) out.push(`${k} (host endpoints, not modelled)`);
  const order = typeof spec.order === 'number' ? spec.order : Infinity;
  // Felix breaks this tie by comparing `knp.default.<name>` before Calico 3.32 and `<name>` since.
  if (order === 1000 && tier === DEFAULT_TIER) out.push('order 1000 ties with the Kubernetes NetworkPolicies, and Calico versions break that tie differently');
  const rules = {
    Ingress: objects(spec.ingress).map((r, i) => compileRule(p, 'Ingress', r, `ingress[${i}]`, out)),
    Egress: objects(spec.egress).map((r, i) => compileRule(p, 'Egress', r, `egress[${i}]`, out)),
  };
  const types = { Ingress: sel.directions.includes('Ingress'), Egress: sel.directions.includes('Egress') };
  const ref: CniRef = { kind: p.kind, name: p.metadata.name, part: 'spec', ...(p.kind === 'CalicoNetworkPolicy' && p.metadata.namespace ? { namespace: p.metadata.namespace } : {}) };
  const hints = calicoHints(spec.selector, out);
  return {
    ref, tier, order, ...tieName(tier, p.metadata.name), types, rules, hints, unmodelled: out,
    selects: (pod, namespaceLabels) => pod.hostNetwork !== true && sel.selects({ namespace: namespaceOf(pod, namespaceLabels), podLabels: pod.metadata.labels ?? {}, namespaceLabels }),
  };
}
