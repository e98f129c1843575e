// A saved cluster state: what `kubectl get namespaces,networkpolicies -A -o yaml` (or json) writes,
// also with pods and nodes for can-reach, and with the cluster-wide policy kinds
// (`kubectl get clusternetworkpolicies,ciliumnetworkpolicies,... -A -o yaml`), told apart by kind and
// API group. Lists, multi-document YAML and single objects are accepted.
import * as yaml from 'js-yaml';
import { UsageError } from '../core/errors.ts';
import type { ClusterPolicy, CniPolicy, Namespace, NetworkPolicy, Node, Pod, PolicyApiRead } from '../core/model.ts';
import { toNamespace, toNode, toPod, toPolicy } from './convert.ts';
import { policyKindOf, toClusterPolicy, toCniPolicy } from './convert-policies.ts';

export interface ClusterState {
  namespaces: Namespace[];
  policies: NetworkPolicy[];
  pods: Pod[];
  nodes: Node[];
  clusterPolicies: ClusterPolicy[];
  cniPolicies: CniPolicy[];
  /** Read from a live cluster: what came of each policy API looked for (a file says nothing about it). */
  policyApis?: PolicyApiRead[];
}

type Raw = { kind?: string; apiVersion?: string; items?: unknown[]; metadata?: { name?: string } };

function flatten(doc: unknown, out: Raw[], item?: { kind?: string; apiVersion?: string }): void {
  if (!doc || typeof doc !== 'object') return;
  const d = doc as Raw;
  if (Array.isArray(d.items) && (d.kind === 'List' || d.kind?.endsWith('List'))) {
    // A typed list (NamespaceList, from `kubectl get --raw`) leaves kind and apiVersion off its items.
    const typed = d.kind !== 'List' ? { kind: d.kind?.slice(0, -'List'.length), apiVersion: d.apiVersion } : undefined;
    for (const i of d.items) flatten(i, out, typed);
    return;
  }
  out.push(d.kind || !item?.kind ? d : { ...d, kind: item.kind, apiVersion: d.apiVersion ?? item.apiVersion });
}

/** A Kubernetes NetworkPolicy: networking.k8s.io (or the old extensions group), or no apiVersion at all. */
function isKubernetesPolicy(o: Raw): boolean {
  const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
  return o.kind === 'NetworkPolicy' && (o.apiVersion === undefined || group === 'networking.k8s.io' || group === 'extensions');
}

export function parseStateFile(text: string, where: string): ClusterState {
  const objects: Raw[] = [];
  try {
    for (const doc of yaml.loadAll(text)) flatten(doc, objects);
  } catch (err) {
    throw new UsageError(`${where} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 'save the state with `kubectl get namespaces,networkpolicies -A -o yaml > state.yaml`');
  }
  const state: ClusterState = { namespaces: [], policies: [], pods: [], nodes: [], clusterPolicies: [], cniPolicies: [] };
  // Calico's v3 objects are a view of its crd.projectcalico.org/v1 ones: with both saved, v3 only.
  const calicoV3 = objects.some((o) => o.apiVersion?.startsWith('projectcalico.org/') && policyKindOf(o.apiVersion, o.kind));
  for (const o of objects) {
    const kind = policyKindOf(o.apiVersion, o.kind);
    if (kind?.family === 'cluster') state.clusterPolicies.push(toClusterPolicy(o, kind.kind));
    if (kind?.family === 'cni' && !(calicoV3 && o.apiVersion?.startsWith('crd.projectcalico.org/'))) state.cniPolicies.push(toCniPolicy(o, kind.kind));
    if (kind) continue;
    switch (o.kind) {
      case 'Namespace': state.namespaces.push(toNamespace(o)); break;
      case 'NetworkPolicy': if (isKubernetesPolicy(o)) state.policies.push(toPolicy(o)); break;
      case 'Pod': state.pods.push(toPod(o)); break;
      case 'Node': state.nodes.push(toNode(o)); break;
      default: break; // other kinds are irrelevant here
    }
  }
  if (state.namespaces.length === 0) {
    throw new UsageError(`${where} has no Namespace objects, so namespaces without policies cannot be seen`, 'save the state with `kubectl get namespaces,networkpolicies -A -o yaml > state.yaml`');
  }
  return state;
}
