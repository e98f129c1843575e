// Which pods a Cilium, Calico or Antrea policy selects: documented examples one row each, then
// properties against independent oracles that know what we cannot (service accounts, cluster names,
// Cilium's label filter): exact when no approximation is reported, a superset otherwise.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CniPolicy, CniPolicyKind, LabelSelectorRequirement } from '../../../src/core/model.ts';
import { parseCalicoSelector } from '../../../src/core/netpol/calico-selector.ts';
import { cniSelection, type SelectionTarget } from '../../../src/core/netpol/cni-selection.ts';
import type { Direction } from '../../../src/core/netpol/types.ts';
import { calicoAstArb, renderCalico } from './calico-arbitraries.ts';

function pol(kind: CniPolicyKind, spec: Record<string, unknown>, namespace?: string): CniPolicy {
  return { kind, apiVersion: 'v', metadata: { name: 'p', ...(namespace ? { namespace } : {}) }, spec };
}
const pod = (namespace: string, podLabels: Record<string, string> = {}, namespaceLabels: Record<string, string> = {}): SelectionTarget =>
  ({ namespace, podLabels, namespaceLabels: { 'kubernetes.io/metadata.name': namespace, ...namespaceLabels } });

const web = pod('shop', { app: 'web' }, { team: 'blue' });
const db = pod('shop', { app: 'db', 'pod-template-hash': 'abc' }, { team: 'blue' });
const dns = pod('kube-system', { 'k8s-app': 'kube-dns' });
const other = pod('other', { app: 'web', color: 'red' }, { team: 'red' });
const foo = pod('foo', { color: 'red' });
const TARGETS = { web, db, dns, other, foo };
type Name = keyof typeof TARGETS;

interface Row {
  name: string;
  policy: CniPolicy;
  selected: Name[];
  directions: Direction[];
  /** Substrings the approximation notes must contain; [] means exact. */
  approx: string[];
}

function check(rows: Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      const s = cniSelection(row.policy);
      const got = (Object.keys(TARGETS) as Name[]).filter((n) => s.selects(TARGETS[n]));
      assert.deepEqual(got, row.selected, s.subject);
      assert.deepEqual(s.directions, row.directions);
      if (row.approx.length === 0) assert.deepEqual(s.approximations, []);
      for (const a of row.approx) assert.ok(s.approximations.some((x) => x.includes(a)), `${a} in ${JSON.stringify(s.approximations)}`);
      assert.ok(s.subject.length > 0);
    });
  }
}

const ALL: Name[] = ['web', 'db', 'dns', 'other', 'foo'];
const sel = (matchLabels: Record<string, string>, matchExpressions: LabelSelectorRequirement[] = []) => ({ matchLabels, matchExpressions });

describe('cni selection: Cilium', () => {
  check([
    { name: 'CNP default deny ingress selects every pod of its namespace', policy: pol('CiliumNetworkPolicy', { endpointSelector: {}, ingress: [{}] }, 'shop'), selected: ['web', 'db'], directions: ['Ingress'], approx: [] },
    { name: 'CCNP allow DNS egress for every pod', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }] }] }), selected: ALL, directions: ['Egress'], approx: [] },
    { name: 'CCNP default deny outside kube-system (io.kubernetes.pod.namespace NotIn)', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({}, [{ key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }]), egress: [{}] }), selected: ['web', 'db', 'other', 'foo'], directions: ['Egress'], approx: [] },
    { name: 'k8s:io.kubernetes.pod.namespace selects by namespace name', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ 'k8s:io.kubernetes.pod.namespace': 'kube-system' }), ingress: [{}] }), selected: ['dns'], directions: ['Ingress'], approx: [] },
    { name: 'a CNP cannot select outside its namespace', policy: pol('CiliumNetworkPolicy', { endpointSelector: sel({ 'k8s:io.kubernetes.pod.namespace': 'kube-system' }), ingress: [{}] }, 'shop'), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'io.cilium.k8s.namespace.labels.<key> reads namespace labels', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ 'io.cilium.k8s.namespace.labels.team': 'blue' }), ingress: [{}] }), selected: ['web', 'db'], directions: ['Ingress'], approx: [] },
    { name: 'k8s: and any: sources read pod labels', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ 'k8s:app': 'web', 'any:color': 'red' }), ingress: [{}] }), selected: ['other'], directions: ['Ingress'], approx: [] },
    { name: 'app.kubernetes.io labels are identity-relevant: exact', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({}, [{ key: 'app.kubernetes.io/name', operator: 'Exists' }]), ingress: [{}] }), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'reserved:host selects no pod', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ 'reserved:host': '' }), ingress: [{}] }), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'no pod carries reserved:world, so DoesNotExist holds everywhere', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({}, [{ key: 'reserved:world', operator: 'DoesNotExist' }]), ingress: [{}] }), selected: ALL, directions: ['Ingress'], approx: [] },
    { name: 'reserved:init is over-approximated', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ 'reserved:init': '' }), egress: [{}] }), selected: ALL, directions: ['Egress'], approx: ['reserved:init'] },
    { name: 'serviceaccount is over-approximated, the rest stays exact', policy: pol('CiliumNetworkPolicy', { endpointSelector: sel({ app: 'web', 'io.cilium.k8s.policy.serviceaccount': 'frontend' }), ingress: [{}] }, 'shop'), selected: ['web'], directions: ['Ingress'], approx: ['serviceaccount'] },
    { name: 'cluster is over-approximated', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ 'k8s:io.cilium.k8s.policy.cluster': 'c1' }), ingress: [{}] }), selected: ALL, directions: ['Ingress'], approx: ['policy.cluster'] },
    { name: 'a label the default filter may drop is over-approximated', policy: pol('CiliumNetworkPolicy', { endpointSelector: sel({}, [{ key: 'pod-template-hash', operator: 'DoesNotExist' }]), ingress: [{}] }, 'shop'), selected: ['web', 'db'], directions: ['Ingress'], approx: ['pod-template-hash'] },
    { name: 'nodeSelector (host policy) selects no pod', policy: pol('CiliumClusterwideNetworkPolicy', { nodeSelector: {}, ingress: [{}] }), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'specs[] under spec: union of selectors and directions', policy: pol('CiliumNetworkPolicy', { specs: [{ endpointSelector: sel({ app: 'web' }), ingress: [{}] }, { endpointSelector: sel({ app: 'db' }), egressDeny: [{}] }] }, 'shop'), selected: ['web', 'db'], directions: ['Ingress', 'Egress'], approx: [] },
    { name: 'spec and specs together', policy: pol('CiliumClusterwideNetworkPolicy', { endpointSelector: sel({ color: 'red' }), ingress: [{}], specs: [{ nodeSelector: {}, egress: [{}] }] }), selected: ['other', 'foo'], directions: ['Ingress', 'Egress'], approx: [] },
    { name: 'no rules and no enableDefaultDeny: no direction (documented)', policy: pol('CiliumNetworkPolicy', { endpointSelector: {} }, 'shop'), selected: ['web', 'db'], directions: [], approx: [] },
    { name: 'empty rule lists do not apply (documented)', policy: pol('CiliumNetworkPolicy', { endpointSelector: {}, ingress: [], egress: [] }, 'shop'), selected: ['web', 'db'], directions: [], approx: [] },
    { name: 'enableDefaultDeny.egress alone gives Egress', policy: pol('CiliumNetworkPolicy', { endpointSelector: {}, enableDefaultDeny: { egress: true } }, 'shop'), selected: ['web', 'db'], directions: ['Egress'], approx: [] },
    { name: 'no selector at all: every pod in scope, both directions', policy: pol('CiliumNetworkPolicy', { ingress: [{}] }, 'shop'), selected: ['web', 'db'], directions: ['Ingress', 'Egress'], approx: ['neither endpointSelector nor nodeSelector'] },
    { name: 'empty spec: every pod in scope', policy: pol('CiliumClusterwideNetworkPolicy', {}), selected: ALL, directions: ['Ingress', 'Egress'], approx: ['no spec'] },
    { name: 'an unknown operator is dropped (taken as satisfied)', policy: pol('CiliumNetworkPolicy', { endpointSelector: { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, ingress: [{}] }, 'shop'), selected: ['web', 'db'], directions: ['Ingress'], approx: ['matchExpressions[0]'] },
  ]);
});

describe('cni selection: Calico', () => {
  const np = (spec: Record<string, unknown>) => pol('CalicoNetworkPolicy', spec, 'shop');
  const gnp = (spec: Record<string, unknown>) => pol('CalicoGlobalNetworkPolicy', spec);
  check([
    { name: 'namespaced default deny: all() in its namespace', policy: np({ selector: 'all()', types: ['Ingress', 'Egress'] }), selected: ['web', 'db'], directions: ['Ingress', 'Egress'], approx: [] },
    { name: 'absent selector means all()', policy: np({ types: ['Egress'] }), selected: ['web', 'db'], directions: ['Egress'], approx: [] },
    { name: 'global default deny outside system namespaces', policy: gnp({ selector: "projectcalico.org/namespace not in {'kube-system', 'calico-system'}", types: ['Ingress', 'Egress'] }), selected: ['web', 'db', 'other', 'foo'], directions: ['Ingress', 'Egress'], approx: [] },
    { name: "projectcalico.org/namespace == 'x'", policy: gnp({ selector: "projectcalico.org/namespace == 'other'" }), selected: ['other'], directions: ['Ingress'], approx: [] },
    { name: 'namespaceSelector ANDed with selector (docs foo-and-bar)', policy: gnp({ namespaceSelector: 'projectcalico.org/name in {"foo", "bar"}', selector: 'color == "red"', types: ['Ingress'], ingress: [{ action: 'Allow' }] }), selected: ['foo'], directions: ['Ingress'], approx: [] },
    { name: 'namespaceSelector on namespace labels', policy: gnp({ namespaceSelector: "team == 'blue'" }), selected: ['web', 'db'], directions: ['Ingress'], approx: [] },
    { name: 'allow DNS egress for every pod', policy: gnp({ selector: 'all()', egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }), selected: ALL, directions: ['Egress'], approx: [] },
    { name: "has(app) && app in {'a','b'}", policy: gnp({ selector: "has(app) && app in {'web','api'}" }), selected: ['web', 'other'], directions: ['Ingress'], approx: [] },
    { name: "!(a == 'b')", policy: np({ selector: "!(app == 'web')" }), selected: ['db'], directions: ['Ingress'], approx: [] },
    { name: 'pcns. reads namespace labels', policy: gnp({ selector: "pcns.team == 'red'" }), selected: ['other'], directions: ['Ingress'], approx: [] },
    { name: 'projectcalico.org/orchestrator is k8s for every pod', policy: gnp({ selector: "projectcalico.org/orchestrator == 'k8s'" }), selected: ALL, directions: ['Ingress'], approx: [] },
    { name: 'global() selects no pod', policy: gnp({ selector: 'global()' }), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'namespaceSelector global() selects no pod', policy: gnp({ namespaceSelector: 'global()' }), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'types default: ingress and egress rules give both', policy: np({ ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }), selected: ['web', 'db'], directions: ['Ingress', 'Egress'], approx: [] },
    { name: 'types default: no rules gives Ingress', policy: np({}), selected: ['web', 'db'], directions: ['Ingress'], approx: [] },
    { name: 'a selector that does not parse: every pod in scope, with the error', policy: np({ selector: "app = 'web'" }), selected: ['web', 'db'], directions: ['Ingress'], approx: ['does not parse', 'offset'] },
    { name: 'serviceAccountSelector is over-approximated', policy: np({ selector: "app == 'web'", serviceAccountSelector: "role == 'x'" }), selected: ['web'], directions: ['Ingress'], approx: ['serviceAccountSelector'] },
    { name: 'the service-account label reads as unknown, also under !', policy: gnp({ selector: "!has(projectcalico.org/serviceaccount) && app == 'web'" }), selected: ['web', 'other'], directions: ['Ingress'], approx: ['projectcalico.org/serviceaccount'] },
    { name: 'unknown types: both directions', policy: np({ types: ['Sideways'] }), selected: ['web', 'db'], directions: ['Ingress', 'Egress'], approx: ['types'] },
  ]);
});

describe('cni selection: Antrea', () => {
  const acnp = (spec: Record<string, unknown>) => pol('AntreaClusterNetworkPolicy', spec);
  const annp = (spec: Record<string, unknown>) => pol('AntreaNetworkPolicy', spec, 'shop');
  const drop = [{ action: 'Drop' }];
  check([
    { name: 'ACNP podSelector AND namespaceSelector', policy: acnp({ appliedTo: [{ podSelector: sel({ app: 'web' }), namespaceSelector: sel({ team: 'red' }) }], ingress: drop }), selected: ['other'], directions: ['Ingress'], approx: [] },
    { name: 'ACNP podSelector alone selects in all namespaces', policy: acnp({ appliedTo: [{ podSelector: sel({ app: 'web' }) }], egress: drop }), selected: ['web', 'other'], directions: ['Egress'], approx: [] },
    { name: 'ACNP namespace isolation: namespaceSelector {}', policy: acnp({ appliedTo: [{ namespaceSelector: {} }], ingress: drop, egress: drop }), selected: ALL, directions: ['Ingress', 'Egress'], approx: [] },
    { name: 'ANNP podSelector stays in its namespace', policy: annp({ appliedTo: [{ podSelector: sel({ app: 'web' }) }], ingress: drop }), selected: ['web'], directions: ['Ingress'], approx: [] },
    { name: 'group is over-approximated to every pod in scope', policy: acnp({ appliedTo: [{ group: 'cg-web' }], ingress: drop }), selected: ALL, directions: ['Ingress'], approx: ['group cg-web'] },
    { name: 'serviceAccount: every pod of its namespace', policy: acnp({ appliedTo: [{ serviceAccount: { name: 'sa', namespace: 'shop' } }], egress: drop }), selected: ['web', 'db'], directions: ['Egress'], approx: ['serviceAccount shop/sa'] },
    { name: 'service: every pod of its namespace', policy: acnp({ appliedTo: [{ service: { name: 'svc', namespace: 'kube-system' } }], ingress: drop }), selected: ['dns'], directions: ['Ingress'], approx: ['service kube-system/svc'] },
    { name: 'nodeSelector and externalEntitySelector select no pod', policy: acnp({ appliedTo: [{ nodeSelector: {} }, { externalEntitySelector: {} }], ingress: drop }), selected: [], directions: ['Ingress'], approx: [] },
    { name: 'rule-level appliedTo: union over rules', policy: acnp({ ingress: [{ action: 'Drop', appliedTo: [{ podSelector: sel({ app: 'db' }) }] }], egress: [{ action: 'Drop', appliedTo: [{ namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'kube-system' }) }] }] }), selected: ['db', 'dns'], directions: ['Ingress', 'Egress'], approx: [] },
    { name: 'ANNP namespaceSelector (forbidden) is ignored, own namespace only', policy: annp({ appliedTo: [{ podSelector: sel({ app: 'db' }), namespaceSelector: sel({ team: 'red' }) }], ingress: drop }), selected: ['db'], directions: ['Ingress'], approx: ['forbidden'] },
    { name: 'ANNP serviceAccount: every pod of its namespace', policy: annp({ appliedTo: [{ serviceAccount: { name: 'sa', namespace: 'shop' } }], ingress: drop }), selected: ['web', 'db'], directions: ['Ingress'], approx: ['serviceAccount'] },
    { name: 'no appliedTo anywhere: every pod in scope', policy: annp({ ingress: drop }), selected: ['web', 'db'], directions: ['Ingress'], approx: ['no appliedTo'] },
    { name: 'appliedTo but no rules: no direction', policy: acnp({ appliedTo: [{ podSelector: {} }] }), selected: ALL, directions: [], approx: [] },
  ]);
});

// ----- properties: exact without notes, a superset with them --------------------------------------

const VALUES = ['a', 'b'];
const valueArb = fc.constantFrom(...VALUES);
const optValue = fc.option(valueArb, { nil: undefined });

/** What a cluster knows and we do not, plus what we do know. */
const worldArb = fc.record({
  namespace: fc.constantFrom('shop', 'other'),
  pod: fc.record({ app: optValue, 'pod-template-hash': optValue }, { requiredKeys: [] }),
  ns: fc.record({ team: optValue }, { requiredKeys: [] }),
  serviceAccount: valueArb,
  cluster: valueArb,
  /** Whether Cilium's label filter dropped pod-template-hash (version- and configuration-dependent). */
  filtered: fc.boolean(),
});
type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

function defined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
function targetOf(w: World): SelectionTarget {
  return { namespace: w.namespace, podLabels: defined(w.pod), namespaceLabels: defined(w.ns) };
}

/** The endpoint's Cilium identity labels, as `cilium-dbg endpoint list` prints them. */
function ciliumIdentity(w: World): Record<string, string> {
  const id: Record<string, string> = {
    'k8s:io.kubernetes.pod.namespace': w.namespace,
    'k8s:io.cilium.k8s.policy.serviceaccount': w.serviceAccount,
    'k8s:io.cilium.k8s.policy.cluster': w.cluster,
  };
  for (const [k, v] of Object.entries(defined(w.pod))) if (!(k === 'pod-template-hash' && w.filtered)) id[`k8s:${k}`] = v;
  for (const [k, v] of Object.entries(defined(w.ns))) id[`k8s:io.cilium.k8s.namespace.labels.${k}`] = v;
  return id;
}

function ciliumOracle(rs: LabelSelectorRequirement[], w: World): boolean {
  const id = ciliumIdentity(w);
  return rs.every((r) => {
    const key = r.key.includes(':') ? r.key : `any:${r.key}`;
    const name = key.slice(key.indexOf(':') + 1);
    const v = key.startsWith('reserved:') ? undefined : id[`k8s:${name}`];
    const vs = r.values ?? [];
    if (r.operator === 'In') return v !== undefined && vs.includes(v);
    if (r.operator === 'NotIn') return v === undefined || !vs.includes(v);
    return r.operator === 'Exists' ? v !== undefined : v === undefined;
  });
}

const ciliumKeyArb = fc.constantFrom(
  'app', 'k8s:app', 'any:app', 'pod-template-hash', 'io.kubernetes.pod.namespace', 'k8s:io.cilium.k8s.namespace.labels.team',
  'io.cilium.k8s.policy.serviceaccount', 'k8s:io.cilium.k8s.policy.cluster', 'reserved:host',
);
const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key: ciliumKeyArb, operator: fc.constantFrom('In', 'NotIn' as const), values: fc.array(fc.constantFrom('a', 'b', 'shop'), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: ciliumKeyArb, operator: fc.constantFrom('Exists', 'DoesNotExist' as const) }),
);

const calicoAstOverKeys = calicoAstArb(
  ['app', 'pod-template-hash', 'projectcalico.org/namespace', 'pcns.team', 'projectcalico.org/serviceaccount', 'pcsa.role'],
  ['a', 'b', 'shop'],
);

/** The pod's full Calico label set, service-account labels included. */
function calicoLabels(w: World): Record<string, string> {
  const l: Record<string, string> = { ...defined(w.pod), 'projectcalico.org/namespace': w.namespace, 'projectcalico.org/orchestrator': 'k8s', 'projectcalico.org/serviceaccount': w.serviceAccount, 'pcsa.role': w.cluster };
  for (const [k, v] of Object.entries(defined(w.ns))) l[`pcns.${k}`] = v;
  return l;
}

describe('cni selection: properties', () => {
  it('Cilium: exact when nothing is approximated, a superset otherwise', () => {
    fc.assert(
      fc.property(fc.array(requirementArb, { maxLength: 3 }), fc.boolean(), worldArb, (rs, clusterwide, w) => {
        const p = clusterwide
          ? pol('CiliumClusterwideNetworkPolicy', { endpointSelector: { matchExpressions: rs }, ingress: [{}] })
          : pol('CiliumNetworkPolicy', { endpointSelector: { matchExpressions: rs }, ingress: [{}] }, 'shop');
        const s = cniSelection(p);
        const exact = (clusterwide || w.namespace === 'shop') && ciliumOracle(rs, w);
        const got = s.selects(targetOf(w));
        if (exact) assert.ok(got, `missed: ${JSON.stringify({ rs, w })}`);
        if (s.approximations.length === 0) assert.equal(got, exact, JSON.stringify({ rs, w }));
      }),
      { numRuns: 1000 },
    );
  });

  it('Calico: exact when nothing is approximated, a superset otherwise', () => {
    fc.assert(
      fc.property(calicoAstOverKeys, fc.boolean(), worldArb, (ast, global, w) => {
        const selector = renderCalico(ast);
        const p = global ? pol('CalicoGlobalNetworkPolicy', { selector }) : pol('CalicoNetworkPolicy', { selector }, 'shop');
        const s = cniSelection(p);
        const parsed = parseCalicoSelector(selector);
        assert.ok(parsed.ok);
        const exact = (global || w.namespace === 'shop') && parsed.matches(calicoLabels(w));
        const got = s.selects(targetOf(w));
        if (exact) assert.ok(got, `missed: ${selector} ${JSON.stringify(w)}`);
        if (s.approximations.length === 0) assert.equal(got, exact, `${selector} ${JSON.stringify(w)}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('Antrea: an over-approximated peer never selects less than the exact peer beside it', () => {
    fc.assert(
      fc.property(fc.array(requirementArb.filter((r) => !r.key.includes(':') && !r.key.includes('.')), { maxLength: 2 }), worldArb, (rs, w) => {
        const exactPeer = { podSelector: { matchExpressions: rs } };
        const exact = cniSelection(pol('AntreaClusterNetworkPolicy', { appliedTo: [exactPeer], ingress: [{}] }));
        const wider = cniSelection(pol('AntreaClusterNetworkPolicy', { appliedTo: [exactPeer, { serviceAccount: { name: 'x', namespace: 'other' } }], ingress: [{}] }));
        assert.deepEqual(exact.approximations, []);
        const t = targetOf(w);
        if (exact.selects(t)) assert.ok(wider.selects(t));
        if (w.namespace === 'other') assert.ok(wider.selects(t));
      }),
      { numRuns: 300 },
    );
  });
});
