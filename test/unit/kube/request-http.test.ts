// The HTTP edge (src/kube/request-http.ts) against a real local HTTPS server (a self-signed
// certificate made with openssl, trusted through the kubeconfig's certificate-authority-data):
// what reaches the wire, keep-alive, and that failures look as fetch's did (map-error.ts reads them).
// The real API server: every integration test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import sinon from 'sinon';
import { kubeHttpLibrary } from '../../../src/kube/request-http.ts';

type Seen = { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string };

let key: Buffer;
let cert: Buffer;
before(function () {
  this.timeout(20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-edge-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'k'), '-out', path.join(dir, 'c')], { stdio: 'ignore' });
  key = fs.readFileSync(path.join(dir, 'k'));
  cert = fs.readFileSync(path.join(dir, 'c'));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function server(handle: (req: Seen, res: import('node:http').ServerResponse) => void = (_, res) => res.end('{}')) {
  const seen: Seen[] = [];
  let handshakes = 0;
  const s = https.createServer({ key, cert }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(r);
      handle(r, res);
    });
  });
  s.on('secureConnection', () => handshakes++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { url, seen, handshakes: () => handshakes, close: () => (s.closeAllConnections(), new Promise<void>((r) => s.close(() => r()))) };
}

function kubeconfig(server: string, user: Record<string, string> = { token: 'secret-token' }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData: cert.toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 't', cluster: 'c', user: 'u' }],
    currentContext: 't',
  });
  return kc;
}

function context(url: string, method: HttpMethod = HttpMethod.POST, body = '{"a":1}'): RequestContext {
  const ctx = new RequestContext(`${url}/apis/networking.k8s.io/v1/namespaces/a/networkpolicies?fieldManager=x`, method);
  ctx.setHeaderParam('Accept', 'application/json');
  if (method !== HttpMethod.GET) {
    ctx.setHeaderParam('Content-Type', 'application/json');
    ctx.setBody(body);
  }
  return ctx;
}

describe('kube/request-http: the HTTP edge on node:https', () => {
  afterEach(() => sinon.restore());

  it('sends method, path with query, headers, the kubeconfig\'s credentials and body over TLS verified with its CA; answers status, headers and text', async () => {
    const s = await server((_, res) => {
      res.setHeader('Set-Cookie', ['a', 'b']);
      res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    try {
      const res = await kubeHttpLibrary(kubeconfig(s.url), { timeoutMs: 0 }).send(context(s.url)).toPromise();
      assert.deepEqual(s.seen.map(({ method, url, body }) => ({ method, url, body })), [{ method: 'POST', url: '/apis/networking.k8s.io/v1/namespaces/a/networkpolicies?fieldManager=x', body: '{"a":1}' }]);
      assert.equal(s.seen[0]?.headers['authorization'], 'Bearer secret-token');
      assert.equal(s.seen[0]?.headers['content-type'], 'application/json');
      assert.equal(res.httpStatusCode, 201);
      assert.equal(res.headers['set-cookie'], 'a, b');
      assert.equal(await res.body.text(), '{"ok":true}');
    } finally {
      await s.close();
    }
  });

  it('a DELETE with a body (our preconditions) is framed: ten on one kept-alive connection each arrive whole', async () => {
    const s = await server();
    try {
      const edge = kubeHttpLibrary(kubeconfig(s.url), { timeoutMs: 0 });
      for (let i = 0; i < 10; i++) {
        const res = await edge.send(context(s.url, HttpMethod.DELETE, `{"preconditions":{"uid":"u${i}"}}`)).toPromise();
        assert.equal(res.httpStatusCode, 200);
      }
      assert.deepEqual(s.seen.map((r) => [r.method, r.body]), Array.from({ length: 10 }, (_, i) => ['DELETE', `{"preconditions":{"uid":"u${i}"}}`]));
      assert.equal(s.handshakes(), 1);
    } finally {
      await s.close();
    }
  });

  it('a user with username and password is sent as basic auth', async () => {
    const s = await server();
    try {
      await kubeHttpLibrary(kubeconfig(s.url, { username: 'ann', password: 'pw' }), { timeoutMs: 0 }).send(context(s.url, HttpMethod.GET)).toPromise();
      assert.equal(s.seen[0]?.headers['authorization'], `Basic ${Buffer.from('ann:pw').toString('base64')}`);
    } finally {
      await s.close();
    }
  });

  it('keeps connections alive: 20 requests one after another take one TLS handshake, 20 at once no more than 20', async () => {
    const s = await server();
    try {
      const edge = kubeHttpLibrary(kubeconfig(s.url), { timeoutMs: 0 });
      for (let i = 0; i < 20; i++) await (await edge.send(context(s.url, HttpMethod.GET)).toPromise()).body.text();
      assert.equal(s.handshakes(), 1);
      await Promise.all(Array.from({ length: 20 }, () => edge.send(context(s.url, HttpMethod.GET)).toPromise()));
      assert.ok(s.handshakes() <= 20 && s.seen.length === 40, `${s.handshakes()} handshakes`);
    } finally {
      await s.close();
    }
  });

  it('a server certificate the kubeconfig\'s CA did not sign: `TypeError: fetch failed` with the TLS cause', async () => {
    const s = await server();
    try {
      const kc = kubeconfig(s.url);
      kc.clusters[0] = { ...kc.clusters[0]!, caData: undefined };
      const err = await kubeHttpLibrary(kc, { timeoutMs: 0 }).send(context(s.url)).toPromise().catch((e: unknown) => e);
      assert.ok(err instanceof TypeError && err.message === 'fetch failed', String(err));
      assert.match(String((err.cause as { code?: string }).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
      assert.equal(s.seen.length, 0);
    } finally {
      await s.close();
    }
  });

  it('a refused connection: `TypeError: fetch failed` with cause ECONNREFUSED; a URL with credentials is refused before connecting', async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    const err = await kubeHttpLibrary(kubeconfig(url), { timeoutMs: 0 }).send(context(url)).toPromise().catch((e: unknown) => e);
    assert.ok(err instanceof TypeError && err.message === 'fetch failed', String(err));
    assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
    const withCreds = url.replace('https://', 'https://ann:pw@');
    await assert.rejects(kubeHttpLibrary(kubeconfig(withCreds), { timeoutMs: 0 }).send(context(withCreds)).toPromise(), /URL that includes credentials/);
  });

  it('the run\'s signal aborts a read with its reason; a write in flight is let finish', async () => {
    let release: () => void = () => {};
    const s = await server((_, res) => { release = () => res.end('{}'); });
    try {
      const run = new AbortController();
      const edge = kubeHttpLibrary(kubeconfig(s.url), { timeoutMs: 0, signal: run.signal });
      const read = edge.send(context(s.url, HttpMethod.GET)).toPromise();
      while (s.seen.length < 1) await new Promise((r) => setTimeout(r, 5));
      run.abort(new Error('SIGINT'));
      await assert.rejects(read, /SIGINT/);
      const write = edge.send(context(s.url, HttpMethod.POST)).toPromise();
      while (s.seen.length < 2) await new Promise((r) => setTimeout(r, 5));
      release();
      assert.equal((await write).httpStatusCode, 200);
    } finally {
      await s.close();
    }
  });

  it('no answer within the timeout: TimeoutError (map-error.ts: Timeout); the timer is cleared once the answer is read', async () => {
    const s = await server((r, res) => { if (r.method === 'POST') res.end('{}'); });
    try {
      const kc = kubeconfig(s.url);
      const err = await kubeHttpLibrary(kc, { timeoutMs: 50 }).send(context(s.url, HttpMethod.GET)).toPromise().catch((e: unknown) => e);
      assert.equal((err as Error).name, 'TimeoutError');
      const spy = sinon.spy(globalThis, 'clearTimeout');
      const set = sinon.spy(globalThis, 'setTimeout');
      await kubeHttpLibrary(kc, { timeoutMs: 30_000 }).send(context(s.url, HttpMethod.POST)).toPromise();
      const ours = set.getCalls().filter((c) => c.args[1] === 30_000).map((c) => c.returnValue);
      assert.equal(ours.length, 1);
      assert.ok(spy.getCalls().some((c) => c.args[0] === ours[0]), 'the 30 s timer was cleared');
    } finally {
      await s.close();
    }
  });
});
