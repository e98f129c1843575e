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
