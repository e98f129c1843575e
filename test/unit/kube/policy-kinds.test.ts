// KubeClient.readPolicyKinds with the HTTP edge stubbed (sinon): the one discovery request and its
// Accept header, the paged custom-object lists, and what forbidden, missing, throttled, failing and
// interrupted requests become. The real API server is exercised by test/integration/policy-kinds.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RequestContext, ResponseContext, wrapHttpLibrary } from '@kubernetes/client-node';
import sinon from 'sinon';
import { KubeClient } from '../../../src/kube/client.ts';
import { DISCOVERY_ACCEPT } from '../../../src/kube/discovery.ts';
import { aggregated, discoveryGroup, groupList } from './discovery-fixtures.ts';

const SERVER = 'https://k8s.test:6443';
type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type Route = (url: URL, ctx: RequestContext) => Answer | undefined;

function kubeconfigFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-kinds-'));
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters: [{name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: secret-token}}]\ncontexts: [{name: t, context: {cluster: c, user: u}}]\n`);
  return file;
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
const list = (apiVersion: string, kind: string, items: object[], cont?: string) => ({ apiVersion, kind: `${kind}List`, metadata: { resourceVersion: '1', ...(cont ? { continue: cont } : {}) }, items: items.map((i) => ({ apiVersion, kind, ...i })) });

function client(route: Route, o: { signal?: AbortSignal } = {}) {
  const send = sinon.stub().callsFake(async (ctx: RequestContext) => {
    const a = route(new URL(ctx.getUrl()), ctx) ?? { status: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    return new ResponseContext(a.status, { 'content-type': 'application/json', ...a.headers }, { text: async () => text, binary: async () => Buffer.from(text), stream: () => null });
  });
  const log: string[] = [];
  const c = new KubeClient({
    kubeconfig: kubeconfigFile(), env: {}, requestTimeoutMs: 0, signal: o.signal ?? new AbortController().signal,
    log: (l) => log.push(l), sleep: async () => {}, random: () => 0.5, http: wrapHttpLibrary({ send }),
  });
  const paths = () => send.getCalls().map((call) => { const u = new URL((call.args[0] as RequestContext).getUrl()); return `${u.pathname}${u.search}`; });
  return { c, send, log, paths };
}

const sig = discoveryGroup('policy.networking.k8s.io', { v1alpha2: ['clusternetworkpolicies'], v1alpha1: ['adminnetworkpolicies', 'baselineadminnetworkpolicies'] });
const cilium = discoveryGroup('cilium.io', { v2: ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'] });
const cnp = { metadata: { name: 'deny-all', uid: 'u1' }, spec: { tier: 'Baseline', priority: 5, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } };
const states = (apis: { kind: string; state: string; count?: number }[]) => apis.map((a) => `${a.kind} ${a.state}${a.count !== undefined ? ` ${a.count}` : ''}`);

describe('kube/client: readPolicyKinds (HTTP edge stubbed)', () => {
  it('one GET /apis asking for aggregated v2, then v2beta1, then APIGroupList', async () => {
    const { c, send } = client((u) => (u.pathname === '/apis' ? { status: 200, body: aggregated('v2') } : undefined));
    const r = await c.readPolicyKinds();
    assert.equal(send.callCount, 1, 'nothing served: only the discovery request');
    const ctx = send.firstCall.args[0] as RequestContext;
    assert.equal(ctx.getUrl(), `${SERVER}/apis`);
    assert.equal(ctx.getHeaders()['Accept'], DISCOVERY_ACCEPT);
    assert.match(DISCOVERY_ACCEPT, /^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList,application\/json;g=apidiscovery\.k8s\.io;v=v2beta1;as=APIGroupDiscoveryList,application\/json$/);
    assert.deepEqual(r.apis.map((a) => a.state), Array(11).fill('absent'));
    assert.deepEqual([r.clusterPolicies, r.cniPolicies], [[], []]);
  });

  it('served kinds are listed cluster-wide (namespaced ones across all namespaces), page by page via metadata.continue', async () => {
    const { c, paths, log } = client((u) => {
      if (u.pathname === '/apis') return { status: 200, body: aggregated('v2', sig, cilium) };
      const g = 'policy.networking.k8s.io/v1alpha2';
      if (u.pathname === `/apis/${g}/clusternetworkpolicies`) {
        return u.searchParams.get('continue') === 'tok'
          ? { status: 200, body: list(g, 'ClusterNetworkPolicy', [{ ...cnp, metadata: { name: 'second' } }]) }
          : { status: 200, body: list(g, 'ClusterNetworkPolicy', [cnp], 'tok') };
      }
      if (u.pathname === '/apis/cilium.io/v2/ciliumnetworkpolicies') return { status: 200, body: list('cilium.io/v2', 'CiliumNetworkPolicy', [{ metadata: { name: 'l3', namespace: 'shop' }, specs: [{ endpointSelector: {} }] }]) };
      if (u.pathname.startsWith('/apis/')) return { status: 200, body: list('x/v1', 'X', []) };
      return undefined;
    });
    const r = await c.readPolicyKinds();
    assert.deepEqual(paths().sort(), [
      '/apis',
      '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies?limit=500',
      '/apis/cilium.io/v2/ciliumnetworkpolicies?limit=500',
      '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies?limit=500',
      '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies?limit=500',
      '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies?limit=500',
      '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies?limit=500&continue=tok',
    ]);
    assert.deepEqual(r.clusterPolicies.map((p) => `${p.kind} ${p.metadata.name} ${p.apiVersion} ${p.spec.tier}`), ['ClusterNetworkPolicy deny-all policy.networking.k8s.io/v1alpha2 Baseline', 'ClusterNetworkPolicy second policy.networking.k8s.io/v1alpha2 Baseline']);
    assert.deepEqual(r.cniPolicies, [{ kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'l3', namespace: 'shop' }, spec: { specs: [{ endpointSelector: {} }] } }]);
    assert.deepEqual(states(r.apis).slice(0, 5), ['ClusterNetworkPolicy served 2', 'AdminNetworkPolicy served 0', 'BaselineAdminNetworkPolicy served 0', 'CiliumNetworkPolicy served 1', 'CiliumClusterwideNetworkPolicy served 0']);
    assert.ok(log.some((l) => /^get \/apis: ok \(\d+ ms\)$/.test(l)), log.join('\n'));
    assert.ok(log.includes('discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList): 5 of 11 policy kinds served: clusternetworkpolicies.policy.networking.k8s.io/v1alpha2, adminnetworkpolicies.policy.networking.k8s.io/v1alpha1, baselineadminnetworkpolicies.policy.networking.k8s.io/v1alpha1, ciliumnetworkpolicies.cilium.io/v2, ciliumclusterwidenetworkpolicies.cilium.io/v2'), log.join('\n'));
    assert.ok(log.some((l) => /^list clusternetworkpolicies\.policy\.networking\.k8s\.io: ok \(\d+ ms\)$/.test(l)), log.join('\n'));
  });

  it('a forbidden list is `unreadable` with what failed and what to grant; the other kinds are still read', async () => {
    const { c } = client((u) => {
      if (u.pathname === '/apis') return { status: 200, body: aggregated('v2', sig) };
      if (u.pathname.endsWith('/clusternetworkpolicies')) return { status: 403, body: status(403, 'Forbidden', 'clusternetworkpolicies.policy.networking.k8s.io is forbidden: User "alice" cannot list resource "clusternetworkpolicies"') };
      return { status: 200, body: list('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', []) };
    });
    const r = await c.readPolicyKinds();
    const cnpRead = r.apis[0]!;
    assert.deepEqual([cnpRead.state, cnpRead.reason, cnpRead.group, cnpRead.version, cnpRead.resource], ['unreadable', 'Forbidden', 'policy.networking.k8s.io', 'v1alpha2', 'clusternetworkpolicies']);
    assert.match(cnpRead.message!, /^forbidden: cannot list clusternetworkpolicies\.policy\.networking\.k8s\.io cluster-wide \(context "t", https:\/\/k8s\.test:6443\): .*User "alice" cannot list.*; grant "list" on clusternetworkpolicies in API group policy\.networking\.k8s\.io \(deploy\/rbac\.yaml\)$/);
    assert.deepEqual(states(r.apis).slice(1, 3), ['AdminNetworkPolicy served 0', 'BaselineAdminNetworkPolicy served 0']);
  });

  it('APIGroupList fallback (an old server): the group/version is listed, and a 404 there means absent', async () => {
    const { c, paths } = client((u, ctx) => {
      if (u.pathname === '/apis') {
        // An old server ignores the aggregated media types and answers the plain list.
        assert.match(ctx.getHeaders()['Accept'] ?? '', /application\/json$/);
        return { status: 200, body: groupList(['policy.networking.k8s.io', ['v1alpha1']], ['crd.antrea.io', ['v1alpha1']]) };
      }
      if (u.pathname === '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies') return { status: 200, body: list('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', [{ metadata: { name: 'a' }, spec: { priority: 3, subject: { namespaces: {} } } }]) };
      if (u.pathname === '/apis/crd.antrea.io/v1alpha1/networkpolicies') return { status: 200, body: list('crd.antrea.io/v1alpha1', 'NetworkPolicy', [{ metadata: { name: 'n', namespace: 'x' }, spec: { priority: 1 } }]) };
      return undefined; // baselineadminnetworkpolicies, clusternetworkpolicies.crd.antrea.io: 404
    });
    const r = await c.readPolicyKinds();
    assert.ok(paths().includes('/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies?limit=500'));
    assert.deepEqual(states(r.apis), [
      'ClusterNetworkPolicy absent', 'AdminNetworkPolicy served 1', 'BaselineAdminNetworkPolicy absent', 'CiliumNetworkPolicy absent', 'CiliumClusterwideNetworkPolicy absent',
      'CalicoNetworkPolicy absent', 'CalicoGlobalNetworkPolicy absent', 'CalicoTier absent', 'AntreaClusterNetworkPolicy absent', 'AntreaNetworkPolicy served 1', 'AntreaTier absent',
    ]);
    assert.deepEqual(r.clusterPolicies.map((p) => [p.kind, p.spec.tier, p.spec.priority]), [['AdminNetworkPolicy', 'Admin', 3]]);
    assert.deepEqual(r.cniPolicies.map((p) => `${p.kind} ${p.apiVersion} ${p.metadata.namespace}/${p.metadata.name}`), ['AntreaNetworkPolicy crd.antrea.io/v1alpha1 x/n']);
  });

  it('429 is retried like every other request; a 500 on a list is `unreadable` with the server error', async () => {
    let throttled = 0;
    const { c } = client((u) => {
      if (u.pathname === '/apis') return throttled++ < 2 ? { status: 429, body: status(429, 'TooManyRequests', 'slow down'), headers: { 'retry-after': '1' } } : { status: 200, body: aggregated('v2', cilium) };
      if (u.pathname.endsWith('/ciliumnetworkpolicies')) return { status: 500, body: status(500, 'InternalError', 'etcd is sad') };
      return { status: 200, body: list('cilium.io/v2', 'CiliumClusterwideNetworkPolicy', []) };
    });
    const r = await c.readPolicyKinds();
    assert.equal(throttled, 3);
    assert.deepEqual([r.apis[3]!.state, r.apis[3]!.reason], ['unreadable', 'ServerError']);
    assert.match(r.apis[3]!.message!, /^server error 500: list ciliumnetworkpolicies\.cilium\.io cluster-wide .*etcd is sad; check the API server health/);
    assert.equal(r.apis[4]!.state, 'served');
  });

  it('a failed discovery makes every kind `unreadable` with its cause, never an exception', async () => {
    const { c } = client(() => ({ status: 503, body: status(503, 'ServiceUnavailable', 'apiserver is shutting down') }));
    const r = await c.readPolicyKinds();
    assert.deepEqual(r.apis.map((a) => `${a.state} ${a.reason}`), Array(11).fill('unreadable ServerError'));
    assert.match(r.apis[0]!.message!, /^server error 503: get \/apis \(context "t", .*apiserver is shutting down/);
  });

  it('an interrupted run propagates (Aborted), it is not a kind "unreadable"', async () => {
    const controller = new AbortController();
    const { c } = client((u) => {
      if (u.pathname === '/apis') return { status: 200, body: aggregated('v2', sig) };
      controller.abort(new Error('SIGINT'));
      throw new Error('SIGINT');
    }, { signal: controller.signal });
    await assert.rejects(c.readPolicyKinds(), { kind: 'Aborted' });
  });
});
