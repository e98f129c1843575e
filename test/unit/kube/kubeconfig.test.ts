// kubeconfig loading the way kubectl does it (files written under os.tmpdir()).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { ConfigError } from '../../../src/core/errors.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { loadMerged } from '../../../src/kube/client.ts';
import { kubeconfigFiles, mergeKubeconfigs } from '../../../src/kube/kubeconfig.ts';

interface Kc {
  current?: string;
  clusters?: [name: string, cluster: Record<string, unknown>][];
  users?: [name: string, user: Record<string, unknown>][];
  contexts?: [name: string, cluster: string, user: string][];
}

function kubeconfigYaml(k: Kc): string {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    ...(k.current !== undefined ? { 'current-context': k.current } : {}),
    clusters: (k.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
    users: (k.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (k.contexts ?? []).map(([name, cluster, user]) => ({ name, context: { cluster, user } })),
  });
}

describe('kube/kubeconfig', () => {
  let dir: string;
  const write = (rel: string, k: Kc | string): string => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof k === 'string' ? k : kubeconfigYaml(k));
    return file;
  };
  const configError = (pattern: RegExp) => (e: unknown) => e instanceof ConfigError && pattern.test(e.message);

  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-kc-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const a: Kc = { current: 'ctx-a', clusters: [['c-a', { server: 'https://a:6443' }]], users: [['u-a', { token: 'x' }]], contexts: [['ctx-a', 'c-a', 'u-a']] };
  const b: Kc = { current: 'ctx-b', clusters: [['c-b', { server: 'https://b:6443' }]], users: [['u-b', { token: 'y' }]], contexts: [['ctx-b', 'c-b', 'u-b']] };

  describe('which files', () => {
    it('--kubeconfig: that file only', () => {
      const fa = write('a', a);
      write('b', b);
      assert.deepEqual(kubeconfigFiles({ explicitFile: fa, envValue: path.join(dir, 'b') }), [fa]);
    });

    it('--kubeconfig naming a missing file → ConfigError', () => {
      assert.throws(() => kubeconfigFiles({ explicitFile: path.join(dir, 'nope') }), configError(/^kubeconfig .*nope does not exist$/));
    });

    it('$KUBECONFIG: the existing files in order, missing ones and duplicates dropped', () => {
      const fa = write('a', a);
      const fb = write('b', b);
      const env = [fb, path.join(dir, 'missing'), '', fa, fb].join(path.delimiter);
      assert.deepEqual(kubeconfigFiles({ envValue: env }), [fb, fa]);
    });

    it('no flag, no $KUBECONFIG: ~/.kube/config if it exists, else nothing', () => {
      assert.deepEqual(kubeconfigFiles({ home: dir }), []);
      const f = write('.kube/config', a);
      assert.deepEqual(kubeconfigFiles({ home: dir }), [f]);
    });
  });

  describe('merging', () => {
    it('the first file that sets current-context wins', () => {
      const m = mergeKubeconfigs([write('a', a), write('b', b)]);
      assert.equal(m.currentContext, 'ctx-a');
      assert.deepEqual(m.contexts.map((c) => c.name), ['ctx-a', 'ctx-b']);
    });

    it('a first file without current-context does not block a later one', () => {
      const m = mergeKubeconfigs([write('a', { ...a, current: '' }), write('b', b)]);
      assert.equal(m.currentContext, 'ctx-b');
    });

    it('the same name in two files: the first definition wins', () => {
      const second: Kc = { current: 'ctx-a', clusters: [['c-a', { server: 'https://evil:6443' }]], users: [['u-a', { token: 'other' }]], contexts: [['ctx-a', 'c-b', 'u-b']] };
      const m = mergeKubeconfigs([write('a', a), write('b', second)]);
      assert.deepEqual(m.clusters.map((c) => [c.name, (c['cluster'] as { server: string }).server]), [['c-a', 'https://a:6443']]);
      assert.deepEqual(m.users.map((u) => (u['user'] as { token: string }).token), ['x']);
      assert.deepEqual((m.contexts[0]?.['context'] as { cluster: string }).cluster, 'c-a');
    });

    it('relative certificate, key, token and exec paths resolve against their own file', () => {
      const withPaths: Kc = {
        current: 'ctx',
        clusters: [['c', { server: 'https://a', 'certificate-authority': 'certs/ca.crt' }]],
        users: [['u', { 'client-certificate': 'u.crt', 'client-key': '../keys/u.key', tokenFile: 'tok', exec: { command: './bin/get-token', apiVersion: 'client.authentication.k8s.io/v1' } }]],
        contexts: [['ctx', 'c', 'u']],
      };
      const other: Kc = { clusters: [['c2', { server: 'https://b', 'certificate-authority': 'ca2.crt' }]], users: [['u2', { 'client-key': '/abs/u2.key', exec: { command: 'aws' } }]] };
      const f1 = write('one/config', withPaths);
      const f2 = write('two/deeper/config', other);
      const m = mergeKubeconfigs([f1, f2]);
      const cluster = (n: string) => m.clusters.find((c) => c.name === n)?.['cluster'] as Record<string, unknown>;
      const user = (n: string) => m.users.find((u) => u.name === n)?.['user'] as Record<string, unknown>;
      assert.equal(cluster('c')['certificate-authority'], path.join(dir, 'one', 'certs', 'ca.crt'));
      assert.equal(cluster('c2')['certificate-authority'], path.join(dir, 'two', 'deeper', 'ca2.crt'));
      assert.deepEqual(
        [user('u')['client-certificate'], user('u')['client-key'], user('u')['tokenFile'], (user('u')['exec'] as { command: string }).command],
        [path.join(dir, 'one', 'u.crt'), path.join(dir, 'keys', 'u.key'), path.join(dir, 'one', 'tok'), path.join(dir, 'one', 'bin', 'get-token')],
      );
      assert.equal(user('u2')['client-key'], '/abs/u2.key', 'absolute paths are kept');
      assert.equal((user('u2')['exec'] as { command: string }).command, 'aws', 'a bare command is looked up on PATH');
    });

    it('--context selects a known context', () => {
      assert.equal(mergeKubeconfigs([write('a', a), write('b', b)], 'ctx-b').currentContext, 'ctx-b');
    });

    it('an unknown --context → ConfigError listing the known contexts', () => {
      const files = [write('a', a), write('b', b)];
      assert.throws(() => mergeKubeconfigs(files, 'prod'), (e: unknown) =>
        e instanceof ConfigError && e.message === `context "prod" not found in kubeconfig (${files.join(', ')}); known contexts: ctx-a, ctx-b` && /--context/.test(e.hint));
    });

    it('an unknown --context with no contexts at all says "none"', () => {
      assert.throws(() => mergeKubeconfigs([write('e', {})], 'prod'), configError(/known contexts: none$/));
    });

    const broken: [what: string, content: Kc | string, message: RegExp][] = [
      ['no current context', { ...a, current: '' }, /^no current context in kubeconfig/],
      ['current context not defined', { ...a, current: 'ghost' }, /^current context "ghost" is not defined/],
      ['context naming a missing cluster', { ...a, contexts: [['ctx-a', 'nope', 'u-a']] }, /^context "ctx-a" names cluster "nope", which is not in kubeconfig$/],
      ['not YAML', 'clusters: [\n  - {', /is not valid YAML/],
      ['not a mapping', '- a\n- b\n', /is not a kubeconfig \(expected a mapping\)$/],
      ['an empty document (---)', '---\n', /^no current context/],
    ];
    for (const [what, content, message] of broken) {
      it(`${what} → ConfigError`, () => assert.throws(() => mergeKubeconfigs([write('k', content)]), configError(message)));
    }

    it('an unreadable file (a directory) → ConfigError', () => {
      fs.mkdirSync(path.join(dir, 'isdir'));
      assert.throws(() => mergeKubeconfigs([path.join(dir, 'isdir')]), configError(/^cannot read kubeconfig/));
    });

    it('the merged kubeconfig loads into client-node as loadFromString would load the same text, with the chosen context', () => {
      const m = mergeKubeconfigs([write('a', a), write('b', b)], 'ctx-b');
      const kc = loadMerged(new KubeConfig(), m);
      const viaText = new KubeConfig();
      viaText.loadFromString(yaml.dump({ apiVersion: 'v1', kind: 'Config', clusters: m.clusters, users: m.users, contexts: m.contexts, 'current-context': m.currentContext }));
      assert.equal(kc.getCurrentContext(), 'ctx-b');
      assert.deepEqual([kc.clusters, kc.users, kc.contexts], [viaText.clusters, viaText.users, viaText.contexts]);
      assert.ok(kc.getCurrentCluster()?.server, 'field names are client-node\'s (server, caData …)');
    });
  });
});
