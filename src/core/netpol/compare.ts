// Exact comparison of two policy sets. Endpoints are pods (each its own class) and address classes
// (see address-space.ts); ports are whole sets, so the result's port ranges are cut exactly where
// some port, endPort or resolved named port begins or ends. Nothing is sampled.
import type { NetworkPolicy, Pod, Protocol } from '../model.ts';
import { addressClasses, ownedAddresses, type AddressClass } from './address-space.ts';
import { indexCluster, podAddresses, podRef, type ClusterIndex, type Peer } from './cluster-index.ts';
import { distinctBlocks, ipBlocksOf } from './address-space.ts';
import { formatPolicy, PROTOCOLS, type CompileCache } from './compile.ts';
import { indexPolicies, type PolicyIndex } from './policy-index.ts';
import { formatClusterPolicy } from './compile-cluster.ts';
import { cniBlocks, compileCniTiers } from './compile-cni.ts';
import { describeRanges } from './describe.ts';
import { formatIP, formatRange, type Family } from './ip.ts';
import { ALL_PORTS, formatPorts, intersect, subtract, type PortSet } from './ports.ts';
import { allowedPortsOf, allowsFromNetworkPolicyTier, compileClusterPolicies, judgeTiers, tieredView, type TieredJudgement, type TieredView } from './tiers.ts';
import type { Change, ClassEndpoint, Cluster, CompareScope, Comparison, ConnectionClass, Decider, DenyingSide, Direction } from './types.ts';

/** One endpoint class: a pod or an address class, with its peer and description per family, made once. */
type End = ({ kind: 'pod'; pod: Pod } | { kind: 'addresses'; cls: AddressClass }) & {
  peers: Partial<Record<Family, Peer>>;
  described: Partial<Record<Family, ClassEndpoint>>;
};

interface Context {
  before: TieredView;
  after: TieredView;
  owned: Record<Family, bigint[]>;
}

// Cluster-wide tiers are the same before and after: a pod's side can change only when the
// NetworkPolicies selecting it differ. Compared as compiled objects: both sides compile through one
// CompileCache, so a policy in both is one object; two equal copies count as a difference, which
// costs a comparison of that pod's pairs and changes no verdict.
function sameSelection(before: TieredView, after: TieredView, pod: Pod): boolean {
  const [a, b] = [before.selecting(pod).np, after.selecting(pod).np];
  return a.length === b.length && a.every((p) => b.includes(p));
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
  egress?: TieredJudgement;
  ingress?: TieredJudgement;
}

function allowedPorts(s: Sides): { egress: PortSet; ingress: PortSet } {
  return { egress: s.egress ? allowedPortsOf(s.egress) : ALL_PORTS, ingress: s.ingress ? allowedPortsOf(s.ingress) : ALL_PORTS };
}

function judgeSides(view: TieredView, src: Peer, dst: Peer, protocol: Protocol): Sides {
  return {
    ...(src.kind === 'pod' ? { egress: judgeTiers('Egress', src.pod, view.selecting(src.pod), dst, protocol) } : {}),
    ...(dst.kind === 'pod' ? { ingress: judgeTiers('Ingress', dst.pod, view.selecting(dst.pod), src, protocol) } : {}),
  };
}

export function describeDecider(d: Decider): string {
  if (d.tier === 'NetworkPolicy') return `isolated by ${[...d.isolatedBy.map(formatPolicy), ...(d.cni?.isolatedBy ?? [])].join(', ')}${d.action === 'Deny' && d.cni ? ' with no allow rule for it' : ''}`;
  if (d.tier === 'Default') return 'no tier decides, so allowed';
  if (d.tier === 'CiliumDeny') return `denied by ${d.text} (Cilium deny rules win over every allow)`;
  if (d.tier === 'Calico') return `${d.action === 'Allow' ? 'allowed' : 'denied'} by ${d.text}`;
  if (d.tier === 'Antrea') return `${d.action === 'Allow' ? 'allowed' : d.action === 'Reject' ? 'rejected' : 'dropped'} by ${d.text}`;
  const rule = d.ruleName ? `rule ${d.ruleName}` : `rule ${d.rule}`;
  return `${d.action === 'Allow' ? 'accepted' : 'denied'} by ${formatClusterPolicy(d.policy)} ${rule} in the ${d.tier} tier`;
}

/** The denying side of `j` on `ports`: the pod, what isolates it, and the rules that deny there. */
function denyingSide(j: TieredJudgement | undefined, ports: PortSet): DenyingSide[] {
  if (!j) return [];
  const deciders = j.segments.filter((s) => !s.allowed && intersect(s.ports, ports).length > 0).map((s) => s.decider);
  const side: DenyingSide = { direction: j.np.direction, pod: podRef(j.np.subject), isolatedBy: j.np.isolatedBy.map((p) => p.ref) };
  // NetworkPolicy-tier denials are named by `isolatedBy`, unless a Cilium rule isolates: then say which.
  const tiered = deciders.filter((d) => d.tier !== 'NetworkPolicy' || (d.cni?.isolatedBy.length ?? 0) > 0);
  if (tiered.length > 0) side.deniedBy = tiered.map(describeDecider);
  return [side];
}

function sideText(d: DenyingSide): string {
  const what = d.deniedBy ?? [`isolated by ${d.isolatedBy.map(formatPolicy).join(', ')}`];
  return `${d.direction.toLowerCase()} of ${d.pod.namespace}/${d.pod.name} ${what.join(', ')}`;
}

/** Classes that `wasAllowed` admits and `now` denies, split by which side denies so each is uniform. */
function changedClasses(change: Change, wasAllowed: PortSet, now: Sides, makeBase: () => Omit<ConnectionClass, 'change' | 'ports' | 'deniedBy' | 'description'>): ConnectionClass[] {
  const ports = allowedPorts(now);
  const lost = subtract(wasAllowed, intersect(ports.egress, ports.ingress));
  if (lost.length === 0) return [];
  const base = makeBase();
  const egressDenied = subtract(lost, ports.egress);
  const bothDenied = subtract(egressDenied, ports.ingress);
  const egressOnly = intersect(egressDenied, ports.ingress);
  const ingressOnly = intersect(lost, ports.egress);
  const parts: [PortSet, (range: PortSet) => DenyingSide[]][] = [
    [bothDenied, (r) => [...denyingSide(now.egress, r), ...denyingSide(now.ingress, r)]],
    [egressOnly, (r) => denyingSide(now.egress, r)],
    [ingressOnly, (r) => denyingSide(now.ingress, r)],
  ];
  const verb = change === 'denied' ? 'allowed before, denied after' : 'denied before, allowed after';
  return parts.flatMap(([set, sides]) =>
    set.map((range) => {
      const deniedBy = sides([range]);
      const description = `${base.protocol} ${formatPorts([range])} from ${describeEnd(base.from)} to ${describeEnd(base.to)}: ${verb} (${deniedBy.map(sideText).join('; ')})`;
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
export function compareConnectivity(cluster: Cluster, before: readonly NetworkPolicy[] | PolicyIndex, after: readonly NetworkPolicy[] | PolicyIndex, scope: CompareScope = {}): Comparison {
  const index = indexCluster(cluster);
  const tiers = compileClusterPolicies(cluster.clusterPolicies ?? []);
  const cni = compileCniTiers(cluster);
  const compiled = (scope.compiled ?? new WeakMap()) as CompileCache;
  // A list is indexed here; a watch hands in the index it keeps (policy-index.ts).
  const indexed = (set: readonly NetworkPolicy[] | PolicyIndex) => ('in' in set ? set : indexPolicies(set, compiled));
  const ctx: Context = {
    before: tieredView(indexed(before), tiers, index, cni),
    after: tieredView(indexed(after), tiers, index, cni),
    owned: { 4: ownedAddresses(index, 4), 6: ownedAddresses(index, 6) },
  };
  const problems = [...new Set([...ctx.before.policies.problems(), ...ctx.after.policies.problems(), ...tiers.flatMap((p) => p.problems)])];
  const out: Comparison = { denied: [], allowed: [], problems, truncated: [] };
  const protocols = scope.protocols ?? PROTOCOLS;
  const wanted = scope.namespaces ? new Set(scope.namespaces) : undefined;
  const inScope = (e: End) => e.kind === 'pod' && (!wanted || wanted.has(e.pod.metadata.namespace));

  const pods = index.networkPods.filter((p) => podAddresses(p).length > 0).map((pod) => podEnd(index, pod));
  const blocks = [...distinctBlocks([...ctx.before.policies.ipBlocks(), ...ctx.after.policies.ipBlocks(), ...ipBlocksOf(tiers)]), ...cniBlocks(cni)];
  const ends = [...pods, ...addressClasses(index, blocks).map(addressEnd)];
  // Only pods whose selecting policies differ can change: egress from them or ingress to them.
  const changed = new Set(pods.filter((e) => e.kind === 'pod' && !sameSelection(ctx.before, ctx.after, e.pod)));
  // Exact shortcut: the tiers before the NetworkPolicy tier are the same on both sides, so a changed
  // pod's side cannot change a verdict when everything reaching that tier comes out allowed after
  // the change (for denials) and before it too (for newly allowed connections). With the allow-all
  // placeholder and no Baseline deny that is every pod, so the proof stays linear in the pod count.
  // Why it holds with Cilium: Admin and the Cilium Deny tier come first and depend on no
  // NetworkPolicy, so they decide the same ports on both sides. Cilium allow rules and isolation
  // (and enable-policy=always) also depend on none, and `allowsFromNetworkPolicyTier` counts them:
  // if the pod is isolated (by a NetworkPolicy or by Cilium) and some allow rule of either kind
  // matches every peer on every port, every port reaching the union tier is allowed; if it is not
  // isolated, the ports go on to the Baseline tier, allowed unless a Baseline Deny exists. Either
  // way, after ⊇ before on that side, so no connection is denied by the change (nor, when it holds
  // before too, opened). Properties (t2) and (c2) check it against the full comparison.
  const both = scope.includeNewlyAllowed ?? false;
  const steady = { Egress: new Set<End>(), Ingress: new Set<End>() };
  for (const e of changed) {
    if (e.kind !== 'pod') continue;
    for (const d of ['Egress', 'Ingress'] as const) {
      const after = allowsFromNetworkPolicyTier(ctx.after.selecting(e.pod), d);
      if (after && (!both || allowsFromNetworkPolicyTier(ctx.before.selecting(e.pod), d))) steady[d].add(e);
    }
  }
  const limit = scope.limitPerNamespace ?? Infinity;
  const counts = new Map<string, number>();
  const full = new Set<string>();
  const saturated = (e: End) => e.kind === 'pod' && full.has(e.pod.metadata.namespace);
  const sideSteady = (e: End, d: Direction) => !changed.has(e) || steady[d].has(e) || saturated(e);
  const cannotChange = (src: End, dst: End) => sideSteady(src, 'Egress') && sideSteady(dst, 'Ingress');
  const visit = (src: End, dst: End) => {
    if (cannotChange(src, dst) || !(inScope(src) || inScope(dst))) return;
    const [d0, a0] = [out.denied.length, out.allowed.length];
    comparePair(ctx, src, dst, protocols, both, out);
    if (limit === Infinity) return;
    for (const c of [...out.denied.slice(d0), ...out.allowed.slice(a0)]) {
      for (const side of c.deniedBy) {
        const ns = side.pod.namespace;
        const n = (counts.get(ns) ?? 0) + 1;
        counts.set(ns, n);
        if (n >= limit) full.add(ns);
      }
    }
  };
  // Only sides that can change drive the loops, so a proof where nothing moves stays linear.
  const egressMoving = [...changed].filter((e) => !sideSteady(e, 'Egress'));
  const movingSet = new Set(egressMoving);
  const ingressMoving = [...changed].filter((e) => !sideSteady(e, 'Ingress'));
  // A saturated namespace's moving pod has nothing left to list: stop its inner loop at once.
  for (const src of egressMoving) {
    for (const dst of ends) {
      if (saturated(src)) break;
      visit(src, dst);
    }
  }
  for (const dst of ingressMoving) {
    for (const src of ends) {
      if (saturated(dst)) break;
      if (!movingSet.has(src)) visit(src, dst);
    }
  }
  out.truncated = [...full].sort();
  return out;
}
