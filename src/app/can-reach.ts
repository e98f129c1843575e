// Use case: can-reach. Read namespaces, pods, nodes and NetworkPolicies (cluster or saved file),
// then judge one connection with the evaluator; the report carries every deciding policy and rule.
import { ApiError, UsageError } from '../core/errors.ts';
import type { EgressRule, IngressRule, Namespace, NetworkPolicy, Node, Pod, Protocol } from '../core/model.ts';
import { createEvaluator, EndpointError, explainVerdict } from '../core/netpol/index.ts';
import type { Cluster as NetpolCluster, Direction, DirectionVerdict, Endpoint, PolicyRef, ResolvedEndpoint } from '../core/netpol/index.ts';
import { isOurs } from '../core/placeholder.ts';
import { cniSelection } from '../core/netpol/cni-selection.ts';
import { unmodelledParts } from '../core/netpol/compile-cni.ts';
import { ciliumModeFrom, ciliumModeNote, type CiliumModeRead } from '../core/cilium-mode.ts';
import { ciliumPresent, readCiliumMode } from './cilium-mode.ts';
import { cniLabel } from '../core/proof-cni.ts';
import { REPORT_API_VERSION, type Snapshot } from '../core/report.ts';
import type { ClusterState } from '../kube/state-file.ts';
import type { SnapshotSource } from './audit.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { unreadableKindNotes } from './policy-kind-notes.ts';

/** --port: a number or a container port name, and a protocol (default TCP). */
export interface PortSpec {
  port: number | string;
  protocol: Protocol;
}

export interface CanReachOptions {
  from: Endpoint;
  to: Endpoint;
  port: PortSpec;
}

/** A rule that allowed the connection, with its content, so the report stands on its own. */
export interface DecidingRule {
  policy: PolicyRef;
  ruleIndex: number;
  rule: IngressRule | EgressRule;
  /** The rule belongs to a cis-netpol placeholder (it allows everything). */
  placeholder: boolean;
}

export interface DirectionReport extends DirectionVerdict {
  /** One sentence, from explainVerdict. */
  explanation: string;
  /** The content of every rule in `allowedBy`, in the same order. */
  rules: DecidingRule[];
}

export interface CanReachReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'CanReachReport';
  timestamp: string;
  source: Snapshot['source'];
  /** Derived from `allowed`. */
  verdict: 'ALLOWED' | 'DENIED';
  /** Egress at the source and ingress at the destination both allow it. */
  allowed: boolean;
  connection: { from: Endpoint; to: Endpoint; port: number; portName?: string; protocol: Protocol };
  from: ResolvedEndpoint;
  to: ResolvedEndpoint;
  egress: DirectionReport;
  ingress: DirectionReport;
  /** The verdict as sentences: the connection, then egress, then ingress. */
  explanation: string[];
  notes: string[];
}

export const STATE_HINT = 'save the state with `kubectl get namespaces,pods,nodes,networkpolicies -A -o yaml > state.yaml`';

// ---------------------------------------------------------------------------------------------
// Reading

const LISTS = {
  namespaces: (c: Cluster) => c.listNamespaces(),
  pods: (c: Cluster) => c.listPods(),
  nodes: (c: Cluster) => c.listNodes(),
  networkpolicies: (c: Cluster) => c.listPolicies(),
};

export interface Listed {
  namespaces: Namespace[];
  pods: Pod[];
  nodes: Node[];
  networkpolicies: NetworkPolicy[];
}

/**
 * Cluster-wide lists, in parallel. Forbidden ones are collected and named in one error, so the
 * user learns every missing permission at once; any other failure is thrown as is.
 */
export async function listClusterWide<K extends keyof Listed>(cluster: Cluster, kinds: K[], purpose: string, otherwise = ''): Promise<Pick<Listed, K>> {
  const settled = await Promise.allSettled(kinds.map((k) => LISTS[k](cluster)));
  const forbidden: string[] = [];
  const out: Partial<Listed> = {};
  for (const [i, s] of settled.entries()) {
    const kind = kinds[i]!;
    if (s.status === 'fulfilled') (out as Record<string, unknown>)[kind] = s.value;
    else if (s.reason instanceof ApiError && s.reason.kind === 'Forbidden') forbidden.push(kind);
    else throw s.reason;
  }
  if (forbidden.length > 0) {
    const { context, server } = cluster.identity;
    const what = forbidden.length === 1 ? forbidden[0]! : `${forbidden.slice(0, -1).join(', ')} and ${forbidden.at(-1)!}`;
    throw new ApiError(
      'Forbidden',
      `forbidden: this user may not list ${what} cluster-wide (context "${context}", ${server}); ${purpose}`,
      `grant "list" on ${what} cluster-wide (deploy/rbac.yaml: ClusterRole cis-netpol-connectivity for pods and nodes, cis-netpol-audit for namespaces and networkpolicies)${otherwise ? `, or ${otherwise}` : ''}`,
      403,
    );
  }
  return out as Pick<Listed, K>;
}

/** The four cluster-wide lists can-reach needs. */
export async function readConnectivityState(cluster: Cluster, deps: AppDeps): Promise<ClusterState> {
  deps.progress.update('Reading namespaces, pods, nodes and NetworkPolicies');
  const l = await listClusterWide(
    cluster,
    ['namespaces', 'pods', 'nodes', 'networkpolicies'],
    'can-reach needs "list" on namespaces, pods, nodes and networkpolicies',
    `run can-reach -f on a state saved by someone who can (${STATE_HINT})`,
  );
  deps.progress.update('Reading cluster-wide policies');
  const kinds = await cluster.readPolicyKinds();
  return { namespaces: l.namespaces, pods: l.pods, nodes: l.nodes, policies: l.networkpolicies, clusterPolicies: kinds.clusterPolicies, cniPolicies: kinds.cniPolicies, policyApis: kinds.apis };
}

export async function runCanReach(o: CanReachOptions, source: SnapshotSource, deps: AppDeps): Promise<CanReachReport> {
  const read = source.kind === 'file' ? source.state : await readConnectivityState(source.cluster, deps);
  const present = ciliumPresent(read.policyApis, read.cniPolicies);
  const cilium = present ? (source.kind === 'cluster' ? await readCiliumMode(source.cluster, deps.log) : ciliumModeFrom(undefined, `${source.path} carries no cilium-config`)) : undefined;
  const state: JudgedState = { ...read, ...(cilium ? { cilium } : {}) };
  const src: Snapshot['source'] = source.kind === 'file' ? { kind: 'file', path: source.path } : { kind: 'cluster', ...source.cluster.identity };
  deps.progress.update('Judging');
  return canReach(state, o, src, deps.now());
}

// ---------------------------------------------------------------------------------------------
// Judging (pure)

function where(source: Snapshot['source']): string {
  return source.kind === 'file' ? source.path : `the cluster (context "${source.context}")`;
}

function endpointError(err: EndpointError, source: Snapshot['source'], state: ClusterState): UsageError {
  const missingPod = /^pod .* is not in the cluster$/.test(err.message);
  if (missingPod) {
    const message = err.message.replace(/is not in the cluster$/, `is not in ${where(source)}`);
    if (source.kind === 'file') {
      return new UsageError(message, state.pods.length === 0 ? `the file has no Pod objects; ${STATE_HINT}` : `check the name, or ${STATE_HINT}`);
    }
    return new UsageError(message, 'check the name with `kubectl get pods -n <namespace>`');
  }
  return new UsageError(err.message, 'give --from and --to as <namespace>/<pod> or an IP address of the same family');
}

/** A named --port resolved against the destination pod's container ports of that protocol. */
export function resolvePort(state: ClusterState, to: ResolvedEndpoint, spec: PortSpec): { port: number; portName?: string } {
  if (typeof spec.port === 'number') return { port: spec.port };
  const name = spec.port;
  const ref = to.kind === 'pod' ? to.pod : to.kind === 'node' ? to.hostNetworkPod : undefined;
  if (!ref) {
    const what = to.kind === 'node' ? `node ${to.node ?? '(unknown)'}` : `address ${to.address}, which belongs to no pod`;
    throw new UsageError(`named port "${name}" does not resolve: the destination is ${what}`, 'named ports resolve against the destination pod\'s container ports; give the port as a number');
  }
  const pod = state.pods.find((p) => p.metadata.namespace === ref.namespace && p.metadata.name === ref.name);
  const found = pod?.containerPorts.find((p) => p.name === name && (p.protocol ?? 'TCP') === spec.protocol);
  if (!found) {
    const named = (pod?.containerPorts ?? []).filter((p) => p.name).map((p) => `${p.name} (${p.protocol ?? 'TCP'} ${p.containerPort})`);
    throw new UsageError(
      `named port "${name}/${spec.protocol}" does not resolve: pod ${ref.namespace}/${ref.name} has no ${spec.protocol} container port named "${name}"`,
      named.length > 0 ? `its named ports: ${named.join(', ')}` : 'the pod declares no named ports; give the port as a number',
    );
  }
  return { port: found.containerPort, portName: name };
}

function rulesOf(state: ClusterState, d: DirectionVerdict): DecidingRule[] {
  return d.allowedBy.map((r) => {
    const p = state.policies.find((x) => x.metadata.namespace === r.policy.namespace && x.metadata.name === r.policy.name);
    const list = (d.direction === 'Egress' ? p?.spec.egress : p?.spec.ingress) ?? [];
    return { policy: r.policy, ruleIndex: r.ruleIndex, rule: structuredClone(list[r.ruleIndex] ?? {}), placeholder: p ? isOurs(p) : false };
  });
}

function notesFor(state: ClusterState, source: Snapshot['source'], r: Omit<CanReachReport, 'notes'>): string[] {
  const notes: string[] = unreadableKindNotes(state.policyApis);
  for (const d of [r.egress, r.ingress]) {
    for (const rule of d.rules.filter((x) => x.placeholder)) {
      // Only where it overrides something: alone, the namespace would be non-isolated without it anyway.
      const { namespace, name } = rule.policy;
      const own = state.policies.filter((p) => p.metadata.namespace === namespace && !isOurs(p)).map((p) => p.metadata.name).sort();
      if (own.length === 0) continue;
      notes.push(
        `${namespace}/${name} is the cis-netpol placeholder: it allows every connection, so ${namespace}'s own ${own.length === 1 ? 'policy' : 'policies'} (${own.join(', ')}) cannot deny this one while it exists (policies are additive); remove it with \`kubectl cis-netpol prune -n ${namespace}\``,
      );
    }
  }
  for (const e of [r.from, r.to]) {
    if (e.kind === 'pod' && e.address === undefined) {
      notes.push(`pod ${e.pod.namespace}/${e.pod.name} has no IP address yet (not running): ipBlock peers cannot match it`);
    }
  }
  notes.push(...cniNotes(state, [r.from, r.to]));
  if (r.from.kind !== 'pod' && r.to.kind !== 'pod') {
    notes.push('neither end is a pod on the pod network: NetworkPolicy does not apply to this connection');
  }
  if (source.kind === 'file') {
    if (state.nodes.length === 0) notes.push(`${source.path} has no Node objects: node addresses count as outside the cluster`);
    if (state.pods.length === 0) notes.push(`${source.path} has no Pod objects: pod addresses count as outside the cluster`);
  }
  return notes;
}

/** CNI-specific policies that select either end and are not modelled (exactly): the verdict may differ under them. */
function cniNotes(state: JudgedState, ends: ResolvedEndpoint[]): string[] {
  const out: string[] = [];
  let ciliumSelects = false;
  for (const e of ends) {
    if (e.kind !== 'pod') continue;
    const pod = state.pods.find((p) => p.metadata.namespace === e.pod.namespace && p.metadata.name === e.pod.name);
    const ns = state.namespaces.find((n) => n.metadata.name === e.pod.namespace);
    if (!pod) continue;
    const target = { namespace: e.pod.namespace, podLabels: pod.metadata.labels ?? {}, namespaceLabels: { 'kubernetes.io/metadata.name': e.pod.namespace, ...ns?.metadata.labels } };
    for (const p of state.cniPolicies) {
      if (p.metadata.namespace && p.metadata.namespace !== e.pod.namespace) continue;
      const sel = cniSelection(p);
      if (sel.directions.length === 0 || !sel.selects(target)) continue;
      ciliumSelects ||= p.kind.startsWith('Cilium');
      // Cilium and Calico policies are part of the verdict, unless they have parts the model cannot decide.
      if (unmodelledParts(state.cniPolicies, state.cilium?.mode).get(p) === undefined) continue;
      out.push(`${cniLabel(p)} selects pod ${e.pod.namespace}/${e.pod.name} (${sel.subject}, ${sel.directions.join('/').toLowerCase()}) and is not modelled: under it this verdict may differ`);
    }
  }
  // The mode is worth a note where it could change this verdict: a Cilium policy selects an end, or
  // the mode is not the default (or was not read).
  const c = state.cilium;
  if (c && (ciliumSelects || c.assumed || c.mode !== 'default')) out.unshift(ciliumModeNote(c).replace('Cilium policies are modelled', 'Cilium policies are judged'));
  return out;
}

/** A pod with addresses, none of the connection's family (an IPv4-only pod and an IPv6 address). */
function checkFamilies(state: ClusterState, ...ends: ResolvedEndpoint[]): void {
  const other = ends.find((e) => e.kind !== 'pod' && e.address !== undefined)?.address ?? ends.find((e) => e.kind === 'pod' && e.address !== undefined)?.address;
  if (other === undefined) return;
  for (const e of ends) {
    if (e.kind !== 'pod' || e.address !== undefined) continue;
    const pod = state.pods.find((p) => p.metadata.namespace === e.pod.namespace && p.metadata.name === e.pod.name);
    if (!pod || pod.podIPs.length === 0) continue;
    const family = other.includes(':') ? 'IPv6' : 'IPv4';
    throw new UsageError(
      `pod ${e.pod.namespace}/${e.pod.name} has no ${family} address, so it cannot talk to ${other} (its addresses: ${pod.podIPs.join(', ')})`,
      `give an ${family === 'IPv6' ? 'IPv4' : 'IPv6'} address for the other end`,
    );
  }
}

const directionIndex: Record<Direction, number> = { Egress: 1, Ingress: 2 };

/** Judges the connection on the given state. Throws UsageError for endpoints or ports that do not resolve. */
/** The state can-reach judges: the snapshot, and the Cilium agent's mode when Cilium is there. */
export type JudgedState = ClusterState & { cilium?: CiliumModeRead };

export function canReach(state: JudgedState, o: CanReachOptions, source: Snapshot['source'], now: Date): CanReachReport {
  const cluster: NetpolCluster = {
    namespaces: state.namespaces, pods: state.pods, nodes: state.nodes, policies: state.policies, clusterPolicies: state.clusterPolicies,
    cniPolicies: state.cniPolicies, ...(state.cilium ? { ciliumMode: state.cilium.mode } : {}),
  };
  const evaluator = createEvaluator(cluster);
  try {
    // A named port needs the destination first: the same endpoints resolved with a provisional port.
    const probe = typeof o.port.port === 'number' ? undefined : evaluator.evaluate({ from: o.from, to: o.to, port: 1, protocol: o.port.protocol });
    const { port, portName } = probe ? resolvePort(state, probe.to, o.port) : { port: o.port.port as number };
    const v = evaluator.evaluate({ from: o.from, to: o.to, port, protocol: o.port.protocol });
    checkFamilies(state, v.from, v.to);
    const explanation = explainVerdict(v);
    const direction = (d: DirectionVerdict): DirectionReport => ({ ...d, explanation: explanation[directionIndex[d.direction]] ?? '', rules: rulesOf(state, d) });
    const base: Omit<CanReachReport, 'notes'> = {
      apiVersion: REPORT_API_VERSION,
      kind: 'CanReachReport',
      timestamp: now.toISOString(),
      source,
      verdict: v.allowed ? 'ALLOWED' : 'DENIED',
      allowed: v.allowed,
      connection: { from: o.from, to: o.to, port, ...(portName === undefined ? {} : { portName }), protocol: o.port.protocol },
      from: v.from,
      to: v.to,
      egress: direction(v.egress),
      ingress: direction(v.ingress),
      explanation,
    };
    return { ...base, notes: notesFor(state, source, base) };
  } catch (err) {
    if (err instanceof EndpointError) throw endpointError(err, source, state);
    throw err;
  }
}
