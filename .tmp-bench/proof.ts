import { proveCreates } from '../src/core/proof.ts';
import { placeholderPolicy } from '../src/core/placeholder.ts';
const N = 10000;
const namespaces = Array.from({ length: N }, (_, i) => ({ metadata: { name: `n${i}`, labels: { 'kubernetes.io/metadata.name': `n${i}` } }, phase: 'Active' as const }));
const tpl = (ns: string) => placeholderPolicy(ns, { name: 'cis-default-allow', template: 'allow-all', version: 't' } as never);
const policies = namespaces.slice(0, N - 200).map((n) => tpl(n.metadata.name));
const state = { namespaces, pods: [], nodes: [], policies, clusterPolicies: [], cniPolicies: [], unreadable: [] };
for (const k of [1, 10, 100, 1, 10, 100, 10, 10, 10, 10, 10, 10, 10, 10]) {
  const creates = namespaces.slice(N - 200, N - 200 + k).map((n) => tpl(n.metadata.name));
  const t0 = performance.now();
  proveCreates(state, creates, creates[0]);
  console.log(k, (performance.now() - t0).toFixed(0), 'ms');
}
