// Which namespaces a run looks at, and the reason each other one is skipped.
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/core/errors.ts';
import { checkNamespaceName, compileGlob } from '../../../src/core/glob.ts';
import { SYSTEM_NAMESPACES } from '../../../src/core/scope.ts';
import { namespace, scope } from '../builders.ts';

describe('core/scope: system namespaces', () => {
  const cases: [name: string, rule: string | undefined][] = [
    ['kube-system', 'kube-system'],
    ['kube-public', 'kube-public'],
    ['kube-node-lease', 'kube-node-lease'],
    ['kube-flannel', 'kube-*'],
    ['openshift-monitoring', 'openshift-*'],
    ['calico-system', 'calico-*'],
    ['default', undefined],
    ['kubernetes-dashboard', undefined],
    ['my-kube-system', undefined],
    ['openshift', undefined],
    ['tigera-operator', undefined],
  ];
  for (const [name, rule] of cases) {
    it(`${name}: ${rule ? `system (${rule})` : 'in scope'}`, () => {
      const skip = scope().skipReason(namespace(name));
      if (rule === undefined) assert.equal(skip, undefined);
      else assert.deepEqual(skip, { kind: 'system', rule, message: `System namespace (matches ${rule}; use --include-system to check it)` });
    });
  }

  it('--include-system checks every system namespace', () => {
    for (const name of [...SYSTEM_NAMESPACES, 'openshift-dns', 'calico-apiserver']) {
      assert.equal(scope({ includeSystem: true }).skipReason(namespace(name)), undefined, name);
    }
  });
});

describe('core/scope: --exclude globs', () => {
  const cases: [globs: string[], name: string, rule: string | undefined][] = [
    [['team-*'], 'team-a', 'team-*'],
    [['team-*'], 'team-', 'team-*'],
    [['team-*'], 'myteam-a', undefined],
    [['team-?'], 'team-b', 'team-?'],
    [['team-?'], 'team-bb', undefined],
    [['*-sandbox', 'dev'], 'dev', 'dev'],
    [['*-sandbox', 'dev'], 'alice-sandbox', '*-sandbox'],
    [['*-sandbox', 'dev'], 'develop', undefined],
    [['*'], 'anything', '*'],
  ];
  for (const [globs, name, rule] of cases) {
    it(`${globs.join(',')} vs ${name}: ${rule ?? 'in scope'}`, () => {
      const skip = scope({ exclude: globs }).skipReason(namespace(name));
      if (rule === undefined) assert.equal(skip, undefined);
      else assert.deepEqual(skip, { kind: 'excluded', rule, message: `Excluded (--exclude ${rule})` });
    });
  }

  it('an exclusion wins over the system rule (the reason names the user\'s glob)', () => {
    assert.equal(scope({ exclude: ['kube-*'] }).skipReason(namespace('kube-system'))?.kind, 'excluded');
  });

  it('a bad glob is refused when the scope is made, before any request', () => {
    assert.throws(() => scope({ exclude: ['Team-*'] }), UsageError);
  });
});

describe('core/scope: terminating namespaces', () => {
  it('a terminating namespace is skipped with its reason', () => {
    assert.deepEqual(scope().skipReason(namespace('old', { terminating: true })), { kind: 'terminating', message: 'Namespace is terminating (being deleted; takes no new objects)' });
  });
  it('system and exclusion reasons come first', () => {
    assert.equal(scope().skipReason(namespace('kube-x', { terminating: true }))?.kind, 'system');
    assert.equal(scope({ exclude: ['old'] }).skipReason(namespace('old', { terminating: true }))?.kind, 'excluded');
  });
});

describe('core/glob: validation', () => {
  const valid = ['team-*', 'a?c', '*', 'prod', '0-9'];
  const invalid = ['', 'Team-*', 'team_*', 'team.*', 'a/b', '[ab]', 'team-{a,b}', ' team', 'a+', '^a$'];
  for (const g of valid) it(`accepts ${JSON.stringify(g)}`, () => assert.equal(compileGlob(g).source, g));
  for (const g of invalid) {
    it(`refuses ${JSON.stringify(g)} with a UsageError that says what is allowed`, () => {
      assert.throws(() => compileGlob(g), (e: unknown) => e instanceof UsageError && e.message.includes(`invalid glob "${g}"`) && e.hint.includes('--exclude'));
    });
  }
  it('globs match the whole name', () => {
    assert.equal(compileGlob('prod').test('production'), false);
    assert.equal(compileGlob('prod*').test('production'), true);
  });
});

describe('core/glob: namespace names', () => {
  const ok = ['a', 'default', 'team-1', '0abc', 'a'.repeat(63)];
  const bad = ['', 'A', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64), 'team *'];
  for (const n of ok) it(`accepts ${n.length > 20 ? `${n.length} chars` : JSON.stringify(n)}`, () => assert.doesNotThrow(() => checkNamespaceName(n)));
  for (const n of bad) {
    it(`refuses ${n.length > 20 ? `${n.length} chars` : JSON.stringify(n)}`, () => {
      assert.throws(() => checkNamespaceName(n), (e: unknown) => e instanceof UsageError && e.message.startsWith(`invalid namespace name "${n}"`));
    });
  }
});
