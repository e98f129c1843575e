// The HTTP edge (src/kube/request-http.ts: node:https, client-node's credentials and agents) against
// the real API server, through the set-ups whose code the executable loads only when a kubeconfig
// asks for it (scripts/lib/lazy-modules.mjs): an exec credential plugin, which must run once per
// run however many requests follow, and an HTTP CONNECT proxy (proxy-url), through which the
// connections must be kept alive.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { freshNamespaces } from '../support/cluster.ts';
import { adminKubeconfig } from '../support/env.ts';
import { pluginAsync, type Run } from '../support/run.ts';

function run(args: string[], kubeconfig: string): Promise<Run> {
  const child = pluginAsync(args, { kubeconfig });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

type Admin = { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[] };

function kubeconfigWith(dir: string, cluster: Record<string, string>, user: Record<string, unknown>): string {
  const admin = yaml.load(fs.readFileSync(adminKubeconfig(), 'utf8')) as Admin;
  const file = path.join(dir, `kubeconfig-${fs.readdirSync(dir).length}`);
  fs.writeFileSync(file, yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 't',
    clusters: [{ name: 'c', cluster: { ...admin.clusters[0]!.cluster, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 't', context: { cluster: 'c', user: 'u' } }],
  }), { mode: 0o600 });
  return file;
}

const requestsLogged = (stderr: string) => stderr.split('\n').filter((l) => /^I \S+ (get|list|create|delete) \S+.*: ok \(/.test(l)).length;

describe('the HTTP edge through exec credentials and a proxy, against the real API server', function () {
  this.timeout(120_000);
  let dir = '';
  let ns = '';
  let token = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-transport-'));
    [ns] = freshNamespaces('transport', 1) as [string];
    token = (yaml.load(fs.readFileSync(adminKubeconfig(), 'utf8')) as Admin).users[0]!.user.token;
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('an exec credential plugin: its token is used, and it runs once for the whole run', async () => {
    const calls = path.join(dir, 'exec-calls');
    const exec = path.join(dir, 'credential-plugin');
    fs.writeFileSync(exec, `#!/bin/sh\necho run >> '${calls}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`, { mode: 0o755 });
    const kubeconfig = kubeconfigWith(dir, {}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: exec, interactiveMode: 'Never' } });
    const r = await run(['audit', '-v'], kubeconfig);
    assert.ok(r.code === 0 || r.code === 1, `${r.code}\n${r.stderr}`);
    assert.ok(requestsLogged(r.stderr) >= 10, r.stderr);
    assert.equal(fs.readFileSync(calls, 'utf8'), 'run\n', 'one plugin run for every request of the audit');
  });

  it('proxy-url (HTTP CONNECT): every request goes through the proxy, over a few kept-alive connections', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer((_, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const kubeconfig = kubeconfigWith(dir, { 'proxy-url': `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` }, { token });
      const r = await run(['remediate', '-n', ns, '--dry-run=server', '-v'], kubeconfig);
      assert.ok(r.code === 0 || r.code === 1, `${r.code}\n${r.stderr}`);
      const server = new URL((yaml.load(fs.readFileSync(adminKubeconfig(), 'utf8')) as Admin).clusters[0]!.cluster['server']!);
      assert.ok(tunnels.length >= 1 && tunnels.every((t) => t === `${server.hostname}:${server.port}`), tunnels.join(', '));
      const requests = requestsLogged(r.stderr);
      assert.ok(requests > tunnels.length * 2, `${requests} requests over ${tunnels.length} connections: kept alive`);
    } finally {
      proxy.close();
    }
  });
});
