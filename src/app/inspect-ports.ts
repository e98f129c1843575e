// What cni and doctor need from the API server, apart from the Cluster port (which audit and
// remediate use): DaemonSets, named ConfigMaps, version, identity, access reviews, discovery.
// src/kube/inspector.ts implements it over the same pooled connection as the Cluster client.
import type { DaemonSetEvidence } from '../core/cni/types.ts';

export interface AccessCheck {
  verb: string;
  /** "" for the core group. */
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export interface ServerVersion {
  gitVersion: string;
  major: string;
  minor: string;
}

export interface Inspector {
  readonly identity: { context: string; server: string };
  /** All namespaces, or one. Throws ApiError (Forbidden …). */
  listDaemonSets(namespace?: string): Promise<DaemonSetEvidence[]>;
  /** Only `keys` of its data; undefined when it does not exist. Throws ApiError (Forbidden …). */
  readConfigMap(namespace: string, name: string, keys: string[]): Promise<Record<string, string> | undefined>;
  serverVersion(): Promise<ServerVersion>;
  /** SelfSubjectReview: who the API server takes us for. */
  whoAmI(): Promise<{ username: string; groups: string[] }>;
  /** SelfSubjectAccessReview. */
  canI(check: AccessCheck): Promise<{ allowed: boolean; reason?: string }>;
  /** /apis discovery: group names with their served versions. */
  apiGroups(): Promise<{ name: string; versions: string[] }[]>;
}

/** A Cluster client built by src/kube is an Inspector too; test fakes of Cluster may not be. */
export function asInspector(c: unknown): Inspector | undefined {
  const i = c as Partial<Inspector> | undefined;
  return i && typeof i.listDaemonSets === 'function' && typeof i.canI === 'function' ? (i as Inspector) : undefined;
}
