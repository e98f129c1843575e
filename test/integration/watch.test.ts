// kubectl cis-netpol watch, the built executable, against a real API server of this file's own
// (scripts/testenv; the API server is killed and restarted here). Every claim is checked in what
// the API server holds; writes are counted by the process's own cis_netpol_writes_total.
import assert from 'node:assert/strict';
import { OwnTestenv } from '../support/own-testenv.ts';
import { sleep, until, watchSuiteHooks, WatchProc } from '../support/watch-proc.ts';
import { plugin } from '../support/run.ts';

const PREFIXES = ['wc', 'wu', 'wd', 'wo', 'wr', 'wl', 'wx', 'wn', 'wp'] as const;
const PLACEHOLDER = 'cis-default-allow';
const env = new OwnTestenv();
const procs: WatchProc[] = [];
let counter = 0;
const fresh = (prefix: (typeof PREFIXES)[number]) => `${prefix}-${++counter}-${Date.now() % 100000}`;
/** Only this test's namespaces: every other prefix excluded (and default). */
const only = (prefix: string) => ['--exclude', 'default', ...PREFIXES.filter((p) => p !== prefix).flatMap((p) => ['--exclude', `${p}-*`])];

function startWatch(args: string[], kubeconfig = env.kubeconfig): WatchProc {
  const w = new WatchProc(args, kubeconfig);
  procs.push(w);
  return w;
}

async function names(ns: string): Promise<string[]> {
  return (await env.policies(ns)).map((p) => p.metadata.name).sort();
}

const userPolicy = (ns: string, name = 'team-web') => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
});

describe('watch (built executable, own API server)', function () {
  this.timeout(180_000);
  watchSuiteHooks(env, procs);

  it('a namespace created while it runs gets the placeholder within 2 s; one created with a policy gets none; a Terminating one is skipped; SIGTERM exits 0', async () => {
    const w = startWatch(only('wc'));
    await w.ready();
    const ns = fresh('wc');
    const t0 = Date.now();
    await env.createNamespace(ns);
    await until(`the placeholder in ${ns}`, 10_000, async () => (await names(ns)).includes(PLACEHOLDER), 50);
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `placeholder after ${ms} ms\n${w.describe()}`);
    await until('the Event on the namespace', 10_000, async () => {
      const r = await env.send('GET', `/api/v1/namespaces/${ns}/events`);
      return (JSON.parse(r.body).items as { reason: string; involvedObject: { kind: string; name: string } }[]).some((e) => e.reason === 'PlaceholderCreated' && e.involvedObject.kind === 'Namespace' && e.involvedObject.name === ns);
    });
    assert.equal(w.logged('placeholder created', ns).length, 1);

    // With its own policy, created right after the namespace (as kubectl apply of both does).
    const withPolicy = fresh('wc');
    await env.createNamespace(withPolicy);
    assert.equal((await env.send('POST', `/apis/networking.k8s.io/v1/namespaces/${withPolicy}/networkpolicies`, userPolicy(withPolicy))).status, 201);
    // Terminating: deleted (it stays Terminating: no namespace controller here) after its only policy went.
    const term = fresh('wc');
    await env.createNamespace(term);
    assert.equal((await env.send('POST', `/apis/networking.k8s.io/v1/namespaces/${term}/networkpolicies`, userPolicy(term))).status, 201);
    await sleep(1500);
    const writesBefore = await w.metric('cis_netpol_writes_total');
    assert.equal((await env.send('DELETE', `/api/v1/namespaces/${term}`)).status, 200);
    assert.equal((await env.send('DELETE', `/apis/networking.k8s.io/v1/namespaces/${term}/networkpolicies/team-web`)).status, 200);
    await sleep(3000);
    assert.deepEqual(await names(withPolicy), ['team-web'], w.describe());
    assert.deepEqual(await names(term), [], w.describe());
    assert.equal(await w.metric('cis_netpol_writes_total'), writesBefore, `no write for the Terminating namespace\n${w.describe()}`);
    assert.equal(w.logged('placeholder not created').length, 0, w.describe());

    const end = await w.stop();
    assert.deepEqual(end, { code: 0, signal: null }, w.describe());
    assert.equal(w.logged('stopped').length, 1);
  });

  it('a user deletes the placeholder: recreated once after the grace period; a user edits it: left as edited; never a write loop', async () => {
    const w = startWatch([...only('wu'), '--recreate-after', '4s']);
    await w.ready();
    const ns = fresh('wu');
    await env.createNamespace(ns);
    await until('the placeholder', 10_000, async () => (await names(ns)).includes(PLACEHOLDER));
    const writes = await w.metric('cis_netpol_writes_total');
    assert.equal((await env.send('DELETE', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${PLACEHOLDER}`)).status, 200);
    await sleep(2000);
    assert.deepEqual(await names(ns), [], 'not recreated within the grace period');
    await until('the placeholder recreated after the grace period', 20_000, async () => (await names(ns)).includes(PLACEHOLDER)).catch((err: Error) => {
      throw new Error(`${err.message}\n${w.describe()}`);
    });
    assert.equal(await w.metric('cis_netpol_writes_total'), writes + 1, w.describe());
    // An edit (the user narrows it): ours no longer, or still ours, it is never reverted or updated.
    const patch = await env.send('PATCH', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${PLACEHOLDER}`, { spec: { podSelector: { matchLabels: { app: 'edited' } } } });
    assert.equal(patch.status, 200, patch.body);
    await sleep(3000);
    const after = JSON.parse((await env.send('GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${PLACEHOLDER}`)).body);
    assert.deepEqual(after.spec.podSelector, { matchLabels: { app: 'edited' } });
    assert.equal(await w.metric('cis_netpol_writes_total'), writes + 1, `no write after the edit\n${w.describe()}`);
    assert.equal(w.logged('placeholder deleted by someone else', ns).length, 1);
  });

  it('--recreate-after never leaves a namespace whose placeholder was deleted, and says so', async () => {
    const w = startWatch([...only('wn'), '--recreate-after', 'never']);
    await w.ready();
    const ns = fresh('wn');
    await env.createNamespace(ns);
    await until('the placeholder', 10_000, async () => (await names(ns)).includes(PLACEHOLDER));
    assert.equal((await env.send('DELETE', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${PLACEHOLDER}`)).status, 200);
    await until('the report of the deletion', 10_000, () => w.logged('placeholder deleted by someone else', ns).length === 1);
    await sleep(3000);
    assert.deepEqual(await names(ns), []);
    assert.equal(await w.metric('cis_netpol_writes_total'), 1);
  });

  it('--prune: a user policy beside the placeholder removes it (the user policy stays); an edited placeholder and one alone stay; without --prune it is only reported', async () => {
    const w = startWatch([...only('wp'), '--prune']);
    await w.ready();
    const ns = fresh('wp');
    await env.createNamespace(ns);
    await until('the placeholder', 10_000, async () => (await names(ns)).includes(PLACEHOLDER));
    const writes = await w.metric('cis_netpol_writes_total');
    assert.equal((await env.send('POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, userPolicy(ns))).status, 201);
    await until('the placeholder removed', 10_000, async () => !(await names(ns)).includes(PLACEHOLDER));
    assert.deepEqual(await names(ns), ['team-web'], w.describe());
    assert.equal(await w.metric('cis_netpol_writes_total'), writes + 1, `one delete\n${w.describe()}`);
    assert.equal(w.logged('placeholder removed', ns).length, 1, w.describe());

    // Edited by a user before the user policy came: ours no longer unmodified, so it stays.
    const edited = fresh('wp');
    await env.createNamespace(edited);
    await until('the placeholder', 10_000, async () => (await names(edited)).includes(PLACEHOLDER));
    const patch = await env.send('PATCH', `/apis/networking.k8s.io/v1/namespaces/${edited}/networkpolicies/${PLACEHOLDER}`, { spec: { podSelector: { matchLabels: { app: 'edited' } } } });
    assert.equal(patch.status, 200, patch.body);
    assert.equal((await env.send('POST', `/apis/networking.k8s.io/v1/namespaces/${edited}/networkpolicies`, userPolicy(edited))).status, 201);
    await sleep(3000);
    assert.deepEqual(await names(edited), [PLACEHOLDER, 'team-web'].sort(), w.describe());
    assert.equal(w.logged('placeholder kept', edited).length, 1, w.describe());
    await w.stop();

    // Without --prune: reported, left in place.
    const v = startWatch(only('wp'));
    await v.ready();
    const kept = fresh('wp');
    await env.createNamespace(kept);
    await until('the placeholder', 10_000, async () => (await names(kept)).includes(PLACEHOLDER));
    assert.equal((await env.send('POST', `/apis/networking.k8s.io/v1/namespaces/${kept}/networkpolicies`, userPolicy(kept))).status, 201);
    await until('the report', 10_000, () => v.logged('a NetworkPolicy now sits beside the placeholder', kept).length === 1);
    await sleep(2000);
    assert.deepEqual(await names(kept), [PLACEHOLDER, 'team-web'].sort(), v.describe());
  });

  it('--dry-run reports what it would create and writes nothing', async () => {
    const w = startWatch([...only('wd'), '--dry-run']);
    await w.ready();
    const ns = fresh('wd');
    await env.createNamespace(ns);
    await until('the dry-run report', 10_000, () => w.logged('placeholder would be created', ns).length > 0);
    await sleep(1500);
    assert.deepEqual(await names(ns), []);
    assert.equal(await w.metric('cis_netpol_writes_total'), 0);
    assert.equal(w.logged('placeholder would be created', ns).length, 1, 'said once');
  });

  it('--once: one reconcile with remediate\'s exit codes (1 applied, 0 nothing to do, 2 failure)', async () => {
    const ns = fresh('wo');
    await env.createNamespace(ns);
    const first = plugin(['watch', '--once', '-n', ns], { kubeconfig: env.kubeconfig });
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /FIXED/);
    assert.deepEqual(await names(ns), [PLACEHOLDER]);
    assert.equal(plugin(['watch', '--once', '-n', ns], { kubeconfig: env.kubeconfig }).code, 0);
    assert.equal(plugin(['watch', '--once', '-n', 'wo-does-not-exist'], { kubeconfig: env.kubeconfig }).code, 2);
  });
});
