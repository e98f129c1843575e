// Objects for the model suites (cilium-model, calico-tiers): created with kubectl and removed in
// reverse order afterwards, since other suites share the cluster (and can-reach lists what selects
// its ends); pods get an address by a status patch (no kubelet runs them); remediate's JSON result.
import { randomInt } from 'node:crypto';
import { kubectl, kubectlOk, plugin } from './run.ts';

export interface ModelObjects {
  create(yaml: string): void;
  makePod(namespace: string, name: string, labels: Record<string, string>): void;
  /** Removes everything created, newest first. */
  cleanup(): void;
}

export function modelObjects(): ModelObjects {
  const net = `10.${randomInt(192, 255)}.${randomInt(0, 256)}`;
  let host = 10;
  const undo: string[][] = [];
  const create = (yaml: string) => {
    kubectlOk(['create', '-f', '-'], { input: yaml });
    undo.push(['delete', '-f', '-', '--ignore-not-found', '--wait=false', yaml]);
  };
  return {
    create,
    makePod(namespace, name, labels) {
      const ip = `${net}.${host++}`;
      create(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] } }));
      undo.push(['delete', 'pod', '-n', namespace, name, '--grace-period=0', '--force', '--ignore-not-found']);
      kubectlOk(['patch', 'pod', '-n', namespace, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { podIP: ip, podIPs: [{ ip }] } })]);
    },
    cleanup() {
      for (const args of undo.splice(0).reverse()) args[1] === '-f' ? kubectl(args.slice(0, -1), { input: args.at(-1)! }) : kubectl(args);
    },
  };
}

export interface RemediateResult { namespace: string; status: string; error?: { kind: string }; connectivity?: { unchanged: boolean; broken: string[]; opened: string[]; unproven: string[] } }

export function remediate(ns: string, extra: string[] = []): { code: number; res: RemediateResult; stdout: string } {
  const r = plugin(['remediate', '-n', ns, '-o', 'json', ...extra]);
  const res = (JSON.parse(r.stdout).results as RemediateResult[]).find((x) => x.namespace === ns)!;
  return { code: r.code, res, stdout: r.stdout };
}
