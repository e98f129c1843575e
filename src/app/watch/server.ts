// /healthz (the process answers), /readyz (the first full sync is done and writes are not blocked)
// and /metrics. Plain node:http: three GET routes need no framework.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WatchMetrics } from './metrics.ts';

export interface Readiness {
  /** Undefined when ready; else why not (shown on /readyz). */
  notReady(): string | undefined;
}

export function parseListen(address: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid listen address "${address}"`);
  const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(m[2]) };
}

export async function serveHealth(address: string, ready: Readiness, metrics: WatchMetrics): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/healthz' || path === '/livez') return send(200, 'ok\n');
    if (path === '/readyz') {
      const why = ready.notReady();
      return why === undefined ? send(200, 'ok\n') : send(503, `not ready: ${why}\n`);
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then((text) => send(200, text, metrics.registry.contentType), (err: Error) => send(500, `${err.message}\n`));
      return;
    }
    send(404, 'not found: try /healthz, /readyz or /metrics\n');
  });
  server.keepAliveTimeout = 5000;
  const { host, port } = parseListen(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
