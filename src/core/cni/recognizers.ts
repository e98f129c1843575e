// One rule per CNI: which DaemonSet container is its agent, and whether that agent enforces
// NetworkPolicy as configured. Shapes from each project's install manifests (see docs/cni.md).
import { flagValue, imageName, imagePath, imageTag, parseBool } from './image.ts';
import type { ConfigMapRead, ContainerEvidence, DaemonSetEvidence, Enforcement } from './types.ts';

export type Lookup = (namespace: string, name: string) => ConfigMapRead | undefined;

export interface Judged {
  enforcement: Enforcement;
  reason: string;
  evidence: string[];
}

export interface Recognizer {
  cni: string;
  /** The agent container of this CNI in the DaemonSet, if it is one of its DaemonSets. */
  match(ds: DaemonSetEvidence): ContainerEvidence | undefined;
  judge(ds: DaemonSetEvidence, agent: ContainerEvidence, cm: Lookup): Judged;
  /** ConfigMaps its judgement reads, looked for in the DaemonSet's namespace. */
  configMaps?: string[];
}

export function describeDs(ds: DaemonSetEvidence, c: ContainerEvidence): string {
  const pods = ds.desired !== undefined ? `, pods ready ${ds.ready ?? 0}/${ds.desired}` : '';
  return `DaemonSet ${ds.namespace}/${ds.name}: container ${c.name} (${c.image})${pods}`;
}

function byContainer(test: (c: ContainerEvidence) => boolean) {
  return (ds: DaemonSetEvidence) => ds.containers.find(test);
}

const always = (reason: string) => (ds: DaemonSetEvidence, c: ContainerEvidence): Judged => ({ enforcement: 'enforces', reason, evidence: [describeDs(ds, c)] });

function cmText(read: ConfigMapRead | undefined, key: string): string {
  if (!read) return '';
  if (read.state === 'absent') return `ConfigMap ${read.namespace}/${read.name}: absent`;
  if (read.state === 'unreadable') return `ConfigMap ${read.namespace}/${read.name}: unreadable (${read.message})`;
  return `ConfigMap ${read.namespace}/${read.name}: ${key}=${read.data[key] ?? '<unset>'}`;
}

// Cilium: policy enforcement mode default|always|never (agent flag --enable-policy or the
// cilium-config key enable-policy; policy-enforcement-mode in some charts), and since 1.15
// enable-k8s-networkpolicy=false makes the agent ignore Kubernetes NetworkPolicies.
function judgeCilium(ds: DaemonSetEvidence, c: ContainerEvidence, cm: Lookup): Judged {
  const read = cm(ds.namespace, 'cilium-config');
  const data = read?.state === 'found' ? read.data : {};
  const evidence = [describeDs(ds, c)];
  const flag = flagValue(c.args, 'enable-policy');
  const mode = flag ?? data['enable-policy'] ?? data['policy-enforcement-mode'];
  const modeFrom = flag !== undefined ? '--enable-policy' : data['enable-policy'] !== undefined ? 'enable-policy' : 'policy-enforcement-mode';
  if (read?.state === 'found') evidence.push(`ConfigMap ${ds.namespace}/cilium-config: enable-policy=${data['enable-policy'] ?? '<unset>'}, policy-enforcement-mode=${data['policy-enforcement-mode'] ?? '<unset>'}, enable-k8s-networkpolicy=${data['enable-k8s-networkpolicy'] ?? '<unset>'}`);
  else if (read) evidence.push(cmText(read, 'enable-policy'));
  if (flag !== undefined) evidence.push(`agent flag --enable-policy=${flag}`);
  if (mode === 'never') return { enforcement: 'does-not-enforce', reason: `policy enforcement is switched off (${modeFrom}=never)`, evidence };
  if (data['enable-k8s-networkpolicy'] === 'false') {
    return { enforcement: 'does-not-enforce', reason: 'Kubernetes NetworkPolicy support is off (enable-k8s-networkpolicy=false): only CiliumNetworkPolicies apply', evidence };
  }
  if (read?.state === 'unreadable' && flag === undefined) {
    return { enforcement: 'undetermined', reason: `the agent runs, but cilium-config could not be read: policy enforcement may be switched off there (enable-policy=never)`, evidence };
  }
  return { enforcement: 'enforces', reason: `the Cilium agent enforces NetworkPolicy (mode ${mode ?? 'default'})`, evidence };
}

// AWS VPC CNI (v1.14+): the aws-eks-nodeagent container enforces only with
// --enable-network-policy=true (default false), and only policies the network policy controller
// has resolved into PolicyEndpoints; amazon-vpc-cni's enable-network-policy-controller switches it.
function judgeAws(ds: DaemonSetEvidence, c: ContainerEvidence, cm: Lookup): Judged {
  const read = cm(ds.namespace, 'amazon-vpc-cni');
  const agent = ds.containers.find((x) => x.name === 'aws-eks-nodeagent' || imageName(x.image) === 'aws-network-policy-agent');
  const evidence = [describeDs(ds, c)];
  if (read) evidence.push(cmText(read, 'enable-network-policy-controller'));
  if (!agent) return { enforcement: 'does-not-enforce', reason: 'aws-node has no network policy agent container (aws-eks-nodeagent; VPC CNI before v1.14 cannot enforce)', evidence };
  const flag = flagValue(agent.args, 'enable-network-policy', true);
  evidence.push(`container ${agent.name}: --enable-network-policy=${flag ?? '<unset>'}`);
  if (parseBool(flag) !== true) return { enforcement: 'does-not-enforce', reason: `the network policy agent runs with --enable-network-policy=${flag ?? '<unset>'} (the default is false)`, evidence };
  const controller = read?.state === 'found' ? read.data['enable-network-policy-controller'] : undefined;
  if (controller === 'false') return { enforcement: 'does-not-enforce', reason: 'the node agent is on, but amazon-vpc-cni sets enable-network-policy-controller=false: no controller resolves NetworkPolicies for it', evidence };
  if (controller === 'true') return { enforcement: 'enforces', reason: 'the network policy agent is on (--enable-network-policy=true) and the controller is enabled', evidence };
  return { enforcement: 'undetermined', reason: 'the node agent is on (--enable-network-policy=true), but nothing shows the network policy controller is (amazon-vpc-cni enable-network-policy-controller); check that PolicyEndpoints appear: kubectl get policyendpoints -A', evidence };
}

// kindnet: NetworkPolicy since kind v0.24.0 (kindnetd v20240813-…), and in aojea/kindnet v1+;
// --network-policy=false turns it off.
const KINDNET_FIRST_DATE = 20240813;
function judgeKindnet(ds: DaemonSetEvidence, c: ContainerEvidence): Judged {
  const evidence = [describeDs(ds, c)];
  const flag = flagValue(c.args, 'network-policy', true);
  if (flag !== undefined) evidence.push(`--network-policy=${flag}`);
  if (parseBool(flag) === false) return { enforcement: 'does-not-enforce', reason: 'kindnetd runs with --network-policy=false', evidence };
  const tag = imageTag(c.image) ?? '';
  const date = /^v(\d{8})-/.exec(tag);
  const semver = /^v(\d+)\.\d+\.\d+/.exec(tag);
  if (date) {
    return Number(date[1]) >= KINDNET_FIRST_DATE
      ? { enforcement: 'enforces', reason: `kindnetd ${tag} enforces NetworkPolicy (since v20240813, kind v0.24.0)`, evidence }
      : { enforcement: 'does-not-enforce', reason: `kindnetd ${tag} predates NetworkPolicy support (v20240813, kind v0.24.0)`, evidence };
  }
  if (semver && Number(semver[1]) >= 1) return { enforcement: 'enforces', reason: `kindnetd ${tag} enforces NetworkPolicy`, evidence };
  return { enforcement: 'undetermined', reason: `kindnetd version "${tag || 'untagged'}" cannot be placed: NetworkPolicy support came with v20240813 (kind v0.24.0)`, evidence };
}

const named = (...names: string[]) => (c: ContainerEvidence) => names.includes(c.name);
const image = (...names: string[]) => (c: ContainerEvidence) => names.includes(imageName(c.image));

export const RECOGNIZERS: Recognizer[] = [
  { cni: 'GKE Dataplane V2', match: (ds) => (ds.name === 'anetd' ? ds.containers[0] : undefined), judge: always('GKE Dataplane V2 (anetd) always enforces NetworkPolicy') },
  { cni: 'Cilium', match: (ds) => (ds.name === 'anetd' ? undefined : byContainer((c) => named('cilium-agent')(c) || image('cilium')(c))(ds)), judge: judgeCilium, configMaps: ['cilium-config'] },
  { cni: 'Calico', match: byContainer((c) => named('calico-node')(c) || /(^|\/)(calico\/node|tigera\/cnx-node)$/.test(imagePath(c.image))), judge: always("Calico's Felix (calico-node) enforces NetworkPolicy") },
  { cni: 'Antrea', match: byContainer((c) => named('antrea-agent')(c) || /^antrea-(agent-)?(ubuntu|photon|ubi)/.test(imageName(c.image))), judge: always('the Antrea agent enforces NetworkPolicy') },
  {
    cni: 'kube-router', match: byContainer(image('kube-router')),
    judge: (ds, c) => {
      const flag = flagValue(c.args, 'run-firewall', true);
      const evidence = [describeDs(ds, c), `--run-firewall=${flag ?? '<unset> (default true)'}`];
      return parseBool(flag) === false
        ? { enforcement: 'does-not-enforce', reason: 'kube-router runs with --run-firewall=false: its network policy controller is off', evidence }
        : { enforcement: 'enforces', reason: "kube-router's network policy controller enforces NetworkPolicy (--run-firewall)", evidence };
    },
  },
  {
    cni: 'Weave Net', match: byContainer((c) => named('weave', 'weave-npc')(c) || image('weave-kube', 'weave-npc')(c)),
    judge: (ds, c) => {
      const npc = ds.containers.find((x) => x.name === 'weave-npc' || imageName(x.image) === 'weave-npc');
      return npc
        ? { enforcement: 'enforces', reason: 'weave-npc enforces NetworkPolicy (Weave Net is no longer maintained)', evidence: [describeDs(ds, npc)] }
        : { enforcement: 'does-not-enforce', reason: 'weave-net runs without its weave-npc container: nothing enforces NetworkPolicy', evidence: [describeDs(ds, c)] };
    },
  },
  { cni: 'Azure NPM', match: byContainer((c) => image('azure-npm')(c) || (c.name === 'azure-npm')), judge: always('Azure Network Policy Manager (azure-npm) enforces NetworkPolicy') },
  { cni: 'OVN-Kubernetes', match: (ds) => (/^ovnkube-node/.test(ds.name) ? (ds.containers.find(named('ovnkube-controller', 'ovnkube-node')) ?? ds.containers[0]) : undefined), judge: always('OVN-Kubernetes enforces NetworkPolicy') },
  { cni: 'AWS VPC CNI', match: (ds) => byContainer((c) => image('amazon-k8s-cni')(c) || (ds.name === 'aws-node' && c.name === 'aws-node'))(ds), judge: judgeAws, configMaps: ['amazon-vpc-cni'] },
  { cni: 'kindnet', match: byContainer(image('kindnetd')), judge: judgeKindnet },
  { cni: 'Flannel', match: byContainer((c) => /(^|-)flannel$/.test(imageName(c.image))), judge: (ds, c) => ({ enforcement: 'does-not-enforce', reason: 'Flannel does not implement NetworkPolicy', evidence: [describeDs(ds, c)] }) },
];
