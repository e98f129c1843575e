// Security: secrets in the kubeconfig never reach the output, even with -v and on failures; the
// executable runs only its own code (NODE_OPTIONS cannot inject any); the lockfile pins every
// production dependency with an integrity hash.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { freshNamespaces, policyNames } from '../support/cluster.ts';
import { adminKubeconfig, builtBinary, REPO } from '../support/env.ts';
import { plugin, type Run } from '../support/run.ts';

const secret = (what: string) => `cisnp-${what}-${randomBytes(12).toString('hex')}`;

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** A client key and certificate; signed by the test server's CA when `ca` is given, else self-signed. */
function clientCert(dir: string, name: string, ca?: { crt: string; key: string }): { key: string; crt: string } {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  const subj = `/O=system:masters/CN=${name}`;
  if (ca) {
    const csr = path.join(dir, `${name}.csr`);
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subj, '-keyout', key, '-out', csr], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', ca.crt, '-CAkey', ca.key, '-CAcreateserial', '-CAserial', path.join(dir, 'ca.srl'), '-days', '1', '-out', crt], { stdio: 'ignore' });
  } else {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', subj, '-keyout', key, '-out', crt], { stdio: 'ignore' });
  }
  return { key: fs.readFileSync(key, 'utf8'), crt: fs.readFileSync(crt, 'utf8') };
}

/** Every form in which a secret could show up: as is, base64, and each line of a PEM body. */
function forms(value: string): string[] {
  const out = [value, b64(value)];
  if (value.includes('-----BEGIN')) out.push(...value.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')));
  return out;
}

describe('security', function () {
  this.timeout(120_000);

  describe('verbose logs never print tokens, passwords or client keys from the kubeconfig', () => {
    let dir = '';
    const secrets: Record<string, string> = {};
    const runs: { context: string; args: string[]; run: Run }[] = [];
    let ns = '';
    // context → whether it can work against the real server
    const contexts: Record<string, boolean> = {
      'token-valid': true,
      'cert-valid': true,
      'token-rejected': false,
      'basic-auth-rejected': false,
      'cert-untrusted': false,
      'exec-token-rejected': false,
      'closed-port': false,
      'server-url-with-password': false,
      'proxy-url-with-password': false,
    };

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-security-'));
      const kubeconfig = path.join(dir, 'kubeconfig');
      const admin = yaml.load(fs.readFileSync(adminKubeconfig(), 'utf8')) as {
        clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
        users: { user: { token: string } }[];
      };
      const { server, 'certificate-authority-data': caData } = admin.clusters[0]!.cluster;
      const pki = path.join(path.dirname(adminKubeconfig()), 'pki');
      const signed = clientCert(dir, 'cisnp-cert-user', { crt: path.join(pki, 'ca.crt'), key: path.join(pki, 'ca.key') });
      const untrusted = clientCert(dir, 'cisnp-untrusted');
      Object.assign(secrets, {
        'admin token': admin.users[0]!.user.token,
        'rejected token': secret('token'),
        'basic-auth password': secret('password'),
        'exec token': secret('exec-token'),
        'server URL password': secret('url-password'),
        'proxy URL password': secret('proxy-password'),
        'client key': signed.key,
        'untrusted client key': untrusted.key,
      });
      const exec = path.join(dir, 'credential-plugin.sh');
      fs.writeFileSync(exec, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${secrets['exec token']}"}}'\n`, { mode: 0o755 });
      const port = await closedPort();
      const host = server.replace(/^https:\/\//, '');
      const cluster = (name: string, extra: Record<string, string> = {}) => ({ name, cluster: { server, 'certificate-authority-data': caData, ...extra } });
      const users: Record<string, Record<string, unknown>> = {
        'token-valid': { token: secrets['admin token'] },
        'cert-valid': { 'client-certificate-data': b64(signed.crt), 'client-key-data': b64(signed.key) },
        'token-rejected': { token: secrets['rejected token'] },
        'basic-auth-rejected': { username: 'cisnp-basic-user', password: secrets['basic-auth password'] },
        'cert-untrusted': { 'client-certificate-data': b64(untrusted.crt), 'client-key-data': b64(untrusted.key) },
        'exec-token-rejected': { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: exec, interactiveMode: 'Never' } },
      };
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          cluster('real'),
          cluster('closed-port', { server: `https://127.0.0.1:${port}` }),
          cluster('server-url-with-password', { server: `https://cisnp-url-user:${secrets['server URL password']}@${host}` }),
          cluster('proxy-url-with-password', { 'proxy-url': `http://cisnp-proxy-user:${secrets['proxy URL password']}@127.0.0.1:${port}` }),
        ],
        users: Object.entries(users).map(([name, user]) => ({ name, user })),
        contexts: Object.keys(contexts).map((name) => ({
          name,
          context: { cluster: ['closed-port', 'server-url-with-password', 'proxy-url-with-password'].includes(name) ? name : 'real', user: name in users ? name : 'token-valid' },
        })),
        'current-context': 'token-valid',
      };
      fs.writeFileSync(kubeconfig, yaml.dump(config), { mode: 0o600 });

      [ns] = freshNamespaces('sec', 1) as [string];
      for (const context of Object.keys(contexts)) {
        for (const args of [['audit'], ['audit', '-o', 'json'], ['remediate', '--dry-run=server'], ['remediate'], ['rollback']]) {
          const full = [...args, '-n', ns, '--context', context, '-v', '--request-timeout', '10s'];
          runs.push({ context, args: full, run: plugin(full, { kubeconfig }) });
        }
      }
    });

    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it('the runs did both: succeed with valid credentials, fail cleanly with the others', () => {
      for (const { context, args, run } of runs) {
        const what = `${context}: ${args.join(' ')}\n${run.stdout}${run.stderr}`;
        if (contexts[context]) {
          assert.ok(run.code !== 2, what);
          assert.match(run.stderr, /^I \S+ (get|list|create|delete) \S+/m, `-v logs the requests: ${what}`);
        } else {
          assert.equal(run.code, 2, what);
          assert.match(run.stderr, /^error: .+ \(next: .+\)$/m, what);
        }
      }
      assert.deepEqual(policyNames(ns), [], 'the valid contexts remediated and rolled back');
    });

    it('no secret appears in any output, in any form', () => {
      const all = runs.map((r) => `${r.run.stdout}\n${r.run.stderr}`).join('\n');
      for (const [name, value] of Object.entries(secrets)) {
        for (const form of forms(value)) assert.ok(!all.includes(form), `the ${name} appears in the output`);
      }
      assert.doesNotMatch(all, /authorization:|bearer |basic [a-z0-9+/=]{8}/i, 'no request header is printed');
    });
  });

  describe('the executable runs only its own code', () => {
    let [dir, marker, cjs, mjs] = ['', '', '', ''];
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cisnp-node-options-'));
      [marker, cjs, mjs] = ['injected', 'inject.cjs', 'inject.mjs'].map((f) => path.join(dir, f)) as [string, string, string];
      fs.writeFileSync(cjs, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'cjs');\n`);
      fs.writeFileSync(mjs, `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker)}, 'mjs');\n`);
    });
    afterEach(() => fs.rmSync(marker, { force: true }));
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it('the injected file does write its marker under plain node (the check can see an injection)', () => {
      const r = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: `--require ${cjs}` } });
      assert.equal(r.status, 0);
      assert.equal(fs.readFileSync(marker, 'utf8'), 'cjs');
    });

    // NODE_OPTIONS values; <tmp> is the directory of the injected files.
    for (const template of ['--require <tmp>/inject.cjs', '--import <tmp>/inject.mjs', '--require=<tmp>/inject.cjs --no-warnings']) {
      it(`NODE_OPTIONS='${template}' is not honoured by the executable`, () => {
        const value = template.replaceAll('<tmp>', dir);
        for (const args of [['version'], ['audit', '-n', 'default']]) {
          const r = spawnSync(builtBinary(), args, { env: { ...process.env, KUBECONFIG: adminKubeconfig(), NODE_OPTIONS: value }, encoding: 'utf8', timeout: 60_000 });
          assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
          assert.equal(fs.existsSync(marker), false, `${args.join(' ')}: the injected code ran`);
        }
      });
    }
  });

  it('the lockfile pins every production dependency to an exact version with a sha512 integrity hash', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, { version?: string; resolved?: string; integrity?: string; dev?: boolean; link?: boolean }> };
    assert.ok(lock.lockfileVersion >= 2);
    const prod = Object.entries(lock.packages).filter(([p, e]) => p !== '' && !e.dev && !e.link);
    assert.ok(prod.length > 10, `${prod.length} production packages`);
    for (const [p, e] of prod) {
      assert.match(e.version ?? '', /^\d+\.\d+\.\d+/, `${p}: no exact version`);
      // npm leaves `resolved` out for the default registry; anything else (git, file, http) would show here.
      if (e.resolved !== undefined) assert.match(e.resolved, /^https:\/\/registry\.npmjs\.org\//, `${p}: resolved from ${e.resolved}`);
      assert.match(e.integrity ?? '', /^sha512-[A-Za-z0-9+/]+=*$/, `${p}: no sha512 integrity`);
    }
  });
});
