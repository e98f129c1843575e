// Evidence in, verdict out: ENFORCED when any component enforces, NOT ENFORCED only when every
// recognised component positively does not and nothing went unread, UNKNOWN otherwise.
import { RECOGNIZERS, type Lookup } from './recognizers.ts';
import type { CniEvidence, CniFinding, CniJudgement, DaemonSetEvidence } from './types.ts';
import { compareText } from '../order.ts';

/** Where CNIs put their DaemonSets: listed one by one when a cluster-wide list is forbidden. */
export const KNOWN_NAMESPACES = ['kube-system', 'calico-system', 'cilium', 'kube-flannel', 'openshift-ovn-kubernetes', 'ovn-kubernetes'];

/** EKS Auto Mode has no aws-node DaemonSet: this ConfigMap alone switches enforcement on. */
export const AWS_CONFIG = { namespace: 'kube-system', name: 'amazon-vpc-cni' };

/** The only ConfigMap keys any rule reads; the reader keeps no others. */
export const CONFIGMAP_KEYS = ['enable-policy', 'policy-enforcement-mode', 'enable-k8s-networkpolicy', 'enable-network-policy-controller'];

/** Every ConfigMap the rules will read, for these DaemonSets. */
export function configMapsWanted(daemonSets: DaemonSetEvidence[]): { namespace: string; name: string }[] {
  const out = new Map<string, { namespace: string; name: string }>([[`${AWS_CONFIG.namespace}/${AWS_CONFIG.name}`, AWS_CONFIG]]);
  for (const ds of daemonSets) {
    for (const r of RECOGNIZERS) {
      if (!r.configMaps || !r.match(ds)) continue;
      for (const name of r.configMaps) out.set(`${ds.namespace}/${name}`, { namespace: ds.namespace, name });
    }
  }
  return [...out.values()];
}

function findingsOf(e: CniEvidence): CniFinding[] {
  const lookup: Lookup = (namespace, name) => e.configMaps.find((c) => c.namespace === namespace && c.name === name);
  const findings: CniFinding[] = [];
  const sorted = [...e.daemonSets].sort((a, b) => compareText(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  for (const ds of sorted) {
    for (const r of RECOGNIZERS) {
      const agent = r.match(ds);
      if (agent) findings.push({ cni: r.cni, ...r.judge(ds, agent, lookup) });
    }
  }
  const aws = lookup(AWS_CONFIG.namespace, AWS_CONFIG.name);
  if (aws?.state === 'found' && aws.data['enable-network-policy-controller'] === 'true' && !findings.some((f) => f.cni === 'AWS VPC CNI')) {
    findings.push({
      cni: 'AWS VPC CNI', enforcement: 'enforces',
      reason: 'EKS Auto Mode: the network policy controller is enabled and the nodes carry the agent (no aws-node DaemonSet)',
      evidence: [`ConfigMap ${AWS_CONFIG.namespace}/${AWS_CONFIG.name}: enable-network-policy-controller=true`],
    });
  }
  if (findings.length === 0 && /\+k3s/.test(e.serverVersion ?? '')) {
    findings.push({
      cni: 'k3s', enforcement: 'undetermined',
      reason: 'k3s enforces NetworkPolicy with its embedded controller unless the server runs with --disable-network-policy, which the API does not show',
      evidence: [`server version ${e.serverVersion}`],
    });
  }
  return findings;
}

function names(list: CniFinding[]): string[] {
  return [...new Set(list.map((f) => f.cni))];
}

export function judgeCni(e: CniEvidence): CniJudgement {
  const findings = findingsOf(e);
  const seen = e.daemonSets.map((d) => `${d.namespace}/${d.name}`).sort();
  const base = { findings, seen, unreadable: e.unreadable, notes: e.notes };
  const enforcing = findings.filter((f) => f.enforcement === 'enforces');
  if (enforcing.length > 0) {
    const by = names(enforcing);
    return { ...base, verdict: 'ENFORCED', enforcedBy: by, summary: `ENFORCED by ${by.join(', ')}: ${enforcing.map((f) => f.reason).join('; ')}`, hint: '' };
  }
  const open = findings.filter((f) => f.enforcement === 'undetermined');
  const off = findings.filter((f) => f.enforcement === 'does-not-enforce');
  const byMessage = new Map<string, string[]>();
  for (const u of e.unreadable) byMessage.set(u.message, [...(byMessage.get(u.message) ?? []), u.namespace]);
  const unread = [...byMessage].map(([message, ns]) => `could not list DaemonSets in namespace(s) ${ns.join(', ')} (${message})`);
  if (off.length > 0 && open.length === 0 && unread.length === 0) {
    return {
      ...base, verdict: 'NOT ENFORCED', enforcedBy: [],
      summary: `NOT ENFORCED: ${off.map((f) => `${f.cni}: ${f.reason}`).join('; ')}`,
      hint: 'NetworkPolicies here are stored but change no traffic: enable the CNI\'s network policy support or install an enforcing CNI (Calico, Cilium, Antrea …) before relying on CIS 5.3.2',
    };
  }
  const why = [...open.map((f) => `${f.cni}: ${f.reason}`), ...off.map((f) => `${f.cni}: ${f.reason}`), ...unread];
  if (findings.length === 0) {
    const shown = seen.slice(0, 10).join(', ') + (seen.length > 10 ? `, … and ${seen.length - 10} more` : '');
    why.unshift(`no DaemonSet of a known NetworkPolicy enforcer among ${seen.length} DaemonSet(s)${seen.length ? `: ${shown}` : ''}`);
  }
  return {
    ...base, verdict: 'UNKNOWN', enforcedBy: [],
    summary: `UNKNOWN: ${why.join('; ')}`,
    hint: unread.length > 0
      ? 'grant list on daemonsets (ClusterRole cis-netpol-cni in deploy/rbac.yaml) and run again'
      : 'check with your platform how NetworkPolicy is enforced (a managed service setting, a node-level agent), or prove it: a deny-all policy must block a test connection',
  };
}
