// Per-test namespaces and objects on the real API server. Deleted namespaces stay Terminating here
// (no controller-manager), so every test makes fresh, uniquely named ones.
import { randomBytes } from 'node:crypto';
import { kubectlJson, kubectlOk } from './run.ts';

export const TEST_LABEL = 'cis-netpol-test';
const RUN = randomBytes(3).toString('hex');
let counter = 0;

/** n fresh namespaces named <prefix>-<run>-<k>. */
export function freshNamespaces(prefix: string, n: number): string[] {
  const names = Array.from({ length: n }, () => `${prefix}-${RUN}-${++counter}`);
  const docs = names.map((name) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: {${TEST_LABEL}: "${RUN}"}\n`).join('---\n');
  kubectlOk(['create', '-f', '-'], { input: docs });
  return names;
}

/** A namespace stuck in Terminating: deleted, and never finalised without a controller-manager. */
export function terminatingNamespace(prefix: string): string {
  const [name] = freshNamespaces(prefix, 1) as [string];
  kubectlOk(['delete', 'namespace', name, '--wait=false']);
  return name;
}

export interface Obj {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A user's own NetworkPolicy (not ours), created with kubectl. */
export function userPolicy(namespace: string, name: string, spec = '{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}'): Obj {
  kubectlOk(['create', '-f', '-'], { input: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}\n` });
  return getPolicy(namespace, name);
}

export function getPolicy(namespace: string, name: string): Obj {
  return kubectlJson<Obj>(['get', 'networkpolicy', '-n', namespace, name]);
}

export function policiesIn(namespace: string): Obj[] {
  return kubectlJson<{ items: Obj[] }>(['get', 'networkpolicies', '-n', namespace]).items;
}

export function policyNames(namespace: string): string[] {
  return policiesIn(namespace).map((p) => p.metadata.name).sort();
}
