#!/usr/bin/env node
// npm run bench -- --watch (or node scripts/bench-watch.mjs): kubectl cis-netpol watch at scale, on a
// scripts/testenv of its own (state under /tmp, always stopped).
//   1. latency: --rate namespaces per second (default 50), --count of them (default 1,000), created
//      while watch runs; for each, the time from its create (the POST answered) to its placeholder's
//      ADDED event on a watch of our own; median, p99, max; watch's RSS meanwhile.
//   2. soak: --soak-namespaces in all (default 10,000), then --soak-seconds (default 1,200) of churn
//      (create and remove namespaces at --churn per second, default 5); watch's RSS sampled every 5 s
//      and printed by minute, with the V8 heap (used / total) scraped from its /metrics at the same
//      time. --soak-seconds 0: the latency run alone.
// --watch-log FILE keeps watch's -v log (every request and proof with its time).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({ options: {
  rate: { type: 'string', default: '50' }, count: { type: 'string', default: '1000' },
  'soak-namespaces': { type: 'string', default: '10000' }, 'soak-seconds': { type: 'string', default: '1200' },
  churn: { type: 'string', default: '5' }, bin: { type: 'string', default: path.join(REPO, 'dist', 'kubectl-cis_netpol') },
  watch: { type: 'boolean', default: true },
  // Keep watch's log (-v: every request with its time, every proof) in this file.
  'watch-log': { type: 'string' },
} });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error(`[bench-watch ${new Date().toISOString().slice(11, 19)}]`, ...a);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const rssMB = (pid) => { const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); return m ? Number(m[1]) / 1024 : NaN; };

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-bench-watch-'));
// A copy, as scripts/bench.mjs does: a freshly built executable's pages sit in the page cache in a
// state that made the same bytes show ~30 MB more RSS than a copied file (measured here).
const bin = path.join(dir, 'kubectl-cis_netpol');
fs.copyFileSync(o.bin, bin);
const state = path.join(dir, 'env');
const testenv = (cmd) => {
  const r = spawnSync(path.join(REPO, 'scripts', 'testenv'), [cmd], { env: { ...process.env, CIS_NETPOL_TESTENV_DIR: state }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`testenv ${cmd}: ${r.stderr}`);
  return r.stdout;
};
let child;
let err = '';
const cleanup = () => { if (o['watch-log']) fs.writeFileSync(o['watch-log'], err); child?.kill('SIGKILL'); try { testenv('stop'); } catch {} fs.rmSync(dir, { recursive: true, force: true }); };
process.on('SIGINT', () => { cleanup(); process.exit(130); });
try {
  const kubeconfig = /^export KUBECONFIG=(\S+)$/m.exec(testenv('start'))[1];
  const read = (f) => fs.readFileSync(path.join(state, f), 'utf8').trim();
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: read('pki/ca.crt') });
  const req = (method, p, body, onData) => new Promise((resolve, reject) => {
    const r = https.request({ host: '127.0.0.1', port: Number(read('port')), path: p, method, agent: onData ? undefined : agent, ca: read('pki/ca.crt'), headers: { authorization: `Bearer ${read('admin.token')}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (onData ? onData(d) : (text += d))).on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    r.on('error', reject).end(body ? JSON.stringify(body) : undefined);
  });
  const createNs = (name) => req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const removeNs = async (name) => { await req('DELETE', `/api/v1/namespaces/${name}`); await req('PUT', `/api/v1/namespaces/${name}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: [] } }); };

  child = spawn(bin, ['watch', '--listen-address', '127.0.0.1:0', '--exclude', 'default', ...(o['watch-log'] ? ['-v'] : [])], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'ignore', 'pipe'] });
  err = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  while (!/INFO synced resource=networkpolicies/.test(err) || !/INFO synced resource=namespaces/.test(err)) await sleep(100);
  const metricsUrl = `${/serving \/healthz.* url=(\S+)/.exec(err)[1]}/metrics`;
  // The V8 heap in MB, [used, total], from watch's /metrics (NaN when the scrape fails).
  const heapMB = async () => {
    try {
      const text = await (await fetch(metricsUrl)).text();
      const g = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / 1024 / 1024;
      return [g('nodejs_heap_size_used_bytes'), g('nodejs_heap_size_total_bytes')];
    } catch { return [NaN, NaN]; }
  };

  // Our own watch of NetworkPolicies: when each placeholder is seen.
  const seen = new Map();
  let partial = '';
  void req('GET', '/apis/networking.k8s.io/v1/networkpolicies?watch=true', undefined, (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop();
    for (const l of lines) if (l) { const e = JSON.parse(l); if (e.type === 'ADDED') seen.set(e.object.metadata.namespace, performance.now()); }
  });
  await sleep(500);
  const count = Number(o.count), rate = Number(o.rate);
  const created = new Map();
  const rss = [];
  log(`latency: ${count} namespaces at ${rate}/s; load ${loadavg()}`);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const at = t0 + (i * 1000) / rate;
    await sleep(Math.max(0, at - performance.now()));
    const name = `lat-${String(i).padStart(5, '0')}`;
    void createNs(name).then(() => created.set(name, performance.now()));
    if (i % rate === 0) rss.push(rssMB(child.pid));
  }
  const deadline = performance.now() + 30_000;
  while (seen.size < count && performance.now() < deadline) await sleep(100);
  const lat = [...created].filter(([n]) => seen.has(n)).map(([n, t]) => seen.get(n) - t);
  console.log(`watch latency (create → placeholder), ${count} namespaces at ${rate}/s: median ${pct(lat, 0.5).toFixed(0)} ms, p99 ${pct(lat, 0.99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms, missing ${count - lat.length}; RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB; load ${loadavg()}`);

  // --soak-seconds 0: the latency run alone.
  if (Number(o['soak-seconds']) > 0) {
    const total = Number(o['soak-namespaces']);
    log(`soak: filling to ${total} namespaces`);
    let next = count;
    const names = [];
    while (next < total) {
      const batch = Array.from({ length: Math.min(200, total - next) }, () => `soak-${String(next++).padStart(6, '0')}`);
      await Promise.all(batch.map(createNs));
      names.push(...batch);
    }
    const soakMs = Number(o['soak-seconds']) * 1000, churn = Number(o.churn);
    const samples = [];
    const s0 = performance.now();
    log(`soak: ${soakMs / 1000} s of churn at ${churn}/s`);
    let k = 0;
    while (performance.now() - s0 < soakMs) {
      for (let j = 0; j < churn; j++) {
        const gone = names.shift();
        void removeNs(gone);
        const fresh = `churn-${String(k++).padStart(6, '0')}`;
        void createNs(fresh);
        names.push(fresh);
      }
      if (Math.floor((performance.now() - s0) / 5000) >= samples.length) samples.push([Math.round((performance.now() - s0) / 1000), rssMB(child.pid), ...(await heapMB())]);
      await sleep(1000);
    }
    const mbs = samples.map((s) => s[1]);
    const q = Math.max(1, Math.floor(mbs.length / 4));
    const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Flat or growing: the RSS at each minute of the soak (a leak shows as a rising line, lazy
    // collection as a saw-tooth under a ceiling).
    const byMinute = samples.filter(([t], i) => i === 0 || Math.floor(t / 60) > Math.floor(samples[i - 1][0] / 60)).map(([t, mb, used]) => `${Math.round(t / 60)}m ${mb.toFixed(0)} (heap ${used.toFixed(0)})`);
    console.log(`watch RSS by minute, MB (V8 heap used): ${byMinute.join(', ')}`);
    console.log(`watch RSS over a ${soakMs / 1000} s soak at ${total} namespaces, churn ${churn}/s: first quarter ${avg(mbs.slice(0, q)).toFixed(0)} MB, last quarter ${avg(mbs.slice(-q)).toFixed(0)} MB, max ${Math.max(...mbs).toFixed(0)} MB (${samples.length} samples); load ${loadavg()}`);
    const used = samples.map((s) => s[2]), heap = samples.map((s) => s[3]);
    console.log(`watch V8 heap used (MB): first quarter ${avg(used.slice(0, q)).toFixed(0)}, last quarter ${avg(used.slice(-q)).toFixed(0)}, min ${Math.min(...used).toFixed(0)}, max ${Math.max(...used).toFixed(0)}; heap total: first quarter ${avg(heap.slice(0, q)).toFixed(0)}, last quarter ${avg(heap.slice(-q)).toFixed(0)}, max ${Math.max(...heap).toFixed(0)}`);
  }
  agent.destroy();
} finally {
  cleanup();
}
process.exit(0);
