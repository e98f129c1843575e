// What the watch needs from the cluster beyond what the one-shot commands use: lists that carry
// their resourceVersion, watches from it, a coordination.k8s.io Lease, and Events. src/kube
// implements it; unit tests fake it.
import type { Namespace, NetworkPolicy } from '../../core/model.ts';

export type WatchedKind = 'namespaces' | 'networkpolicies';
export type WatchedObject<K extends WatchedKind> = K extends 'namespaces' ? Namespace : NetworkPolicy;

export interface Listed<T> {
  items: T[];
  resourceVersion: string;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T; resourceVersion: string }
  | { type: 'BOOKMARK'; resourceVersion: string };

/** How one watch request ended: closed by the server (timeout), 410 Gone, or an error. */
export type WatchEnd = { kind: 'closed' } | { kind: 'gone'; message: string } | { kind: 'error'; error: Error };

export interface LeaseRecord {
  holder: string;
  durationSeconds: number;
  acquireTime: string;
  renewTime: string;
  transitions: number;
  /** Optimistic concurrency: an update with a stale one fails (Conflict). */
  resourceVersion?: string;
}

export interface ControllerApi {
  list<K extends WatchedKind>(kind: K): Promise<Listed<WatchedObject<K>>>;
  /** One watch request from `resourceVersion` with bookmarks; resolves when it ends. */
  watch<K extends WatchedKind>(kind: K, resourceVersion: string, onEvent: (e: WatchEvent<WatchedObject<K>>) => void, signal: AbortSignal): Promise<WatchEnd>;
  getLease(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  /** Creates (no resourceVersion) or replaces (with it); Conflict/AlreadyExists when another won. */
  writeLease(namespace: string, name: string, l: LeaseRecord): Promise<LeaseRecord>;
  /** A core/v1 Event on a Namespace. */
  namespaceEvent(namespace: string, e: { type: 'Normal' | 'Warning'; reason: string; message: string }): Promise<void>;
}
