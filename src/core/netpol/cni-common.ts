// Pieces shared by the CNI policy readers: defensive access to the plain JSON spec, Kubernetes label
// selectors read from JSON (k8s.io/apimachinery LabelSelector semantics, via selector.ts), and the
// namespace scope of namespaced kinds. A CNI spec is unvalidated JSON to us: whatever we cannot
// read is dropped from the requirements, which can only make a selection larger.
import type { CniPolicy, LabelSelector, LabelSelectorRequirement } from '../model.ts';
import type { SelectionTarget } from './cni-selection.ts';
import { compileSelector, type Requirement } from './selector.ts';
import type { Direction } from './types.ts';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isNonEmptyList(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0;
}

export function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export const BOTH: Direction[] = ['Ingress', 'Egress'];

export function directionsOf(ingress: boolean, egress: boolean): Direction[] {
  return BOTH.filter((d) => (d === 'Ingress' ? ingress : egress));
}

const OPERATORS = new Set<string>(['In', 'NotIn', 'Exists', 'DoesNotExist']);

export interface ReadSelector {
  /** The requirements that could be read; matchLabels become `In` with one value. */
  requirements: Requirement[];
  /** Notes on parts that could not be read and were taken as satisfied. */
  dropped: string[];
}

/** Reads a Kubernetes label selector from JSON. Unreadable requirements are dropped (= satisfied). */
export function readSelector(raw: unknown, field: string): ReadSelector {
  if (!isObject(raw)) return { requirements: [], dropped: [`${field} is not a label selector: taken to select everything`] };
  const dropped: string[] = [];
  const matchLabels: Record<string, string> = {};
  if (raw.matchLabels !== undefined && !isObject(raw.matchLabels)) dropped.push(`${field}.matchLabels unreadable: taken as satisfied`);
  for (const [k, v] of Object.entries(isObject(raw.matchLabels) ? raw.matchLabels : {})) {
    if (typeof v === 'string') matchLabels[k] = v;
    else dropped.push(`${field}.matchLabels.${k} is not a string: taken as satisfied`);
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  const exprs = raw.matchExpressions;
  if (exprs !== undefined && !Array.isArray(exprs)) dropped.push(`${field}.matchExpressions unreadable: taken as satisfied`);
  (Array.isArray(exprs) ? exprs : []).forEach((e, i) => {
    const values = isObject(e) ? (e.values ?? []) : undefined;
    const ok = isObject(e) && typeof e.key === 'string' && typeof e.operator === 'string' && OPERATORS.has(e.operator)
      && Array.isArray(values) && values.every((x) => typeof x === 'string');
    if (ok) matchExpressions.push({ key: e.key as string, operator: e.operator as LabelSelectorRequirement['operator'], values: values as string[] });
    else dropped.push(`${field}.matchExpressions[${i}] unreadable: taken as satisfied`);
  });
  const selector: LabelSelector = { matchLabels, matchExpressions };
  return { requirements: [...compileSelector(selector).requirements], dropped };
}

/** "app=web, tier in (a,b), !debug"; "{}" for the empty selector. */
export function describeRequirements(rs: readonly Requirement[]): string {
  if (rs.length === 0) return '{}';
  return rs
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(', ');
}

/** Where a policy can select pods: its own namespace, or every namespace for cluster-wide kinds. */
export interface Scope {
  inScope(t: SelectionTarget): boolean;
  text: string;
  approximations: string[];
}

export function scopeOf(p: CniPolicy, namespaced: boolean): Scope {
  if (!namespaced) return { inScope: () => true, text: 'in all namespaces', approximations: [] };
  const ns = p.metadata.namespace;
  if (!ns) {
    return { inScope: () => true, text: 'in all namespaces', approximations: [`namespaced ${p.kind} without a namespace: taken to apply in every namespace`] };
  }
  return { inScope: (t) => t.namespace === ns, text: `in ns ${ns}`, approximations: [] };
}

export function unique(xs: Iterable<string>): string[] {
  return [...new Set(xs)];
}
