// Verdicts as sentences, in the manner of netpol-analyzer: which policy selects the pod and which
// rule let the connection through, or that none did. The verdict data stays the source of truth.
import { formatClusterPolicy } from './compile-cluster.ts';
import { formatPolicy } from './compile.ts';
import type { ClusterPolicyRef, Decider, DirectionVerdict, ResolvedEndpoint, Verdict } from './types.ts';

function clusterRule(d: { policy: ClusterPolicyRef; rule: number; ruleName?: string }): string {
  const rule = d.ruleName === undefined ? `rule ${d.rule}` : `rule ${d.rule} (${d.ruleName})`;
  return `${formatClusterPolicy(d.policy)} ${rule}, ${d.policy.tier} tier priority ${d.policy.priority}`;
}

function tierRule(d: Decider): string {
  return d.tier === 'Admin' || d.tier === 'Baseline' ? clusterRule(d) : '';
}

export function describeEndpoint(e: ResolvedEndpoint): string {
  const at = e.kind !== 'external' && e.address ? ` (${e.address})` : '';
  if (e.kind === 'pod') return `pod ${e.pod.namespace}/${e.pod.name}${at}`;
  if (e.kind === 'external') return `address ${e.address}`;
  const via = e.hostNetworkPod ? `hostNetwork pod ${e.hostNetworkPod.namespace}/${e.hostNetworkPod.name} on ` : '';
  return `${via}node ${e.node ?? '(unknown)'}${at}`;
}

function explainDirection(d: DirectionVerdict): string {
  const side = d.direction === 'Egress' ? 'egress' : 'ingress';
  const pod = d.subject ? `${d.subject.namespace}/${d.subject.name}` : '';
  const isolating = [...d.isolatedBy.map(formatPolicy), ...(d.cni?.isolatedBy ?? [])].join(', ');
  const passed = d.passedBy.length > 0 ? ` (passed on by ${d.passedBy.map(clusterRule).join('; ')})` : '';
  return `${sentence(d, side, pod, isolating)}${passed}`;
}

function sentence(d: DirectionVerdict, side: string, pod: string, isolating: string): string {
  switch (d.reason) {
    case 'admin-tier-allows':
      return `${side}: allowed, ${tierRule(d.decidedBy)} accepts it; the Admin tier decides before any NetworkPolicy`;
    case 'admin-tier-denies':
      return `${side}: denied, ${tierRule(d.decidedBy)} denies it; the Admin tier decides before any NetworkPolicy, so none can allow it`;
    case 'baseline-tier-allows':
      return `${side}: allowed, ${tierRule(d.decidedBy)} accepts it; no NetworkPolicy isolates ${pod}, so the Baseline tier decides`;
    case 'baseline-tier-denies':
      return `${side}: denied, ${tierRule(d.decidedBy)} denies it; no NetworkPolicy isolates ${pod}, so the Baseline tier decides (a NetworkPolicy selecting ${pod} would replace this verdict)`;
    case 'not-a-pod':
      return `${side}: not judged, that end is not a pod on the pod network`;
    case 'not-isolated':
      return `${side}: allowed, no policy isolates ${pod} for ${side}${d.selectedBy.length > 0 ? ` (selected by ${d.selectedBy.map(formatPolicy).join(', ')})` : ''}`;
    case 'own-node':
      return `${side}: allowed, traffic from ${pod}'s own node is always allowed (isolated by ${isolating})`;
    case 'allowed-by-rule':
      return `${side}: allowed by ${[...d.allowedBy.map((r) => `${formatPolicy(r.policy)} ${side} rule ${r.ruleIndex}`), ...(d.cni?.allowedBy ?? [])].join(', ')}`;
    case 'no-rule-allows':
      return `${side}: denied, ${isolating} ${d.isolatedBy.length + (d.cni?.isolatedBy.length ?? 0) > 1 ? 'select' : 'selects'} ${pod} but no ${side} rule allows this peer, port and protocol`;
    case 'calico-allows':
    case 'calico-denies':
      if (d.decidedBy.tier === 'Calico' && d.decidedBy.calicoTier !== 'default') return `${side}: ${d.allowed ? 'allowed' : 'denied'} by ${d.decidedBy.text}; the first matching rule of Calico tier ${d.decidedBy.calicoTier} decides (Calico meets its tiers by order; a Pass goes on to the next)`;
      return `${side}: ${d.allowed ? 'allowed' : 'denied'} by ${d.decidedBy.tier === 'Calico' ? d.decidedBy.text : 'a Calico Pass rule, then no later tier'}; the first matching rule of Calico's default tier decides (Kubernetes NetworkPolicies sit at order 1000 in it)`;
    case 'antrea-allows':
    case 'antrea-denies': {
      const a = d.decidedBy.tier === 'Antrea' ? d.decidedBy : undefined;
      const verb = a?.action === 'Reject' ? 'rejected' : a?.action === 'Drop' ? 'dropped' : 'allowed';
      const when = a?.antreaTier === 'baseline' ? `no NetworkPolicy isolates ${pod}, so Antrea's baseline Tier decides` : 'Antrea Tiers other than baseline decide before any NetworkPolicy';
      return `${side}: ${verb} by ${a?.text ?? 'an Antrea rule'}; ${when}`;
    }
    case 'cilium-denies':
      return `${side}: denied by ${d.decidedBy.tier === 'CiliumDeny' ? d.decidedBy.text : 'a Cilium deny rule'}; Cilium deny rules win over every allow, NetworkPolicies included`;
  }
}

export function explainVerdict(v: Verdict): string[] {
  const c = v.connection;
  return [
    `${c.protocol} ${c.port} from ${describeEndpoint(v.from)} to ${describeEndpoint(v.to)}: ${v.allowed ? 'allowed' : 'denied'}`,
    explainDirection(v.egress),
    explainDirection(v.ingress),
  ];
}
