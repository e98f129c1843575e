// runCli end to end with an injected IO: buffers for the streams, a fake connect, env {}.
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import sinon from 'sinon';
import { COMMANDS } from '../../../src/cli/commands.ts';
import { runCli } from '../../../src/cli/root.ts';
import type { IO } from '../../../src/cli/io.ts';
import type { ClientOptions } from '../../../src/kube/client.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { FIXED_NOW, state, type FakeCluster } from '../builders.ts';

const ANSI = /\u001b\[/;

interface Run {
  code: number;
  out: string;
  err: string;
  connect: sinon.SinonSpy<[ClientOptions], FakeCluster>;
}

interface IOOptions {
  cluster?: FakeCluster;
  connect?: (o: ClientOptions) => FakeCluster;
  tty?: boolean;
  env?: Record<string, string>;
  stdin?: string;
  files?: Record<string, string>;
  signal?: AbortSignal;
}

/** What --output-file wrote in the last run, by path. */
let written: Record<string, string> = {};

async function run(args: string[], o: IOOptions = {}): Promise<Run> {
  written = {};
  let out = '';
  let err = '';
  const cluster = o.cluster ?? state().cluster();
  const connect = sinon.spy(o.connect ?? ((_: ClientOptions) => cluster));
  const io: IO = {
    out: { write: (s: string) => { out += s; } },
    err: { write: (s: string) => { err += s; } },
    stdoutIsTTY: o.tty ?? false,
    stderrIsTTY: o.tty ?? false,
    env: o.env ?? {},
    signal: o.signal ?? new AbortController().signal,
    now: () => FIXED_NOW,
    readStdin: async () => o.stdin ?? '',
    readFile: (p: string) => {
      const text = o.files?.[p];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return text;
    },
    writeFile: (p: string, text: string) => {
      written[p] = text;
    },
    connect,
  };
  const code = await runCli(args, io);
  return { code, out, err, connect };
}

const compliant = () => state().namespace('a').policy('a', 'web').namespace('kube-system').cluster();
const noncompliant = () => state().namespace('a').policy('a', 'web').namespace('b').namespace('c').cluster();

describe('cli/runCli: help, version, usage errors', () => {
  it('--help: usage prefixed "kubectl cis-netpol", every command listed, exit 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^kubectl cis-netpol: CIS Kubernetes Benchmark 5\.3\.2/);
    assert.match(r.out, /Usage: kubectl cis-netpol <command> \[flags\]/);
    for (const c of ['audit', 'remediate', 'rollback', 'version']) assert.match(r.out, new RegExp(`^  kubectl cis-netpol ${c} `, 'm'));
    assert.equal(r.err, '');
    assert.equal(r.connect.callCount, 0);
  });

  for (const cmd of ['audit', 'remediate', 'rollback']) {
    it(`${cmd} --help: "kubectl cis-netpol ${cmd} [flags]"`, async () => {
      const r = await run([cmd, '--help']);
      assert.equal(r.code, 0);
      assert.ok(r.out.startsWith(`kubectl cis-netpol ${cmd} [flags]\n`));
      assert.ok(!ANSI.test(r.out));
    });
  }

  it('--version prints the version alone', async () => {
    const r = await run(['--version']);
    assert.deepEqual([r.code, r.out, r.err], [0, '0.1.0\n', '']);
  });

  it('the version command, also as JSON', async () => {
    assert.equal((await run(['version'])).out, 'kubectl-cis_netpol 0.1.0\n');
    assert.deepEqual(JSON.parse((await run(['version', '-o', 'json'])).out), { apiVersion: 'cis-netpol.io/v1', kind: 'Version', version: '0.1.0' });
  });

  const usageErrors: [args: string[], line: string][] = [
    [['audit', '--bogus'], 'error: Unknown argument: bogus (next: see `kubectl cis-netpol audit --help`)'],
    [['--bogus'], 'error: Unknown argument: bogus (next: see `kubectl cis-netpol --help`)'],
    [[], `error: name a command: ${COMMANDS.map((c) => c.name).join(', ')} (next: see \`kubectl cis-netpol --help\`)`],
    [['audit', '-n', 'a', '-A'], 'error: -n/--namespace and -A/--all-namespaces cannot be used together (next: use one of them)'],
    [['audit', '-o', 'wide'], 'error: unknown output format "wide" (next: use -o table, json, yaml, junit, kube-bench, sarif, policyreport, html)'],
    [['audit', '--json', '-o', 'yaml'], 'error: --json conflicts with -o yaml (next: use one of them)'],
    [['audit', '--request-timeout', 'soon'], 'error: invalid --request-timeout "soon" (next: use a duration such as 30s, 1m30s, or 0 for no timeout)'],
    [['remediate', '--dry-run=maybe'], 'error: invalid --dry-run value "maybe" (next: use --dry-run, --dry-run=client or --dry-run=server)'],
    [['remediate', '--template', 'deny-all'], 'error: unknown --template "deny-all" (next: use one of: allow-all, cluster-internal, select-none)'],
    [['remediate', '--policy-name', 'Bad_Name'], 'error: invalid --policy-name "Bad_Name": must be a DNS subdomain name of at most 63 characters (next: e.g. --policy-name cis-default-allow)'],
    [['rollback', '--concurrency', '0'], 'error: invalid --concurrency "0": must be a whole number from 1 to 256 (next: the default suits most clusters; lower it for a busy API server)'],
  ];
  for (const [args, line] of usageErrors) {
    it(`${args.join(' ') || '(no arguments)'} → one error line, exit 2, no request`, async () => {
      const r = await run(args, { cluster: compliant() });
      assert.deepEqual([r.code, r.out, r.err], [2, '', `${line}\n`]);
      assert.ok(r.connect.callCount === 0 || r.connect.firstCall.returnValue.calls.length === 0, 'nothing was asked of the cluster');
    });
  }
});

describe('cli/runCli: errors from the cluster side', () => {
  const configError = () => new ConfigError('context "nope" not found in kubeconfig (/k); known contexts: kind-a', 'pick one with --context');
  const throwing = (): ((o: ClientOptions) => FakeCluster) => () => { throw configError(); };

  it('a ConfigError: one line, no stack, exit 2', async () => {
    const r = await run(['audit', '--context', 'nope'], { connect: throwing() });
    assert.deepEqual([r.code, r.out], [2, '']);
    assert.equal(r.err, 'error: context "nope" not found in kubeconfig (/k); known contexts: kind-a (next: pick one with --context)\n');
  });

  it('with -v the stack trace follows the line', async () => {
    const r = await run(['audit', '-v'], { connect: throwing() });
    const [first, ...rest] = r.err.split('\n');
    assert.equal(first, 'error: context "nope" not found in kubeconfig (/k); known contexts: kind-a (next: pick one with --context)');
    assert.match(rest.join('\n'), /^ConfigError: context "nope"[^\n]*\n\s+at /);
  });

  it('an ApiError reading the cluster: one line, exit 2 (could not check)', async () => {
    const r = await run(['audit'], { cluster: compliant().fail({ op: 'listNamespaces' }, 'Unreachable') });
    assert.deepEqual([r.code, r.out, r.err], [2, '', 'error: unreachable: listNamespaces (fake) (next: hint for Unreachable)\n']);
  });

  it('an unexpected error says so and asks for -v', async () => {
    const cluster = compliant();
    cluster.listNamespaces = async () => { throw new TypeError('x is not a function'); };
    const r = await run(['audit'], { cluster });
    assert.equal(r.err, 'error: unexpected failure: x is not a function (next: run again with -v and report the stack trace)\n');
  });

  it('connect receives the kubeconfig flags, the parsed timeout, env and the signal', async () => {
    const signal = new AbortController().signal;
    const r = await run(['audit', '--kubeconfig', '/tmp/kc', '--context', 'kind-a', '--request-timeout', '2m'], { cluster: compliant(), signal, env: { KUBECONFIG: '/x' } });
    const o = r.connect.firstCall.args[0];
    assert.deepEqual([o.kubeconfig, o.context, o.requestTimeoutMs, o.env, o.signal], ['/tmp/kc', 'kind-a', 120_000, { KUBECONFIG: '/x' }, signal]);
  });

  it('-v logs (to stderr, with the time) the per-namespace fallback', async () => {
    const cluster = compliant().fail({ op: 'listPolicies', namespace: undefined }, 'Forbidden');
    const r = await run(['audit', '-v'], { cluster });
    assert.match(r.err, /^I 2024-05-01T12:00:00\.000Z cluster-wide list of networkpolicies forbidden: falling back to per-namespace lists$/m);
    assert.equal((await run(['audit'], { cluster: compliant().fail({ op: 'listPolicies', namespace: undefined }, 'Forbidden') })).err, '');
  });
});

describe('cli/runCli: audit', () => {
  it('compliant → exit 0 and the guide\'s PASS line', async () => {
    const r = await run(['audit'], { cluster: compliant() });
    assert.equal(r.code, 0);
    assert.match(r.out, /^\[\+\] PASS: All 1 checked namespaces have at least one NetworkPolicy defined$/m);
    assert.equal(r.err, '');
  });

  it('not compliant → exit 1 and the guide\'s FAIL lines', async () => {
    const r = await run(['audit'], { cluster: noncompliant() });
    assert.equal(r.code, 1);
    assert.ok(r.out.includes('[-] FAIL: The following 2 namespace(s) do not have a NetworkPolicy defined:\n    - b\n    - c\n'));
  });

  it('-n for a namespace that does not exist → exit 2', async () => {
    const r = await run(['audit', '-n', 'ghost'], { cluster: compliant() });
    assert.equal(r.code, 2);
    assert.match(r.out, /\[!\] ERROR: 1 namespace\(s\) could not be checked:\n {4}- ghost: Namespace not found/);
  });

  for (const args of [['-o', 'json'], ['--json']]) {
    it(`${args.join(' ')}: JSON that parses, with apiVersion cis-netpol.io/v1`, async () => {
      const r = await run(['audit', ...args], { cluster: noncompliant() });
      const doc = JSON.parse(r.out);
      assert.deepEqual([doc.apiVersion, doc.kind, doc.compliant, doc.summary.failed, r.code], ['cis-netpol.io/v1', 'AuditReport', false, 2, 1]);
      assert.deepEqual(doc.source, { kind: 'cluster', context: 'kind-test', server: 'https://127.0.0.1:6443' });
    });
  }

  it('-o yaml: YAML that parses to the same report as -o json', async () => {
    const asYaml = yaml.load((await run(['audit', '-o', 'yaml'], { cluster: noncompliant() })).out);
    const asJson = JSON.parse((await run(['audit', '-o', 'json'], { cluster: noncompliant() })).out);
    assert.deepEqual(asYaml, asJson);
  });

  it('-f - audits a saved state from stdin, without connecting', async () => {
    const stdin = 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: b}}\n'
      + '- {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: web, namespace: a}, spec: {podSelector: {}}}\n';
    const r = await run(['audit', '-f', '-', '-o', 'json'], { stdin });
    assert.equal(r.connect.callCount, 0);
    const doc = JSON.parse(r.out);
    assert.deepEqual([doc.source, doc.findings.map((f: { status: string }) => f.status), r.code], [{ kind: 'file', path: '<stdin>' }, ['PASS', 'FAIL'], 1]);
  });

  it('-f with a file that cannot be read → one line, exit 2', async () => {
    const r = await run(['audit', '-f', 'nope.yaml']);
    assert.deepEqual([r.code, r.err], [2, 'error: cannot read -f nope.yaml: ENOENT: no such file or directory, open \'nope.yaml\' (next: check the path, or pass - to read stdin)\n']);
  });

  it('-f with a file without namespaces → one line, exit 2', async () => {
    const r = await run(['audit', '-f', 's.yaml'], { files: { 's.yaml': 'kind: ConfigMap\nmetadata: {name: x}\n' } });
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: s\.yaml has no Namespace objects/);
  });
});

describe('cli/runCli: colour and escape codes', () => {
  const outputs: [what: string, args: string[]][] = [
    ['audit table', ['audit']],
    ['remediate table', ['remediate', '--dry-run']],
    ['rollback table', ['rollback']],
    ['audit JSON', ['audit', '-o', 'json']],
  ];
  for (const [what, args] of outputs) {
    it(`no ANSI escape codes in non-TTY output: ${what}`, async () => {
      const r = await run(args, { cluster: noncompliant() });
      assert.ok(!ANSI.test(r.out) && !ANSI.test(r.err), JSON.stringify(r.out));
    });
  }

  it('on a terminal the table is coloured', async () => {
    assert.ok(ANSI.test((await run(['audit'], { cluster: noncompliant(), tty: true })).out));
  });

  const off: [what: string, args: string[], env: Record<string, string>][] = [
    ['NO_COLOR', ['audit'], { NO_COLOR: '1' }],
    ['--no-color', ['audit', '--no-color'], {}],
    ['-o json', ['audit', '-o', 'json'], {}],
  ];
  for (const [what, args, env] of off) {
    it(`on a terminal, ${what} turns colour off`, async () => {
      assert.ok(!ANSI.test((await run(args, { cluster: noncompliant(), tty: true, env })).out));
    });
  }
});

describe('cli/runCli: remediate and rollback', () => {
  it('remediate --dry-run: no writes, exit 1 (would apply)', async () => {
    const cluster = noncompliant();
    const r = await run(['remediate', '--dry-run'], { cluster });
    assert.deepEqual([r.code, cluster.writes], [1, []]);
    assert.match(r.out, /DRY RUN \(client\): nothing was written\./);
  });

  it('remediate --dry-run=server: creates sent with dryRun', async () => {
    const cluster = noncompliant();
    const r = await run(['remediate', '--dry-run=server'], { cluster });
    assert.deepEqual([r.code, cluster.writes.map((w) => w.dryRun)], [1, [true, true]]);
  });

  it('remediate applies, exit 1; a second run has nothing to do, exit 0', async () => {
    const cluster = noncompliant();
    assert.equal((await run(['remediate', '--concurrency', '2'], { cluster })).code, 1);
    assert.deepEqual(cluster.policyNames('b'), ['cis-default-allow']);
    const again = await run(['remediate'], { cluster });
    assert.equal(again.code, 0);
    assert.equal(cluster.callsTo('createPolicy').length, 2);
  });

  it('remediate with --policy-name and --template', async () => {
    const cluster = noncompliant();
    await run(['remediate', '--policy-name', 'baseline', '--template', 'cluster-internal', '--accept-disruption', '-n', 'b'], { cluster });
    assert.deepEqual(cluster.policyNames('b'), ['baseline']);
    assert.equal(cluster.policies.find((p) => p.metadata.name === 'baseline')?.metadata.annotations?.['cis-netpol.io/template'], 'cluster-internal');
  });

  it('remediate with a failure → exit 2', async () => {
    const r = await run(['remediate'], { cluster: noncompliant().fail({ op: 'createPolicy', namespace: 'b' }, 'Forbidden') });
    assert.equal(r.code, 2);
    assert.match(r.out, /^\[✗\] b +FAILED +forbidden: createPolicy in b \(fake\).* \(hint for Forbidden\)$/m);
  });

  it('remediate -o json', async () => {
    const doc = JSON.parse((await run(['remediate', '-o', 'json'], { cluster: noncompliant() })).out);
    assert.deepEqual([doc.apiVersion, doc.kind, doc.summary.applied], ['cis-netpol.io/v1', 'RemediationReport', 2]);
  });

  it('remediate then rollback restores the cluster, exit 0', async () => {
    const cluster = noncompliant();
    await run(['remediate'], { cluster });
    const r = await run(['rollback'], { cluster });
    assert.equal(r.code, 0);
    assert.deepEqual([cluster.policyNames('a'), cluster.policyNames('b'), cluster.policyNames('c')], [['web'], [], []]);
    assert.match(r.out, /\[-\] These 2 namespace\(s\) will have no NetworkPolicy and fail CIS 5\.3\.2 again:\n {4}- b\n {4}- c/);
  });

  it('rollback -o json', async () => {
    const doc = JSON.parse((await run(['rollback', '--json'], { cluster: state().namespace('a').ours('a').cluster() })).out);
    assert.deepEqual([doc.apiVersion, doc.kind, doc.summary.removed], ['cis-netpol.io/v1', 'RollbackReport', 1]);
  });
});
