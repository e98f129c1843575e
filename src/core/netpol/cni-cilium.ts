// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2): which pods a policy selects.
// Rules followed, from docs.cilium.io:
// - security/policy/language + the CRD reference (api.Rule): each rule (`spec`, or each of `specs`)
//   selects endpoints with `endpointSelector`, or nodes with `nodeSelector` (host policies: no pod).
//   A CiliumNetworkPolicy only selects endpoints of its own namespace (Cilium adds the
//   io.kubernetes.pod.namespace requirement itself); the clusterwide kind selects in all namespaces.
// - Selector keys are "source:key"; no source means `any`. Pods carry `k8s` labels: their own labels,
//   io.kubernetes.pod.namespace, io.cilium.k8s.namespace.labels.<namespace label>,
//   io.cilium.k8s.policy.serviceaccount and io.cilium.k8s.policy.cluster. `reserved:` labels belong to
//   the host, world, health, … identities, never to a pod, except `reserved:init`, the identity of an
//   endpoint whose labels are not yet known.
// - operations/performance/scalability/identity-relevant-labels: by default some pod labels are left
//   out of the identity (io.kubernetes*, kubernetes.io*, pod-template-hash, …). A selector on such a
//   key does not see the pod's label, so we cannot say what it matches: taken as satisfied.
//   A cluster running a custom label filter (--labels, --label-prefix-file) is beyond our data.
// - api.Rule: `ingress`/`ingressDeny`/`egress`/`egressDeny` "if omitted or empty, this rule does not
//   apply" in that direction; `enableDefaultDeny` defaults to true for directions with rules and
//   false otherwise. So a rule with no rules and no enableDefaultDeny:true affects no direction: its
//   directions are [] (the documented meaning, not a guess). Its selection is still reported.
import type { CniPolicy, Labels } from '../model.ts';
import { describeRequirements, directionsOf, isNonEmptyList, isObject, objects, readSelector, scopeOf, unique, BOTH, type Json } from './cni-common.ts';
import type { CniSelection, SelectionTarget } from './cni-selection.ts';
import { matchesSelector, type Requirement } from './selector.ts';

const NS_NAME = 'io.kubernetes.pod.namespace';
const NS_LABELS = 'io.cilium.k8s.namespace.labels.';

// The default identity-relevant label filter as documented (union over Cilium versions, so that a
// label any version leaves out counts as "may be left out"). Patterns are regular expressions that
// must match at the start of the key; an include beats an ignore when it matches a longer prefix.
const IGNORED = [
  /^io\.kubernetes/, /^kubernetes\.io/, /^statefulset\.kubernetes\.io\/pod-name/, /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/, /^batch\.kubernetes\.io\/controller-uid/, /^.*beta\.kubernetes\.io/,
  /^k8s\.io/, /^pod-template-generation/, /^pod-template-hash/, /^controller-revision-hash/, /^annotation.*/,
  /^controller-uid/, /^etcd_node/,
];
const INCLUDED = [NS_NAME, NS_LABELS.slice(0, -1), 'app.kubernetes.io', 'io.cilium.k8s.policy.cluster'];

function mayBeFiltered(key: string): boolean {
  const ignored = Math.min(...IGNORED.map((re) => re.exec(key)?.[0].length ?? Infinity));
  if (ignored === Infinity) return false;
  const included = Math.max(0, ...INCLUDED.filter((p) => key.startsWith(p)).map((p) => p.length));
  return !(included > ignored);
}

/** Where a selector key's value comes from, as a key of the synthetic label view below. */
type KeyRef = { view: string } | { unknown: string };

const NEVER = { view: '\u0000never' }; // a key no view has: the label is absent from every pod

function classify(raw: string): KeyRef {
  const colon = raw.indexOf(':');
  const source = colon >= 0 ? raw.slice(0, colon) : 'any';
  const key = colon >= 0 ? raw.slice(colon + 1) : raw;
  if (source === 'reserved') {
    return key === 'init' ? { unknown: 'reserved:init (endpoints whose labels are not yet known) not evaluated: taken as satisfied' } : NEVER;
  }
  if (source !== 'k8s' && source !== 'any') return { unknown: `label source "${source}:" not evaluated: taken as satisfied` };
  if (key === NS_NAME) return { view: 'ns' };
  if (mayBeFiltered(key)) return { unknown: `${key} may be left out of Cilium identities by the default label filter: taken as satisfied` };
  if (key.startsWith(NS_LABELS)) return { view: `n:${key.slice(NS_LABELS.length)}` };
  if (key === 'io.cilium.k8s.policy.serviceaccount') return { unknown: 'io.cilium.k8s.policy.serviceaccount not evaluated: taken as satisfied' };
  if (key === 'io.cilium.k8s.policy.cluster') return { unknown: 'io.cilium.k8s.policy.cluster not evaluated: taken as satisfied' };
  // Cilium drops a pod's own io.cilium.k8s.* labels and sets the ones it owns: unknown to us.
  if (key.startsWith('io.cilium.k8s.')) return { unknown: `Cilium-owned label ${key} not evaluated: taken as satisfied` };
  return { view: `p:${key}` };
}

/** The value of a view key (`ns`, `p:<pod label>`, `n:<namespace label>`) for a target; undefined when absent. */
function lookup(t: SelectionTarget, key: string): string | undefined {
  if (key === 'ns') return t.namespace;
  const labels: Labels = key.startsWith('p:') ? t.podLabels : key.startsWith('n:') ? t.namespaceLabels : {};
  const k = key.slice(2);
  return Object.hasOwn(labels, k) ? labels[k] : undefined;
}

// The selector semantics of selector.ts (k8s.io/apimachinery) over the view, without building it:
// the proof asks this for every pod and every Cilium rule.
function holds(rs: readonly Requirement[], t: SelectionTarget): boolean {
  for (const r of rs) {
    const v = lookup(t, r.key);
    const ok = r.operator === 'In' ? v !== undefined && r.values.includes(v)
      : r.operator === 'NotIn' ? v === undefined || !r.values.includes(v)
        : r.operator === 'Exists' ? v !== undefined
          : r.operator === 'DoesNotExist' ? v === undefined : false;
    if (!ok) return false;
  }
  return true;
}

interface RuleSelection {
  selects(t: SelectionTarget): boolean;
  ingress: boolean;
  egress: boolean;
  subject: string;
  approximations: string[];
}

function readRule(rule: Json, field: string): RuleSelection {
  const deny = isObject(rule.enableDefaultDeny) ? rule.enableDefaultDeny : {};
  const ingress = isNonEmptyList(rule.ingress) || isNonEmptyList(rule.ingressDeny) || deny.ingress === true;
  const egress = isNonEmptyList(rule.egress) || isNonEmptyList(rule.egressDeny) || deny.egress === true;
  if (rule.endpointSelector === undefined || rule.endpointSelector === null) {
    if (rule.nodeSelector !== undefined && rule.nodeSelector !== null) {
      return { selects: () => false, ingress, egress, subject: 'nodeSelector (nodes, no pod)', approximations: [] };
    }
    return {
      selects: () => true, ingress: true, egress: true, subject: 'every pod (no endpointSelector)',
      approximations: [`${field} has neither endpointSelector nor nodeSelector: taken to select every pod in scope`],
    };
  }
  const sel = ciliumSelector(rule.endpointSelector, `${field}.endpointSelector`);
  return { selects: sel.selects, ingress, egress, subject: `endpointSelector ${sel.text}`, approximations: sel.approximations };
}

/** A Cilium endpoint selector over pods, read as above (compile-cilium.ts uses it for peers too). */
export interface CiliumSelector {
  selects(t: SelectionTarget): boolean;
  /** Requirements on the pod's own labels, keys as on the pod (for representative future pods). */
  podRequirements: Requirement[];
  /** Does the selector constrain the namespace (io.kubernetes.pod.namespace)? */
  pinsNamespace: boolean;
  /** Does the selector match an identity with no labels at all (reserved ones have none of a pod's)? */
  matchesEmpty: boolean;
  text: string;
  approximations: string[];
}

export function ciliumSelector(raw: unknown, field: string): CiliumSelector {
  const { requirements, dropped } = readSelector(raw, field);
  const known: Requirement[] = [];
  const approximations = [...dropped];
  for (const r of requirements) {
    const ref = classify(r.key);
    if ('view' in ref) known.push({ ...r, key: ref.view });
    else approximations.push(ref.unknown);
  }
  const compiled = { requirements: known };
  return {
    selects: (t) => holds(known, t),
    podRequirements: known.filter((r) => r.key.startsWith('p:')).map((r) => ({ ...r, key: r.key.slice(2) })),
    pinsNamespace: known.some((r) => r.key === 'ns'),
    matchesEmpty: matchesSelector(compiled, {}),
    text: describeRequirements(requirements),
    approximations,
  };
}

/** `spec` and `specs` may both be present; in our model `specs` can also sit under `spec.specs`. */
export function rulesOf(spec: Json): { rule: Json; field: string }[] {
  const rules: { rule: Json; field: string }[] = [];
  const { specs, ...single } = spec;
  if (Object.keys(single).length > 0) rules.push({ rule: single, field: 'spec' });
  objects(specs).forEach((rule, i) => rules.push({ rule, field: `specs[${i}]` }));
  return rules;
}

export function ciliumSelection(p: CniPolicy): CniSelection {
  const scope = scopeOf(p, p.kind === 'CiliumNetworkPolicy');
  const rules = rulesOf(isObject(p.spec) ? p.spec : {}).map(({ rule, field }) => readRule(rule, field));
  if (rules.length === 0) {
    return {
      directions: BOTH,
      selects: (t) => scope.inScope(t),
      approximations: unique([...scope.approximations, 'no spec or specs: taken to select every pod in scope, both directions']),
      subject: `every pod ${scope.text}`,
    };
  }
  return {
    directions: directionsOf(rules.some((r) => r.ingress), rules.some((r) => r.egress)),
    selects: (t) => scope.inScope(t) && rules.some((r) => r.selects(t)),
    approximations: unique([...scope.approximations, ...rules.flatMap((r) => r.approximations)]),
    subject: `${rules.map((r) => r.subject).join('; ')} ${scope.text}`,
  };
}
