// Label selectors compiled to one explicit list of requirements: matchLabels become `In` with one
// value, so there is a single matching rule, and `{}` (no requirements) selects everything.
import type { LabelSelector, LabelSelectorRequirement, Labels } from '../model.ts';

export interface Requirement {
  key: string;
  operator: LabelSelectorRequirement['operator'];
  values: readonly string[];
}

export interface CompiledSelector {
  requirements: readonly Requirement[];
}

export function compileSelector(selector: LabelSelector): CompiledSelector {
  const fromLabels = Object.entries(selector.matchLabels ?? {}).map(
    ([key, value]): Requirement => ({ key, operator: 'In', values: [value] }),
  );
  const fromExpressions = (selector.matchExpressions ?? []).map(
    (e): Requirement => ({ key: e.key, operator: e.operator, values: e.values ?? [] }),
  );
  return { requirements: [...fromLabels, ...fromExpressions] };
}

function requirementHolds(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key]!);
    // As in k8s.io/apimachinery: NotIn also matches objects that lack the key.
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // An unknown operator is rejected by the API server; never let it select anything.
      return false;
  }
}

export function matchesSelector(selector: CompiledSelector, labels: Labels): boolean {
  return selector.requirements.every((r) => requirementHolds(r, labels));
}

/** The fewest labels a selector needs, or undefined when nothing can satisfy it. */
export function satisfyingLabels(s: LabelSelector): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...(s.matchLabels ?? {}) };
  const absent = new Set<string>();
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') labels[e.key] ??= e.values?.[0] ?? '';
    if (e.operator === 'Exists') labels[e.key] ??= 'x';
    if (e.operator === 'DoesNotExist') absent.add(e.key);
  }
  for (const e of s.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]!))) return undefined;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key]!)) return undefined;
    if (e.operator === 'DoesNotExist' && has) return undefined;
  }
  return [...absent].some((k) => Object.hasOwn(labels, k)) ? undefined : labels;
}

