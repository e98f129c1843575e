// Exact comparison of two policy sets. Endpoints are pods (each its own class) and address classes
// (see address-space.ts); ports are whole sets, so the result's port ranges are cut exactly where
// some port, endPort or resolved named port begins or ends. Nothing is sampled.
import type { NetworkPolicy, Pod, Protocol } from '../model.ts';
import { addressClasses, ownedAddresses, type AddressClass } from './address-space.ts';
import { indexCluster, podAddresses, podRef, type ClusterIndex, type Peer } from './cluster-index.ts';
import { compilePolicies, formatPolicy, PROTOCOLS } from './compile.ts';
import { describeRanges } from './describe.ts';
import { policyView, type PolicyView } from './evaluate.ts';
import { formatIP, formatRange, type Family } from './ip.ts';
import { judge, judgedPorts, type Judgement } from './match.ts';
import { ALL_PORTS, formatPorts, intersect, subtract, type PortSet } from './ports.ts';
import type { Change, ClassEndpoint, Cluster, CompareScope, Comparison, ConnectionClass, DenyingSide } from './types.ts';

/** One endpoint class: a pod or an address class, with its peer and description per family, made once. */
type End = ({ kind: 'pod'; pod: Pod } | { kind: 'addresses'; cls: AddressClass }) & {
  peers: Partial<Record<Family, Peer>>;
  described: Partial<Record<Family, ClassEndpoint>>;
};

interface Context {
  before: PolicyView;
  after: PolicyView;
  owned: Record<Family, bigint[]>;
}

function opensAll(view: PolicyView, pod: Pod, d: 'Egress' | 'Ingress'): boolean {
  const isolating = view.selecting(pod).filter((p) => p.isolates[d]);
  return isolating.length === 0 || isolating.some((p) => p.rules[d].some((r) => r.peers === 'all' && r.ports === 'all'));
}

function selectionKey(view: PolicyView, pod: Pod): string {
  return view.selecting(pod).map((p) => p.key).sort().join('\n');
}

function podEnd(index: ClusterIndex, pod: Pod): End {
  const namespaceLabels = index.namespaceLabels(pod.metadata.namespace);
  const peers: End['peers'] = {};
  for (const address of podAddresses(pod)) peers[address.family] ??= { kind: 'pod', pod, namespaceLabels, address };
  return { kind: 'pod', pod, peers, described: {} };
}

function addressEnd(cls: AddressClass): End {
  return { kind: 'addresses', cls, peers: { [cls.family]: cls.peer }, described: {} };
}

function classEndpoint(ctx: Context, end: End, family: Family): ClassEndpoint {
  if (end.kind === 'pod') return { kind: 'pod', pod: podRef(end.pod), address: formatIP(end.peers[family]!.address!) };
  const { cls } = end;
  const ranges = cls.ranges.map((r) => ({ start: formatIP({ family: r.family, value: r.start }), end: formatIP({ family: r.family, value: r.end }) }));
  if (cls.peer.kind === 'node') {
    const node = cls.peer.node;
    const description = `node ${node ?? '(unknown)'} (${cls.ranges.map(formatRange).join(', ')})`;
    return node === undefined ? { kind: 'node', ranges, description } : { kind: 'node', node, ranges, description };
  }
  const text = describeRanges(cls.ranges, ctx.owned[cls.family]);
  return { kind: 'external', ranges, description: `${text.text}${text.bridged ? ' outside pod and node addresses' : ''}` };
}

function described(ctx: Context, end: End, family: Family): ClassEndpoint {
  return (end.described[family] ??= classEndpoint(ctx, end, family));
}

function describeEnd(e: ClassEndpoint): string {
  return e.kind === 'pod' ? `pod ${e.pod.namespace}/${e.pod.name} (${e.address})` : e.description;
}

interface Sides {
  egress?: Judgement;
  ingress?: Judgement;
}

function allowedPorts(s: Sides): { egress: PortSet; ingress: PortSet } {
  return { egress: s.egress ? judgedPorts(s.egress) : ALL_PORTS, ingress: s.ingress ? judgedPorts(s.ingress) : ALL_PORTS };
}

function judgeSides(view: PolicyView, src: Peer, dst: Peer, protocol: Protocol): Sides {
  return {
    ...(src.kind === 'pod' ? { egress: judge('Egress', src.pod, view.selecting(src.pod), dst, protocol) } : {}),
    ...(dst.kind === 'pod' ? { ingress: judge('Ingress', dst.pod, view.selecting(dst.pod), src, protocol) } : {}),
  };
}

function denyingSide(j: Judgement | undefined): DenyingSide[] {
  if (!j) return [];
  return [{ direction: j.direction, pod: podRef(j.subject), isolatedBy: j.isolatedBy.map((p) => p.ref) }];
}

/** Classes that `wasAllowed` admits and `now` denies, split by which side denies so each is uniform. */
function changedClasses(change: Change, wasAllowed: PortSet, now: Sides, makeBase: () => Omit<ConnectionClass, 'change' | 'ports' | 'deniedBy' | 'description'>): ConnectionClass[] {
  const ports = allowedPorts(now);
  const lost = subtract(wasAllowed, intersect(ports.egress, ports.ingress));
  if (lost.length === 0) return [];
  const base = makeBase();
  const egressDenied = subtract(lost, ports.egress);
  const parts: [PortSet, DenyingSide[]][] = [
    [subtract(egressDenied, ports.ingress), [...denyingSide(now.egress), ...denyingSide(now.ingress)]],
    [intersect(egressDenied, ports.ingress), denyingSide(now.egress)],
    [intersect(lost, ports.egress), denyingSide(now.ingress)],
  ];
  const verb = change === 'denied' ? 'allowed before, denied after' : 'denied before, allowed after';
  return parts.flatMap(([set, deniedBy]) =>
    set.map((range) => {
      const by = deniedBy.map((d) => `${d.direction.toLowerCase()} of ${d.pod.namespace}/${d.pod.name} isolated by ${d.isolatedBy.map(formatPolicy).join(', ')}`);
      const description = `${base.protocol} ${formatPorts([range])} from ${describeEnd(base.from)} to ${describeEnd(base.to)}: ${verb} (${by.join('; ')})`;
      return { change, ...base, ports: range, deniedBy, description };
    }),
  );
}

function comparePair(ctx: Context, src: End, dst: End, protocols: readonly Protocol[], includeAllowed: boolean, out: Comparison): void {
  for (const family of [4, 6] as const) {
    const srcPeer = src.peers[family];
    const dstPeer = dst.peers[family];
    if (!srcPeer || !dstPeer) continue;
    // Built only when a class comes out: most pairs change nothing.
    const base = (protocol: Protocol) => ({
      family: family === 4 ? ('IPv4' as const) : ('IPv6' as const),
      from: described(ctx, src, family),
      to: described(ctx, dst, family),
      protocol,
    });
    for (const protocol of protocols) {
      const before = judgeSides(ctx.before, srcPeer, dstPeer, protocol);
      const after = judgeSides(ctx.after, srcPeer, dstPeer, protocol);
      const b = allowedPorts(before);
      out.denied.push(...changedClasses('denied', intersect(b.egress, b.ingress), after, () => base(protocol)));
      if (includeAllowed) {
        const a = allowedPorts(after);
        out.allowed.push(...changedClasses('allowed', intersect(a.egress, a.ingress), before, () => base(protocol)));
      }
    }
  }
}

/**
 * Every class of connection allowed under `before` and denied under `after` (and, with
 * `scope.includeNewlyAllowed`, the reverse). `cluster.policies` is not used: the two sets are.
 */
export function compareConnectivity(cluster: Cluster, before: NetworkPolicy[], after: NetworkPolicy[], scope: CompareScope = {}): Comparison {
  const index = indexCluster(cluster);
  const ctx: Context = {
    before: policyView(compilePolicies(before)),
    after: policyView(compilePolicies(after)),
    owned: { 4: ownedAddresses(index, 4), 6: ownedAddresses(index, 6) },
  };
  const problems = [...new Set([...ctx.before.policies, ...ctx.after.policies].flatMap((p) => p.problems))];
  const out: Comparison = { denied: [], allowed: [], problems };
  const protocols = scope.protocols ?? PROTOCOLS;
  const wanted = scope.namespaces ? new Set(scope.namespaces) : undefined;
  const inScope = (e: End) => e.kind === 'pod' && (!wanted || wanted.has(e.pod.metadata.namespace));

  const pods = index.networkPods.filter((p) => podAddresses(p).length > 0).map((pod) => podEnd(index, pod));
  const ends = [...pods, ...addressClasses(index, [...ctx.before.policies, ...ctx.after.policies]).map(addressEnd)];
  // Only pods whose selecting policies differ can change: egress from them or ingress to them.
  const changed = new Set(pods.filter((e) => e.kind === 'pod' && selectionKey(ctx.before, e.pod) !== selectionKey(ctx.after, e.pod)));
  // Exact shortcut: a changed pod whose side allows everything afterwards (not isolated, or isolated
  // by a rule with no peers and no ports) cannot turn any connection into a denied one on that side.
  // With the allow-all placeholder that is every pod, so the proof stays linear in the pod count.
  const onlyNew = !(scope.includeNewlyAllowed ?? false);
  const open = { Egress: new Set<End>(), Ingress: new Set<End>() };
  for (const e of changed) for (const d of ['Egress', 'Ingress'] as const) if (e.kind === 'pod' && opensAll(ctx.after, e.pod, d)) open[d].add(e);
  const cannotBeDenied = (src: End, dst: End) =>
    onlyNew && (!changed.has(src) || open.Egress.has(src)) && (!changed.has(dst) || open.Ingress.has(dst));
  for (const src of changed) {
    for (const dst of ends) {
      if (!cannotBeDenied(src, dst) && (inScope(src) || inScope(dst))) comparePair(ctx, src, dst, protocols, !onlyNew, out);
    }
  }
  for (const src of ends) {
    if (changed.has(src)) continue;
    for (const dst of changed) {
      if (!cannotBeDenied(src, dst) && (inScope(src) || inScope(dst))) comparePair(ctx, src, dst, protocols, !onlyNew, out);
    }
  }
  return out;
}
