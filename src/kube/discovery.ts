// Which cluster-wide policy APIs the cluster serves, from one discovery request, and which
// group/version of each kind to read. Pure: the request itself is made by KubeClient.
import type { ClusterPolicyKind, CniPolicyKind } from '../core/model.ts';

/**
 * One GET /apis, content-negotiated as client-go does: aggregated discovery v2 (Kubernetes 1.30+),
 * else v2beta1 (1.26-1.29), else the plain APIGroupList every server speaks. The server picks the
 * first it can; the body's kind and apiVersion say which one came back.
 */
export const DISCOVERY_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** What the discovery answer says is served. */
export interface ServedApis {
  /** 'aggregated': resources are listed per version; 'group-list': only group/versions are. */
  mode: 'aggregated' | 'group-list';
  /** The answer's apiVersion and kind, for -v: `apidiscovery.k8s.io/v2 APIGroupDiscoveryList`. */
  format: string;
  /** `group/version` → its resources; `undefined` in group-list mode (resources not listed). */
  versions: Map<string, Set<string> | undefined>;
  /** Aggregated API versions whose discovery is Stale (their API server is down). */
  stale: Set<string>;
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class DiscoveryError extends Error {}

export function parseDiscovery(body: unknown): ServedApis {
  const b = (body && typeof body === 'object' ? body : {}) as Raw;
  const versions = new Map<string, Set<string> | undefined>();
  const stale = new Set<string>();
  if (b.kind === 'APIGroupDiscoveryList' && /^apidiscovery\.k8s\.io\/v2(beta1)?$/.test(String(b.apiVersion)) && Array.isArray(b.items)) {
    for (const g of b.items as Raw[]) {
      for (const v of (g.versions ?? []) as Raw[]) {
        const gv = `${g.metadata?.name ?? ''}/${v.version}`;
        versions.set(gv, new Set(((v.resources ?? []) as Raw[]).map((r) => String(r.resource))));
        if (v.freshness === 'Stale') stale.add(gv);
      }
    }
    return { mode: 'aggregated', format: `${b.apiVersion} APIGroupDiscoveryList`, versions, stale };
  }
  if (b.kind === 'APIGroupList' && Array.isArray(b.groups)) {
    for (const g of b.groups as Raw[]) {
      for (const v of (g.versions ?? []) as Raw[]) versions.set(String(v.groupVersion ?? `${g.name}/${v.version}`), undefined);
    }
    return { mode: 'group-list', format: `${b.apiVersion} APIGroupList`, versions, stale };
  }
  throw new DiscoveryError(`GET /apis answered neither an APIGroupDiscoveryList nor an APIGroupList (kind ${JSON.stringify(b.kind)})`);
}

export interface KindSpec {
  kind: ClusterPolicyKind | CniPolicyKind;
  family: 'cluster' | 'cni';
  namespaced: boolean;
  /** In order of preference: the first one served is read; an absent kind reports the first. */
  candidates: GroupVersionResource[];
}

const gvr = (group: string, version: string, resource: string): GroupVersionResource => ({ group, version, resource });
const SIG = 'policy.networking.k8s.io';

/** Every kind looked for. Calico: v3 is the API server's view of the crd.projectcalico.org/v1 objects, so one of them. */
export const POLICY_KINDS: readonly KindSpec[] = [
  // v1beta1 (network-policy-api v0.3.0, the storage version) has v1alpha2's fields and enums exactly;
  // reading it when served matches `kubectl get` and outlives v1alpha2's removal.
  { kind: 'ClusterNetworkPolicy', family: 'cluster', namespaced: false, candidates: [gvr(SIG, 'v1beta1', 'clusternetworkpolicies'), gvr(SIG, 'v1alpha2', 'clusternetworkpolicies')] },
  { kind: 'AdminNetworkPolicy', family: 'cluster', namespaced: false, candidates: [gvr(SIG, 'v1alpha1', 'adminnetworkpolicies')] },
  { kind: 'BaselineAdminNetworkPolicy', family: 'cluster', namespaced: false, candidates: [gvr(SIG, 'v1alpha1', 'baselineadminnetworkpolicies')] },
  { kind: 'CiliumNetworkPolicy', family: 'cni', namespaced: true, candidates: [gvr('cilium.io', 'v2', 'ciliumnetworkpolicies')] },
  { kind: 'CiliumClusterwideNetworkPolicy', family: 'cni', namespaced: false, candidates: [gvr('cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies')] },
  { kind: 'CalicoNetworkPolicy', family: 'cni', namespaced: true, candidates: [gvr('projectcalico.org', 'v3', 'networkpolicies'), gvr('crd.projectcalico.org', 'v1', 'networkpolicies')] },
  { kind: 'CalicoGlobalNetworkPolicy', family: 'cni', namespaced: false, candidates: [gvr('projectcalico.org', 'v3', 'globalnetworkpolicies'), gvr('crd.projectcalico.org', 'v1', 'globalnetworkpolicies')] },
  // Tiers order Calico's policies (core/netpol/calico-tiers.ts); Calico 3.29+ serves them.
  { kind: 'CalicoTier', family: 'cni', namespaced: false, candidates: [gvr('projectcalico.org', 'v3', 'tiers'), gvr('crd.projectcalico.org', 'v1', 'tiers')] },
  { kind: 'AntreaClusterNetworkPolicy', family: 'cni', namespaced: false, candidates: [gvr('crd.antrea.io', 'v1beta1', 'clusternetworkpolicies'), gvr('crd.antrea.io', 'v1alpha1', 'clusternetworkpolicies')] },
  { kind: 'AntreaNetworkPolicy', family: 'cni', namespaced: true, candidates: [gvr('crd.antrea.io', 'v1beta1', 'networkpolicies'), gvr('crd.antrea.io', 'v1alpha1', 'networkpolicies')] },
  { kind: 'AntreaTier', family: 'cni', namespaced: false, candidates: [gvr('crd.antrea.io', 'v1beta1', 'tiers'), gvr('crd.antrea.io', 'v1alpha1', 'tiers')] },
];

export interface PlannedRead {
  spec: KindSpec;
  target: GroupVersionResource;
  /** read: list it; absent: not served, nothing to read. */
  action: 'read' | 'absent';
}

function serves(s: ServedApis, c: GroupVersionResource): boolean {
  const gv = `${c.group}/${c.version}`;
  if (!s.versions.has(gv)) return false;
  const resources = s.versions.get(gv);
  return resources === undefined || resources.has(c.resource);
}

/**
 * For each kind, the first served candidate, skipping Stale ones when a later candidate is served
 * and current (Calico v3 with its API server down: the crd.projectcalico.org/v1 objects are the
 * same policies). A kind served only Stale is still read: its list fails and says why.
 */
export function planReads(s: ServedApis, kinds: readonly KindSpec[] = POLICY_KINDS): PlannedRead[] {
  return kinds.map((spec) => {
    const served = spec.candidates.filter((c) => serves(s, c));
    const target = served.find((c) => !s.stale.has(`${c.group}/${c.version}`)) ?? served[0];
    return target ? { spec, target, action: 'read' } : { spec, target: spec.candidates[0]!, action: 'absent' };
  });
}
