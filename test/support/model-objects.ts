// What the model suites (cilium-model, calico-tiers, antrea-model) create on the shared test API server, and how
// they take it away again: objects from YAML, pods given an address by a status patch (no kubelet
// runs here), and remediate's JSON result for one namespace.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { freshNamespaces } from './cluster.ts';
import { kubectl, kubectlOk, plugin } from './run.ts';

export interface ModelObjects {
  create(yaml: string): void;
  makePod(namespace: string, name: string, labels: Record<string, string>): void;
  /** A fresh namespace holding one pod labelled app=<name>; its name. */
  namespaceWithPod(prefix: string, name: string): string;
  /** Deletes what was created, last first (other suites share the server). */
  removeAll(): void;
}

export function modelObjects(): ModelObjects {
  const net = `10.${randomInt(192, 255)}.${randomInt(0, 256)}`;
  let host = 10;
  const cleanup: string[][] = [];
  const create = (yaml: string) => {
    kubectlOk(['create', '-f', '-'], { input: yaml });
    cleanup.push(['delete', '-f', '-', '--ignore-not-found', '--wait=false', yaml]);
  };
  const makePod = (namespace: string, name: string, labels: Record<string, string>) => {
    const ip = `${net}.${host++}`;
    create(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] } }));
    cleanup.push(['delete', 'pod', '-n', namespace, name, '--grace-period=0', '--force', '--ignore-not-found']);
    kubectlOk(['patch', 'pod', '-n', namespace, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { podIP: ip, podIPs: [{ ip }] } })]);
  };
  return {
    create,
    makePod,
    namespaceWithPod(prefix, name) {
      const [ns] = freshNamespaces(prefix, 1) as [string];
      makePod(ns, name, { app: name });
      return ns;
    },
    removeAll() {
      for (const args of cleanup.splice(0).reverse()) args[1] === '-f' ? kubectl(args.slice(0, -1), { input: args.at(-1)! }) : kubectl(args);
    },
  };
}

export interface RemediateResult { namespace: string; status: string; error?: { kind: string }; connectivity?: { unchanged: boolean; broken: string[]; opened: string[]; unproven: string[] } }

/** `remediate -n ns -o json [extra…]`: the exit code, that namespace's result, and the whole output. */
export function remediateJson(ns: string, extra: string[] = []): { code: number; res: RemediateResult; stdout: string } {
  const r = plugin(['remediate', '-n', ns, '-o', 'json', ...extra]);
  const res = (JSON.parse(r.stdout).results as RemediateResult[]).find((x) => x.namespace === ns)!;
  return { code: r.code, res, stdout: r.stdout };
}

/** remediate writes the placeholder in `ns` with "connectivity unchanged" (exit 1: placeholders applied). */
export function assertWrittenUnchanged(ns: string): void {
  const { code, res } = remediateJson(ns);
  assert.equal(code, 1, JSON.stringify(res));
  assert.deepEqual([res.status, res.connectivity?.unchanged], ['FIXED', true]);
}
