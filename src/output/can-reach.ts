// can-reach: ALLOWED or DENIED, then per direction what decided it, with the deciding rules spelt out.
import type { CanReachReport, DecidingRule, DirectionReport } from '../app/can-reach.ts';
import type { LabelSelector, PolicyPeer, PolicyPort } from '../core/model.ts';
import { describeEndpoint } from '../core/netpol/index.ts';
import { paint, status, type Style } from './style.ts';

/** kubectl's selector syntax: `app=web,tier in (a,b),!legacy`; `{}` is "all". */
export function formatSelector(s: LabelSelector): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map((e) => {
      switch (e.operator) {
        case 'In': return `${e.key} in (${(e.values ?? []).join(',')})`;
        case 'NotIn': return `${e.key} notin (${(e.values ?? []).join(',')})`;
        case 'Exists': return e.key;
        case 'DoesNotExist': return `!${e.key}`;
        default: return `${e.key} ${String(e.operator)} (${(e.values ?? []).join(',')})`;
      }
    }),
  ];
  return parts.join(',');
}

function formatPeer(p: PolicyPeer, policyNamespace: string): string {
  if (p.ipBlock) return p.ipBlock.except?.length ? `${p.ipBlock.cidr} except ${p.ipBlock.except.join(', ')}` : p.ipBlock.cidr;
  const pods = p.podSelector === undefined ? 'all pods' : formatSelector(p.podSelector) === '' ? 'all pods' : `pods ${formatSelector(p.podSelector)}`;
  if (p.namespaceSelector === undefined) return `${pods} in ns ${policyNamespace}`;
  const ns = formatSelector(p.namespaceSelector);
  return `${pods} in ${ns === '' ? 'all namespaces' : `namespaces ${ns}`}`;
}

function formatPort(p: PolicyPort): string {
  const protocol = p.protocol ?? 'TCP';
  if (p.port === undefined) return `all ${protocol} ports`;
  return `${protocol} ${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ''}`;
}

/** A rule's peers and ports in one line: "from pods app=web in ns shop; ports TCP 80, TCP 8080". */
export function formatRule(r: DecidingRule, direction: 'Egress' | 'Ingress'): string {
  const peers = direction === 'Egress' ? ('to' in r.rule ? r.rule.to : undefined) : ('from' in r.rule ? r.rule.from : undefined);
  const word = direction === 'Egress' ? 'to' : 'from';
  const peerText = !peers || peers.length === 0 ? `${word} any peer (inside or outside the cluster)` : `${word} ${peers.map((p) => formatPeer(p, r.policy.namespace)).join(' or ')}`;
  const ports = r.rule.ports;
  const portText = !ports || ports.length === 0 ? 'all ports' : `ports ${ports.map(formatPort).join(', ')}`;
  return `${peerText}; ${portText}`;
}

const LABELS: Record<DirectionReport['reason'], string> = {
  'not-a-pod': 'not judged',
  'not-isolated': 'not isolated',
  'own-node': 'own node',
  'allowed-by-rule': 'allowed by',
  'no-rule-allows': 'no rule allows',
  'admin-tier-allows': 'Admin tier',
  'admin-tier-denies': 'Admin tier',
  'baseline-tier-allows': 'Baseline tier',
  'baseline-tier-denies': 'Baseline tier',
  'cilium-denies': 'Cilium deny rule',
  'calico-allows': 'Calico rule',
  'calico-denies': 'Calico rule',
  'antrea-allows': 'Antrea rule',
  'antrea-denies': 'Antrea rule',
};

function ruleLine(d: DirectionReport, r: DecidingRule): string {
  const mark = r.placeholder ? ' [cis-netpol placeholder]' : '';
  return `${r.policy.namespace}/${r.policy.name} ${d.direction.toLowerCase()} rule ${r.ruleIndex}${mark}: ${formatRule(r, d.direction)}`;
}

function directionLines(d: DirectionReport, style: Style): string[] {
  const head = `  ${d.direction === 'Egress' ? 'egress ' : 'ingress'}  ${status(style, d.allowed ? 'ALLOWED' : 'DENIED', 7)}  ${LABELS[d.reason]}`;
  if (d.reason === 'allowed-by-rule') {
    const [first, ...rest] = d.rules;
    if (first && rest.length === 0) return [`${head} ${ruleLine(d, first)}`];
    return [`${head} ${d.rules.length} rules:`, ...d.rules.map((r) => `      ${ruleLine(d, r)}`)];
  }
  if (d.reason === 'not-a-pod') return [`${head}: the ${d.direction === 'Egress' ? 'source' : 'destination'} is not a pod on the pod network, so no policy judges this side`];
  // The evaluator's sentence without its "egress: allowed, " prefix: the columns already say it.
  return [`${head}: ${d.explanation.replace(/^(egress|ingress): (allowed|denied)?,? ?/, '')}`];
}

export function renderCanReach(r: CanReachReport, style: Style): string {
  const c = r.connection;
  const port = c.portName === undefined ? `${c.port}` : `${c.port} (${c.portName})`;
  const verdict = paint(style, 'bold', status(style, r.verdict));
  const lines = [`${verdict}: ${c.protocol} ${port} from ${describeEndpoint(r.from)} to ${describeEndpoint(r.to)}`, ''];
  lines.push(...directionLines(r.egress, style), ...directionLines(r.ingress, style));
  if (r.notes.length > 0) lines.push('');
  for (const n of r.notes) lines.push(`[!] ${n}`);
  return `${lines.join('\n')}\n`;
}
