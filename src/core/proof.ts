// The proof behind "connectivity unchanged", pure: for each namespace a run would give a
// placeholder, every class of connection (all addresses, ports and protocols) whose verdict the
// placeholder changes, both ways (allowed → denied and denied → allowed), for today's pods and for
// pods started later; and every reason the model cannot vouch for the namespace at all.
import type { ClusterPolicy, CniPolicy, LabelSelector, Namespace, NetworkPolicy, Node, Pod, PolicyApiRead } from './model.ts';
import { compareConnectivity, summarise, type Cluster, type ConnectionClass } from './netpol/index.ts';
import { satisfyingLabels } from './netpol/selector.ts';
import { unprovenForNamespace } from './proof-unproven.ts';
import { compileCilium, isCilium, type CiliumMode } from './netpol/compile-cilium.ts';
import { compileCalico, isCalico } from './netpol/compile-calico.ts';
import { antreaTiers, compileAntrea, isAntreaPolicy } from './netpol/compile-antrea.ts';
import { compilePolicies, type CompileCache, type CompiledPolicy } from './netpol/compile.ts';
import { indexPolicies, type KeptPolicyIndex } from './netpol/policy-index.ts';

export interface ProofState {
  namespaces: Namespace[];
  pods: Pod[];
  nodes: Node[];
  policies: NetworkPolicy[];
  clusterPolicies: ClusterPolicy[];
  cniPolicies: CniPolicy[];
  /** Cluster-wide policy APIs that were served but could not be read. */
  unreadable: PolicyApiRead[];
  /** The Cilium agent's enforcement mode; `default` when absent. */
  ciliumMode?: CiliumMode;
  /** Policies compiled by earlier proofs over the same objects (a watch's store). */
  compiled?: CompileCache;
  /**
   * What a watch keeps across batches: `policies` indexed and patched per change, and its store's
   * namespaces by name. The same sets as the arrays, so the proof decides as a fresh one does
   * (test/unit/watch/incremental.test.ts); it just builds nothing the size of the cluster.
   */
  kept?: KeptState;
}

export interface KeptState {
  policies: KeptPolicyIndex;
  namespace(name: string): Namespace | undefined;
}

/** What the tiered model judges by, minus the NetworkPolicies being compared. */
export type ModelState = Pick<ProofState, 'namespaces' | 'pods' | 'nodes' | 'policies' | 'clusterPolicies' | 'cniPolicies' | 'ciliumMode' | 'kept'>;

/**
 * The cluster the comparison runs on: every tier the model has (SIG, Cilium with its agent's mode,
 * Calico's tiers), the same for the proof and for prune, so both judge by one model.
 */
export function modelCluster(state: ModelState, extra: { namespaces: Namespace[]; pods: Pod[] } = { namespaces: [], pods: [] }): Cluster {
  const kept = state.kept;
  return {
    ...(kept ? { namespaces: extra.namespaces, namespaceNamed: (name: string) => kept.namespace(name) } : { namespaces: [...state.namespaces, ...extra.namespaces] }),
    pods: [...state.pods, ...extra.pods],
    nodes: state.nodes,
    policies: state.policies,
    clusterPolicies: state.clusterPolicies,
    cniPolicies: state.cniPolicies,
    ...(state.ciliumMode ? { ciliumMode: state.ciliumMode } : {}),
  };
}

export interface NamespaceProof {
  /** Connections allowed today that the placeholder would deny. */
  denied: string[];
  /** Connections denied today (by a cluster-wide tier) that the placeholder would allow. */
  opened: string[];
  /** Why the model cannot vouch for this namespace (unmodelled policy kinds, unreadable APIs, …). */
  unproven: string[];
}

export interface ProofResult {
  namespaces: Map<string, NamespaceProof>;
  /** Pods looked at per namespace (0: only the representatives of future pods). */
  pods: Map<string, number>;
  notes: string[];
}

// Future pods of a target namespace are stood for by representative pods, each alone in a namespace
// of its own that carries the target's labels (its name label included), so every namespace
// selector treats it as the target. One has no labels; one more per Baseline-tier policy whose pod
// selector needs labels, with the fewest labels that satisfy it. Their addresses lie in the
// benchmarking range 198.18.0.0/15, which no cluster routes.
const FUTURE = '~future';
// Connection classes listed per namespace before the listing stops: a namespace that changes is
// refused either way, and enumerating every pair of a large cluster buys no decision.
export const LISTING_LIMIT = 200;
const NAME_LABEL = 'kubernetes.io/metadata.name';

interface Representative {
  namespace: Namespace;
  pod: Pod;
  target: string;
  phrase: string;
}

function describeLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

// Pod selectors a future pod may satisfy: Baseline subjects, the endpoint selectors of Cilium
// rules, Calico selectors and Antrea appliedTo pod selectors (a pod they isolate, or one an Antrea
// baseline rule denies, is opened by the allow-all placeholder).
function subjectSelectors(clusterPolicies: ClusterPolicy[], cni: CniPolicy[]): LabelSelector[] {
  const out: LabelSelector[] = [];
  for (const p of clusterPolicies) if (p.spec.tier === 'Baseline' && 'pods' in p.spec.subject) out.push(p.spec.subject.pods.podSelector);
  for (const u of cni.filter(isCilium).flatMap(compileCilium)) {
    out.push({ matchExpressions: u.subject.podRequirements.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })) });
  }
  // Calico selectors are expressions: calico-hints.ts finds labels that satisfy them.
  for (const p of cni.filter(isCalico)) for (const labels of compileCalico(p).hints) out.push({ matchLabels: labels });
  const tiers = antreaTiers(cni);
  for (const p of cni.filter(isAntreaPolicy)) {
    // A policy with parts the model cannot decide makes every namespace it may reach "not proven" already.
    const compiled = compileAntrea(p, tiers);
    if (compiled.unmodelled.length > 0) continue;
    for (const rs of compiled.podRequirements) out.push({ matchExpressions: rs.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })) });
  }
  return out;
}

function representatives(targets: Namespace[], clusterPolicies: ClusterPolicy[], cni: CniPolicy[]): Representative[] {
  const labelSets: Record<string, string>[] = [{}];
  const seen = new Set(['']);
  for (const selector of subjectSelectors(clusterPolicies, cni)) {
    const labels = satisfyingLabels(selector);
    if (!labels || seen.has(describeLabels(labels))) continue;
    seen.add(describeLabels(labels));
    labelSets.push(labels);
  }
  const out: Representative[] = [];
  let i = 0;
  for (const ns of targets) {
    for (const labels of labelSets) {
      const name = `${FUTURE}/${ns.metadata.name}/${out.length}`;
      const ip = `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      i++;
      const podName = Object.keys(labels).length === 0 ? '(any-pod)' : `(labelled-${describeLabels(labels)})`;
      out.push({
        namespace: { metadata: { name, labels: { ...ns.metadata.labels, [NAME_LABEL]: ns.metadata.name } }, phase: 'Active' },
        pod: { metadata: { name: podName, namespace: name, labels }, podIPs: [ip], containerPorts: [] },
        target: ns.metadata.name,
        phrase: Object.keys(labels).length === 0 ? `any pod in ${ns.metadata.name} (now or later)` : `any pod in ${ns.metadata.name} labelled ${describeLabels(labels)} (now or later)`,
      });
    }
  }
  return out;
}

/** Classes whose other end is a representative of another namespace say nothing new: they go. */
function subjectOnly(classes: ConnectionClass[], isRepresentative: (ns: string) => boolean): ConnectionClass[] {
  return classes.filter((c) =>
    c.deniedBy.every((side) => {
      const peer = side.direction === 'Egress' ? c.to : c.from;
      return peer.kind !== 'pod' || !isRepresentative(peer.pod.namespace) || peer.pod.namespace === side.pod.namespace;
    }),
  );
}

export function proveCreates(state: ProofState, creates: NetworkPolicy[], template: NetworkPolicy | undefined): ProofResult {
  const targets = new Set(creates.map((p) => p.metadata.namespace));
  const targetNamespaces = state.namespaces.filter((n) => targets.has(n.metadata.name));
  const reps = template ? representatives(targetNamespaces, state.clusterPolicies, state.cniPolicies) : [];
  const repByNamespace = new Map(reps.map((r) => [r.namespace.metadata.name, r]));
  // "After" is "before" with the lists of the targets and the representatives' namespaces
  // replaced: each gets its new policies after those it has.
  const before = state.kept?.policies ?? indexPolicies(state.policies, state.compiled);
  const added = [...creates, ...(template ? reps.map((r) => ({ ...template, metadata: { ...template.metadata, namespace: r.namespace.metadata.name } })) : [])];
  const lists = new Map<string, CompiledPolicy[]>();
  for (const [i, p] of compilePolicies(added, state.compiled).entries()) {
    const ns = added[i]!.metadata.namespace;
    lists.set(ns, [...(lists.get(ns) ?? before.in(ns)), p]);
  }
  const cluster = modelCluster(state, { namespaces: reps.map((r) => r.namespace), pods: reps.map((r) => r.pod) });
  const scope = [...targets, ...repByNamespace.keys()];
  const comparison = compareConnectivity(cluster, before, before.replaced(lists), { namespaces: scope, includeNewlyAllowed: true, limitPerNamespace: LISTING_LIMIT });
  const truncated = new Set(comparison.truncated.map((ns) => repByNamespace.get(ns)?.target ?? ns));
  const isRep = (ns: string) => repByNamespace.has(ns);
  const lines = (classes: ConnectionClass[]) => {
    const byNs = new Map<string, string[]>();
    for (const s of summarise(cluster, subjectOnly(classes, isRep))) {
      const rep = repByNamespace.get(s.namespace);
      const ns = rep?.target ?? s.namespace;
      const text = rep ? s.lines.map((l) => l.split(`the only pod in ns ${s.namespace} (${rep.pod.metadata.name})`).join(rep.phrase)) : s.lines;
      byNs.set(ns, [...(byNs.get(ns) ?? []), ...text]);
    }
    return byNs;
  };
  const denied = lines(comparison.denied);
  const opened = lines(comparison.allowed);
  const result: ProofResult = { namespaces: new Map(), pods: new Map(), notes: comparison.problems };
  for (const p of state.pods) if (targets.has(p.metadata.namespace) && p.podIPs.length > 0 && !p.hostNetwork) result.pods.set(p.metadata.namespace, (result.pods.get(p.metadata.namespace) ?? 0) + 1);
  for (const ns of targetNamespaces) {
    const name = ns.metadata.name;
    const more = truncated.has(name) ? [`… and possibly more: the listing stopped after ${LISTING_LIMIT} connection classes`] : [];
    const d = denied.get(name) ?? [];
    const o = opened.get(name) ?? [];
    result.namespaces.set(name, {
      denied: d.length > 0 ? [...d, ...(o.length === 0 ? more : [])] : d,
      // "newly allowed: " is summarise's prefix for the reverse change; the report has its own heading.
      opened: o.length > 0 ? [...o.map((l) => l.replace(/^newly allowed: /, '')), ...more] : o,
      unproven: unprovenForNamespace(state, ns, template),
    });
    result.pods.set(name, result.pods.get(name) ?? 0);
  }
  return result;
}
