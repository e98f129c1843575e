// Antrea-native policies (crd.antrea.io v1beta1 ClusterNetworkPolicy and NetworkPolicy) compiled
// into the tiered model, as antrea-io/antrea docs/antrea-network-policy.md specifies:
// - Tiers by priority: the static ones (emergency 50, securityops 100, networkops 150, platform 200,
//   application 250, the default "for policies without tier", baseline 253) and the Tier objects
//   read from the cluster. Every Tier but baseline is enforced before the Kubernetes
//   NetworkPolicies; baseline after them, and never for a pod a NetworkPolicy isolates ("baseline
//   policies cannot counteract the isolated Pod behavior").
// - Within a Tier, policies by `priority` (lower first, ClusterNetworkPolicy and NetworkPolicy
//   alike); "policies with the same priorities will be enforced indeterministically": not proven.
// - Within a policy, rules in the order written; the first rule that matches decides: Allow, Drop
//   or Reject (both deny), or Pass, which skips every later Antrea rule but the baseline Tier's
//   (Pass is rejected in the baseline Tier). No rule matching: the next policy; no isolation.
// Inexact parts (see antrea-peers.ts) are listed in `unmodelled`; the proof is then "not proven"
// for the policy's pods. They are left out in the direction that makes the policy's pods allow
// more, never less: an Allow rule applies more widely, a deny rule or Pass less (why: a pod whose
// side is allowed too much can only make the proof report a change on the other side, never hide one).
import type { CniPolicy, Labels, Pod, Protocol } from '../model.ts';
import { namespaceOf, type Peer } from './cluster-index.ts';
import { antreaPeerMatches, readAppliedTo, readPeer, readPorts, rulePortSet, type AntreaPeer, type AppliedTo, type PolicyScope } from './antrea-peers.ts';
import { isObject, objects, type Json } from './cni-common.ts';
import { formatCniRef, type CniRef } from './compile-cilium.ts';
import type { CompiledPort } from './compile.ts';
import { NO_PORTS, type PortSet } from './ports.ts';
import type { Requirement } from './selector.ts';
import type { Direction } from './types.ts';
import { compareText } from '../order.ts';

export type AntreaAction = 'Allow' | 'Drop' | 'Reject' | 'Pass';

export const STATIC_TIERS: Readonly<Record<string, number>> = { emergency: 50, securityops: 100, networkops: 150, platform: 200, application: 250, baseline: 253 };
export const BASELINE_TIER_PRIORITY = 253;

export interface AntreaRule {
  /** e.g. `ingress[0]`. */
  field: string;
  name?: string;
  action: AntreaAction;
  applies(pod: Pod, namespaceLabels: Labels): boolean;
  /** 'all': `from`/`to` absent or empty. */
  peers: 'all' | AntreaPeer[];
  ports: 'all' | CompiledPort[];
}

export interface CompiledAntrea {
  ref: CniRef;
  tier: string;
  tierPriority: number;
  priority: number;
  baseline: boolean;
  rules: Record<Direction, AntreaRule[]>;
  /** Pod label requirements of the appliedTo entries (future pods may satisfy them). */
  podRequirements: Requirement[][];
  unmodelled: string[];
}

const ACTIONS = new Set<string>(['Allow', 'Drop', 'Reject', 'Pass']);
const RULE_FIELDS = new Set(['action', 'name', 'from', 'to', 'ports', 'protocols', 'appliedTo', 'enableLogging', 'logLabel']);

export function isAntreaPolicy(p: CniPolicy): boolean {
  return p.kind === 'AntreaClusterNetworkPolicy' || p.kind === 'AntreaNetworkPolicy';
}

/** Tier objects read from the cluster (name → priority), the static ones included. */
export function antreaTiers(policies: readonly CniPolicy[]): Map<string, number> {
  const tiers = new Map(Object.entries(STATIC_TIERS));
  for (const t of policies) if (t.kind === 'AntreaTier' && typeof t.spec.priority === 'number') tiers.set(t.metadata.name, t.spec.priority);
  return tiers;
}

function tierOf(spec: Json, tiers: Map<string, number>, out: string[]): [string, number] {
  const raw = typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : 'application';
  // Policies from before Antrea 0.10 name the static tiers capitalised; Antrea lowercases those.
  const name = Object.hasOwn(STATIC_TIERS, raw.toLowerCase()) && /^[A-Z]/.test(raw) ? raw.toLowerCase() : raw;
  const priority = tiers.get(name);
  if (priority !== undefined) return [name, priority];
  // Antrea itself falls back to the application Tier's priority for a Tier it cannot find.
  out.push(`tier ${name} is not a Tier we read`);
  return [name, STATIC_TIERS.application!];
}

function inScope(scope: PolicyScope): AppliedTo {
  return { selects: (pod, labels) => pod.hostNetwork !== true && (scope.cluster || namespaceOf(pod, labels) === scope.namespace), podRequirements: [] };
}

/** `applied`: the readable spec appliedTo entries, or undefined when the rules carry their own. */
function compileRule(d: Direction, r: Json, field: string, scope: PolicyScope, applied: AppliedTo[] | undefined, baseline: boolean, out: string[]): AntreaRule {
  const before = out.length;
  const action = (ACTIONS.has(String(r.action)) ? r.action : 'Drop') as AntreaAction;
  if (!ACTIONS.has(String(r.action))) out.push(`${field} has action ${JSON.stringify(r.action)}`);
  if (baseline && action === 'Pass') out.push(`${field}: Pass in the baseline Tier (rejected by Antrea)`);
  // toServices, l7Protocols, … decide traffic on what a connection class does not fix.
  for (const k of Object.keys(r)) if (!RULE_FIELDS.has(k) && r[k] !== null) out.push(`${field} has ${k} (not modelled)`);
  const list = (d === 'Ingress' ? r.from : r.to) as unknown;
  const raw = Array.isArray(list) ? list : [];
  const peers = raw.map((x, i) => readPeer(x, `${field}.${d === 'Ingress' ? 'from' : 'to'}[${i}]`, scope, out)).filter((x): x is AntreaPeer => x !== undefined);
  const ports = readPorts(r, field, out);
  let appliesTo = applied ?? [];
  if (!applied) {
    const entries = Array.isArray(r.appliedTo) ? r.appliedTo : [];
    if (entries.length === 0) out.push(`${field} has no appliedTo and the policy none either`);
    const read = entries.map((a, i) => readAppliedTo(a, `${field}.appliedTo[${i}]`, scope, out));
    appliesTo = read.some((a) => a === undefined) && action === 'Allow' ? [inScope(scope)] : read.filter((a): a is AppliedTo => a !== undefined);
  }
  const exact = out.length === before;
  const rule: AntreaRule = {
    field,
    action,
    applies: (pod, labels) => appliesTo.some((a) => a.selects(pod, labels)),
    // Inexact: an Allow matches every connection, a Drop, Reject or Pass none.
    peers: exact ? (raw.length === 0 ? 'all' : peers) : action === 'Allow' ? 'all' : [],
    ports: exact || action !== 'Allow' ? ports : 'all',
  };
  if (typeof r.name === 'string') rule.name = r.name;
  return rule;
}

export function compileAntrea(p: CniPolicy, tiers: Map<string, number>): CompiledAntrea {
  const spec = isObject(p.spec) ? p.spec : {};
  const cluster = p.kind === 'AntreaClusterNetworkPolicy';
  const scope: PolicyScope = { cluster, namespace: p.metadata.namespace ?? '' };
  const out: string[] = [];
  const [tier, tierPriority] = tierOf(spec, tiers, out);
  const baseline = tierPriority === STATIC_TIERS.baseline;
  const priority = typeof spec.priority === 'number' ? spec.priority : Infinity;
  if (priority === Infinity) out.push('priority is not a number');
  const specApplied = Array.isArray(spec.appliedTo) && spec.appliedTo.length > 0
    ? spec.appliedTo.map((a, i) => readAppliedTo(a, `appliedTo[${i}]`, scope, out))
    : undefined;
  const exactApplied = specApplied?.filter((a): a is AppliedTo => a !== undefined);
  const inexactSpec = specApplied !== undefined && exactApplied!.length !== specApplied.length;
  const rules = { Ingress: [] as AntreaRule[], Egress: [] as AntreaRule[] };
  for (const d of ['Ingress', 'Egress'] as const) {
    objects(d === 'Ingress' ? spec.ingress : spec.egress).forEach((r, i) => {
      const field = `${d.toLowerCase()}[${i}]`;
      // An unreadable spec appliedTo: Allow rules apply to every pod in scope, the others to the readable entries.
      const applied = inexactSpec && r.action === 'Allow' ? [inScope(scope)] : exactApplied;
      rules[d].push(compileRule(d, r, field, scope, applied, baseline, out));
    });
  }
  const ref: CniRef = { kind: p.kind, name: p.metadata.name, part: 'spec', ...(!cluster && p.metadata.namespace ? { namespace: p.metadata.namespace } : {}) };
  const podRequirements = [...(exactApplied ?? []).map((a) => [...a.podRequirements])];
  for (const r of objects(spec.ingress).concat(objects(spec.egress))) {
    for (const a of Array.isArray(r.appliedTo) ? r.appliedTo : []) if (isObject(a) && isObject(a.podSelector)) podRequirements.push([...(readAppliedTo(a, '', scope, []) ?? { podRequirements: [] }).podRequirements]);
  }
  return { ref, tier, tierPriority, priority, baseline, rules, podRequirements, unmodelled: out };
}

/** Evaluation order: Tier priority, then policy priority; ties by kind, namespace and name (flagged by antreaTies). */
export function antreaOrder(a: CompiledAntrea, b: CompiledAntrea): number {
  return a.tierPriority - b.tierPriority || a.priority - b.priority || compareText(formatCniRef(a.ref), formatCniRef(b.ref));
}

/** Same Tier and priority, rules in a common direction, and (for two NetworkPolicies) one namespace. */
export function antreaTies(all: CompiledAntrea[]): void {
  const key = (c: CompiledAntrea) => `${c.tierPriority}/${c.priority}`;
  const groups = new Map<string, CompiledAntrea[]>();
  for (const c of all) groups.set(key(c), [...(groups.get(key(c)) ?? []), c]);
  const overlap = (a: CompiledAntrea, b: CompiledAntrea) => (a.ref.namespace === undefined || b.ref.namespace === undefined || a.ref.namespace === b.ref.namespace)
    && (['Ingress', 'Egress'] as const).some((d) => a.rules[d].length > 0 && b.rules[d].length > 0);
  for (const group of groups.values()) {
    for (const c of group) {
      const others = group.filter((x) => x !== c && overlap(c, x));
      if (others.length > 0) c.unmodelled.push(`tier ${c.tier} priority ${c.priority} is shared with ${others.map((x) => formatCniRef(x.ref)).join(', ')} (Antrea orders them indeterministically)`);
    }
  }
}

/** The ports on which the rule matches this peer (the rule applies to a pod of `subjectNamespace`). */
export function antreaRulePorts(rule: AntreaRule, peer: Peer, protocol: Protocol, destination: Pod | undefined, subjectNamespace: string): PortSet {
  if (rule.peers !== 'all' && !rule.peers.some((x) => antreaPeerMatches(x, peer, subjectNamespace))) return NO_PORTS;
  return rulePortSet(rule.ports, protocol, destination);
}

export function formatAntreaRule(c: CompiledAntrea, d: Direction, rule: AntreaRule): string {
  const name = rule.name ? ` (${rule.name})` : '';
  return `${formatCniRef(c.ref)} ${d.toLowerCase()} rule ${rule.field}${name}, tier ${c.tier} (priority ${c.tierPriority}), policy priority ${c.priority}`;
}
