// The only place where API objects become the core model and back. Accepts both the typed
// client-node shape (`_from`) and plain JSON/YAML (`from`), as snapshot files carry the latter.
import type {
  ContainerPort, EgressRule, IngressRule, LabelSelector, Namespace, NetworkPolicy, NetworkPolicySpec, Node, ObjectMeta, Pod,
  PolicyPeer, PolicyPort,
} from '../core/model.ts';
import { RECEIPT_TEXTS, TEMPLATE_NAMES, templateSpec, VERSION_ANNOTATION } from '../core/placeholder.ts';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
// One shared copy of each of our receipt texts (core/placeholder.ts): equal decoded strings are swapped for it.
const SHARED = new Map(RECEIPT_TEXTS.map((t) => [t, t]));
const shared = (v: unknown): string => (typeof v === 'string' ? (SHARED.get(v) ?? v) : String(v));

// Our receipts' label and annotation records, one shared object per distinct record: a watch's store
// of 10,000 placeholders held 10,000 equal copies of each. Only records of receipt texts (and a
// version) are shared, and at most RECORDS_KEPT of them, so nothing a user writes fills this.
// Nothing edits a decoded object (the watch's store replaces objects, never edits one).
const RECORDS_KEPT = 64;
const records = new Map<string, Record<string, string>>();

function strings(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  let receipt = true;
  for (const [k, v] of Object.entries(o)) {
    out[k] = shared(v);
    receipt &&= k === VERSION_ANNOTATION || SHARED.has(out[k]);
  }
  if (!receipt) return out;
  const key = JSON.stringify(out);
  const known = records.get(key);
  if (known) return known;
  if (records.size < RECORDS_KEPT) records.set(key, out);
  return out;
}

export function meta(m: Raw | undefined): ObjectMeta {
  const out: ObjectMeta = { name: shared(m?.name ?? '') };
  if (m?.namespace) out.namespace = String(m.namespace);
  if (m?.uid) out.uid = String(m.uid);
  if (m?.resourceVersion) out.resourceVersion = String(m.resourceVersion);
  if (m?.labels) out.labels = strings(m.labels);
  if (m?.annotations) {
    // kubectl apply's copy of the whole object: nothing here reads it, and it can be the largest
    // field of a policy (a watch keeps every policy of the cluster in memory).
    const { [LAST_APPLIED]: _, ...rest } = m.annotations as Record<string, string>;
    if (Object.keys(rest).length > 0) out.annotations = strings(rest);
  }
  if (m?.deletionTimestamp) out.deletionTimestamp = new Date(m.deletionTimestamp).toISOString();
  return out;
}

export function selector(s: Raw | undefined | null): LabelSelector | undefined {
  if (s == null) return undefined;
  const out: LabelSelector = {};
  if (s.matchLabels && Object.keys(s.matchLabels).length) out.matchLabels = { ...s.matchLabels };
  if (Array.isArray(s.matchExpressions) && s.matchExpressions.length) {
    out.matchExpressions = s.matchExpressions.map((e: Raw) => ({ key: e.key, operator: e.operator, ...(e.values ? { values: [...e.values] } : {}) }));
  }
  return out;
}

function peers(list: Raw[] | undefined): PolicyPeer[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((p) => {
    const out: PolicyPeer = {};
    const pod = selector(p.podSelector);
    const ns = selector(p.namespaceSelector);
    if (pod) out.podSelector = pod;
    if (ns) out.namespaceSelector = ns;
    if (p.ipBlock) out.ipBlock = { cidr: p.ipBlock.cidr, ...(p.ipBlock.except?.length ? { except: [...p.ipBlock.except] } : {}) };
    return out;
  });
}

function ports(list: Raw[] | undefined): PolicyPort[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((p) => {
    const out: PolicyPort = {};
    if (p.protocol) out.protocol = p.protocol;
    if (p.port !== undefined && p.port !== null) out.port = typeof p.port === 'string' && /^\d+$/.test(p.port) ? Number(p.port) : p.port;
    if (p.endPort !== undefined && p.endPort !== null) out.endPort = Number(p.endPort);
    return out;
  });
}

function rule<K extends 'from' | 'to'>(r: Raw, key: K): IngressRule | EgressRule {
  const out: Raw = {};
  const list = peers(key === 'from' ? (r._from ?? r.from) : r.to);
  const ps = ports(r.ports);
  if (list) out[key] = list;
  if (ps) out.ports = ps;
  return out;
}

function policySpec(spec: Raw): NetworkPolicySpec {
  const out: NetworkPolicySpec = { podSelector: selector(spec.podSelector) ?? {} };
  if (Array.isArray(spec.policyTypes)) out.policyTypes = [...spec.policyTypes];
  if (Array.isArray(spec.ingress)) out.ingress = spec.ingress.map((r: Raw) => rule(r, 'from') as IngressRule);
  if (Array.isArray(spec.egress)) out.egress = spec.egress.map((r: Raw) => rule(r, 'to') as EgressRule);
  return out;
}

// A spec equal to one of our templates' is that template's one decoded copy, as the receipts are:
// 10,000 placeholders then share one spec, and one compiled form of it (core/netpol/compile.ts).
const TEMPLATE_SPECS = new Map(TEMPLATE_NAMES.map((t) => {
  const spec = policySpec(templateSpec(t));
  return [JSON.stringify(spec), spec] as const;
}));

export function toPolicy(raw: Raw): NetworkPolicy {
  const spec = policySpec(raw.spec ?? {});
  return {
    metadata: { ...meta(raw.metadata), namespace: String(raw.metadata?.namespace ?? '') },
    spec: TEMPLATE_SPECS.get(JSON.stringify(spec)) ?? spec,
  };
}

export function toNamespace(raw: Raw): Namespace {
  const m = meta(raw.metadata);
  const terminating = raw.status?.phase === 'Terminating' || Boolean(m.deletionTimestamp);
  return { metadata: m, phase: terminating ? 'Terminating' : 'Active' };
}

export function toPod(raw: Raw): Pod {
  const ips: string[] = (raw.status?.podIPs ?? []).map((p: Raw) => p.ip).filter(Boolean);
  if (!ips.length && raw.status?.podIP) ips.push(raw.status.podIP);
  const containerPorts: ContainerPort[] = [];
  for (const c of [...(raw.spec?.initContainers ?? []), ...(raw.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) containerPorts.push({ containerPort: Number(p.containerPort), ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) });
  }
  return {
    metadata: { ...meta(raw.metadata), namespace: String(raw.metadata?.namespace ?? '') },
    ...(raw.spec?.nodeName ? { nodeName: raw.spec.nodeName } : {}),
    ...(raw.spec?.hostNetwork ? { hostNetwork: true } : {}),
    podIPs: ips,
    containerPorts,
  };
}

export function toNode(raw: Raw): Node {
  const addresses = (raw.status?.addresses ?? [])
    .filter((a: Raw) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a: Raw) => String(a.address));
  return { metadata: meta(raw.metadata), addresses };
}

/** The model as plain Kubernetes JSON/YAML (what the API, `kubectl apply` and snapshot files take). */
export function toManifest(p: NetworkPolicy): Raw {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: p.metadata.name, namespace: p.metadata.namespace, labels: p.metadata.labels, annotations: p.metadata.annotations },
    spec: p.spec,
  };
}
