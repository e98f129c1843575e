// fast-check generators for random Antrea-native policies (crd.antrea.io v1beta1) over the pools of
// arbitraries.ts: static Tiers and one custom Tier object, distinct (Tier, priority) pairs (equal
// ones are "not proven", tested apart), spec or per-rule appliedTo, the modelled peers and ports.
import fc from 'fast-check';
import type { CniPolicy } from '../../../src/core/model.ts';
import type { Cluster } from '../../../src/core/netpol/index.ts';
import { NAMESPACES, tieredClusterArb } from './arbitraries.ts';

type Json = Record<string, unknown>;

export const CUSTOM_TIER: CniPolicy = { kind: 'AntreaTier', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: 'mine' }, spec: { priority: 120 } };
// baseline twice: it is the Tier the placeholder can change (a pod it isolates no longer reaches it).
const TIERS = ['emergency', 'securityops', 'mine', 'application', undefined, 'baseline', 'baseline'] as const;

const selector = fc.constantFrom<Json>({}, {}, { matchLabels: { app: 'web' } }, { matchLabels: { app: 'db' } }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] });
const nsSelector = fc.constantFrom<Json>({}, { matchLabels: { team: 'red' } }, { matchLabels: { 'kubernetes.io/metadata.name': 'b' } });
const ipBlock = fc.constantFrom<Json>({ cidr: '10.244.0.0/24' }, { cidr: '10.244.0.8/29', except: ['10.244.0.12/31'] }, { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, { cidr: '10.0.0.4/30' }, { cidr: '::/0' });

const peer = (cluster: boolean): fc.Arbitrary<Json> => fc.oneof(
  selector.map((podSelector) => ({ podSelector })),
  nsSelector.map((namespaceSelector) => ({ namespaceSelector })),
  fc.tuple(nsSelector, selector).map(([namespaceSelector, podSelector]) => ({ namespaceSelector, podSelector })),
  ...(cluster ? [fc.option(selector, { nil: undefined }).map((podSelector) => ({ namespaces: { match: 'Self' }, ...(podSelector ? { podSelector } : {}) }))] : []),
  ipBlock.map((b) => ({ ipBlock: b })),
  fc.constantFrom<Json>({}, { matchLabels: { zone: 'a' } }).map((nodeSelector) => ({ nodeSelector })),
);
const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.constantFrom(53, 80, 443, 8080) }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80), endPort: fc.constantFrom(90, 8443) }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.constantFrom('http', 'dns') }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP') }),
);
const appliedTo = (cluster: boolean): fc.Arbitrary<Json[]> => fc.array(
  cluster ? fc.oneof(selector.map((podSelector) => ({ podSelector })), nsSelector.map((namespaceSelector) => ({ namespaceSelector })), fc.tuple(nsSelector, selector).map(([namespaceSelector, podSelector]) => ({ namespaceSelector, podSelector })))
    : selector.map((podSelector) => ({ podSelector })),
  { minLength: 1, maxLength: 2 },
);

const rule = (cluster: boolean, d: 'Ingress' | 'Egress', baseline: boolean, perRule: boolean): fc.Arbitrary<Json> =>
  fc.record({
    action: fc.constantFrom('Allow', 'Drop', 'Reject', ...(baseline ? [] : ['Pass', 'Pass'])),
    // Every other rule matches every peer or every port, so that rules of different Tiers meet often.
    peers: fc.option(fc.array(peer(cluster), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 2 }),
    ports: fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 2 }),
    icmp: fc.boolean(),
    appliedTo: appliedTo(cluster),
    name: fc.option(fc.constantFrom('r1', 'r2'), { nil: undefined, freq: 3 }),
  }).map((r) => ({
    action: r.action,
    ...(r.name ? { name: r.name } : {}),
    ...(r.peers ? { [d === 'Ingress' ? 'from' : 'to']: r.peers } : {}),
    ...(r.ports ? { ports: r.ports } : {}),
    ...(r.icmp && !r.ports ? { protocols: [{ icmp: { icmpType: 8 } }] } : {}),
    ...(perRule ? { appliedTo: r.appliedTo } : {}),
  }));

export const antreaPolicyArb = (tier: (typeof TIERS)[number], priority: number): fc.Arbitrary<CniPolicy> =>
  fc.record({ cluster: fc.boolean(), namespace: fc.constantFrom(...NAMESPACES), perRule: fc.boolean() }).chain(({ cluster, namespace, perRule }) => {
    const baseline = tier === 'baseline';
    return fc.record({
      appliedTo: appliedTo(cluster),
      ingress: fc.array(rule(cluster, 'Ingress', baseline, perRule), { maxLength: 2 }),
      egress: fc.array(rule(cluster, 'Egress', baseline, perRule), { maxLength: 2 }),
    }).map((r): CniPolicy => {
      const spec: Json = { priority, ...(tier ? { tier } : {}), ...(perRule ? {} : { appliedTo: r.appliedTo }), ingress: r.ingress, egress: r.egress };
      const name = `${tier ?? 'none'}-${priority}`;
      return cluster
        ? { kind: 'AntreaClusterNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name }, spec }
        : { kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name, namespace }, spec };
    });
  });

/** A tiered cluster with up to four Antrea policies, every (Tier, priority) pair distinct, and the custom Tier. */
export const antreaClusterArb: fc.Arbitrary<Cluster> = fc
  .tuple(tieredClusterArb, fc.uniqueArray(fc.tuple(fc.constantFrom(...TIERS), fc.constantFrom(1, 2.5, 10)), { maxLength: 4, selector: ([t, p]) => `${t ?? 'application'}/${p}` }), fc.boolean())
  .chain(([cluster, slots, sig]) => fc.tuple(...slots.map(([t, p]) => antreaPolicyArb(t, p))).map((antrea) => ({
    ...cluster,
    clusterPolicies: sig ? cluster.clusterPolicies ?? [] : [],
    cniPolicies: [CUSTOM_TIER, ...antrea],
  })));
