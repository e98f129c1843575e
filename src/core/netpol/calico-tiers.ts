// Calico tiers (projectcalico.org/v3 Tier, crd.projectcalico.org/v1 Tier): which tier each Calico
// policy belongs to and in what order tiers and policies are met. From the Tier and policy types
// (api/pkg/apis/projectcalico/v3/tier.go, networkpolicy.go) and their CRDs:
// - tiers by `order`, lower first; no order is "infinite" (last); equal orders by tier name;
// - `defaultAction` (Deny when absent) ends a tier that has a policy for the endpoint and direction
//   but no matching rule; Pass hands the connection to the next tier;
// - the built-in tiers: `default` (order 1,000,000, Deny; the Kubernetes NetworkPolicies sit in it
//   at order 1000), `kube-admin` (1,000, Pass; Calico's AdminNetworkPolicies) and `kube-baseline`
//   (10,000,000, Pass; its BaselineAdminNetworkPolicy); the CRD's validation pins these values;
// - policies in a tier by `order` (none: last), equal orders "in alphanumerical order based on the
//   Policy Name within the tier".
// The SIG Admin and Baseline tiers of our model stand where Calico puts kube-admin and kube-baseline.
import type { CniPolicy } from '../model.ts';
import { isObject } from './cni-common.ts';
import type { CompiledCalico } from './compile-calico.ts';
import { formatCniRef } from './compile-cilium.ts';

export interface CalicoTier {
  name: string;
  /** Infinity when absent. */
  order: number;
  defaultAction: 'Deny' | 'Pass';
  /**
   * Where the tier sits among our model's tiers: 0 before the SIG Admin tier (kube-admin), 1
   * between it and the default tier, 2 between the default tier and the SIG Baseline tier
   * (kube-baseline), 3 after it.
   */
  slot: 0 | 1 | 2 | 3;
}

export const DEFAULT_TIER = 'default';
const KUBE_ADMIN = 'kube-admin';
const KUBE_BASELINE = 'kube-baseline';
/** Tiers whose policies we model as the SIG Admin and Baseline tiers, not as Calico policies. */
export const SIG_TIERS: ReadonlySet<string> = new Set([KUBE_ADMIN, KUBE_BASELINE]);
/** The documented orders, for clusters that do not have these Tier objects (before Calico 3.30). */
const BUILT_IN_ORDER: Record<string, number> = { [KUBE_ADMIN]: 1_000, [DEFAULT_TIER]: 1_000_000, [KUBE_BASELINE]: 10_000_000 };

export function isCalicoTier(p: CniPolicy): boolean {
  return p.kind === 'CalicoTier';
}

/** The Tier object, or why it cannot be used (Calico would reject it). */
export function readTier(p: CniPolicy): Omit<CalicoTier, 'slot'> | string {
  const spec = isObject(p.spec) ? p.spec : {};
  const order = spec.order === undefined || spec.order === null ? Infinity : spec.order;
  if (typeof order !== 'number') return `its order ${JSON.stringify(spec.order)} is not a number`;
  const action = spec.defaultAction ?? 'Deny';
  if (action !== 'Deny' && action !== 'Pass') return `its defaultAction ${JSON.stringify(action)} is neither Deny nor Pass`;
  return { name: p.metadata.name, order, defaultAction: action };
}

/** Order, then name (Go compares bytes; our names are ASCII). */
export function tierCompare(a: { name: string; order: number }, b: { name: string; order: number }): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface CalicoTiers {
  /** Every usable tier, built-ins included, in evaluation order. */
  tiers: CalicoTier[];
  /** Tier names with the reason they cannot be placed (absent, unreadable). */
  unusable: Map<string, string>;
}

/** The tiers in order, from the Tier objects read (none when the API is absent or unreadable). */
export function arrangeTiers(objects: readonly CniPolicy[]): CalicoTiers {
  const unusable = new Map<string, string>();
  const read = new Map<string, Omit<CalicoTier, 'slot'>>();
  for (const o of objects.filter(isCalicoTier)) {
    const t = readTier(o);
    if (typeof t === 'string') unusable.set(o.metadata.name, `Tier ${o.metadata.name} cannot be read: ${t}`);
    else read.set(t.name, t);
  }
  // A non-default tier is placed relative to `default`: without that object its place is unknown.
  const defaultKnown = read.has(DEFAULT_TIER);
  for (const name of [KUBE_ADMIN, DEFAULT_TIER, KUBE_BASELINE]) {
    if (!read.has(name) && !unusable.has(name)) read.set(name, { name, order: BUILT_IN_ORDER[name]!, defaultAction: name === DEFAULT_TIER ? 'Deny' : 'Pass' });
  }
  const sorted = [...read.values()].sort(tierCompare);
  const at = (name: string) => sorted.findIndex((t) => t.name === name);
  const [admin, dflt, baseline] = [at(KUBE_ADMIN), at(DEFAULT_TIER), at(KUBE_BASELINE)];
  const tiers = sorted.map((t, i): CalicoTier => ({ ...t, slot: i < admin ? 0 : i < dflt ? 1 : i < baseline ? 2 : 3 }));
  if (!defaultKnown) for (const t of tiers) if (!BUILT_IN_ORDER[t.name]) unusable.set(t.name, `the default Tier object was not read, so the place of tier ${t.name} is unknown`);
  return { tiers: tiers.filter((t) => !unusable.has(t.name)), unusable };
}

/** The name Calico compares at equal orders: older storage prefixes `<tier>.` (crd.projectcalico.org/v1). */
export function tieName(tier: string, name: string): { name: string; prefixed: boolean } {
  return name.startsWith(`${tier}.`) ? { name: name.slice(tier.length + 1), prefixed: true } : { name, prefixed: false };
}

export function policyCompare(a: CompiledCalico, b: CompiledCalico): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Equal orders in one tier, of policies that can apply to one pod: Calico breaks the tie by name,
 * which we follow when every Calico version agrees. Felix before 3.32 compared `<namespace>/<name>`
 * (names as stored), since then `<name>/<namespace>/<kind>`: the same order for two policies of one
 * kind and namespace unless one name is a prefix of the other followed by `-` or `.` (both sort
 * before `/`), or one is stored with the tier prefix and the other without. A GlobalNetworkPolicy
 * and a NetworkPolicy, or such names, are left to the proof's "not proven".
 */
export function calicoTies(all: CompiledCalico[]): void {
  const groups = new Map<string, CompiledCalico[]>();
  for (const c of all) {
    const key = `${c.tier}\u0000${c.order}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const disjoint = (a: CompiledCalico, b: CompiledCalico) => a.ref.namespace !== undefined && b.ref.namespace !== undefined && a.ref.namespace !== b.ref.namespace;
  const agree = (a: CompiledCalico, b: CompiledCalico) => a.ref.kind === b.ref.kind && a.prefixed === b.prefixed && a.name !== b.name && (a.name < b.name) === (`${a.name}/` < `${b.name}/`);
  for (const group of groups.values()) {
    for (const c of group) {
      const others = group.filter((x) => x !== c && !disjoint(c, x) && !agree(c, x));
      if (others.length > 0) c.unmodelled.push(`order ${c.order} in tier ${c.tier} is shared with ${others.map((x) => formatCniRef(x.ref)).join(', ')}, and Calico versions break that tie differently`);
    }
  }
}

/**
 * Each policy's tier placed: a policy whose tier is not among the usable ones is not modelled (its
 * pods are "not proven"); so is one written into kube-admin or kube-baseline, which hold Calico's
 * own translation of the SIG policies that our Admin and Baseline tiers model.
 */
export function placePolicies(all: CompiledCalico[], t: CalicoTiers): void {
  const known = new Set(t.tiers.map((x) => x.name));
  for (const c of all) {
    if (SIG_TIERS.has(c.tier)) c.unmodelled.push(`tier ${c.tier} interleaves it by order with Calico's translation of the SIG admin policies, which our Admin and Baseline tiers model apart`);
    else if (t.unusable.has(c.tier)) c.unmodelled.push(t.unusable.get(c.tier)!);
    else if (!known.has(c.tier)) c.unmodelled.push(`tier ${c.tier}: no Tier object of that name was read, so its order is unknown`);
  }
}
