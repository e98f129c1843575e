// What the use cases need from the outside world. src/kube implements Cluster; tests may fake it.
import type { ControllerApi } from './watch/ports.ts';
import type { ClusterPolicy, CniPolicy, Namespace, NetworkPolicy, Node, Pod, PolicyApiRead } from '../core/model.ts';

/** What the cluster-wide policy reader found: the objects, and per API whether it was served and read. */
export interface PolicyKindsRead {
  clusterPolicies: ClusterPolicy[];
  cniPolicies: CniPolicy[];
  apis: PolicyApiRead[];
}

export interface Cluster {
  readonly identity: { context: string; server: string };
  probe(): Promise<void>;
  listNamespaces(): Promise<Namespace[]>;
  getNamespace(name: string): Promise<Namespace | undefined>;
  listPolicies(namespace?: string): Promise<NetworkPolicy[]>;
  listPods(): Promise<Pod[]>;
  listNodes(): Promise<Node[]>;
  /**
   * One discovery request, then a list of every cluster-wide policy kind the cluster serves. A kind
   * that is served but cannot be listed (forbidden) is `unreadable` in `apis`, never an exception.
   */
  readPolicyKinds(): Promise<PolicyKindsRead>;
  createPolicy(p: NetworkPolicy, o: { dryRun: boolean }): Promise<NetworkPolicy>;
  deletePolicy(p: NetworkPolicy, o: { dryRun: boolean }): Promise<void>;
  /** What `watch` needs beyond this (src/kube/controller.ts); absent in fakes of the one-shot commands. */
  controller?(): Promise<ControllerApi>;
  /** For report formats: who runs this and the server's version (optional: fakes may leave it out). */
  about?(): Promise<{ user?: string; groups?: string[]; serverVersion?: string }>;
  /** --write-report: server-side apply of a cluster-scoped object such as a ClusterPolicyReport. */
  applyClusterObject?(obj: { apiVersion: string; kind: string; metadata: { name: string } }, plural: string): Promise<void>;
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
