// The Cilium agent's policy enforcement mode as the proof takes it: read from the cilium-config
// ConfigMap (enable-policy, or policy-enforcement-mode in some charts) where it could be read,
// otherwise assumed `default` and said so. docs.cilium.io security/policy/intro: default (isolated
// once selected), always (every endpoint isolated), never (nothing enforced).
import type { CiliumMode } from './netpol/compile-cilium.ts';

export interface CiliumModeRead {
  mode: CiliumMode;
  /** Where it came from, e.g. "ConfigMap kube-system/cilium-config enable-policy=always". */
  source: string;
  /** True when nothing could be read and `default` was assumed. */
  assumed: boolean;
}

export function ciliumModeFrom(found: { namespace: string; data: Record<string, string> } | undefined, why: string): CiliumModeRead {
  if (!found) return { mode: 'default', assumed: true, source: why };
  const key = found.data['enable-policy'] !== undefined ? 'enable-policy' : 'policy-enforcement-mode';
  const raw = found.data[key];
  const where = `ConfigMap ${found.namespace}/cilium-config`;
  if (raw === 'always' || raw === 'never' || raw === 'default') return { mode: raw, assumed: false, source: `${where} ${key}=${raw}` };
  if (raw === undefined) return { mode: 'default', assumed: false, source: `${where} sets no enable-policy (the agent's default mode)` };
  return { mode: 'default', assumed: true, source: `${where} has ${key}=${raw}, which is not a known mode` };
}

export function ciliumModeNote(m: CiliumModeRead): string {
  if (m.assumed) return `Cilium policies are modelled assuming the agent runs with enable-policy=default (${m.source}); with "always", pods without policies are isolated and the allow-all placeholder opens them`;
  if (m.mode === 'never') return `Cilium enforces no policy (${m.source}): Cilium policies are left out of the proof, and NetworkPolicies are judged as Kubernetes defines them (refusals may be over-cautious)`;
  return `Cilium policies are modelled with enable-policy=${m.mode} (${m.source})`;
}
