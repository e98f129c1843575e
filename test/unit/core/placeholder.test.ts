// The placeholder we create, and how we recognise our own unchanged objects (the receipt).
import assert from 'node:assert/strict';
import type { NetworkPolicy, NetworkPolicySpec } from '../../../src/core/model.ts';
import {
  canonical, isLegacyName, isOurs, isUnmodified, placeholderPolicy, templateOf, templateSpec,
  MANAGED_BY_LABEL, TEMPLATE_ANNOTATION,
} from '../../../src/core/placeholder.ts';
import { ours, policy } from '../builders.ts';

const withSpec = (p: NetworkPolicy, spec: NetworkPolicySpec): NetworkPolicy => ({ ...p, spec });
const editSpec = (edit: (s: NetworkPolicySpec) => void, template: 'allow-all' | 'cluster-internal' = 'allow-all'): NetworkPolicy => {
  const p = ours('a', { template });
  edit(p.spec);
  return p;
};

describe('core/placeholder: templates', () => {
  it('allow-all is exactly the documented spec', () => {
    assert.deepEqual(templateSpec('allow-all'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] });
  });

  it('cluster-internal is the guide\'s YAML (pod and namespace selectors only)', () => {
    assert.deepEqual(templateSpec('cluster-internal'), {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }],
      egress: [{ to: [{ namespaceSelector: {} }, { podSelector: {} }] }],
    });
  });

  it('templateSpec hands out a copy: mutating it cannot change the template', () => {
    const s = templateSpec('allow-all');
    s.ingress = [];
    assert.deepEqual(templateSpec('allow-all').ingress, [{}]);
  });

  it('the placeholder carries the receipt: benchmark and managed-by labels, template and version annotations', () => {
    const p = placeholderPolicy('prod', { name: 'cis-default-allow', template: 'allow-all', version: '9.9.9' });
    assert.deepEqual(p.metadata.labels, { 'cis-benchmark': '5.3.2', 'app.kubernetes.io/managed-by': 'kubectl-cis-netpol' });
    assert.equal(p.metadata.annotations?.['cis-netpol.io/template'], 'allow-all');
    assert.equal(p.metadata.annotations?.['cis-netpol.io/version'], '9.9.9');
    assert.match(p.metadata.annotations?.['cis-netpol.io/description'] ?? '', /^CIS 5\.3\.2 placeholder\. Allows all ingress and egress/);
    assert.match(p.metadata.annotations?.['cis-netpol.io/warning'] ?? '', /Policies are additive/);
    assert.deepEqual([p.metadata.name, p.metadata.namespace], ['cis-default-allow', 'prod']);
    assert.deepEqual(p.spec, templateSpec('allow-all'));
  });
});

describe('core/placeholder: isOurs', () => {
  const strip = (p: NetworkPolicy, what: 'label' | 'annotation', value?: string): NetworkPolicy => {
    const c = structuredClone(p);
    const bag = what === 'label' ? (c.metadata.labels ??= {}) : (c.metadata.annotations ??= {});
    const key = what === 'label' ? MANAGED_BY_LABEL : TEMPLATE_ANNOTATION;
    if (value === undefined) delete bag[key];
    else bag[key] = value;
    return c;
  };
  const cases: [what: string, p: NetworkPolicy, expected: boolean][] = [
    ['our allow-all placeholder', ours('a'), true],
    ['our cluster-internal placeholder', ours('a', { template: 'cluster-internal' }), true],
    ['ours, edited since (still ours)', ours('a', { edited: true }), true],
    ['a user policy', policy('a', 'web'), false],
    ['a user policy named like ours', policy('a', 'cis-default-allow'), false],
    ['managed-by label missing', strip(ours('a'), 'label'), false],
    ['managed-by another tool', strip(ours('a'), 'label', 'helm'), false],
    ['template annotation missing', strip(ours('a'), 'annotation'), false],
    ['unknown template annotation', strip(ours('a'), 'annotation', 'deny-all'), false],
  ];
  for (const [what, p, expected] of cases) it(`${what}: ${expected}`, () => assert.equal(isOurs(p), expected));

  it('templateOf reads the annotation', () => {
    assert.equal(templateOf(ours('a', { template: 'cluster-internal' })), 'cluster-internal');
    assert.equal(templateOf(policy('a', 'x')), undefined);
  });
});

describe('core/placeholder: isUnmodified', () => {
  const unmodified: [what: string, p: NetworkPolicy][] = [
    ['as created', ours('a')],
    ['cluster-internal as created', ours('a', { template: 'cluster-internal' })],
    ['keys in another order (server round trip)', withSpec(ours('a'), { egress: [{}], ingress: [{}], policyTypes: ['Ingress', 'Egress'], podSelector: {} })],
    ['podSelector with empty matchLabels / matchExpressions', editSpec((s) => { s.podSelector = { matchLabels: {}, matchExpressions: [] }; })],
    ['rules with empty from/to/ports lists (same meaning)', editSpec((s) => { s.ingress = [{ from: [], ports: [] }]; s.egress = [{ to: [] }]; })],
  ];
  for (const [what, p] of unmodified) it(`unmodified: ${what}`, () => assert.equal(isUnmodified(p), true));

  const modified: [what: string, p: NetworkPolicy][] = [
    ['ingress [{}] → [] (now denies all ingress)', editSpec((s) => { s.ingress = []; })],
    ['egress [{}] → [] (now denies all egress)', editSpec((s) => { s.egress = []; })],
    ['a from peer added', editSpec((s) => { s.ingress = [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }]; })],
    ['a to ipBlock added', editSpec((s) => { s.egress = [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }]; })],
    ['a port added', editSpec((s) => { s.ingress = [{ ports: [{ protocol: 'TCP', port: 443 }] }]; })],
    ['podSelector narrowed', editSpec((s) => { s.podSelector = { matchLabels: { app: 'web' } }; })],
    ['policyTypes reduced to Ingress', editSpec((s) => { s.policyTypes = ['Ingress']; })],
    ['egress removed', editSpec((s) => { delete s.egress; })],
    ['a second ingress rule', editSpec((s) => { s.ingress = [{}, { from: [{ namespaceSelector: {} }] }]; })],
    ['cluster-internal widened to allow-all', editSpec((s) => { s.ingress = [{}]; }, 'cluster-internal')],
    ['the builder\'s edited placeholder', ours('a', { edited: true })],
  ];
  for (const [what, p] of modified) it(`modified: ${what}`, () => assert.equal(isUnmodified(p), false));

  it('a user policy with exactly our spec is not "unmodified" (no template annotation)', () => {
    assert.equal(isUnmodified(policy('a', 'x', templateSpec('allow-all'))), false);
  });

  it('the template annotation decides which template to compare with', () => {
    const p = ours('a', { template: 'cluster-internal' });
    p.spec = templateSpec('allow-all');
    assert.equal(isUnmodified(p), false);
  });
});

describe('core/placeholder: canonical and legacy names', () => {
  it('canonical sorts keys and drops undefined/null', () => {
    assert.equal(canonical({ b: 1, a: { d: null, c: undefined, e: [2] } }), '{"a":{"e":[2]},"b":1}');
  });
  const names: [string, boolean][] = [
    ['cis-default-allow', true], ['cis-allow-all-safety-net', true], ['cis-baseline-allow-x', true],
    ['cis-baseline-allow-', false], ['cis-default-allow-2', false], ['default-allow', false],
  ];
  for (const [n, legacy] of names) it(`isLegacyName(${n}) = ${legacy}`, () => assert.equal(isLegacyName(n), legacy));
});
