// kubectl cis-netpol doctor: can the tool do its job here? Pure judgements, one per line of the
// screen, each OK / WARN / FAIL with what to do. The shell (app/doctor.ts) gathers the facts.
import type { CniJudgement } from './cni/types.ts';
import type { Namespace } from './model.ts';
import { REPORT_API_VERSION, type AuditReport } from './report.ts';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface DoctorCheck {
  check: string;
  status: CheckStatus;
  detail: string;
  /** What to do; absent when OK. */
  next?: string;
}

export interface DoctorReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'DoctorReport';
  timestamp: string;
  source: { kind: 'cluster'; context: string; server: string };
  checks: DoctorCheck[];
}

/** The minor versions the test suite runs against (scripts/testenv, README). */
export const TESTED = { min: 34, max: 37 };

export interface Need {
  verb: string;
  group: string;
  resource: string;
  /** Namespaced resources can be granted per namespace (a Role) instead of cluster-wide. */
  namespaced: boolean;
  name?: string;
}

const need = (verb: string, group: string, resource: string, namespaced: boolean, name?: string): Need => ({ verb, group, resource, namespaced, ...(name ? { name } : {}) });
const NS = need('list', '', 'namespaces', false);
const LIST_NP = need('list', 'networking.k8s.io', 'networkpolicies', true);

/** Every permission each command needs, the ClusterRole of deploy/rbac.yaml that grants it, and
 *  whether the tool is useless without it (audit) or only that command fails. */
export const COMMAND_NEEDS: { command: string; role: string; essential: boolean; needs: Need[] }[] = [
  { command: 'audit', role: 'cis-netpol-audit', essential: true, needs: [NS, need('get', '', 'namespaces', false), LIST_NP] },
  { command: 'remediate', role: 'cis-netpol', essential: false, needs: [NS, LIST_NP, need('create', 'networking.k8s.io', 'networkpolicies', true)] },
  { command: 'rollback, prune', role: 'cis-netpol', essential: false, needs: [NS, LIST_NP, need('delete', 'networking.k8s.io', 'networkpolicies', true)] },
  { command: 'can-reach', role: 'cis-netpol-connectivity', essential: false, needs: [need('list', '', 'pods', false), need('list', '', 'nodes', false)] },
  // The proof reads every cluster-wide policy kind the cluster serves; one it may not list leaves every
  // namespace "not proven" (remediate refuses there). RBAC answers whether or not the kind is served.
  {
    command: 'remediate proof',
    role: 'cis-netpol',
    essential: false,
    needs: [
      need('list', 'policy.networking.k8s.io', 'clusternetworkpolicies', false),
      need('list', 'policy.networking.k8s.io', 'adminnetworkpolicies', false),
      need('list', 'policy.networking.k8s.io', 'baselineadminnetworkpolicies', false),
      need('list', 'cilium.io', 'ciliumnetworkpolicies', true),
      need('list', 'cilium.io', 'ciliumclusterwidenetworkpolicies', false),
      need('list', 'crd.projectcalico.org', 'networkpolicies', true),
      need('list', 'crd.projectcalico.org', 'globalnetworkpolicies', false),
      need('list', 'crd.projectcalico.org', 'tiers', false),
      need('list', 'crd.antrea.io', 'clusternetworkpolicies', false),
      need('list', 'crd.antrea.io', 'networkpolicies', true),
      need('list', 'crd.antrea.io', 'tiers', false),
    ],
  },
  { command: 'cni', role: 'cis-netpol-cni', essential: false, needs: [need('list', 'apps', 'daemonsets', true), need('get', '', 'configmaps', true, 'cilium-config'), need('get', '', 'configmaps', true, 'amazon-vpc-cni')] },
];

/** What the access reviews answered for one need: cluster-wide, else per namespace checked. */
export interface NeedResult {
  need: Need;
  clusterWide: boolean;
  /** Only when denied cluster-wide and namespaced: the namespaces reviewed one by one. */
  perNamespace?: { allowed: string[]; denied: string[] };
}

export function describeNeed(n: Need): string {
  return `${n.verb} ${n.resource}${n.group ? `.${n.group}` : ''}${n.name ? ` "${n.name}"` : ''}`;
}

function shorten(list: string[], max = 5): string {
  return list.slice(0, max).join(', ') + (list.length > max ? `, … and ${list.length - max} more` : '');
}

export function permissionCheck(command: string, role: string, essential: boolean, results: NeedResult[], user: string): DoctorCheck {
  const check = `permissions: ${command}`;
  const bindHint = `kubectl apply -f deploy/rbac.yaml && kubectl create clusterrolebinding ${role}-${user || 'you'} --clusterrole=${role} --user=${user || '<you>'}`;
  const denied = results.filter((r) => !r.clusterWide && !(r.perNamespace && r.perNamespace.allowed.length > 0 && r.perNamespace.denied.length === 0));
  const fallback = results.filter((r) => !r.clusterWide && !denied.includes(r));
  if (denied.length > 0) {
    const what = denied.map((r) => `${describeNeed(r.need)} denied${!r.perNamespace ? '' : r.perNamespace.denied.length === 0 ? ' cluster-wide (no namespace to review one by one)' : ` cluster-wide and in ${r.perNamespace.denied.length} namespace(s): ${shorten(r.perNamespace.denied)}`}`);
    return { check, status: essential ? 'FAIL' : 'WARN', detail: `${command} will fail: ${what.join('; ')}`, next: bindHint };
  }
  if (fallback.length > 0) {
    return {
      check, status: 'WARN',
      detail: `${fallback.map((r) => `${describeNeed(r.need)} denied cluster-wide, allowed in all ${r.perNamespace!.allowed.length} namespace(s) checked`).join('; ')}: works, one request per namespace`,
      next: bindHint,
    };
  }
  return { check, status: 'OK', detail: `${results.map((r) => describeNeed(r.need)).join(', ')}: allowed cluster-wide` };
}

export function identityCheck(who: { username: string; groups: string[] } | Error, where: { context: string; server: string }): DoctorCheck {
  const at = `context ${where.context}, ${where.server}`;
  if (who instanceof Error) return { check: 'identity', status: 'WARN', detail: `SelfSubjectReview failed (${at}): ${who.message}`, next: 'on Kubernetes before v1.28 or with the API off, check the user with `kubectl config view --minify`' };
  return { check: 'identity', status: 'OK', detail: `${who.username} (groups: ${who.groups.join(', ') || 'none'}), ${at}` };
}

export function versionCheck(v: { gitVersion: string; minor: string } | Error): DoctorCheck {
  const check = 'server version';
  const tested = `tested: v1.${TESTED.min} to v1.${TESTED.max}`;
  if (v instanceof Error) return { check, status: 'WARN', detail: `cannot read /version: ${v.message}`, next: 'check `kubectl version`' };
  const minor = Number.parseInt(v.minor, 10);
  if (Number.isNaN(minor)) return { check, status: 'WARN', detail: `${v.gitVersion}: minor version "${v.minor}" unreadable (${tested})`, next: 'check `kubectl version`' };
  if (minor < TESTED.min) return { check, status: 'WARN', detail: `${v.gitVersion} is older than tested (${tested})`, next: 'NetworkPolicy v1 is served since v1.7, so audit likely works; upgrade the cluster or check results by hand' };
  if (minor > TESTED.max) return { check, status: 'WARN', detail: `${v.gitVersion} is newer than tested (${tested})`, next: 'check for a newer kubectl-cis_netpol release' };
  return { check, status: 'OK', detail: `${v.gitVersion} (${tested})` };
}

/** The cluster-wide policy API groups that can allow or deny beside NetworkPolicies. */
export const POLICY_GROUPS = ['policy.networking.k8s.io', 'cilium.io', 'projectcalico.org', 'crd.projectcalico.org', 'crd.antrea.io'];

export function apisCheck(groups: { name: string; versions: string[] }[] | Error): DoctorCheck {
  const check = 'policy APIs';
  if (groups instanceof Error) return { check, status: 'WARN', detail: `discovery failed: ${groups.message}`, next: 'check `kubectl api-versions`' };
  const net = groups.find((g) => g.name === 'networking.k8s.io');
  if (!net?.versions.includes('v1')) return { check, status: 'FAIL', detail: 'networking.k8s.io/v1 (NetworkPolicy) is not served', next: 'this API server cannot store NetworkPolicies: check its --runtime-config' };
  const others = groups.filter((g) => POLICY_GROUPS.includes(g.name)).map((g) => `${g.name}/${g.versions.join(',')}`);
  return { check, status: 'OK', detail: `NetworkPolicy (networking.k8s.io/v1) served; cluster-wide policy APIs: ${others.length ? others.join(', ') : 'none served'}` };
}

export function cniCheck(j: CniJudgement | Error): DoctorCheck {
  const check = 'enforcement (5.3.1)';
  if (j instanceof Error) return { check, status: 'WARN', detail: `cannot judge: ${j.message}`, next: 'run `kubectl cis-netpol cni -v`' };
  if (j.verdict === 'ENFORCED') return { check, status: 'OK', detail: j.summary };
  return { check, status: j.verdict === 'NOT ENFORCED' ? 'FAIL' : 'WARN', detail: j.summary, next: j.hint };
}

export function placeholderCheck(r: AuditReport | Error): DoctorCheck {
  const check = 'placeholders';
  if (r instanceof Error) return { check, status: 'WARN', detail: `cannot read NetworkPolicies: ${r.message}`, next: 'grant the audit permissions above' };
  const masking = r.findings.flatMap((f) => f.notes.filter((n) => n.kind === 'placeholder-overrides').map(() => f.namespace));
  if (masking.length === 0) return { check, status: 'OK', detail: 'no cis-netpol placeholder sits beside stricter policies' };
  return { check, status: 'WARN', detail: `the allow-all placeholder masks stricter policies in ${masking.length} namespace(s): ${shorten(masking)}`, next: 'kubectl cis-netpol prune (shows what removing it denies, then removes it)' };
}

export function terminatingCheck(namespaces: Namespace[] | Error, now: Date, stuckAfterMs: number): DoctorCheck {
  const check = 'terminating namespaces';
  if (namespaces instanceof Error) return { check, status: 'WARN', detail: `cannot list namespaces: ${namespaces.message}`, next: 'grant the audit permissions above' };
  const stuck = namespaces.filter((n) => n.phase === 'Terminating' && now.getTime() - new Date(n.metadata.deletionTimestamp ?? now).getTime() >= stuckAfterMs).map((n) => n.metadata.name).sort();
  if (stuck.length === 0) return { check, status: 'OK', detail: `none stuck (Terminating for ${Math.round(stuckAfterMs / 1000)} s or more)` };
  return {
    check, status: 'WARN',
    detail: `${stuck.length} namespace(s) Terminating for ${Math.round(stuckAfterMs / 1000)} s or more (they take no new policy; audit skips them): ${shorten(stuck)}`,
    next: `see what holds them: kubectl get namespace ${stuck[0]} -o jsonpath='{.status.conditions}'`,
  };
}

export function doctorReport(checks: DoctorCheck[], identity: { context: string; server: string }, now: Date): DoctorReport {
  return { apiVersion: REPORT_API_VERSION, kind: 'DoctorReport', timestamp: now.toISOString(), source: { kind: 'cluster', ...identity }, checks };
}
