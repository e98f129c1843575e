// A few readable lines per namespace from the exact classes, e.g.
// "egress from all 3 pods in ns a to 0.0.0.0/0 outside pod IPs (internet, node addresses 10.0.0.5) on all ports".
// The lines summarise; the classes remain the exact answer.
import type { Pod, Protocol } from '../model.ts';
import { podAddresses, podKey } from './cluster-index.ts';
import { PROTOCOLS } from './compile.ts';
import { describeRanges } from './describe.ts';
import { parseCIDR, parseIP, type AddressRange, type Family } from './ip.ts';
import { formatPorts, isAllPorts, union, type PortSet } from './ports.ts';
import type { Change, ClassEndpoint, Cluster, ConnectionClass, Direction, NamespaceSummary, PodRef } from './types.ts';

const NODELOCAL_DNS = '169.254.20.10';
const MAX_NAMES = 3;
// Addresses that are not on the public internet; anything else in a range means "internet".
const NOT_PUBLIC = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3'];
const PUBLIC_V6 = parseCIDR('2000::/3')!;

interface Item {
  subject: PodRef;
  peer: ClassEndpoint;
  protocol: Protocol;
  ports: PortSet;
  /** The cluster-wide rules that deny on this side, as text; absent for NetworkPolicy isolation. */
  by?: string;
}

function peerKey(peer: ClassEndpoint): string {
  return peer.kind === 'pod' ? `pod:${podKey(peer.pod)}` : `${peer.kind}:${peer.description}`;
}

function toRanges(peer: ClassEndpoint): AddressRange[] {
  if (peer.kind === 'pod') return [];
  return peer.ranges.map((r) => {
    const start = parseIP(r.start)!;
    return { family: start.family, start: start.value, end: parseIP(r.end)!.value };
  });
}

function isPublic(r: AddressRange): boolean {
  if (r.family === 6) return r.start <= PUBLIC_V6.end && PUBLIC_V6.start <= r.end;
  // A range is public unless it lies inside one of the special-purpose blocks.
  return !NOT_PUBLIC.map((c) => parseCIDR(c)!).some((b) => b.start <= r.start && r.end <= b.end);
}

function names(pods: PodRef[]): string {
  const shown = pods.slice(0, MAX_NAMES).map((p) => p.name).join(', ');
  return pods.length > MAX_NAMES ? `${shown}, …` : shown;
}

function podsPhrase(pods: PodRef[], namespace: string, totals: Map<string, number>): string {
  const total = totals.get(namespace) ?? pods.length;
  const noun = total === 1 ? 'pod' : 'pods';
  if (pods.length >= total) return total === 1 ? `the only pod in ns ${namespace} (${names(pods)})` : `all ${total} ${noun} in ns ${namespace}`;
  return `${pods.length} of ${total} ${noun} in ns ${namespace} (${names(pods)})`;
}

function outsidePhrase(peers: ClassEndpoint[], direction: Direction, podPoints: Record<Family, bigint[]>): string {
  const ranges = peers.flatMap(toRanges).sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const texts = ([4, 6] as const).flatMap((family) => {
    const own = ranges.filter((r) => r.family === family);
    return own.length === 0 ? [] : [describeRanges(own, podPoints[family])];
  });
  // Pod addresses are never part of these ranges; say so once when it shortened the text.
  const bridged = texts.some((t) => t.bridged) ? ' outside pod IPs' : '';
  const parts = [`${texts.map((t) => t.text).join(' and ')}${bridged}`];
  const notes: string[] = [];
  if (ranges.some(isPublic)) notes.push(direction === 'Egress' ? 'internet' : 'external clients and load balancers');
  // In address order, whatever order the comparison found them in.
  const nodeAddresses = peers
    .flatMap((p) => (p.kind === 'node' ? p.ranges.map((r) => r.start) : []))
    .sort((a, b) => {
      const [x, y] = [parseIP(a)!, parseIP(b)!];
      return x.family - y.family || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0);
    });
  if (nodeAddresses.length > 0) notes.push(`node addresses ${nodeAddresses.slice(0, MAX_NAMES).join(', ')}${nodeAddresses.length > MAX_NAMES ? ', …' : ''}`);
  const dns = parseIP(NODELOCAL_DNS)!;
  if (direction === 'Egress' && peers.some((p) => p.kind === 'external' && toRanges(p).some((r) => r.family === 4 && r.start <= dns.value && dns.value <= r.end))) {
    notes.push(`NodeLocal DNS ${NODELOCAL_DNS}`);
  }
  return `${parts.join('')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

function portsPhrase(byProtocol: Map<Protocol, PortSet>): string {
  if (PROTOCOLS.every((p) => isAllPorts(byProtocol.get(p) ?? []))) return 'all ports';
  return PROTOCOLS.filter((p) => byProtocol.has(p))
    .map((p) => (isAllPorts(byProtocol.get(p)!) ? `all ${p} ports` : `${p} ${formatPorts(byProtocol.get(p)!)}`))
    .join(', ');
}

function itemsOf(c: ConnectionClass): { namespace: string; direction: Direction; change: Change; item: Item }[] {
  return c.deniedBy.map((side) => ({
    namespace: side.pod.namespace,
    direction: side.direction,
    change: c.change,
    item: { subject: side.pod, peer: side.direction === 'Egress' ? c.to : c.from, protocol: c.protocol, ports: [c.ports], ...(side.deniedBy ? { by: side.deniedBy.join(', ') } : {}) },
  }));
}

interface Pair {
  subject: PodRef;
  peer: ClassEndpoint;
  ports: Map<Protocol, PortSet>;
  by?: string;
}

interface Line {
  order: string;
  text: string;
}

function linesFor(items: Item[], direction: Direction, change: Change, pods: Map<string, Pod>, totals: Map<string, number>, podPoints: Record<Family, bigint[]>): Line[] {
  // Per pod and peer: the ports lost, per protocol. Pairs with the same ports form one line.
  const pairs = new Map<string, Pair>();
  for (const it of items) {
    const key = `${podKey(it.subject)}|${peerKey(it.peer)}|${it.by ?? ''}`;
    const pair = pairs.get(key) ?? { subject: it.subject, peer: it.peer, ports: new Map(), ...(it.by ? { by: it.by } : {}) };
    pair.ports.set(it.protocol, union(pair.ports.get(it.protocol) ?? [], it.ports));
    pairs.set(key, pair);
  }
  const groups = new Map<string, Pair[]>();
  for (const pair of pairs.values()) {
    const bucket = pair.peer.kind === 'pod' ? `pods ${pair.peer.pod.namespace}` : '~outside';
    const sig = `${bucket}|${PROTOCOLS.map((p) => formatPorts(pair.ports.get(p) ?? [])).join('|')}|${pair.by ?? ''}`;
    groups.set(sig, [...(groups.get(sig) ?? []), pair]);
  }
  return [...groups.entries()].map(([sig, group]) => {
    const subjects = [...new Map(group.map((g) => [podKey(g.subject), g.subject])).values()];
    const peers = [...new Map(group.map((g) => [peerKey(g.peer), g.peer])).values()];
    const first = group[0]!;
    const peerText = first.peer.kind === 'pod'
      ? podsPhrase(peers.map((p) => (p as Extract<ClassEndpoint, { kind: 'pod' }>).pod), first.peer.pod.namespace, totals)
      : outsidePhrase(peers, direction, podPoints);
    const subjectText = podsPhrase(subjects, first.subject.namespace, totals);
    // Not every subject loses every peer: say why when it is the kubelet exception.
    let note = '';
    if (group.length < subjects.length * peers.length) {
      const present = new Set(group.map((g) => `${podKey(g.subject)}|${peerKey(g.peer)}`));
      const missingOwnNode = subjects.every((s) =>
        peers.every((p) => present.has(`${podKey(s)}|${peerKey(p)}`) || (p.kind === 'node' && p.node === pods.get(podKey(s))?.nodeName)),
      );
      note = missingOwnNode ? ", except from each pod's own node" : ' (not every pod with every peer; see the detailed list)';
    }
    const prefix = change === 'allowed' ? 'newly allowed: ' : '';
    // Who decides it where it is denied: today for newly allowed lines, afterwards for denied ones.
    const by = first.by ? ` (${change === 'allowed' ? 'today ' : ''}${first.by})` : '';
    const text = direction === 'Egress'
      ? `${prefix}egress from ${subjectText} to ${peerText} on ${portsPhrase(first.ports)}${note}${by}`
      : `${prefix}ingress to ${subjectText} from ${peerText}${note} on ${portsPhrase(first.ports)}${by}`;
    return { order: `${change}|${direction === 'Egress' ? 0 : 1}|${sig}`, text };
  });
}

/** Groups classes per namespace of the pod whose policies deny them, into a few lines each. */
export function summarise(cluster: Cluster, classes: readonly ConnectionClass[]): NamespaceSummary[] {
  const networkPods = cluster.pods.filter((p) => p.hostNetwork !== true && podAddresses(p).length > 0);
  const pods = new Map(networkPods.map((p) => [podKey({ namespace: p.metadata.namespace, name: p.metadata.name }), p]));
  const totals = new Map<string, number>();
  for (const p of networkPods) totals.set(p.metadata.namespace, (totals.get(p.metadata.namespace) ?? 0) + 1);
  const podPoints: Record<Family, bigint[]> = { 4: [], 6: [] };
  for (const a of networkPods.flatMap(podAddresses)) podPoints[a.family].push(a.value);
  for (const f of [4, 6] as const) podPoints[f].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const buckets = new Map<string, { namespace: string; direction: Direction; change: Change; items: Item[] }>();
  for (const x of classes.flatMap(itemsOf)) {
    const key = `${x.namespace}|${x.direction}|${x.change}`;
    const b = buckets.get(key) ?? { namespace: x.namespace, direction: x.direction, change: x.change, items: [] };
    b.items.push(x.item);
    buckets.set(key, b);
  }
  const byNamespace = new Map<string, Line[]>();
  for (const b of buckets.values()) {
    const lines = linesFor(b.items, b.direction, b.change, pods, totals, podPoints);
    byNamespace.set(b.namespace, [...(byNamespace.get(b.namespace) ?? []), ...lines]);
  }
  // Collated (localeCompare), unlike the names elsewhere (core/order.ts): these are sentences, and
  // readers expect "0.0.0.0/0 …" after the pod lines. Only a proof with changes gets here.
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, lines]) => ({ namespace, lines: lines.sort((a, b) => a.order.localeCompare(b.order)).map((l) => l.text) }));
}
