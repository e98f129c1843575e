// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2) compiled into the tiered
// model, every default written out. Each rule of a policy (`spec`, each of `specs`) is one unit:
// - its `ingressDeny`/`egressDeny` rules form a first-match Deny tier ahead of the NetworkPolicy
//   tier ("deny policies take precedence over allow policies, … even a Kubernetes NetworkPolicy");
// - its `ingress`/`egress` allow rules join the NetworkPolicy tier, unioned with the rules of
//   Kubernetes NetworkPolicies ("allow rules of every policy selecting an endpoint are unioned");
// - it isolates a direction per `enableDefaultDeny` ("if not specified, true for each direction
//   that has rules", Ingress/IngressDeny alike), and the agent's mode `always` isolates every pod.
// What is not L3/L4 or not knowable from the snapshot (L7 rules, FQDNs, services, node selectors,
// groups, auth, some entities, inexact selections) is listed in `unmodelled`: the proof then says
// "not proven" for the pods the unit selects (proof-cni.ts), and never relies on these rules.
import type { CniPolicy, CniPolicyKind, Labels, Pod } from '../model.ts';
import { ciliumSelector, rulesOf, type CiliumSelector } from './cni-cilium.ts';
import { isNonEmptyList, isObject, objects, scopeOf, type Json } from './cni-common.ts';
import { PROTOCOLS, type CompiledPort } from './compile.ts';
import { parseCIDR, type AddressRange } from './ip.ts';
import { namespaceOf } from './cluster-index.ts';
import type { Direction } from './types.ts';

export type CiliumMode = 'default' | 'always' | 'never';

export interface CniRef {
  kind: CniPolicyKind;
  namespace?: string;
  name: string;
  /** Which rule of the policy: `spec` or `specs[i]`. */
  part: string;
}

export type CiliumEntity = 'world' | 'world-ipv4' | 'world-ipv6' | 'cluster' | 'host' | 'remote-node' | 'all';
const ENTITIES = new Set<string>(['world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'remote-node', 'all']);

export type CiliumPeer =
  // Pods matching `selector`; `namespace` set when Cilium adds the policy's own namespace to it.
  | { kind: 'endpoints'; selector: CiliumSelector; namespace?: string }
  | { kind: 'entity'; entity: CiliumEntity }
  // CIDR rules match addresses outside the cluster only (not pods, nodes or hostNetwork pods), the
  // documented default (policy-cidr-match-mode unset). `ipBlock` so the address classes cut on it.
  | { kind: 'ipBlock'; cidr: AddressRange; except: AddressRange[]; text: string };

export interface CiliumRule {
  /** e.g. `ingressDeny[0]`. */
  field: string;
  index: number;
  /** 'all': no L3 field next to toPorts (an L4-only rule). `[]`: a rule like `{}` that matches nothing. */
  peers: 'all' | CiliumPeer[];
  /** 'all': neither toPorts nor icmps. `[]`: ICMP only, none of TCP, UDP, SCTP. */
  ports: 'all' | CompiledPort[];
}

export interface CompiledCilium {
  ref: CniRef;
  subject: CiliumSelector;
  /** A CiliumNetworkPolicy selects pods of its own namespace only. */
  namespace?: string;
  isolates: Record<Direction, boolean>;
  allow: Record<Direction, CiliumRule[]>;
  deny: Record<Direction, CiliumRule[]>;
  /** allow and deny together (address-space.ts cuts the outside world on their CIDRs). */
  rules: Record<Direction, CiliumRule[]>;
  unmodelled: string[];
  key: string;
}

const PEER_FIELDS: Record<Direction, { endpoints: string; cidr: string; cidrSet: string; entities: string }> = {
  Ingress: { endpoints: 'fromEndpoints', cidr: 'fromCIDR', cidrSet: 'fromCIDRSet', entities: 'fromEntities' },
  Egress: { endpoints: 'toEndpoints', cidr: 'toCIDR', cidrSet: 'toCIDRSet', entities: 'toEntities' },
};

function cidrPeer(text: unknown, except: unknown, where: string, out: string[]): CiliumPeer[] {
  const cidr = typeof text === 'string' ? parseCIDR(text) : undefined;
  const ex = (Array.isArray(except) ? except : []).map((e) => (typeof e === 'string' ? parseCIDR(e) : undefined));
  if (!cidr || ex.some((e) => e === undefined)) {
    out.push(`${where}: CIDR ${JSON.stringify(text)} or its except not readable`);
    return [];
  }
  return [{ kind: 'ipBlock', cidr, except: ex as AddressRange[], text: `${String(text)}${ex.length ? ` except ${(except as string[]).join(',')}` : ''}` }];
}

function readPorts(rule: Json, where: string, out: string[]): 'all' | CompiledPort[] {
  if (!isNonEmptyList(rule.toPorts)) return isNonEmptyList(rule.icmps) ? [] : 'all';
  const ports: CompiledPort[] = [];
  for (const [i, pr] of objects(rule.toPorts).entries()) {
    for (const l7 of ['rules', 'serverNames', 'listener', 'originatingTLS', 'terminatingTLS']) {
      if (pr[l7] !== undefined && pr[l7] !== null && !(isObject(pr[l7]) && Object.keys(pr[l7]).length === 0)) out.push(`${where}.toPorts[${i}] has ${l7} (L7, not modelled)`);
    }
    if (!isNonEmptyList(pr.ports)) return 'all';
    for (const p of objects(pr.ports)) {
      const proto = typeof p.protocol === 'string' ? p.protocol.toUpperCase() : 'ANY';
      // ANY is TCP, UDP and SCTP here; ICMP and others carry no port we model (they match none).
      const protocols = proto === 'ANY' ? PROTOCOLS : PROTOCOLS.filter((x) => x === proto);
      const raw = p.port === undefined || p.port === null ? '0' : String(p.port);
      const n = /^\d+$/.test(raw) ? Number(raw) : undefined;
      const end = typeof p.endPort === 'number' ? p.endPort : n;
      for (const protocol of protocols) {
        if (n === 0) ports.push({ protocol, port: { kind: 'all' } }); // port 0 or absent: every port
        else if (n !== undefined) ports.push({ protocol, port: { kind: 'range', from: n, to: Math.max(n, end ?? n) } });
        else ports.push({ protocol, port: { kind: 'named', name: raw.toLowerCase() } });
      }
    }
  }
  return ports;
}

function readRule(p: CniPolicy, d: Direction, rule: Json, field: string, index: number, out: string[]): CiliumRule {
  const f = PEER_FIELDS[d];
  const where = `${field}`;
  const known = new Set([f.endpoints, f.cidr, f.cidrSet, f.entities, 'toPorts', 'icmps']);
  for (const [k, v] of Object.entries(rule)) {
    // Everything else decides traffic in ways the snapshot cannot tell (FQDNs, services, nodes, auth, …).
    if (!known.has(k) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) out.push(`${where} has ${k} (not modelled)`);
  }
  const peers: CiliumPeer[] = [];
  let l3 = false;
  const listed = (key: string): unknown[] => (Array.isArray(rule[key]) ? (rule[key] as unknown[]) : []);
  if (listed(f.endpoints).length > 0) {
    l3 = true;
    for (const [i, raw] of listed(f.endpoints).entries()) {
      const selector = ciliumSelector(raw, `${where}.${f.endpoints}[${i}]`);
      out.push(...selector.approximations);
      const own = p.kind === 'CiliumNetworkPolicy' && !selector.pinsNamespace ? p.metadata.namespace : undefined;
      // Without a namespace, a clusterwide selector that matches an empty label set also matches
      // reserved identities (host, world, …), whose label sets we do not model.
      if (own === undefined && !selector.pinsNamespace && selector.matchesEmpty) out.push(`${where}.${f.endpoints}[${i}] may match reserved identities (not modelled)`);
      peers.push(own === undefined ? { kind: 'endpoints', selector } : { kind: 'endpoints', selector, namespace: own });
    }
  }
  if (listed(f.cidr).length > 0) {
    l3 = true;
    for (const c of listed(f.cidr)) peers.push(...cidrPeer(c, [], `${where}.${f.cidr}`, out));
  }
  if (listed(f.cidrSet).length > 0) {
    l3 = true;
    for (const s of objects(rule[f.cidrSet])) {
      if (s.cidrGroupRef !== undefined || s.cidrGroupSelector !== undefined) out.push(`${where}.${f.cidrSet} refers to a CiliumCIDRGroup (not modelled)`);
      else peers.push(...cidrPeer(s.cidr, s.except, `${where}.${f.cidrSet}`, out));
    }
  }
  if (listed(f.entities).length > 0) {
    l3 = true;
    for (const e of listed(f.entities)) {
      if (typeof e === 'string' && ENTITIES.has(e)) peers.push({ kind: 'entity', entity: e as CiliumEntity });
      else out.push(`${where}.${f.entities} has entity ${JSON.stringify(e)} (not modelled)`);
    }
  }
  const ports = readPorts(rule, where, out);
  const l4 = isNonEmptyList(rule.toPorts);
  // L4-only rules apply to every peer; a rule with neither (`{}`) matches nothing.
  return { field: where, index, peers: l3 ? peers : l4 ? 'all' : [], ports };
}

function compileUnit(p: CniPolicy, rule: Json, part: string): CompiledCilium {
  const ref: CniRef = { kind: p.kind, name: p.metadata.name, part, ...(p.metadata.namespace && p.kind === 'CiliumNetworkPolicy' ? { namespace: p.metadata.namespace } : {}) };
  const unmodelled: string[] = [...scopeOf(p, p.kind === 'CiliumNetworkPolicy').approximations];
  const subject = ciliumSelector(rule.endpointSelector ?? {}, `${part}.endpointSelector`);
  if (rule.endpointSelector === undefined || rule.endpointSelector === null) {
    unmodelled.push(rule.nodeSelector !== undefined ? `${part} is a host policy (nodeSelector): selects nodes, no pod` : `${part} has no endpointSelector`);
  }
  unmodelled.push(...subject.approximations);
  const list = (key: string, d: Direction) => objects(rule[key]).map((r, i) => readRule(p, d, r, `${part}.${key}[${i}]`, i, unmodelled));
  const allow = { Ingress: list('ingress', 'Ingress'), Egress: list('egress', 'Egress') };
  const deny = { Ingress: list('ingressDeny', 'Ingress'), Egress: list('egressDeny', 'Egress') };
  const explicit = isObject(rule.enableDefaultDeny) ? rule.enableDefaultDeny : {};
  const isolates = {
    Ingress: typeof explicit.ingress === 'boolean' ? explicit.ingress : allow.Ingress.length + deny.Ingress.length > 0,
    Egress: typeof explicit.egress === 'boolean' ? explicit.egress : allow.Egress.length + deny.Egress.length > 0,
  };
  const rules = { Ingress: [...allow.Ingress, ...deny.Ingress], Egress: [...allow.Egress, ...deny.Egress] };
  const namespace = p.kind === 'CiliumNetworkPolicy' ? p.metadata.namespace : undefined;
  return { ref, subject, ...(namespace ? { namespace } : {}), isolates, allow, deny, rules, unmodelled, key: JSON.stringify([p.kind, p.metadata.namespace, p.metadata.name, part]) };
}

export function isCilium(p: CniPolicy): boolean {
  return p.kind === 'CiliumNetworkPolicy' || p.kind === 'CiliumClusterwideNetworkPolicy';
}

export function compileCilium(p: CniPolicy): CompiledCilium[] {
  return rulesOf(isObject(p.spec) ? p.spec : {}).map(({ rule, field }) => compileUnit(p, rule, field));
}

export function ciliumSelects(u: CompiledCilium, pod: Pod, namespaceLabels: Labels): boolean {
  // hostNetwork pods have the host identity: endpoint selectors never pick them.
  if (pod.hostNetwork === true) return false;
  const namespace = namespaceOf(pod, namespaceLabels);
  if (u.namespace !== undefined && u.namespace !== namespace) return false;
  return u.subject.selects({ namespace, podLabels: pod.metadata.labels ?? {}, namespaceLabels });
}

export function formatCniRef(r: CniRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

export function formatCiliumRule(r: CniRef, rule: CiliumRule): string {
  return `${formatCniRef(r)} ${rule.field}`;
}
