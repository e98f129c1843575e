// Properties of the model with random Cilium policies next to NetworkPolicies and SIG tiers:
// (c1) the evaluator agrees with a slow reading of docs.cilium.io, written here from the JSON
//      spec without the compiler's code (selectors by hand, addresses through node:net);
// (c2) the two-sided comparison stays exact: sampled classes have their verdicts, every change is in a class;
// (c3) the proof: where it says unchanged, no probe changes; where one does, the namespace is refused.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CniPolicy, Pod } from '../../../src/core/model.ts';
import type { Cluster, Connection, ResolvedEndpoint, Verdict } from '../../../src/core/netpol/index.ts';
import { placeholderPolicy, type TemplateName } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';
import { connectionArb } from './arbitraries.ts';
import { ciliumClusterArb } from './cilium-arbitraries.ts';
import { antreaClusterArb } from './antrea-arbitraries.ts';
import { calicoClusterArb } from './calico-policy-arbitraries.ts';
import { assertSidesAgree, findPod, inCidr, judged, nsLabels, referenceStart, selectorHolds } from './property-helpers.ts';
import { assertComparisonExact } from './exact-property.ts';

type Json = Record<string, any>;
type D = 'Ingress' | 'Egress';

/** The labels Cilium gives a pod's identity, keyed as selectors write them (source prefix dropped). */
function identity(cluster: Cluster, pod: Pod): Record<string, string> {
  const out: Record<string, string> = { ...(pod.metadata.labels ?? {}), 'io.kubernetes.pod.namespace': pod.metadata.namespace };
  for (const [k, v] of Object.entries(nsLabels(cluster, pod.metadata.namespace))) out[`io.cilium.k8s.namespace.labels.${k}`] = v;
  return out;
}

function selectorOn(raw: Json, labels: Record<string, string>): boolean {
  const strip = (k: string) => k.replace(/^(k8s|any):/, '');
  const matchLabels = Object.fromEntries(Object.entries(raw.matchLabels ?? {}).map(([k, v]) => [strip(k), v as string]));
  const matchExpressions = (raw.matchExpressions ?? []).map((e: Json) => ({ ...e, key: strip(e.key) }));
  return selectorHolds({ matchLabels, matchExpressions }, labels);
}

function specsOf(p: CniPolicy): Json[] {
  const { specs, ...one } = p.spec as Json;
  return [...(Object.keys(one).length > 0 ? [one] : []), ...(specs ?? [])];
}

function selectsPod(cluster: Cluster, p: CniPolicy, spec: Json, pod: Pod): boolean {
  if (pod.hostNetwork) return false;
  if (p.kind === 'CiliumNetworkPolicy' && pod.metadata.namespace !== p.metadata.namespace) return false;
  return selectorOn(spec.endpointSelector, identity(cluster, pod));
}

function peerMatches(cluster: Cluster, p: CniPolicy, rule: Json, d: D, subject: Pod, other: ResolvedEndpoint): boolean {
  const f = d === 'Ingress' ? 'from' : 'to';
  const l3 = [`${f}Endpoints`, `${f}Entities`, `${f}CIDR`, `${f}CIDRSet`].some((k) => (rule[k] ?? []).length > 0);
  if (!l3) return (rule.toPorts ?? []).length > 0; // L4-only: every peer; `{}`: none
  const pod = other.kind === 'pod' ? findPod(cluster, other) : undefined;
  const endpoints = (rule[`${f}Endpoints`] ?? []).some((s: Json) => {
    if (!pod) return false;
    const pinned = Object.keys(s.matchLabels ?? {}).some((k) => k.endsWith('io.kubernetes.pod.namespace'));
    if (p.kind === 'CiliumNetworkPolicy' && !pinned && pod.metadata.namespace !== p.metadata.namespace) return false;
    return selectorOn(s, identity(cluster, pod));
  });
  const isV4 = other.address !== undefined && !other.address.includes(':');
  const entities = (rule[`${f}Entities`] ?? []).some((e: string) =>
    e === 'all' || (e === 'world' && other.kind === 'external') || (e === 'world-ipv4' && other.kind === 'external' && isV4)
    || (e === 'cluster' && other.kind !== 'external') || (e === 'host' && other.kind === 'node' && other.node === subject.nodeName)
    || (e === 'remote-node' && other.kind === 'node' && other.node !== undefined && other.node !== subject.nodeName));
  // CIDR rules only ever match addresses outside the cluster.
  const outside = other.kind === 'external' ? other.address : undefined;
  const cidrs = outside !== undefined && ((rule[`${f}CIDR`] ?? []).some((c: string) => inCidr(c, outside))
    || (rule[`${f}CIDRSet`] ?? []).some((s: Json) => inCidr(s.cidr, outside) && !(s.except ?? []).some((x: string) => inCidr(x, outside))));
  return endpoints || entities || cidrs;
}

function portMatches(rule: Json, c: Connection, destination: Pod | undefined): boolean {
  if ((rule.toPorts ?? []).length === 0) return (rule.icmps ?? []).length === 0;
  return rule.toPorts.some((pr: Json) => (pr.ports ?? []).some((e: Json) => {
    const proto = e.protocol ?? 'ANY';
    if (proto !== 'ANY' && proto !== c.protocol) return false;
    if (e.port === '0' || e.port === undefined) return true;
    if (/^\d+$/.test(e.port)) return Number(e.port) <= c.port && c.port <= (e.endPort ?? Number(e.port));
    return !!destination?.containerPorts.some((cp) => cp.name === e.port && (cp.protocol ?? 'TCP') === c.protocol && cp.containerPort === c.port);
  }));
}

function referenceSide(cluster: Cluster, v: Verdict, npOnly: Verdict, d: D): boolean {
  const start = referenceStart(cluster, v, d);
  if (!start) return true;
  const { subject, other, destination } = start;
  if (start.admin !== 'next') return start.admin === 'allow';
  const on = cluster.ciliumMode === 'never' ? [] : (cluster.cniPolicies ?? []).flatMap((p) => specsOf(p).filter((s) => selectsPod(cluster, p, s, subject)).map((s) => ({ p, s })));
  const key = d === 'Ingress' ? 'ingress' : 'egress';
  const matches = (p: CniPolicy, r: Json) => peerMatches(cluster, p, r, d, subject, other) && portMatches(r, v.connection, destination);
  if (on.some(({ p, s }) => (s[`${key}Deny`] ?? []).some((r: Json) => matches(p, r)))) return false;
  const np = d === 'Egress' ? npOnly.egress : npOnly.ingress;
  const isolated = np.isolatedBy.length > 0 || (cluster.ciliumMode === 'always' && !subject.hostNetwork)
    || on.some(({ s }) => s.enableDefaultDeny?.[key] ?? ((s[key] ?? []).length + (s[`${key}Deny`] ?? []).length > 0));
  if (isolated) return np.ownNode || np.allowedBy.length > 0 || on.some(({ p, s }) => (s[key] ?? []).some((r: Json) => matches(p, r)));
  return start.baseline() !== 'deny';
}

describe('netpol Cilium properties', function () {
  this.timeout(60000);

  it('(c1) the evaluator agrees with a direct reading of the Cilium rules', () => {
    let decidedByCilium = 0;
    assertSidesAgree(ciliumClusterArb, referenceSide, 300, (side) => {
      if (side.reason === 'cilium-denies' || side.cni) decidedByCilium++;
    });
    assert.ok(decidedByCilium > 100, `Cilium decided only ${decidedByCilium} sides`);
  });

  for (const [kind, arb] of [['Cilium', ciliumClusterArb], ['Calico', calicoClusterArb], ['Antrea', antreaClusterArb]] as const) {
    it(`(c2) the two-sided comparison is exact with ${kind} policies`, () => assertComparisonExact(arb, 200));

    it(`(c3) the proof under ${kind}: unchanged means every probe keeps its verdict; a change is refused and listed its way`, () => {
      const scenario = arb.chain((cluster) =>
        fc.tuple(fc.constant(cluster), fc.constantFrom<TemplateName>('allow-all', 'cluster-internal', 'select-none'), fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 })),
      );
      const flips = { denied: 0, opened: 0, unchangedUnderCilium: 0 };
      fc.assert(
        fc.property(scenario, ([cluster, template, connections]) => {
          const before = cluster.policies.filter((p) => p.metadata.namespace !== 'a');
          const create = placeholderPolicy('a', { name: 'cis-default-allow', template, version: 't' });
          const state = { namespaces: cluster.namespaces, pods: cluster.pods, nodes: cluster.nodes, policies: before, clusterPolicies: cluster.clusterPolicies ?? [], cniPolicies: cluster.cniPolicies ?? [], unreadable: [], ...(cluster.ciliumMode ? { ciliumMode: cluster.ciliumMode } : {}) };
          const proof = proveCreates(state, [create], create).namespaces.get('a')!;
          const unchanged = proof.denied.length + proof.opened.length + proof.unproven.length === 0;
          if (unchanged && template !== 'select-none' && (cluster.cniPolicies ?? []).length > 0) flips.unchangedUnderCilium++;
          for (const c of connections) {
            const v0 = judged({ ...cluster, policies: before }, c);
            const v1 = judged({ ...cluster, policies: [...before, create] }, c);
            if (!v0 || !v1 || v0.allowed === v1.allowed) continue;
            assert.ok(!unchanged, `proof said unchanged for ${template}, but ${JSON.stringify(c)} went ${v0.allowed} -> ${v1.allowed}`);
            if (proof.unproven.length === 0) assert.ok((v0.allowed ? proof.denied : proof.opened).length > 0, `${template}: ${JSON.stringify(c)} not listed its way`);
            flips[v0.allowed ? 'denied' : 'opened']++;
          }
          if (template === 'select-none') assert.ok(unchanged, 'select-none changes nothing');
        }),
        { numRuns: 400 },
      );
      assert.ok(flips.denied > 0 && flips.opened > 0 && flips.unchangedUnderCilium > 0, JSON.stringify(flips));
    });
  }
});
