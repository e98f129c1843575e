// What the use cases need from the outside world. src/kube implements Cluster; tests may fake it.
import type { Namespace, NetworkPolicy, Node, Pod } from '../core/model.ts';

export interface Cluster {
  readonly identity: { context: string; server: string };
  probe(): Promise<void>;
  listNamespaces(): Promise<Namespace[]>;
  getNamespace(name: string): Promise<Namespace | undefined>;
  listPolicies(namespace?: string): Promise<NetworkPolicy[]>;
  listPods(): Promise<Pod[]>;
  listNodes(): Promise<Node[]>;
  createPolicy(p: NetworkPolicy, o: { dryRun: boolean }): Promise<NetworkPolicy>;
  deletePolicy(p: NetworkPolicy, o: { dryRun: boolean }): Promise<void>;
}

/** Progress for a spinner; the CLI attaches ora on a terminal, nothing otherwise. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

export interface AppDeps {
  now(): Date;
  progress: Progress;
  /** -v lines (stderr). */
  log(line: string): void;
  /** Set on SIGINT: no new writes start. */
  signal: AbortSignal;
  version: string;
}
