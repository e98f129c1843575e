// The watch machinery with a fake ControllerApi: the reflector's relist on 410 and backoff on
// errors, leader election's acquire / standby / takeover / renew deadline, the cache and queue.
import assert from 'node:assert/strict';
import { WatchCache, type Change } from '../../../src/app/watch/cache.ts';
import { LeaderElector } from '../../../src/app/watch/leader.ts';
import type { ControllerApi, LeaseRecord, WatchEnd, WatchEvent } from '../../../src/app/watch/ports.ts';
import sinon from 'sinon';
import { KeyQueue } from '../../../src/app/watch/queue.ts';
import { backoffMs, reflect } from '../../../src/app/watch/reflector.ts';
import { WatchMetrics } from '../../../src/app/watch/metrics.ts';
import type { Namespace } from '../../../src/core/model.ts';

const ns = (name: string, rv = '1', phase: Namespace['phase'] = 'Active'): Namespace => ({ metadata: { name, resourceVersion: rv }, phase });

function fakeApi(script: { lists: string[][]; watches: (WatchEnd | WatchEvent<Namespace>[])[] }) {
  const calls: string[] = [];
  const api = {
    async list() {
      const items = script.lists.shift() ?? [];
      calls.push(`list:${items.length}`);
      return { items: items.map((n) => ns(n)), resourceVersion: `L${calls.length}` };
    },
    async watch(_kind: string, rv: string, onEvent: (e: WatchEvent<Namespace>) => void) {
      calls.push(`watch@${rv}`);
      const next = script.watches.shift() ?? { kind: 'closed' };
      if (Array.isArray(next)) {
        next.forEach(onEvent);
        return { kind: 'closed' } as WatchEnd;
      }
      return next;
    },
  } as unknown as ControllerApi;
  return { api, calls };
}

describe('watch: reflector', () => {
  it('lists, watches from the list\'s resourceVersion, follows bookmarks, lists again on 410, backs off on errors', async () => {
    const stop = new AbortController();
    const sleeps: number[] = [];
    const { api, calls } = fakeApi({
      lists: [['a'], ['a', 'b']],
      watches: [[{ type: 'BOOKMARK', resourceVersion: 'B7' }], { kind: 'gone', message: 'too old' }, { kind: 'error', error: new Error('refused') }, { kind: 'error', error: new Error('refused') }],
    });
    const restarts: string[] = [];
    const replaced: number[] = [];
    await reflect(api, 'namespaces', {
      replace: (items) => replaced.push(items.length), event() {}, listed() {}, current() {}, apiError() {},
      restarted: (r) => {
        restarts.push(r);
        if (restarts.length === 5) stop.abort();
      },
    }, { baseMs: 100, capMs: 1000, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) }, stop.signal);
    assert.deepEqual(calls, ['list:1', 'watch@L1', 'watch@B7', 'list:2', 'watch@L4', 'watch@L4', 'watch@L4']);
    assert.deepEqual(restarts, ['closed', 'gone', 'error', 'error', 'closed']);
    assert.deepEqual(replaced, [1, 2]);
    assert.deepEqual(sleeps, [100, 200], 'exponential, reset by nothing in between');
  });

  it('backoff is capped and jittered ±50 %', () => {
    assert.equal(backoffMs(0, { baseMs: 200, capMs: 30_000, random: () => 0.5 }), 200);
    assert.equal(backoffMs(20, { baseMs: 200, capMs: 30_000, random: () => 0.5 }), 30_000);
    assert.equal(backoffMs(20, { baseMs: 200, capMs: 30_000, random: () => 0 }), 15_000);
    assert.equal(backoffMs(20, { baseMs: 200, capMs: 30_000, random: () => 0.999 }), 30_000 * 1.499);
  });
});

function leaseApi() {
  let stored: LeaseRecord | undefined;
  let rv = 0;
  const api = {
    async getLease() {
      return stored && { ...stored };
    },
    async writeLease(_n: string, _name: string, l: LeaseRecord) {
      if (l.resourceVersion !== (stored?.resourceVersion)) throw Object.assign(new Error('conflict'), { kind: 'Conflict' });
      stored = { ...l, resourceVersion: String(++rv) };
      return { ...stored };
    },
  } as unknown as ControllerApi;
  return { api, lease: () => stored };
}

describe('watch: leader election', () => {
  const o = (identity: string) => ({ namespace: 'ns', name: 'l', identity, leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 });
  const hooks = { changed() {}, error() {} };

  it('one acquires, the other stands by until the lease is unrenewed for its duration (by its own clock), then takes over', async () => {
    let t = 0;
    const { api, lease } = leaseApi();
    const a = new LeaderElector(api, o('a'), hooks, () => t);
    const b = new LeaderElector(api, o('b'), hooks, () => t);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    t = 2000;
    assert.equal(await a.tryAcquireOrRenew(), true, 'renews');
    assert.equal(await b.tryAcquireOrRenew(), false, 'saw a renewal at 2000');
    t = 5900;
    assert.equal(await b.tryAcquireOrRenew(), false, 'only 3.9 s since the renewal it saw');
    t = 6100;
    assert.equal(await b.tryAcquireOrRenew(), true);
    assert.equal(lease()?.holder, 'b');
    assert.equal(lease()?.transitions, 1);
  });

  it('the leader stops writing once it has not renewed for the renew deadline, before anyone may take over', async () => {
    let t = 0;
    const { api } = leaseApi();
    const a = new LeaderElector(api, o('a'), { changed() {}, error() {} }, () => t);
    await a.run(AbortSignal.abort()); // not leading: run returns at once when aborted
    assert.equal(await a.tryAcquireOrRenew(), true);
    (a as unknown as { leading: boolean }).leading = true;
    t = 2999;
    assert.equal(a.isLeader(), true);
    t = 3000;
    assert.equal(a.isLeader(), false, 'writes stop at the renew deadline (3 s), the lease lasts 4 s');
  });

  it('two racing for a free lease: the stale write loses (resourceVersion precondition)', async () => {
    const { api } = leaseApi();
    const a = new LeaderElector(api, o('a'), hooks, () => 0);
    await a.tryAcquireOrRenew();
    await assert.rejects(api.writeLease('ns', 'l', { holder: 'b', durationSeconds: 4, acquireTime: '', renewTime: '', transitions: 1, resourceVersion: '0' }));
  });
});

describe('watch: cache and queue', () => {
  it('a relist that repeats what is known changes nothing; a removed namespace and a deleted placeholder are reported', () => {
    const changes: Change[] = [];
    const c = new WatchCache((x) => changes.push(x));
    c.replaceNamespaces([ns('a'), ns('b')]);
    assert.deepEqual(changes, [{ kind: 'namespace', namespace: 'a', added: true }, { kind: 'namespace', namespace: 'b', added: true }], 'new to the store: added');
    const ours = { metadata: { name: 'p', namespace: 'a', resourceVersion: '5', labels: { 'app.kubernetes.io/managed-by': 'kubectl-cis-netpol' }, annotations: { 'cis-netpol.io/template': 'allow-all' } }, spec: { podSelector: {} } };
    c.remember(ours);
    changes.length = 0;
    c.replaceNamespaces([ns('a')]);
    c.policyEvent({ type: 'ADDED', object: ours, resourceVersion: '5' });
    c.policyEvent({ type: 'DELETED', object: ours, resourceVersion: '6' });
    assert.deepEqual(changes, [
      { kind: 'namespace', namespace: 'b', added: false },
      { kind: 'policy', namespace: 'a', name: 'p', ours: true, deleted: true, added: false },
    ]);
    assert.deepEqual(c.policiesIn('a'), []);
  });

  it('a key queued twice is handed out once; delayed adds arrive later', async () => {
    const q = new KeyQueue();
    q.add('a');
    q.add('a');
    q.addAfter('b', 10);
    assert.deepEqual(await q.drain(), ['a']);
    assert.deepEqual(await q.drain(), ['b']);
    q.close();
    assert.deepEqual(await q.drain(), []);
  });

  it('a delayed add is never handed out before its deadline by performance.now(), even when the timer fires early', async () => {
    let clock = 0;
    const now = sinon.stub(performance, 'now').callsFake(() => clock);
    try {
      const q = new KeyQueue();
      q.addAfter('b', 30);
      clock = 10; // the timer fires (real 30 ms) while performance.now() says 10 ms have passed
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(q.size, 0, 'not before its deadline');
      clock = 40; // re-armed for the 20 ms left
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(q.size, 1);
      q.close();
    } finally {
      now.restore();
    }
  });
});

describe('watch: /metrics', () => {
  it('the V8 heap in use and reserved, read when scraped', async () => {
    const text = await new WatchMetrics({ inScope: () => 0, compliant: () => 0 }).registry.metrics();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(value('nodejs_heap_size_used_bytes') > 0, text);
    assert.ok(value('nodejs_heap_size_total_bytes') >= value('nodejs_heap_size_used_bytes'), text);
  });
});
