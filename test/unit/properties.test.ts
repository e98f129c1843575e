// Remediate and rollback over random cluster states (fast-check), end to end in memory: read a
// snapshot the way src/app does, plan with src/core, and apply the plan to a model of the API
// server (uids, resourceVersions, 404/409 and delete preconditions). Then:
//   - after remediate every in-scope namespace passes the audit;
//   - remediate then rollback leaves exactly the original objects (same uids and resourceVersions);
//   - no plan writes to an object we did not create, even when users change the cluster between
//     our read and our writes;
//   - a remediate cut off after any number of writes converges on the next run.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { audit } from '../../src/core/audit.ts';
import type { ApiErrorKind } from '../../src/core/errors.ts';
import type { Namespace, NetworkPolicy } from '../../src/core/model.ts';
import { isOurs, isUnmodified, type PlaceholderOptions } from '../../src/core/placeholder.ts';
import { planRemediation } from '../../src/core/remediate.ts';
import type { Snapshot } from '../../src/core/report.ts';
import { planRollback } from '../../src/core/rollback.ts';
import { makeScope, type ScopeOptions } from '../../src/core/scope.ts';
import { namespace, policy, policyOfKind, POLICY_KINDS, snapshot, TEST_VERSION, type PolicyKind } from './builders.ts';

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------------------------
// A model of the API server: what create and delete do to the stored objects.

interface World {
  namespaces: Namespace[];
  policies: NetworkPolicy[];
}

const key = (p: NetworkPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;

class Server {
  readonly world: World;
  private serial = 1000;
  /** Every object this run created (the API server's answer), by uid. */
  readonly createdUids = new Set<string>();

  constructor(world: World) {
    this.world = structuredClone(world);
  }

  private find(ns: string, name: string): number {
    return this.world.policies.findIndex((p) => p.metadata.namespace === ns && p.metadata.name === name);
  }

  create(p: NetworkPolicy): 'Created' | ApiErrorKind {
    const ns = this.world.namespaces.find((n) => n.metadata.name === p.metadata.namespace);
    if (!ns) return 'NotFound';
    if (ns.phase === 'Terminating') return 'NamespaceTerminating';
    if (this.find(p.metadata.namespace, p.metadata.name) >= 0) return 'AlreadyExists';
    const stored = structuredClone(p);
    stored.metadata.uid = `created#${++this.serial}`;
    stored.metadata.resourceVersion = String(++this.serial);
    this.world.policies.push(stored);
    this.createdUids.add(stored.metadata.uid);
    return 'Created';
  }

  /** With the uid and resourceVersion preconditions the real client sends. */
  delete(p: NetworkPolicy): 'Deleted' | ApiErrorKind {
    const i = this.find(p.metadata.namespace, p.metadata.name);
    if (i < 0) return 'NotFound';
    const cur = this.world.policies[i] as NetworkPolicy;
    if (cur.metadata.uid !== p.metadata.uid || cur.metadata.resourceVersion !== p.metadata.resourceVersion) return 'Conflict';
    this.world.policies.splice(i, 1);
    return 'Deleted';
  }

  /** What readClusterSnapshot gets: everything, or only the namespaces given with -n. */
  read(o: ScopeOptions): Snapshot {
    const w = structuredClone(this.world);
    if (o.namespaces.length === 0) return snapshot({ namespaces: w.namespaces, policies: w.policies });
    const listed = new Set(o.namespaces);
    return snapshot({
      namespaces: w.namespaces.filter((n) => listed.has(n.metadata.name)),
      policies: w.policies.filter((p) => listed.has(p.metadata.namespace)),
      missing: o.namespaces.filter((n) => !w.namespaces.some((x) => x.metadata.name === n)),
    });
  }
}

function remediate(server: Server, o: ScopeOptions, ph: PlaceholderOptions, limit = Infinity) {
  const plan = planRemediation(server.read(o), makeScope(o), ph);
  plan.creates.slice(0, limit).forEach((p) => server.create(p));
  return plan;
}

function rollback(server: Server, o: ScopeOptions, force = false) {
  const plan = planRollback(server.read(o), makeScope(o), force);
  plan.deletes.forEach((p) => server.delete(p));
  return plan;
}

/** One stored object, comparable: identity, version and content. */
const sig = (p: NetworkPolicy) => JSON.stringify([key(p), p.metadata.uid, p.metadata.resourceVersion, p.metadata.labels, p.metadata.annotations, p.spec]);
const objects = (policies: NetworkPolicy[]) => policies.map(sig).sort();

// ---------------------------------------------------------------------------------------------
// Random cluster states

const NAMESPACES = ['default', 'prod', 'dev', 'team-a', 'team-b', 'sandbox-1', 'kube-system', 'kube-public', 'openshift-monitoring', 'calico-system'];
const POLICY_NAMES = ['web', 'deny-all', 'allow-dns', 'cis-default-allow', 'baseline-allow', 'cis-allow-all-safety-net'];
const KINDS = POLICY_KINDS;
const OUR_KINDS = new Set<string>(['ours', 'ours-cluster-internal', 'ours-edited', 'created']);

// The test's own record of who made an object, independent of isOurs(): uids are `<kind>#<n>`,
// `created#<n>` for what our plans created, `user#<n>` for what users create during a run.
const madeBy = (p: NetworkPolicy) => (p.metadata.uid ?? '').split('#')[0] as string;
const madeByUs = (p: NetworkPolicy) => OUR_KINDS.has(madeBy(p));


function worldArb(kinds: readonly PolicyKind[] = KINDS): fc.Arbitrary<World> {
  return fc
    .record({
      namespaces: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMESPACES), terminating: fc.nat({ max: 4 }).map((n) => n === 0) }), { selector: (n) => n.name, maxLength: NAMESPACES.length }),
      policies: fc.uniqueArray(
        fc.record({ ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...POLICY_NAMES), kind: fc.constantFrom(...kinds), rv: fc.nat({ max: 999 }) }),
        { selector: (p) => `${p.ns}/${p.name}`, maxLength: 16 },
      ),
    })
    .map(({ namespaces, policies }) => {
      const names = new Set(namespaces.map((n) => n.name));
      return {
        namespaces: namespaces.map((n) => namespace(n.name, { terminating: n.terminating })),
        policies: policies.filter((p) => names.has(p.ns)).map((p, i) => {
          const made = policyOfKind(p.ns, p.name, p.kind);
          return { ...made, metadata: { ...made.metadata, uid: `${p.kind}#${i}`, resourceVersion: String(p.rv) } };
        }),
      };
    });
}

const scopeArb: fc.Arbitrary<ScopeOptions> = fc.record({
  namespaces: fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...NAMESPACES, 'not-there'), { minLength: 1 }) }),
  exclude: fc.subarray(['team-*', 'dev', '*-system', 'sandbox-?']),
  includeSystem: fc.boolean(),
});

const placeholderArb: fc.Arbitrary<PlaceholderOptions> = fc.record({
  name: fc.constantFrom('cis-default-allow', 'baseline-allow'),
  template: fc.constantFrom('allow-all' as const, 'cluster-internal' as const),
  version: fc.constant(TEST_VERSION),
});

/** What other people do between our read and our writes. */
type Change =
  | { kind: 'user-creates'; ns: string; name: string }
  | { kind: 'user-edits'; index: number; spec: boolean }
  | { kind: 'user-replaces'; index: number }
  | { kind: 'namespace-deleted'; ns: string }
  | { kind: 'namespace-terminating'; ns: string };

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('user-creates' as const), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...POLICY_NAMES) }),
  fc.record({ kind: fc.constant('user-edits' as const), index: fc.nat(), spec: fc.boolean() }),
  fc.record({ kind: fc.constant('user-replaces' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('namespace-deleted' as const), ns: fc.constantFrom(...NAMESPACES) }),
  fc.record({ kind: fc.constant('namespace-terminating' as const), ns: fc.constantFrom(...NAMESPACES) }),
);

/** Applies a user's change. Objects users create are `theirs`; objects of ours they edit are `edited`. */
function change(server: Server, c: Change, serial: number, theirs: Set<string>, edited: Set<string>): void {
  const w = server.world;
  const at = (i: number) => w.policies[i % Math.max(1, w.policies.length)];
  switch (c.kind) {
    case 'user-creates': {
      const ns = w.namespaces.find((n) => n.metadata.name === c.ns);
      if (!ns || ns.phase === 'Terminating' || w.policies.some((p) => p.metadata.namespace === c.ns && p.metadata.name === c.name)) return;
      const p = policy(c.ns, c.name);
      p.metadata.uid = `user#${serial}`;
      p.metadata.resourceVersion = String(5000 + serial);
      w.policies.push(p);
      theirs.add(p.metadata.uid);
      return;
    }
    case 'user-edits': {
      const p = at(c.index);
      if (!p) return;
      if (c.spec) p.spec.ingress = [{ from: [{ podSelector: { matchLabels: { app: 'edited' } } }] }];
      else p.metadata.labels = { ...p.metadata.labels, team: 'blue' };
      p.metadata.resourceVersion = String(5000 + serial);
      if (!theirs.has(p.metadata.uid as string)) edited.add(p.metadata.uid as string);
      return;
    }
    case 'user-replaces': {
      const p = at(c.index);
      if (!p) return;
      const replacement = policy(p.metadata.namespace, p.metadata.name);
      replacement.metadata.uid = `user#${serial}`;
      replacement.metadata.resourceVersion = String(5000 + serial);
      w.policies[w.policies.indexOf(p)] = replacement;
      theirs.add(replacement.metadata.uid);
      return;
    }
    case 'namespace-deleted':
      w.namespaces = w.namespaces.filter((n) => n.metadata.name !== c.ns);
      w.policies = w.policies.filter((p) => p.metadata.namespace !== c.ns);
      return;
    case 'namespace-terminating':
      w.namespaces = w.namespaces.map((n) => (n.metadata.name === c.ns ? namespace(c.ns, { terminating: true }) : n));
  }
}

// ---------------------------------------------------------------------------------------------

describe('properties of remediate and rollback over random cluster states', function () {
  this.timeout(30_000);

  it('after remediate every in-scope namespace passes the audit, with exactly one new placeholder where it had none', () => {
    fc.assert(fc.property(worldArb(), scopeArb, placeholderArb, (world, o, ph) => {
      const server = new Server(world);
      const before = new Map(audit(server.read(o), makeScope(o), new Date(0)).findings.map((f) => [f.namespace, f.status]));
      remediate(server, o, ph);
      const after = audit(server.read(o), makeScope(o), new Date(0));
      assert.equal(after.summary.failed, 0, JSON.stringify(after.findings.filter((f) => f.status === 'FAIL')));
      for (const f of after.findings) {
        const was = before.get(f.namespace);
        assert.equal(f.status, was === 'FAIL' ? 'PASS' : was, f.namespace);
        if (was !== 'FAIL') continue;
        const here = server.world.policies.filter((p) => p.metadata.namespace === f.namespace);
        assert.ok(here.length === 1 && isOurs(here[0] as NetworkPolicy) && isUnmodified(here[0] as NetworkPolicy), f.namespace);
      }
    }), RUNS);
  });

  it('remediate then rollback leaves exactly the original objects (uids and resourceVersions included)', () => {
    fc.assert(fc.property(worldArb(['user', 'ours-edited', 'user-with-our-spec', 'label-only', 'annotation-only']), scopeArb, placeholderArb, (world, o, ph) => {
      const server = new Server(world);
      remediate(server, o, ph);
      rollback(server, o);
      assert.deepEqual(objects(server.world.policies), objects(world.policies));
    }), RUNS);
  });

  it('with placeholders of ours already there, remediate then rollback removes only unchanged ones of ours; every other object stays as it was', () => {
    fc.assert(fc.property(worldArb(), scopeArb, placeholderArb, fc.boolean(), (world, o, ph, force) => {
      const server = new Server(world);
      remediate(server, o, ph);
      rollback(server, o, force);
      const left = new Set(objects(server.world.policies));
      const sc = makeScope(o);
      const touchable = (ns: string) => (o.namespaces.length === 0 || o.namespaces.includes(ns)) && sc.skipReason(namespace(ns))?.kind !== 'excluded';
      for (const p of world.policies) {
        if (left.has(sig(p))) continue;
        assert.ok(madeByUs(p) && (force || madeBy(p) !== 'ours-edited'), `${key(p)} (${madeBy(p)}) removed`);
        assert.ok(touchable(p.metadata.namespace), `${key(p)} removed outside the scope`);
      }
      const original = new Set(objects(world.policies));
      assert.deepEqual([...left].filter((x) => !original.has(x)), [], 'nothing we created is left behind, nothing was changed');
    }), RUNS);
  });

  it('no plan writes to an object we did not create, even when users change the cluster between our read and our writes', () => {
    fc.assert(fc.property(worldArb(), scopeArb, placeholderArb, fc.array(changeArb, { maxLength: 6 }), fc.array(changeArb, { maxLength: 6 }), fc.boolean(), (world, o, ph, during1, during2, force) => {
      const server = new Server(world);
      const theirs = new Set(world.policies.filter((p) => !madeByUs(p)).map((p) => p.metadata.uid as string));
      const edited = new Set<string>();
      const userObjects = () => objects(server.world.policies.filter((p) => theirs.has(p.metadata.uid as string)));
      let serial = 0;

      // remediate: our read, users act, our creates
      const read = server.read(o);
      const plan = planRemediation(read, makeScope(o), ph);
      for (const c of during1) change(server, c, ++serial, theirs, edited);
      const beforeCreates = userObjects();
      for (const p of plan.creates) {
        assert.ok(isOurs(p) && isUnmodified(p), 'every create carries our receipt');
        assert.ok(!read.policies.some((x) => x.metadata.namespace === p.metadata.namespace), `${key(p)}: a create beside or over an object we read`);
        server.create(p);
      }
      assert.deepEqual(userObjects(), beforeCreates, 'a create changed an object of a user');

      // rollback: our read, users act, our deletes (with preconditions)
      const rb = planRollback(server.read(o), makeScope(o), force);
      edited.clear();
      for (const c of during2) change(server, c, ++serial, theirs, edited);
      const beforeDeletes = userObjects();
      const editedMeanwhile = objects(server.world.policies.filter((p) => edited.has(p.metadata.uid as string)));
      for (const p of rb.deletes) {
        assert.ok(isOurs(p) && madeByUs(p), `${key(p)}: a delete of an object we did not create`);
        server.delete(p);
      }
      assert.deepEqual(userObjects(), beforeDeletes, 'a delete removed an object of a user');
      const stored = new Set(objects(server.world.policies));
      assert.ok(editedMeanwhile.every((x) => stored.has(x)), 'a placeholder a user changed after our read was deleted');
    }), RUNS);
  });

  it('a remediate cut off after any number of writes converges on the next run: one placeholder per namespace that had none', () => {
    fc.assert(fc.property(worldArb(), scopeArb, placeholderArb, fc.nat({ max: 12 }), (world, o, ph, cutAfter) => {
      const server = new Server(world);
      const first = remediate(server, o, ph, cutAfter);
      const second = remediate(server, o, ph);
      assert.deepEqual(second.creates.map(key).sort(), first.creates.slice(cutAfter).map(key).sort(), 'the second run creates exactly what the first did not');
      assert.deepEqual(remediate(server, o, ph).creates, [], 'a third run has nothing to do');
      const needed = new Set(first.creates.map((p) => p.metadata.namespace));
      for (const ns of needed) {
        const here = server.world.policies.filter((p) => p.metadata.namespace === ns);
        assert.equal(here.length, 1, ns);
        assert.ok(isOurs(here[0] as NetworkPolicy));
      }
      assert.equal(server.createdUids.size, needed.size, 'one create each, never two');
    }), RUNS);
  });
});
