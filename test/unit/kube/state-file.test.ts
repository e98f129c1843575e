// Saved cluster states: kubectl's List, multi-document YAML, JSON.
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/core/errors.ts';
import { parseStateFile } from '../../../src/kube/state-file.ts';

const nsYaml = (name: string, extra = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${extra}`;
const npYaml = (ns: string, name: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: fe}}\n`;
const indent = (text: string) => text.trimEnd().split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n');

const summary = (text: string) => {
  const s = parseStateFile(text, 'state.yaml');
  return {
    namespaces: s.namespaces.map((n) => `${n.metadata.name}${n.phase === 'Terminating' ? ' (terminating)' : ''}`),
    policies: s.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
  };
};

describe('kube/state-file: parseStateFile', () => {
  const expected = { namespaces: ['a', 'b (terminating)'], policies: ['a/web'] };
  const inputs: [what: string, text: string][] = [
    ['a kubectl List (YAML)', `apiVersion: v1\nkind: List\nitems:\n${indent(nsYaml('a'))}\n${indent(nsYaml('b', 'status:\n  phase: Terminating\n'))}\n${indent(npYaml('a', 'web'))}\n`],
    ['multi-document YAML', [nsYaml('a'), nsYaml('b', '  deletionTimestamp: "2024-05-01T11:00:00Z"\n'), npYaml('a', 'web')].join('---\n')],
    ['a kubectl List (JSON)', JSON.stringify({
      apiVersion: 'v1', kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' }, status: { phase: 'Terminating' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'a' }, spec: { podSelector: {} } },
      ],
    })],
    ['nested lists in several documents', `kind: List\nitems:\n${indent(nsYaml('a'))}\n---\nkind: NetworkPolicyList\nitems:\n${indent(npYaml('a', 'web'))}\n---\n${nsYaml('b', 'status: {phase: Terminating}\n')}`],
  ];
  for (const [what, text] of inputs) it(`reads ${what}`, () => assert.deepEqual(summary(text), expected));

  it('keeps `from` of plain YAML', () => {
    const s = parseStateFile([nsYaml('a'), npYaml('a', 'web')].join('---\n'), 'f');
    assert.deepEqual(s.policies[0]?.spec.ingress, [{ from: [{ podSelector: { matchLabels: { app: 'fe' } } }] }]);
  });

  it('other kinds are ignored; pods and nodes are read', () => {
    const text = [nsYaml('a'), 'kind: ConfigMap\nmetadata: {name: x, namespace: a}\n', 'kind: Pod\nmetadata: {name: p, namespace: a}\nstatus: {podIP: 10.0.0.1}\n', 'kind: Node\nmetadata: {name: n1}\n'].join('---\n');
    const s = parseStateFile(text, 'f');
    assert.deepEqual([s.namespaces.length, s.policies.length, s.pods.map((p) => p.podIPs[0]), s.nodes.map((n) => n.metadata.name)], [1, 0, ['10.0.0.1'], ['n1']]);
  });

  const refused: [what: string, text: string, message: RegExp][] = [
    ['no Namespace objects', npYaml('a', 'web'), /^state\.yaml has no Namespace objects, so namespaces without policies cannot be seen$/],
    ['an empty file', '', /^state\.yaml has no Namespace objects/],
    ['an empty List', 'kind: List\nitems: []\n', /^state\.yaml has no Namespace objects/],
    ['invalid YAML', 'kind: List\nitems: [\n', /^state\.yaml is not valid YAML or JSON: /],
    ['a scalar document', 'just text\n', /^state\.yaml has no Namespace objects/],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what} with a UsageError saying how to save a state`, () => {
      assert.throws(() => parseStateFile(text, 'state.yaml'), (e: unknown) => e instanceof UsageError && message.test(e.message) && e.hint.includes('kubectl get namespaces,networkpolicies -A -o yaml'));
    });
  }
});
