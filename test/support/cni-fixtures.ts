// The DaemonSets and ConfigMaps each CNI's install manifest creates (only the fields the rules
// read, plus what the API server requires), with the verdict each must get. The unit tests judge
// them as converted objects; the integration tests create them on the real API server.
export interface ContainerSpec { name: string; image: string; command?: string[]; args?: string[] }
export interface DsSpec { namespace: string; name: string; labels: Record<string, string>; containers: ContainerSpec[] }
export interface CmSpec { namespace: string; name: string; data: Record<string, string> }

export interface CniFixture {
  name: string;
  daemonSets: DsSpec[];
  configMaps?: CmSpec[];
  verdict: 'ENFORCED' | 'NOT ENFORCED' | 'UNKNOWN';
  by?: string[];
  /** Must appear in the summary (the deciding reason). */
  summary: RegExp;
  /** Must appear among the findings' evidence lines. */
  evidence?: RegExp;
}

const ds = (namespace: string, name: string, labels: Record<string, string>, ...containers: ContainerSpec[]): DsSpec => ({ namespace, name, labels, containers });
const AWS_IMG = '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.20.4-eksbuild.1';
const AGENT_IMG = '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.2.7-eksbuild.1';
const awsNode = (agentArgs?: string[]) => ds('kube-system', 'aws-node', { 'k8s-app': 'aws-node' },
  { name: 'aws-node', image: AWS_IMG },
  ...(agentArgs ? [{ name: 'aws-eks-nodeagent', image: AGENT_IMG, args: ['--enable-ipv6=false', ...agentArgs, '--metrics-bind-addr=:8162'] }] : []));
const awsConfig = (v: string): CmSpec => ({ namespace: 'kube-system', name: 'amazon-vpc-cni', data: { 'enable-network-policy-controller': v, 'enable-windows-ipam': 'false' } });
const CILIUM = 'quay.io/cilium/cilium:v1.18.1@sha256:65ab17c052d8758b2ad157ce766285e04173722df59bdee1ea6d5fda7149f0e9';
const cilium = (namespace = 'kube-system', args = ['--config-dir=/tmp/cilium/config-map']) =>
  ds(namespace, 'cilium', { 'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent' }, { name: 'cilium-agent', image: CILIUM, command: ['cilium-agent'], args });
const ciliumConfig = (data: Record<string, string>, namespace = 'kube-system'): CmSpec => ({ namespace, name: 'cilium-config', data: { 'cluster-name': 'default', ...data } });
const kindnet = (tag: string, args: string[] = []) => ds('kube-system', 'kindnet', { app: 'kindnet', 'k8s-app': 'kindnet' }, { name: 'kindnet-cni', image: `docker.io/kindest/kindnetd:${tag}`, args });
const flannel = ds('kube-flannel', 'kube-flannel-ds', { app: 'flannel', 'k8s-app': 'flannel' },
  { name: 'kube-flannel', image: 'ghcr.io/flannel-io/flannel:v0.27.0', command: ['/opt/bin/flanneld'], args: ['--ip-masq', '--kube-subnet-mgr'] });
const kubeProxy = ds('kube-system', 'kube-proxy', { 'k8s-app': 'kube-proxy' }, { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.37.2', command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'] });

export const CNI_FIXTURES: CniFixture[] = [
  { name: 'Calico (manifest, kube-system)', daemonSets: [ds('kube-system', 'calico-node', { 'k8s-app': 'calico-node' }, { name: 'calico-node', image: 'docker.io/calico/node:v3.30.2' })], verdict: 'ENFORCED', by: ['Calico'], summary: /Felix/, evidence: /kube-system\/calico-node: container calico-node \(docker\.io\/calico\/node:v3\.30\.2\)/ },
  { name: 'Calico (operator, calico-system)', daemonSets: [ds('calico-system', 'calico-node', { 'k8s-app': 'calico-node' }, { name: 'calico-node', image: 'quay.io/calico/node:v3.30.2' })], verdict: 'ENFORCED', by: ['Calico'], summary: /calico-node/, evidence: /calico-system\/calico-node/ },
  { name: 'Canal (Calico policy + Flannel networking)', daemonSets: [ds('kube-system', 'canal', { 'k8s-app': 'canal' }, { name: 'calico-node', image: 'docker.io/calico/node:v3.30.2' }, { name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.26.7', command: ['/opt/bin/flanneld', '--ip-masq', '--kube-subnet-mgr'] })], verdict: 'ENFORCED', by: ['Calico'], summary: /^ENFORCED by Calico:/, evidence: /kube-system\/canal: container kube-flannel/ },
  { name: 'Cilium (Helm, policy mode default)', daemonSets: [cilium()], configMaps: [ciliumConfig({ 'enable-policy': 'default' })], verdict: 'ENFORCED', by: ['Cilium'], summary: /mode default/, evidence: /cilium-config: enable-policy=default/ },
  { name: 'Cilium, enable-policy=never', daemonSets: [cilium()], configMaps: [ciliumConfig({ 'enable-policy': 'never' })], verdict: 'NOT ENFORCED', summary: /Cilium: policy enforcement is switched off \(enable-policy=never\)/ },
  { name: 'Cilium in its own namespace, policy-enforcement-mode=never', daemonSets: [cilium('cilium')], configMaps: [ciliumConfig({ 'policy-enforcement-mode': 'never' }, 'cilium')], verdict: 'NOT ENFORCED', summary: /policy-enforcement-mode=never/, evidence: /cilium\/cilium-config/ },
  { name: 'Cilium, enable-k8s-networkpolicy=false', daemonSets: [cilium()], configMaps: [ciliumConfig({ 'enable-policy': 'default', 'enable-k8s-networkpolicy': 'false' })], verdict: 'NOT ENFORCED', summary: /enable-k8s-networkpolicy=false/ },
  { name: 'Cilium, agent flag --enable-policy=never over a default ConfigMap', daemonSets: [cilium('kube-system', ['--config-dir=/tmp/cilium/config-map', '--enable-policy=never'])], configMaps: [ciliumConfig({ 'enable-policy': 'default' })], verdict: 'NOT ENFORCED', summary: /--enable-policy=never/ },
  { name: 'Antrea', daemonSets: [ds('kube-system', 'antrea-agent', { app: 'antrea', component: 'antrea-agent' }, { name: 'antrea-agent', image: 'antrea/antrea-agent-ubuntu:v2.4.0', command: ['antrea-agent'] }, { name: 'antrea-ovs', image: 'antrea/antrea-agent-ubuntu:v2.4.0' })], verdict: 'ENFORCED', by: ['Antrea'], summary: /Antrea agent/ },
  { name: 'kube-router with its firewall', daemonSets: [ds('kube-system', 'kube-router', { 'k8s-app': 'kube-router' }, { name: 'kube-router', image: 'docker.io/cloudnativelabs/kube-router', args: ['--run-router=true', '--run-firewall=true', '--run-service-proxy=false'] })], verdict: 'ENFORCED', by: ['kube-router'], summary: /--run-firewall/ },
  { name: 'kube-router, --run-firewall=false', daemonSets: [ds('kube-system', 'kube-router', { 'k8s-app': 'kube-router' }, { name: 'kube-router', image: 'docker.io/cloudnativelabs/kube-router:v2.6.1', args: ['--run-router=true', '--run-firewall=false'] })], verdict: 'NOT ENFORCED', summary: /--run-firewall=false/ },
  { name: 'Weave Net with weave-npc', daemonSets: [ds('kube-system', 'weave-net', { name: 'weave-net' }, { name: 'weave', image: 'weaveworks/weave-kube:2.8.1', command: ['/home/weave/launch.sh'] }, { name: 'weave-npc', image: 'weaveworks/weave-npc:2.8.1' })], verdict: 'ENFORCED', by: ['Weave Net'], summary: /weave-npc/ },
  { name: 'Weave Net without weave-npc', daemonSets: [ds('kube-system', 'weave-net', { name: 'weave-net' }, { name: 'weave', image: 'weaveworks/weave-kube:2.8.1' })], verdict: 'NOT ENFORCED', summary: /without its weave-npc container/ },
  { name: 'Azure NPM (AKS network policy "azure")', daemonSets: [ds('kube-system', 'azure-npm', { 'k8s-app': 'azure-npm' }, { name: 'azure-npm', image: 'mcr.microsoft.com/containernetworking/azure-npm:v1.6.29' })], verdict: 'ENFORCED', by: ['Azure NPM'], summary: /azure-npm/ },
  { name: 'GKE Dataplane V2 (anetd)', daemonSets: [ds('kube-system', 'anetd', { 'k8s-app': 'cilium' }, { name: 'cilium-agent', image: 'gke.gcr.io/cilium/cilium:v1.16.9-gke.1000' })], verdict: 'ENFORCED', by: ['GKE Dataplane V2'], summary: /anetd/ },
  { name: 'AWS VPC CNI, network policy agent off (the default)', daemonSets: [awsNode(['--enable-network-policy=false'])], verdict: 'NOT ENFORCED', summary: /--enable-network-policy=false \(the default is false\)/, evidence: /amazon-vpc-cni: absent/ },
  { name: 'AWS VPC CNI, agent on and controller enabled', daemonSets: [awsNode(['--enable-network-policy=true'])], configMaps: [awsConfig('true')], verdict: 'ENFORCED', by: ['AWS VPC CNI'], summary: /agent is on/, evidence: /enable-network-policy-controller=true/ },
  { name: 'AWS VPC CNI, agent on, controller disabled', daemonSets: [awsNode(['--enable-network-policy=true'])], configMaps: [awsConfig('false')], verdict: 'NOT ENFORCED', summary: /enable-network-policy-controller=false/ },
  { name: 'AWS VPC CNI, agent on, controller not shown', daemonSets: [awsNode(['--enable-network-policy=true'])], verdict: 'UNKNOWN', summary: /policyendpoints/ },
  { name: 'AWS VPC CNI before v1.14 (no agent container)', daemonSets: [awsNode()], verdict: 'NOT ENFORCED', summary: /no network policy agent container/ },
  { name: 'EKS Auto Mode (ConfigMap only)', daemonSets: [kubeProxy], configMaps: [awsConfig('true')], verdict: 'ENFORCED', by: ['AWS VPC CNI'], summary: /EKS Auto Mode/ },
  { name: 'kindnet before kind v0.24.0', daemonSets: [kindnet('v20230511-dc714da8')], verdict: 'NOT ENFORCED', summary: /v20230511-dc714da8 predates NetworkPolicy support/ },
  { name: 'kindnet of kind v0.24.0', daemonSets: [kindnet('v20240813-c6f155d6')], verdict: 'ENFORCED', by: ['kindnet'], summary: /v20240813-c6f155d6 enforces/ },
  { name: 'kindnet, --network-policy=false', daemonSets: [kindnet('v20250512-df8de77b', ['--network-policy=false'])], verdict: 'NOT ENFORCED', summary: /--network-policy=false/ },
  { name: 'kindnet with an unplaceable tag', daemonSets: [kindnet('latest')], verdict: 'UNKNOWN', summary: /"latest" cannot be placed/ },
  { name: 'Flannel alone', daemonSets: [flannel, kubeProxy], verdict: 'NOT ENFORCED', summary: /Flannel does not implement NetworkPolicy/, evidence: /kube-flannel\/kube-flannel-ds/ },
  { name: 'OVN-Kubernetes', daemonSets: [ds('openshift-ovn-kubernetes', 'ovnkube-node', { app: 'ovnkube-node' }, { name: 'ovn-controller', image: 'quay.io/openshift/origin-ovn-kubernetes:4.20' }, { name: 'ovnkube-controller', image: 'quay.io/openshift/origin-ovn-kubernetes:4.20' })], verdict: 'ENFORCED', by: ['OVN-Kubernetes'], summary: /OVN/ },
  { name: 'nothing known (kube-proxy only)', daemonSets: [kubeProxy], verdict: 'UNKNOWN', summary: /no DaemonSet of a known NetworkPolicy enforcer among 1 DaemonSet\(s\): kube-system\/kube-proxy/ },
];
