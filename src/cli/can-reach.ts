import { isIP } from 'node:net';
import type { PortSpec } from '../app/can-reach.ts';
import type { SnapshotSource } from '../app/audit.ts';
import { UsageError } from '../core/errors.ts';
import type { Protocol } from '../core/model.ts';
import type { Endpoint } from '../core/netpol/index.ts';
import { parseStateFile } from '../kube/state-file.ts';
import type { Command } from './command.ts';
import type { CommandContext } from './context.ts';
import { canReachExit } from './exit.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** --from / --to: `<namespace>/<pod>` or an IPv4/IPv6 address. */
export function parseEndpoint(flag: string, value: string): Endpoint {
  const v = value.trim();
  const bad = (why: string) => new UsageError(`invalid --${flag} "${value}": ${why}`, `give --${flag} as <namespace>/<pod> (e.g. prod/web-7d4b9) or an IP address (e.g. 10.0.0.7)`);
  if (isIP(v) !== 0) return { kind: 'ip', ip: v };
  const parts = v.split('/');
  if (parts.length === 2 && isIP(parts[0]!) !== 0) throw bad('a CIDR is not an endpoint; give one address of the range');
  if (parts.length > 2) throw bad('not a pod or a single address');
  if (parts.length !== 2) throw bad('expected <namespace>/<pod> or an IP address');
  const [namespace, name] = parts as [string, string];
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) throw bad(`"${namespace}" is not a namespace name`);
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) throw bad(`"${name}" is not a pod name`);
  return { kind: 'pod', namespace, name };
}

/** --port: `<number|name>[/TCP|UDP|SCTP]`; the protocol defaults to TCP. */
export function parsePort(value: string): PortSpec {
  const v = value.trim();
  const bad = (why: string) => new UsageError(`invalid --port "${value}": ${why}`, 'give --port as a number or a container port name, optionally with /TCP, /UDP or /SCTP (e.g. 8080, http, 53/UDP)');
  const [port = '', protocolText, ...rest] = v.split('/');
  if (rest.length > 0) throw bad('expected at most one "/"');
  let protocol: Protocol = 'TCP';
  if (protocolText !== undefined) {
    const p = PROTOCOLS.find((x) => x === protocolText.toUpperCase());
    if (!p) throw bad(`unknown protocol "${protocolText}" (NetworkPolicy knows TCP, UDP and SCTP)`);
    protocol = p;
  }
  if (/^\d+$/.test(port)) {
    const n = Number(port);
    if (n < 1 || n > 65535) throw bad('a port number is from 1 to 65535');
    return { port: n, protocol };
  }
  if (port.length > 15 || !PORT_NAME.test(port) || !/[a-z]/.test(port)) throw bad(`"${port}" is neither a port number nor a container port name`);
  return { port, protocol };
}

async function sourceOf(file: string | undefined, ctx: CommandContext): Promise<SnapshotSource> {
  if (file === undefined) return { kind: 'cluster', cluster: await ctx.cluster() };
  let text: string;
  try {
    text = file === '-' ? await ctx.io.readStdin() : ctx.io.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read -f ${file}: ${(err as Error).message}`, 'check the path, or pass - to read stdin');
  }
  return { kind: 'file', path: file === '-' ? '<stdin>' : file, state: parseStateFile(text, file === '-' ? 'stdin' : file) };
}

export const canReachCommand: Command = {
  name: 'can-reach',
  describe: 'Say whether NetworkPolicies allow one connection, and which policies and rules decide it',
  examples: [
    ['kubectl cis-netpol can-reach --from shop/web --to shop/db --port 5432', 'pod to pod'],
    ['kubectl cis-netpol can-reach --from shop/web --to 203.0.113.9 --port 443', 'to an address outside'],
    ['kubectl cis-netpol can-reach --from dev/x --to shop/web --port http', 'a named port of the destination'],
    ['kubectl cis-netpol can-reach -f state.yaml --from a/x --to b/y --port 53/UDP', 'a saved state'],
  ],
  builder: (y) =>
    y
      .option('from', { type: 'string', demandOption: true, describe: 'Source: <namespace>/<pod> or an IP address' })
      .option('to', { type: 'string', demandOption: true, describe: 'Destination: <namespace>/<pod> or an IP address' })
      .option('port', { type: 'string', demandOption: true, describe: 'Destination port: a number or the destination pod\'s container port name, optionally /TCP, /UDP or /SCTP (default TCP)' })
      .option('filename', { alias: 'f', type: 'string', describe: 'Judge a saved state (kubectl get ns,pods,nodes,netpol -A -o yaml) instead of the cluster; - reads stdin' })
      .epilogue('Exit codes: 0 allowed, 1 denied, 2 error (bad endpoint, unknown pod, named port that does not resolve, missing permission).'),
  async run(argv, ctx) {
    const options = {
      from: parseEndpoint('from', String(argv['from'])),
      to: parseEndpoint('to', String(argv['to'])),
      port: parsePort(String(argv['port'])),
    };
    const source = await sourceOf(argv['filename'] as string | undefined, ctx);
    // The evaluator and its renderer load with the command that uses them (docs/release.md, "Start-up, round two").
    const [{ runCanReach }, { renderCanReach }] = await Promise.all([import('../app/can-reach.ts'), import('../output/can-reach.ts')]);
    const report = await runCanReach(options, source, ctx.deps);
    ctx.print(report, (style) => renderCanReach(report, style));
    return canReachExit(report);
  },
};
