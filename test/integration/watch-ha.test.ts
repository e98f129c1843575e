// kubectl cis-netpol watch under faults and with several replicas, against a real API server of this
// file's own: the API server killed and restarted, an expired watch (410), two --leader-elect
// processes with the leader killed, and the RBAC of deploy/controller/ (exactly it, and it less create).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../support/env.ts';
import { OwnTestenv } from '../support/own-testenv.ts';
import { kubectl, kubectlOk } from '../support/run.ts';
import { sleep, until, watchSuiteHooks, WatchProc } from '../support/watch-proc.ts';

const PREFIXES = ['hr', 'hg', 'hl', 'hb', 'hf'] as const;
const PLACEHOLDER = 'cis-default-allow';
const CONTROLLER = path.join(REPO, 'deploy', 'controller');
const env = new OwnTestenv();
const procs: WatchProc[] = [];
let counter = 0;
const fresh = (prefix: (typeof PREFIXES)[number]) => `${prefix}-${++counter}-${Date.now() % 100000}`;
const only = (prefix: string) => ['--exclude', 'default', '--exclude', 'cis-netpol', ...PREFIXES.filter((p) => p !== prefix).flatMap((p) => ['--exclude', `${p}-*`])];
const names = async (ns: string) => (await env.policies(ns)).map((p) => p.metadata.name).sort();
function startWatch(args: string[], kubeconfig = env.kubeconfig): WatchProc {
  const w = new WatchProc(args, kubeconfig);
  procs.push(w);
  return w;
}

describe('watch under faults, with leader election and its RBAC (own API server)', function () {
  this.timeout(240_000);
  watchSuiteHooks(env, procs);

  it('the API server killed and restarted: it reconnects, lists again where the watch expired, and fixes a namespace created meanwhile, without duplicate writes', async () => {
    const w = startWatch([...only('hr'), '--max-backoff', '3s']);
    await w.ready();
    const before = fresh('hr');
    await env.createNamespace(before);
    await until('the first placeholder', 10_000, async () => (await names(before)).includes(PLACEHOLDER));
    env.killApiserver();
    await sleep(3000);
    env.restartApiserver();
    const during = fresh('hr');
    await env.createNamespace(during); // the watch is still backing off: it sees this on reconnecting
    await until(`the placeholder in ${during} after the restart`, 60_000, async () => (await names(during)).includes(PLACEHOLDER), 200);
    assert.ok(w.logged('watch failed').length > 0, w.describe());
    // The restarted server's watch cache starts at the current revision: the old watch is 410 Gone.
    assert.ok(w.logged('watch expired (410 Gone): listing again').length > 0, w.describe());
    assert.ok(await w.metric('cis_netpol_watch_restarts_total{resource="namespaces",reason="gone"}') >= 1);
    assert.ok(await w.metric('cis_netpol_watch_restarts_total') > 0);
    assert.deepEqual(await names(before), [PLACEHOLDER]);
    await sleep(1500);
    assert.equal(await w.metric('cis_netpol_writes_total'), 2, `one create per namespace, none repeated\n${w.describe()}`);
    assert.equal(w.logged('placeholder created').length, 2);
  });

  it('two --leader-elect processes: exactly one placeholder per namespace; the leader killed, the other takes over within the lease duration', async () => {
    const lease = ['--leader-elect', '--leader-elect-lease-namespace', 'default', '--leader-elect-lease-name', 'hl-lease', '--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms'];
    const a = startWatch([...only('hl'), ...lease, '--leader-elect-identity', 'replica-a']);
    const b = startWatch([...only('hl'), ...lease, '--leader-elect-identity', 'replica-b']);
    await Promise.all([a.ready(), b.ready()]);
    await until('one leader', 15_000, () => a.logged('leading').length + b.logged('leading').length > 0);
    const nss = Array.from({ length: 6 }, () => fresh('hl'));
    for (const ns of nss) await env.createNamespace(ns);
    for (const ns of nss) await until(`the placeholder in ${ns}`, 15_000, async () => (await names(ns)).includes(PLACEHOLDER));
    await sleep(1500);
    for (const ns of nss) assert.deepEqual(await names(ns), [PLACEHOLDER]);
    const writes = (await a.metric('cis_netpol_writes_total')) + (await b.metric('cis_netpol_writes_total'));
    assert.equal(writes, nss.length, `one create per namespace across both replicas\n${a.describe()}\n${b.describe()}`);
    const [leader, standby] = (await a.metric('cis_netpol_leader')) === 1 ? [a, b] : [b, a];
    assert.equal(await standby.metric('cis_netpol_leader'), 0);
    leader.child.kill('SIGKILL');
    const killed = Date.now();
    await until('the standby to lead', 20_000, () => standby.logged('leading').length > 0, 50);
    const took = Date.now() - killed;
    // Lease duration 4 s, plus one retry period and the load of two shared cores.
    assert.ok(took < 4000 + 3000, `took over after ${took} ms`);
    const later = fresh('hl');
    await env.createNamespace(later);
    await until('the new leader\'s placeholder', 15_000, async () => (await names(later)).includes(PLACEHOLDER));
    const lease2 = JSON.parse((await env.send('GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/hl-lease')).body);
    assert.equal(lease2.spec.holderIdentity, standby === a ? 'replica-a' : 'replica-b');
    console.error(`      (takeover after ${took} ms)`);
  });

  it('deploy/controller/ passes server-side dry-run', () => {
    kubectlOk(['apply', '-f', path.join(CONTROLLER, 'namespace.yaml')], { kubeconfig: env.kubeconfig });
    const r = kubectl(['apply', '--dry-run=server', '-f', CONTROLLER], { kubeconfig: env.kubeconfig });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/cis-netpol-watch created \(server dry run\)/);
    assert.match(r.stdout, /poddisruptionbudget.policy\/cis-netpol-watch created \(server dry run\)/);
  });

  it('the RBAC of deploy/controller/, bound to a user with no other rights, does it all; without create: a clear error in the log and on /readyz, no crash', async () => {
    // The manifests as shipped, their subjects turned from the ServiceAccount into the test user.
    const asUser = (text: string) => text.replace(/- \{kind: ServiceAccount, name: cis-netpol-watch, namespace: cis-netpol\}/g, '- {kind: User, name: restricted, apiGroup: rbac.authorization.k8s.io}');
    const rbac = asUser(fs.readFileSync(path.join(CONTROLLER, 'rbac.yaml'), 'utf8'));
    assert.notEqual(rbac, fs.readFileSync(path.join(CONTROLLER, 'rbac.yaml'), 'utf8'));
    kubectlOk(['apply', '-f', path.join(CONTROLLER, 'namespace.yaml')], { kubeconfig: env.kubeconfig });
    kubectlOk(['apply', '-f', '-'], { kubeconfig: env.kubeconfig, input: rbac });
    const lease = ['--leader-elect', '--leader-elect-lease-namespace', 'cis-netpol', '--leader-elect-lease-name', 'cis-netpol-watch'];
    const w = startWatch([...only('hb'), ...lease], env.restricted);
    await w.ready();
    await until('leading', 15_000, () => w.logged('leading').length > 0);
    const ns = fresh('hb');
    await env.createNamespace(ns);
    await until('the placeholder', 15_000, async () => (await names(ns)).includes(PLACEHOLDER));
    await until('the Event', 10_000, async () => JSON.parse((await env.send('GET', `/api/v1/namespaces/${ns}/events`)).body).items.length > 0);
    assert.equal(w.logged('could not').length + w.logged('lease request failed').length + w.logged('reconcile failed').length, 0, w.describe());
    await w.stop();

    // The same role less create on networkpolicies.
    const noCreate = rbac.replace('verbs: [list, watch, create, delete]', 'verbs: [list, watch, delete]');
    assert.notEqual(noCreate, rbac);
    kubectlOk(['apply', '-f', '-'], { kubeconfig: env.kubeconfig, input: noCreate });
    const f = startWatch([...only('hb'), ...lease], env.restricted);
    await until('synced', 30_000, () => f.logged('synced').length === 2);
    const denied = fresh('hb');
    await env.createNamespace(denied);
    await until('the error in the log', 15_000, () => f.logged('placeholder not created', denied).length > 0);
    const line = f.logged('placeholder not created', denied)[0]!;
    assert.equal(line['kind'], 'Forbidden');
    assert.match(String(line['reason']), /forbidden: cannot create networkpolicies/);
    const ready = await until('/readyz to say why', 10_000, async () => { const r = await f.readyz(); return r.status === 503 ? r : undefined; });
    assert.match(ready?.text ?? '', /not ready: cannot create NetworkPolicies: forbidden/);
    await sleep(4000);
    assert.equal(f.child.exitCode, null, 'still running: no crash loop');
    const attempts = await f.metric('cis_netpol_writes_total');
    assert.ok(attempts >= 1 && attempts <= 5, `retried with backoff, not in a loop: ${attempts} attempts in ~5 s`);
    assert.deepEqual(await names(denied), []);
  });
});
