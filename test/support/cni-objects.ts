// The CNI fixtures as real objects on the API server: DaemonSets (which no kubelet runs here)
// and ConfigMaps, all labelled so each test removes exactly what it created.
import type { CmSpec, DsSpec } from './cni-fixtures.ts';
import { kubectl, kubectlOk } from './run.ts';

const LABEL = 'cis-netpol-test-cni';

function daemonSet(d: DsSpec) {
  const select = { [LABEL]: d.name };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { namespace: d.namespace, name: d.name, labels: { ...d.labels, [LABEL]: d.name } },
    spec: { selector: { matchLabels: select }, template: { metadata: { labels: { ...d.labels, ...select } }, spec: { containers: d.containers } } },
  };
}

function configMap(c: CmSpec) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: c.namespace, name: c.name, labels: { [LABEL]: c.name } }, data: c.data };
}

/** Creates the objects (and their namespaces, kept: namespaces here never finish deleting). */
export function installCni(daemonSets: DsSpec[], configMaps: CmSpec[] = []): void {
  const namespaces = [...new Set([...daemonSets, ...configMaps].map((o) => o.namespace))];
  const nsItems = namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nsItems }) });
  const items = [...daemonSets.map(daemonSet), ...configMaps.map(configMap)];
  kubectlOk(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
}

/** Removes every fixture object, wherever it is. */
export function removeCni(): void {
  kubectl(['delete', 'daemonsets,configmaps', '-A', '-l', LABEL, '--wait=false']);
}
