// A scripts/testenv of a test file's own, in a temporary state directory (never the shared one):
// for tests that kill or restart the API server. Also a tiny HTTPS client for fast API calls.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './env.ts';

const TESTENV = path.join(REPO, 'scripts', 'testenv');

export class OwnTestenv {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-own-'));
  readonly stateDir = path.join(this.dir, 'env');
  kubeconfig = '';
  restricted = '';
  private agent: https.Agent | undefined;

  private run(cmd: 'start' | 'stop' | 'restart-apiserver'): string {
    const env: NodeJS.ProcessEnv = { ...process.env, CIS_NETPOL_TESTENV_DIR: this.stateDir };
    delete env['TESTENV_APISERVER_ARGS'];
    const r = spawnSync(TESTENV, [cmd], { env, encoding: 'utf8', timeout: 150_000 });
    if (r.status !== 0) throw new Error(`scripts/testenv ${cmd} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return r.stdout;
  }

  start(): void {
    const out = this.run('start');
    this.kubeconfig = /^export KUBECONFIG=(\S+)$/m.exec(out)?.[1] ?? '';
    this.restricted = /^export CIS_NETPOL_RESTRICTED_KUBECONFIG=(\S+)$/m.exec(out)?.[1] ?? '';
    assert.ok(fs.existsSync(this.kubeconfig), `no KUBECONFIG in the output of scripts/testenv start:\n${out}`);
  }

  restartApiserver(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.run('restart-apiserver');
  }

  killApiserver(): void {
    process.kill(Number(fs.readFileSync(path.join(this.stateDir, 'kube-apiserver.pid'), 'utf8')), 'SIGKILL');
  }

  stop(): void {
    this.agent?.destroy();
    try {
      this.run('stop');
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** One API request as the admin. */
  send(method: string, p: string, body?: unknown): Promise<{ status: number; body: string }> {
    const read = (f: string) => fs.readFileSync(path.join(this.stateDir, f), 'utf8').trim();
    this.agent ??= new https.Agent({ keepAlive: true, maxSockets: 16, ca: read('pki/ca.crt') });
    const agent = this.agent;
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: Number(read('port')), path: p, method, agent, headers: { authorization: `Bearer ${read('admin.token')}`, 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject).end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async createNamespace(name: string): Promise<void> {
    const r = await this.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, r.body);
  }

  async policies(namespace: string): Promise<{ metadata: { name: string; uid: string; labels?: Record<string, string> } }[]> {
    const r = await this.send('GET', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body).items;
  }
}
