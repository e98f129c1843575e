// Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3): which pods a policy selects.
// Rules followed, from docs.tigera.io (Calico Open Source):
// - reference/resources/networkpolicy and globalnetworkpolicy: `selector` (default all()) picks the
//   endpoints; a NetworkPolicy only applies to workload endpoints of its own namespace; a
//   GlobalNetworkPolicy applies everywhere, narrowed by `namespaceSelector` (ANDed; empty: every
//   namespace and the non-namespaced resources) and by `serviceAccountSelector` (ANDed).
// - `types`: when absent, Ingress unless the policy has egress rules only (Egress), or both kinds of
//   rules (Ingress, Egress) — the table under the Spec of both resources.
// - network-policy/get-started/calico-policy/calico-labels: a pod's labels for `selector` include
//   projectcalico.org/namespace (its namespace), projectcalico.org/orchestrator (k8s) and its
//   namespace's labels prefixed `pcns.`; namespaces carry projectcalico.org/name for
//   `namespaceSelector`. Service-account labels (projectcalico.org/serviceaccount, `pcsa.`) and other
//   projectcalico.org/* labels are not in our data: they read as UNKNOWN (three-valued evaluation),
//   which can only widen the selection.
// - A selector that does not parse: Calico would reject the policy; we select every pod in scope.
import type { CniPolicy } from '../model.ts';
import { parseCalicoSelector, UNKNOWN, type CalicoParse, type LabelLookup } from './calico-selector.ts';
import { directionsOf, isNonEmptyList, isObject, scopeOf, unique, BOTH, type Json } from './cni-common.ts';
import type { CniSelection, SelectionTarget } from './cni-selection.ts';
import type { Direction } from './types.ts';

/** Keys of a pod's Calico labels we cannot evaluate from pod, namespace and namespace labels. */
function unknownPodKey(key: string): boolean {
  if (key === 'projectcalico.org/namespace' || key === 'projectcalico.org/orchestrator') return false;
  if (key.startsWith('pcns.')) return key.startsWith('pcns.projectcalico.org/');
  return key.startsWith('pcsa.') || key.startsWith('projectcalico.org/');
}

function podLookup(t: SelectionTarget): LabelLookup {
  return (key) => {
    if (key === 'projectcalico.org/namespace') return t.namespace;
    if (key === 'projectcalico.org/orchestrator') return 'k8s';
    if (unknownPodKey(key)) return UNKNOWN;
    if (key.startsWith('pcns.')) return own(t.namespaceLabels, key.slice('pcns.'.length));
    return own(t.podLabels, key);
  };
}

function namespaceLookup(t: SelectionTarget): LabelLookup {
  return (key) => (key === 'projectcalico.org/name' ? t.namespace : own(t.namespaceLabels, key));
}

function own(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

interface Expr {
  /** False only when the expression certainly does not match. */
  maybe(lookup: LabelLookup): boolean;
  text: string;
  approximations: string[];
}

function readExpr(spec: Json, field: string, unknownKey: (k: string) => boolean): Expr {
  const raw = spec[field];
  if (raw === undefined || raw === null) return { maybe: () => true, text: 'all()', approximations: [] };
  if (typeof raw !== 'string') return { maybe: () => true, text: 'all()', approximations: [`${field} is not a string: taken to select every pod in scope`] };
  const parsed: CalicoParse = parseCalicoSelector(raw);
  if (!parsed.ok) {
    return { maybe: () => true, text: raw, approximations: [`${field} ${JSON.stringify(raw)} does not parse (${parsed.error}): taken to select every pod in scope`] };
  }
  const unknown = parsed.keys.filter(unknownKey);
  return {
    maybe: (lookup) => parsed.evaluate(lookup) !== false,
    text: raw.trim() || 'all()',
    approximations: unknown.map((k) => `${field} label ${k} not evaluated: taken as possibly matching`),
  };
}

function directions(spec: Json): { directions: Direction[]; approximations: string[] } {
  const types = spec.types;
  if (isNonEmptyList(types)) {
    const known = types.filter((t): t is Direction => t === 'Ingress' || t === 'Egress');
    if (known.length === types.length) return { directions: BOTH.filter((d) => known.includes(d)), approximations: [] };
    return { directions: BOTH, approximations: [`types ${JSON.stringify(types)} not understood: taken as Ingress and Egress`] };
  }
  const ingress = isNonEmptyList(spec.ingress);
  const egress = isNonEmptyList(spec.egress);
  return { directions: directionsOf(ingress || !egress, egress), approximations: [] };
}

export function calicoSelection(p: CniPolicy): CniSelection {
  const global = p.kind === 'CalicoGlobalNetworkPolicy';
  const spec = isObject(p.spec) ? p.spec : {};
  const scope = scopeOf(p, !global);
  const selector = readExpr(spec, 'selector', unknownPodKey);
  // namespaceSelector exists on GlobalNetworkPolicy only; a NetworkPolicy is bound to its namespace.
  const nsSelector = global ? readExpr(spec, 'namespaceSelector', () => false) : undefined;
  const saSelector = readExpr(spec, 'serviceAccountSelector', () => true);
  const saApprox = saSelector.text === 'all()' && saSelector.approximations.length === 0
    ? []
    : [`serviceAccountSelector ${JSON.stringify(saSelector.text)} not evaluated: taken to select every pod the other selectors select`];
  const dirs = directions(spec);
  const parts = [nsSelector && nsSelector.text !== 'all()' ? `namespaceSelector ${nsSelector.text} && ` : '', `selector ${selector.text}`];
  return {
    directions: dirs.directions,
    selects: (t) => scope.inScope(t) && (nsSelector?.maybe(namespaceLookup(t)) ?? true) && selector.maybe(podLookup(t)),
    approximations: unique([...scope.approximations, ...(nsSelector?.approximations ?? []), ...selector.approximations, ...saApprox, ...dirs.approximations]),
    subject: `${parts.join('')}${saApprox.length ? ` && serviceAccountSelector ${saSelector.text}` : ''} ${scope.text}`,
  };
}
