// The watch's incremental state against a full recomputation. The watch keeps its store (WatchCache)
// and, in it, the policy index every proof reads (core/netpol/policy-index.ts), patched on each
// change of a namespace's policies; over random sequences of policy and namespace events, every
// proof it makes must equal the proof of a fresh process over the same store (the "full
// reconcile"). Also: verify-from-the-store (Sightings), the bounded Event sender and the periodic
// re-read of the cluster-wide kinds.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WatchCache } from '../../../src/app/watch/cache.ts';
import { boundedSender } from '../../../src/app/watch/events.ts';
import { PolicyKindsTracker } from '../../../src/app/watch/kinds.ts';
import { Sightings } from '../../../src/app/watch/sightings.ts';
import type { PolicyKindsRead } from '../../../src/app/ports.ts';
import type { Namespace, NetworkPolicy } from '../../../src/core/model.ts';
import type { CompileCache } from '../../../src/core/netpol/compile.ts';
import { placeholderPolicy } from '../../../src/core/placeholder.ts';
import { proveCreates } from '../../../src/core/proof.ts';
import { clusterPolicyArb, NAMESPACES, policyArb } from '../netpol/arbitraries.ts';
import { ns, pod } from '../netpol/fixtures.ts';

const PLACEHOLDER = { name: 'cis-default-allow', template: 'allow-all', version: 'test' } as const;

type Step =
  | { kind: 'put'; policy: NetworkPolicy }
  | { kind: 'drop'; namespace: string; index: number }
  | { kind: 'label'; namespace: string; team: string | undefined }
  // The namespace is deleted (its policies with it) and created again, empty.
  | { kind: 'recreate'; namespace: string };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  // Few names, so that a later step often replaces a stored policy with another spec under its name.
  { weight: 3, arbitrary: fc.tuple(policyArb(NAMESPACES, 'p'), fc.nat(2)).map(([policy, k]): Step => ({ kind: 'put', policy: { ...policy, metadata: { ...policy.metadata, name: `p-${k}` } } })) },
  { weight: 1, arbitrary: fc.record({ namespace: fc.constantFrom(...NAMESPACES), index: fc.nat(3) }).map((r): Step => ({ kind: 'drop', ...r })) },
  { weight: 1, arbitrary: fc.record({ namespace: fc.constantFrom(...NAMESPACES), team: fc.constantFrom('red', 'blue', undefined) }).map((r): Step => ({ kind: 'label', ...r })) },
  { weight: 1, arbitrary: fc.constantFrom(...NAMESPACES).map((namespace): Step => ({ kind: 'recreate', namespace })) },
);

let rv = 0;
function apply(cache: WatchCache, step: Step): void {
  const next = String(++rv);
  if (step.kind === 'put') {
    // A new object for every version, as decoding a watch event gives.
    const p = structuredClone(step.policy);
    cache.policyEvent({ type: 'MODIFIED', object: { ...p, metadata: { ...p.metadata, resourceVersion: next } }, resourceVersion: next });
  } else if (step.kind === 'drop') {
    const here = cache.policiesIn(step.namespace);
    const p = here[step.index % Math.max(1, here.length)];
    if (p) cache.policyEvent({ type: 'DELETED', object: p, resourceVersion: next });
  } else if (step.kind === 'recreate') {
    const n = cache.namespaces.get(step.namespace);
    if (n) cache.namespaceEvent({ type: 'DELETED', object: n, resourceVersion: next });
    apply(cache, { kind: 'label', namespace: step.namespace, team: undefined });
  } else {
    const n: Namespace = ns(step.namespace, step.team ? { team: step.team } : {});
    cache.namespaceEvent({ type: 'MODIFIED', object: { ...n, metadata: { ...n.metadata, resourceVersion: next } }, resourceVersion: next });
  }
}

describe('watch: incremental state decides as a full recomputation', () => {
  it('over random event sequences, each proof from the kept, patched index equals a fresh proof of the same store', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.array(clusterPolicyArb, { maxLength: 2 }), (steps, clusterPolicies) => {
        const cache = new WatchCache(() => {});
        for (const name of NAMESPACES) apply(cache, { kind: 'label', namespace: name, team: undefined });
        const pods = [pod('a', 'web', { labels: { app: 'web' }, ip: '10.244.0.10' }), pod('b', 'db', { labels: { app: 'db' }, ip: '10.244.0.11' })];
        for (const step of steps) {
          apply(cache, step);
          const namespaces = [...cache.namespaces.values()];
          const state = { namespaces, pods, nodes: [], policies: cache.allPolicies(), clusterPolicies, cniPolicies: [], unreadable: [] };
          // The batch: every namespace without a policy (what the worker would hand to reconcile),
          // and once in a while one that has policies (remediate's -n may name any).
          const creates = namespaces.filter((n) => cache.policiesIn(n.metadata.name).length === 0 || step.kind === 'put').map((n) => placeholderPolicy(n.metadata.name, PLACEHOLDER));
          const incremental = proveCreates({ ...state, kept: cache.kept }, creates, creates[0]);
          const full = proveCreates(state, creates, creates[0]);
          assert.deepEqual(incremental, full);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('over random event sequences, each proof with the kept CompileCache equals a fresh proof of the same store', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.array(clusterPolicyArb, { maxLength: 2 }), (steps, clusterPolicies) => {
        const cache = new WatchCache(() => {});
        for (const name of NAMESPACES) apply(cache, { kind: 'label', namespace: name, team: undefined });
        const kept: CompileCache = new WeakMap();
        const pods = [pod('a', 'web', { labels: { app: 'web' }, ip: '10.244.0.10' }), pod('b', 'db', { labels: { app: 'db' }, ip: '10.244.0.11' })];
        for (const step of steps) {
          apply(cache, step);
          const namespaces = [...cache.namespaces.values()];
          const state = { namespaces, pods, nodes: [], policies: cache.allPolicies(), clusterPolicies, cniPolicies: [], unreadable: [] };
          // The batch: every namespace without a policy (what the worker would hand to reconcile).
          const creates = namespaces.filter((n) => cache.policiesIn(n.metadata.name).length === 0).map((n) => placeholderPolicy(n.metadata.name, PLACEHOLDER));
          const incremental = proveCreates({ ...state, compiled: kept }, creates, creates[0]);
          const full = proveCreates(state, creates, creates[0]);
          assert.deepEqual(incremental, full);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the CompileCache compiles an unchanged stored object once across proofs, and a replaced one again', () => {
    const cache = new WatchCache(() => {});
    apply(cache, { kind: 'label', namespace: 'a', team: undefined });
    apply(cache, { kind: 'label', namespace: 'b', team: undefined });
    const p = placeholderPolicy('a', PLACEHOLDER);
    cache.policyEvent({ type: 'ADDED', object: { ...p, metadata: { ...p.metadata, resourceVersion: '1' } }, resourceVersion: '1' });
    const kept: CompileCache = new WeakMap();
    const prove = () => proveCreates({ namespaces: [...cache.namespaces.values()], pods: [], nodes: [], policies: cache.allPolicies(), clusterPolicies: [], cniPolicies: [], unreadable: [], compiled: kept }, [placeholderPolicy('b', PLACEHOLDER)], placeholderPolicy('b', PLACEHOLDER));
    prove();
    const first = kept.get(cache.policiesIn('a')[0] as NetworkPolicy);
    assert.ok(first, 'the stored object was compiled into the kept cache');
    prove();
    assert.equal(kept.get(cache.policiesIn('a')[0] as NetworkPolicy), first, 'not compiled again');
    cache.policyEvent({ type: 'MODIFIED', object: { ...p, metadata: { ...p.metadata, resourceVersion: '2' } }, resourceVersion: '2' });
    assert.equal(kept.get(cache.policiesIn('a')[0] as NetworkPolicy), undefined, 'the new version is a new object');
    prove();
    assert.notEqual(kept.get(cache.policiesIn('a')[0] as NetworkPolicy), first);
  });
});

describe('watch: verify from the store (Sightings)', () => {
  const made = (name: string, resourceVersion: string): NetworkPolicy => ({ ...placeholderPolicy('a', PLACEHOLDER), metadata: { ...placeholderPolicy('a', PLACEHOLDER).metadata, name, resourceVersion } });

  it('true once the watch delivers that very version; at once when the store already holds it; false after the wait', async () => {
    const s = new Sightings();
    const signal = new AbortController().signal;
    const waiting = s.until(made('x', '7'), false, 5000, signal);
    s.saw(made('x', '6'));
    s.saw(made('y', '7'));
    assert.equal(s.size, 1, 'another version or another object resolves nothing');
    s.saw(made('x', '7'));
    assert.equal(await waiting, true);
    assert.equal(await s.until(made('x', '8'), true, 5000, signal), true);
    assert.equal(await s.until(made('x', '9'), false, 10, signal), false);
    assert.equal(s.size, 0, 'no waiter left behind');
  });

  it('an abort ends the wait with false', async () => {
    const s = new Sightings();
    const stop = new AbortController();
    const waiting = s.until(made('x', '1'), false, 60_000, stop.signal);
    stop.abort();
    assert.equal(await waiting, false);
    assert.equal(s.size, 0);
  });
});

describe('watch: Events a few at a time', () => {
  it('never more than inFlight at once; the oldest dropped beyond the backlog; idle once all are done', async () => {
    let running = 0;
    let most = 0;
    const delivered: number[] = [];
    const gates: (() => void)[] = [];
    const sender = boundedSender<number>(2, 3, (n) => {
      running++;
      most = Math.max(most, running);
      return new Promise<void>((r) => gates.push(() => { running--; delivered.push(n); r(); }));
    });
    for (let i = 1; i <= 7; i++) sender.send(i);
    assert.equal(running, 2);
    assert.equal(sender.dropped(), 2, '1 and 2 run; 3..7 queue behind a backlog of 3: 3 and 4 are dropped');
    const idle = sender.idle();
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await idle;
    assert.equal(most, 2);
    assert.deepEqual(delivered, [1, 2, 5, 6, 7]);
  });

  it('a failing delivery does not stop the others', async () => {
    const seen: number[] = [];
    const sender = boundedSender<number>(1, 10, async (n) => {
      seen.push(n);
      if (n === 1) throw new Error('refused');
    });
    sender.send(1);
    sender.send(2);
    await sender.idle();
    assert.deepEqual(seen, [1, 2]);
  });
});

describe('watch: cluster-wide policy kinds re-read on a period', () => {
  const read = (n: number): PolicyKindsRead => ({ clusterPolicies: [], cniPolicies: [], apis: [{ kind: 'ClusterNetworkPolicy', state: n > 0 ? 'listed' : 'absent', count: n } as never] });

  it('"changed" only when a read differs from the last one; a failed re-read keeps the last read', async () => {
    const answers: (PolicyKindsRead | Error)[] = [read(0), read(0), read(1), new Error('down'), read(1)];
    let changed = 0;
    const errors: string[] = [];
    const t = new PolicyKindsTracker({
      read: async () => {
        const a = answers.shift()!;
        if (a instanceof Error) throw a;
        return a;
      },
      changed: () => changed++,
      error: (e) => errors.push(e.message),
    });
    assert.deepEqual(await t.current(), read(0));
    await t.refresh();
    assert.equal(changed, 0, 'the same read');
    await t.refresh();
    assert.equal(changed, 1, 'a new ClusterNetworkPolicy');
    await t.refresh();
    assert.deepEqual([changed, errors], [1, ['down']]);
    assert.deepEqual(await t.current(), read(1), 'the last read stays');
    await t.refresh();
    assert.equal(changed, 1);
  });

  it('the first read failing throws (the batch is retried)', async () => {
    const t = new PolicyKindsTracker({ read: async () => { throw new Error('down'); }, changed() {}, error() {} });
    await assert.rejects(t.current(), /down/);
  });
});
