// fast-check generators for random Cilium policies (cilium.io/v2), written as users write them, over
// the pools of arbitraries.ts so that selectors, CIDRs and ports often hit generated pods and
// addresses. Only what the model decides is generated (the unmodelled parts have their own tests).
import fc from 'fast-check';
import type { CniPolicy } from '../../../src/core/model.ts';
import type { CiliumMode } from '../../../src/core/netpol/compile-cilium.ts';
import type { Cluster } from '../../../src/core/netpol/index.ts';
import { NAMESPACES, tieredClusterArb } from './arbitraries.ts';

type Json = Record<string, unknown>;

const podSelector: fc.Arbitrary<Json> = fc.oneof(
  fc.constant({}),
  fc.constantFrom('web', 'db', 'api').map((app) => ({ matchLabels: { app } })),
  fc.constant({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }),
  fc.constant({ matchLabels: { 'k8s:app': 'web' } }),
  fc.constant({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }),
);
// Selectors that never match an empty label set: clusterwide peers like these match pods only.
const pinnedSelector: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...NAMESPACES).map((n) => ({ matchLabels: { 'io.kubernetes.pod.namespace': n } })),
  fc.constantFrom('red', 'blue').map((team) => ({ matchLabels: { 'io.cilium.k8s.namespace.labels.team': team } })),
  fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom('web', 'db')).map(([n, app]) => ({ matchLabels: { 'io.kubernetes.pod.namespace': n, app } })),
  fc.constantFrom('web', 'api').map((app) => ({ matchLabels: { app } })),
);
const entity = fc.constantFrom('world', 'cluster', 'host', 'remote-node', 'all', 'world-ipv4');
const cidr = fc.constantFrom('10.244.0.0/24', '0.0.0.0/0', '8.8.0.0/16', '10.0.0.4/30', '::/0', '169.254.0.0/16');
const cidrSet = fc.constantFrom<Json>({ cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] }, { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] }, { cidr: '2001:db8::/32' });
const portEntry: fc.Arbitrary<Json> = fc.record(
  { port: fc.constantFrom('53', '80', '443', '8080', '0', 'http', 'dns'), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'ANY'), endPort: fc.constantFrom(90, 8443) },
  { requiredKeys: [] },
).map((p) => (p.endPort !== undefined && !(typeof p.port === 'string' && /^\d+$/.test(p.port) && Number(p.port) > 0 && Number(p.port) <= p.endPort) ? { ...p, endPort: undefined } : p))
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)));
const toPorts = fc.array(fc.record({ ports: fc.array(portEntry, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 });

function ruleArb(d: 'Ingress' | 'Egress', clusterwide: boolean): fc.Arbitrary<Json> {
  const f = d === 'Ingress' ? 'from' : 'to';
  return fc.record(
    {
      [`${f}Endpoints`]: fc.array(clusterwide ? pinnedSelector : fc.oneof(podSelector, pinnedSelector), { minLength: 1, maxLength: 2 }),
      [`${f}Entities`]: fc.array(entity, { minLength: 1, maxLength: 2 }),
      [`${f}CIDR`]: fc.array(cidr, { minLength: 1, maxLength: 2 }),
      [`${f}CIDRSet`]: fc.array(cidrSet, { minLength: 1, maxLength: 1 }),
      toPorts,
      icmps: fc.constant([{ fields: [{ type: 8 }] }]),
    },
    { requiredKeys: [] },
  ).filter((r) => Object.keys(r).length <= 2);
}

const specArb = (clusterwide: boolean): fc.Arbitrary<Json> =>
  fc.record(
    {
      endpointSelector: clusterwide ? fc.oneof(podSelector, pinnedSelector) : podSelector,
      ingress: fc.array(ruleArb('Ingress', clusterwide), { maxLength: 2 }),
      egress: fc.array(ruleArb('Egress', clusterwide), { maxLength: 2 }),
      ingressDeny: fc.array(ruleArb('Ingress', clusterwide), { maxLength: 1 }),
      egressDeny: fc.array(ruleArb('Egress', clusterwide), { maxLength: 1 }),
      enableDefaultDeny: fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: ['endpointSelector'] },
  );

export const ciliumPolicyArb: fc.Arbitrary<CniPolicy> = fc.record({
  clusterwide: fc.boolean(),
  namespace: fc.constantFrom(...NAMESPACES),
  suffix: fc.nat(999),
  specs: fc.integer({ min: 1, max: 2 }),
}).chain((r) =>
  fc.array(specArb(r.clusterwide), { minLength: r.specs, maxLength: r.specs }).map((specs): CniPolicy => ({
    kind: r.clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    metadata: r.clusterwide ? { name: `ccnp-${r.suffix}` } : { name: `cnp-${r.suffix}`, namespace: r.namespace },
    spec: specs.length === 1 ? specs[0]! : { specs },
  })),
);

/** A tiered cluster (NetworkPolicies, SIG tiers) with up to three Cilium policies and an agent mode. */
export const ciliumClusterArb: fc.Arbitrary<Cluster> = fc
  .tuple(tieredClusterArb, fc.array(ciliumPolicyArb, { maxLength: 3 }), fc.constantFrom<CiliumMode>('default', 'default', 'default', 'always', 'never'), fc.boolean())
  .map(([cluster, cni, ciliumMode, sig]) => ({ ...cluster, clusterPolicies: sig ? cluster.clusterPolicies ?? [] : [], cniPolicies: cni, ciliumMode }));
