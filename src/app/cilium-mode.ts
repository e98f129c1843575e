// The Cilium agent's enforcement mode for the proof and can-reach: cilium-config where Cilium is
// installed (its policy API served, or its policies present) and the ConfigMap can be read; the
// rule for what it means is core/cilium-mode.ts. Best effort: a failed read is an assumption, said.
import { ciliumModeFrom, type CiliumModeRead } from '../core/cilium-mode.ts';
import { ApiError } from '../core/errors.ts';
import type { CniPolicy, PolicyApiRead } from '../core/model.ts';
import { asInspector } from './inspect-ports.ts';

const NAMESPACES = ['kube-system', 'cilium'];
const KEYS = ['enable-policy', 'policy-enforcement-mode'];

export function ciliumPresent(apis: readonly PolicyApiRead[] | undefined, cni: readonly CniPolicy[]): boolean {
  return (apis ?? []).some((a) => a.group === 'cilium.io' && a.state === 'served') || cni.some((p) => p.kind.startsWith('Cilium'));
}

export async function readCiliumMode(cluster: unknown, log: (m: string) => void): Promise<CiliumModeRead> {
  const i = asInspector(cluster);
  if (!i) return ciliumModeFrom(undefined, 'the cilium-config ConfigMap was not read');
  const failures: string[] = [];
  for (const namespace of NAMESPACES) {
    try {
      const data = await i.readConfigMap(namespace, 'cilium-config', KEYS);
      if (data) return ciliumModeFrom({ namespace, data }, '');
      failures.push(`${namespace}: absent`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      failures.push(`${namespace}: ${err.kind}`);
    }
  }
  // Absent everywhere it lives: no configured mode, so the agent's own default applies.
  if (failures.every((f) => f.endsWith(': absent'))) return { mode: 'default', assumed: false, source: `no cilium-config ConfigMap in ${NAMESPACES.join(' or ')} (the agent's default mode)` };
  log(`cilium-config not read (${failures.join(', ')})`);
  return ciliumModeFrom(undefined, `ConfigMap cilium-config could not be read in ${failures.join(', ')}; grant "get configmaps" there (ClusterRole cis-netpol-cni)`);
}
