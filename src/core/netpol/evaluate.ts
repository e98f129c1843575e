// The verdict for one connection: egress judged at the source pod, ingress at the destination pod,
// each carrying the policies and rules that decided it.
import type { Pod } from '../model.ts';
import { indexCluster, podAddress, podAddresses, podRef, type ClusterIndex, type Peer } from './cluster-index.ts';
import type { CompiledPolicy } from './compile.ts';
import { indexPolicies } from './policy-index.ts';
import { formatIP, parseIP, type Address, type Family } from './ip.ts';
import { hasPort } from './ports.ts';
import { selects } from './match.ts';
import { compileCniTiers } from './compile-cni.ts';
import { compileClusterPolicies, judgeTiers, tieredView, type Selection, type TieredJudgement } from './tiers.ts';
import type {
  Cluster, Connection, Decider, Direction, DirectionReason, DirectionVerdict, Endpoint, ResolvedEndpoint, Verdict,
} from './types.ts';

/** The connection names a pod that does not exist, or an address that is not one. */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

/** Pods and the policies that select them, for one policy set; built per evaluator, never global. */
export interface PolicyView {
  policies: CompiledPolicy[];
  selecting(pod: Pod): CompiledPolicy[];
}

export function policyView(policies: CompiledPolicy[]): PolicyView {
  const cache = new Map<Pod, CompiledPolicy[]>();
  return {
    policies,
    selecting(pod) {
      let found = cache.get(pod);
      if (!found) cache.set(pod, (found = policies.filter((p) => selects(p, pod))));
      return found;
    },
  };
}

/** The single place where a direction's reason and boolean come from its facts. */
export function directionOutcome(facts: Pick<DirectionVerdict, 'subject' | 'isolatedBy' | 'ownNode' | 'allowedBy' | 'cni'> & { decidedBy?: Decider }): {
  reason: DirectionReason;
  allowed: boolean;
} {
  if (!facts.subject) return { reason: 'not-a-pod', allowed: true };
  const d = facts.decidedBy;
  if (d?.tier === 'Admin') return d.action === 'Allow' ? { reason: 'admin-tier-allows', allowed: true } : { reason: 'admin-tier-denies', allowed: false };
  if (d?.tier === 'Baseline') return d.action === 'Allow' ? { reason: 'baseline-tier-allows', allowed: true } : { reason: 'baseline-tier-denies', allowed: false };
  if (d?.tier === 'CiliumDeny') return { reason: 'cilium-denies', allowed: false };
  if (d?.tier === 'Antrea') return d.action === 'Allow' ? { reason: 'antrea-allows', allowed: true } : { reason: 'antrea-denies', allowed: false };
  if (d?.tier === 'Calico') return d.action === 'Allow' ? { reason: 'calico-allows', allowed: true } : { reason: 'calico-denies', allowed: false };
  // Only a Calico Pass hands an isolated pod's connection on to the Default tier (tiers-calico.ts).
  if (d?.tier === 'Default' && facts.isolatedBy.length > 0) return { reason: 'calico-allows', allowed: true };
  if (facts.isolatedBy.length === 0 && (facts.cni?.isolatedBy.length ?? 0) === 0) return { reason: 'not-isolated', allowed: true };
  if (facts.ownNode) return { reason: 'own-node', allowed: true };
  if (facts.allowedBy.length > 0 || (facts.cni?.allowedBy.length ?? 0) > 0) return { reason: 'allowed-by-rule', allowed: true };
  return { reason: 'no-rule-allows', allowed: false };
}

const NOT_JUDGED: Decider = { tier: 'Default', action: 'Allow' };

function directionVerdict(direction: Direction, subject: Pod | undefined, t: TieredJudgement | undefined, sel: Selection | undefined, port: number): DirectionVerdict {
  const j = t?.np;
  const facts = {
    direction,
    subject: subject ? podRef(subject) : undefined,
    selectedBy: (j?.selectedBy ?? []).map((p) => p.ref),
    isolatedBy: (j?.isolatedBy ?? []).map((p) => p.ref),
    allowedBy: (j?.matches ?? []).filter((m) => hasPort(m.ports, port)).map((m) => ({ policy: m.policy.ref, ruleIndex: m.rule.index })),
    ownNode: j?.ownNode ?? false,
    clusterSelectedBy: sel ? [...sel.admin, ...sel.baseline].map((c) => c.ref) : [],
    decidedBy: t?.segments.find((s) => hasPort(s.ports, port))?.decider ?? NOT_JUDGED,
    passedBy: (t?.passes ?? []).filter((p) => hasPort(p.ports, port)).map(({ ports: _ports, ...rest }) => rest),
  } as Omit<DirectionVerdict, 'reason' | 'allowed'>;
  const cni = sel?.cilium.length || sel?.alwaysIsolated ? t?.segments.map((s) => s.decider).find((x) => x.tier === 'NetworkPolicy')?.cni : undefined;
  if (cni) facts.cni = { isolatedBy: cni.isolatedBy, allowedBy: (t?.ciliumMatches ?? []).filter((m) => hasPort(m.ports, port)).map((m) => m.text) };
  if (!facts.subject) delete facts.subject;
  return { ...facts, ...directionOutcome(facts) };
}

function explicitAddress(endpoint: Endpoint): Address | undefined {
  if (endpoint.ip === undefined) return undefined;
  const address = parseIP(endpoint.ip);
  if (!address) throw new EndpointError(`"${endpoint.ip}" is not an IP address`);
  return address;
}

function lookupPod(index: ClusterIndex, endpoint: Endpoint): Pod | undefined {
  if (endpoint.kind !== 'pod') return undefined;
  const pod = index.findPod(endpoint);
  if (!pod) throw new EndpointError(`pod ${endpoint.namespace}/${endpoint.name} is not in the cluster`);
  return pod;
}

// One connection uses one address family. An explicit address decides it; otherwise the source
// pod's first family that the destination also has.
function chooseFamily(explicit: (Address | undefined)[], pods: (Pod | undefined)[]): Family | undefined {
  const families = explicit.filter((a): a is Address => a !== undefined).map((a) => a.family);
  if (families.length === 2 && families[0] !== families[1]) throw new EndpointError('source and destination addresses are of different families');
  if (families[0]) return families[0];
  const [a, b] = pods.map((p) => (p ? podAddresses(p).map((x) => x.family) : undefined));
  if (a && b) return a.find((f) => b.includes(f)) ?? a[0] ?? b[0];
  return (a ?? b)?.[0];
}

function toPeer(index: ClusterIndex, endpoint: Endpoint, pod: Pod | undefined, explicit: Address | undefined, family: Family | undefined): Peer {
  if (!pod) return index.peerAt(explicit!);
  if (explicit && !podAddresses(pod).some((a) => a.value === explicit.value && a.family === explicit.family)) {
    throw new EndpointError(`${formatIP(explicit)} is not an address of pod ${pod.metadata.namespace}/${pod.metadata.name}`);
  }
  const address = explicit ?? (family ? podAddress(pod, family) : undefined);
  // hostNetwork pods share their node's network namespace: policies see them as node traffic.
  if (pod.hostNetwork) {
    const nodeLabels = index.nodeLabels(pod.nodeName);
    return { kind: 'node', node: pod.nodeName, ...(nodeLabels ? { nodeLabels } : {}), address, hostNetworkPod: pod };
  }
  return { kind: 'pod', pod, namespaceLabels: index.namespaceLabels(pod.metadata.namespace), address };
}

function resolvedEndpoint(peer: Peer): ResolvedEndpoint {
  const address = peer.address ? formatIP(peer.address) : undefined;
  const at = address === undefined ? {} : { address };
  if (peer.kind === 'pod') return { kind: 'pod', pod: podRef(peer.pod), ...at };
  if (peer.kind === 'external') return { kind: 'external', address: formatIP(peer.address) };
  return {
    kind: 'node',
    ...(peer.node === undefined ? {} : { node: peer.node }),
    ...at,
    ...(peer.hostNetworkPod ? { hostNetworkPod: podRef(peer.hostNetworkPod) } : {}),
  };
}

export interface Evaluator {
  evaluate(connection: Connection): Verdict;
}

export function createEvaluator(cluster: Cluster): Evaluator {
  const index = indexCluster(cluster);
  const view = tieredView(indexPolicies(cluster.policies), compileClusterPolicies(cluster.clusterPolicies ?? []), index, compileCniTiers(cluster));
  return {
    evaluate(connection) {
      const explicit = [explicitAddress(connection.from), explicitAddress(connection.to)];
      const pods = [lookupPod(index, connection.from), lookupPod(index, connection.to)];
      const family = chooseFamily(explicit, pods);
      const from = toPeer(index, connection.from, pods[0], explicit[0], family);
      const to = toPeer(index, connection.to, pods[1], explicit[1], family);
      const { port, protocol } = connection;
      const egressSel = from.kind === 'pod' ? view.selecting(from.pod) : undefined;
      const ingressSel = to.kind === 'pod' ? view.selecting(to.pod) : undefined;
      const egressJ = from.kind === 'pod' ? judgeTiers('Egress', from.pod, egressSel!, to, protocol) : undefined;
      const ingressJ = to.kind === 'pod' ? judgeTiers('Ingress', to.pod, ingressSel!, from, protocol) : undefined;
      const egress = directionVerdict('Egress', from.kind === 'pod' ? from.pod : undefined, egressJ, egressSel, port);
      const ingress = directionVerdict('Ingress', to.kind === 'pod' ? to.pod : undefined, ingressJ, ingressSel, port);
      return {
        connection,
        from: resolvedEndpoint(from),
        to: resolvedEndpoint(to),
        egress,
        ingress,
        allowed: egress.allowed && ingress.allowed,
      };
    },
  };
}

/** Compiles the cluster's policies and judges one connection. Use `createEvaluator` for many. */
export function evaluate(cluster: Cluster, connection: Connection): Verdict {
  return createEvaluator(cluster).evaluate(connection);
}
