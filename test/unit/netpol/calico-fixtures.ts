// Calico objects (projectcalico.org/v3) and the small cluster the Calico table tests judge them on.
import type { CniPolicy, NetworkPolicy } from '../../../src/core/model.ts';
import { createEvaluator, type Cluster, type Endpoint } from '../../../src/core/netpol/index.ts';
import { node, ns, pod } from './fixtures.ts';

type Spec = Record<string, unknown>;
export const gnp = (name: string, spec: Spec): CniPolicy => ({ kind: 'CalicoGlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec });
export const cnp = (namespace: string, name: string, spec: Spec): CniPolicy => ({ kind: 'CalicoNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name, namespace }, spec });
export const tier = (name: string, spec: Spec = {}): CniPolicy => ({ kind: 'CalicoTier', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec });

/** shop (team=red): web (app=web, http 8080), db; dev: client; kube-system: coredns. One node. */
export function cluster(cni: CniPolicy[], policies: NetworkPolicy[] = []): Cluster {
  return {
    namespaces: [ns('shop', { team: 'red' }), ns('dev'), ns('kube-system')],
    nodes: [node('n1', '10.0.0.5')],
    pods: [
      pod('shop', 'web', { labels: { app: 'web' }, ip: '10.244.0.10', node: 'n1', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('shop', 'db', { labels: { app: 'db' }, ip: '10.244.0.11', node: 'n1' }),
      pod('dev', 'client', { labels: { app: 'client' }, ip: '10.244.0.20', node: 'n1' }),
      pod('kube-system', 'coredns', { labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.30', node: 'n1' }),
    ],
    policies,
    cniPolicies: cni,
  };
}
export const at = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });
export const ip = (address: string): Endpoint => ({ kind: 'ip', ip: address });
export const verdict = (c: Cluster, from: Endpoint, to: Endpoint, port = 8080, protocol: 'TCP' | 'UDP' = 'TCP') => createEvaluator(c).evaluate({ from, to, port, protocol });
export const allowed = (c: Cluster, from: Endpoint, to: Endpoint, port?: number, protocol?: 'TCP' | 'UDP') => verdict(c, from, to, port, protocol).allowed;
