// The placeholder policy we create, and how we recognise our own objects (the receipt). Pure.
import type { NetworkPolicy, NetworkPolicySpec } from './model.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kubectl-cis-netpol';
export const BENCHMARK_LABEL = 'cis-benchmark';
export const TEMPLATE_ANNOTATION = 'cis-netpol.io/template';
export const VERSION_ANNOTATION = 'cis-netpol.io/version';
export const DEFAULT_POLICY_NAME = 'cis-default-allow';

export type TemplateName = 'allow-all' | 'cluster-internal' | 'select-none';
export const TEMPLATE_NAMES: readonly TemplateName[] = ['allow-all', 'cluster-internal', 'select-none'];

/** Names earlier versions of the cis-k8s-hardening toolkit used for the same purpose (not ours). */
export const LEGACY_NAMES = [/^cis-default-allow$/, /^cis-allow-all-safety-net$/, /^cis-baseline-allow-.+$/];

// The documented allow-all: an empty rule matches every peer and port, inside or outside the cluster.
const ALLOW_ALL: NetworkPolicySpec = {
  podSelector: {},
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{}],
  egress: [{}],
};

// The guide's YAML. Pod and namespace selectors match pods only: this cuts egress to the internet,
// node IPs (API server), NodeLocal DNS, and ingress from load balancers. Never the default.
const CLUSTER_INTERNAL: NetworkPolicySpec = {
  podSelector: {},
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }],
  egress: [{ to: [{ namespaceSelector: {} }, { podSelector: {} }] }],
};

// A podSelector no pod can satisfy (a key that both exists and does not): the policy selects no pod
// now or later, so it changes no verdict under any policy model (NetworkPolicy, the SIG tiers,
// Cilium, Calico, Antrea). It satisfies CIS 5.3.2's existence check and enforces nothing.
const SELECT_NONE_KEY = 'cis-netpol.io/selects-no-pod';
const SELECT_NONE: NetworkPolicySpec = {
  podSelector: { matchExpressions: [{ key: SELECT_NONE_KEY, operator: 'Exists' }, { key: SELECT_NONE_KEY, operator: 'DoesNotExist' }] },
  policyTypes: ['Ingress', 'Egress'],
};

const DESCRIPTIONS: Record<TemplateName, string> = {
  'allow-all': 'Allows all ingress and egress traffic for every pod in this namespace, so it changes no connection.',
  'cluster-internal': 'Allows traffic from and to pods only: egress to anything outside the pod network and ingress from outside it are denied.',
  'select-none': 'Selects no pod (its podSelector cannot match), so it changes no connection under any policy model; it records that the namespace was reviewed and enforces nothing.',
};

const WARNINGS: Record<TemplateName, string> = {
  'allow-all': 'Policies are additive: while this policy exists, any stricter NetworkPolicy in this namespace has no effect. Remove it (kubectl cis-netpol prune) once real policies are in place.',
  'cluster-internal': 'Policies are additive: while this policy exists, any stricter NetworkPolicy in this namespace has no effect. Remove it (kubectl cis-netpol prune) once real policies are in place.',
  'select-none': 'This policy isolates and allows nothing: traffic here is governed by the other policies (and cluster-wide tiers) alone. It satisfies the CIS existence check only; write real policies.',
};

const SPECS: Record<TemplateName, NetworkPolicySpec> = { 'allow-all': ALLOW_ALL, 'cluster-internal': CLUSTER_INTERNAL, 'select-none': SELECT_NONE };

export function templateSpec(name: TemplateName): NetworkPolicySpec {
  return structuredClone(SPECS[name]);
}

export interface PlaceholderOptions {
  name: string;
  template: TemplateName;
  version: string;
}

/**
 * The fixed texts of our receipts (label values, annotation texts, the default name), one copy each.
 * A decoded object carries its own copy of every string; kube/convert.ts swaps equal ones for these,
 * so a store of 10,000 placeholders holds the long annotation texts once, not 10,000 times.
 */
export const RECEIPT_TEXTS: readonly string[] = [
  '5.3.2', MANAGED_BY_VALUE, DEFAULT_POLICY_NAME, ...TEMPLATE_NAMES,
  ...TEMPLATE_NAMES.map((t) => `CIS 5.3.2 placeholder. ${DESCRIPTIONS[t]}`), ...TEMPLATE_NAMES.map((t) => WARNINGS[t]),
];

export function placeholderPolicy(namespace: string, o: PlaceholderOptions): NetworkPolicy {
  return {
    metadata: {
      name: o.name,
      namespace,
      labels: { [BENCHMARK_LABEL]: '5.3.2', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: {
        [TEMPLATE_ANNOTATION]: o.template,
        [VERSION_ANNOTATION]: o.version,
        'cis-netpol.io/description': `CIS 5.3.2 placeholder. ${DESCRIPTIONS[o.template]}`,
        'cis-netpol.io/warning': WARNINGS[o.template],
      },
    },
    spec: templateSpec(o.template),
  };
}

/** Ours = carries our managed-by label and a template annotation we know. */
export function isOurs(p: NetworkPolicy): boolean {
  return p.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && templateOf(p) !== undefined;
}

export function templateOf(p: NetworkPolicy): TemplateName | undefined {
  const t = p.metadata.annotations?.[TEMPLATE_ANNOTATION];
  return TEMPLATE_NAMES.find((n) => n === t);
}

/** Whether an object of ours still has the spec we created (nobody edited it). */
export function isUnmodified(p: NetworkPolicy): boolean {
  const t = templateOf(p);
  return t !== undefined && canonical(p.spec) === canonical(templateSpec(t));
}

export function isLegacyName(name: string): boolean {
  return LEGACY_NAMES.some((re) => re.test(name));
}

// Stable JSON with sorted keys and empty optional lists dropped, so `{}` and a server-normalised
// copy compare equal, while any real change (a peer, a port, a selector) does not.
export function canonical(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || x === null) continue;
      if (k !== 'ingress' && k !== 'egress' && Array.isArray(x) && x.length === 0) continue;
      if (k === 'matchLabels' && isEmptyObject(x)) continue;
      out[k] = normalise(x);
    }
    return out;
  }
  return v;
}

function isEmptyObject(x: unknown): boolean {
  return !!x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0;
}
