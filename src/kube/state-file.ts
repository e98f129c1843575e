// A saved cluster state: what `kubectl get namespaces,networkpolicies -A -o yaml` (or json) writes,
// also with pods and nodes for can-reach. Lists, multi-document YAML and single objects are accepted.
import * as yaml from 'js-yaml';
import { UsageError } from '../core/errors.ts';
import type { ClusterPolicy, CniPolicy, Namespace, NetworkPolicy, Node, Pod } from '../core/model.ts';
import { toNamespace, toNode, toPod, toPolicy } from './convert.ts';

export interface ClusterState {
  namespaces: Namespace[];
  policies: NetworkPolicy[];
  pods: Pod[];
  nodes: Node[];
  clusterPolicies: ClusterPolicy[];
  cniPolicies: CniPolicy[];
}

type Raw = { kind?: string; items?: unknown[]; metadata?: { name?: string } };

function flatten(doc: unknown, out: Raw[], itemKind?: string): void {
  if (!doc || typeof doc !== 'object') return;
  const d = doc as Raw;
  if (Array.isArray(d.items) && (d.kind === 'List' || d.kind?.endsWith('List'))) {
    // A typed list (NamespaceList, from `kubectl get --raw`) leaves kind off its items.
    const inferred = d.kind !== 'List' ? d.kind?.slice(0, -'List'.length) : undefined;
    for (const item of d.items) flatten(item, out, inferred);
    return;
  }
  out.push(d.kind || !itemKind ? d : { ...d, kind: itemKind });
}

export function parseStateFile(text: string, where: string): ClusterState {
  const objects: Raw[] = [];
  try {
    for (const doc of yaml.loadAll(text)) flatten(doc, objects);
  } catch (err) {
    throw new UsageError(`${where} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 'save the state with `kubectl get namespaces,networkpolicies -A -o yaml > state.yaml`');
  }
  const state: ClusterState = { namespaces: [], policies: [], pods: [], nodes: [], clusterPolicies: [], cniPolicies: [] };
  for (const o of objects) {
    switch (o.kind) {
      case 'Namespace': state.namespaces.push(toNamespace(o)); break;
      case 'NetworkPolicy': state.policies.push(toPolicy(o)); break;
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
