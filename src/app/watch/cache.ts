// The informer's store: namespaces and NetworkPolicies as list + watch last said, kept in the core
// model (only what the reconcile and the proof read). Every change names the namespace it touches,
// which is the key the worker reconciles.
import type { Namespace, NetworkPolicy } from '../../core/model.ts';
import { isOurs } from '../../core/placeholder.ts';
import { KeptPolicyIndex } from '../../core/netpol/policy-index.ts';
import type { KeptState } from '../../core/proof.ts';
import type { WatchEvent } from './ports.ts';

export type Change =
  /** `added`: a namespace the store did not hold. */
  | { kind: 'namespace'; namespace: string; added: boolean }
  /** `ours`: the object carries our receipt; `deleted`: it went away. */
  | { kind: 'policy'; namespace: string; name: string; ours: boolean; deleted: boolean; added: boolean };

export class WatchCache {
  readonly namespaces = new Map<string, Namespace>();
  // Per namespace a plain list, replaced on every change: most namespaces hold one or two
  // policies, and a Map each cost ~700 bytes of hash table (7 MB of heap at 10,000 namespaces).
  private readonly policies = new Map<string, readonly NetworkPolicy[]>();
  private readonly onChange: (c: Change) => void;
  /**
   * The store as every batch's proof reads it, patched here on every change of a namespace's
   * policies (policy-index.ts): a batch then builds nothing the size of the cluster. Each stored
   * object is compiled once, when it arrives.
   */
  readonly kept: KeptState;
  private readonly index = new KeptPolicyIndex();

  constructor(onChange: (c: Change) => void) {
    this.onChange = onChange;
    this.kept = { policies: this.index, namespace: (name) => this.namespaces.get(name) };
  }

  policiesIn(namespace: string): NetworkPolicy[] {
    return [...(this.policies.get(namespace) ?? [])];
  }

  private stored(namespace: string, name: string): NetworkPolicy | undefined {
    return this.policies.get(namespace)?.find((p) => p.metadata.name === name);
  }

  /** The store holds this very version of `p`. */
  holds(p: NetworkPolicy): boolean {
    return this.stored(p.metadata.namespace, p.metadata.name)?.metadata.resourceVersion === p.metadata.resourceVersion;
  }

  allPolicies(): NetworkPolicy[] {
    const out: NetworkPolicy[] = [];
    for (const list of this.policies.values()) out.push(...list);
    return out;
  }

  /** A relist: the store becomes the list; whatever differs is reported as changed. */
  replaceNamespaces(items: Namespace[]): void {
    const seen = new Set<string>();
    for (const ns of items) {
      seen.add(ns.metadata.name);
      this.namespaceEvent({ type: 'MODIFIED', object: ns, resourceVersion: '' });
    }
    for (const name of [...this.namespaces.keys()]) if (!seen.has(name)) this.namespaceEvent({ type: 'DELETED', object: this.namespaces.get(name) as Namespace, resourceVersion: '' });
  }

  replacePolicies(items: NetworkPolicy[]): void {
    const seen = new Set<string>();
    for (const p of items) {
      seen.add(`${p.metadata.namespace}/${p.metadata.name}`);
      this.policyEvent({ type: 'MODIFIED', object: p, resourceVersion: '' });
    }
    for (const p of this.allPolicies()) if (!seen.has(`${p.metadata.namespace}/${p.metadata.name}`)) this.policyEvent({ type: 'DELETED', object: p, resourceVersion: '' });
  }

  namespaceEvent(e: WatchEvent<Namespace>): void {
    if (e.type === 'BOOKMARK') return;
    const name = e.object.metadata.name;
    const before = this.namespaces.get(name);
    if (e.type === 'DELETED') {
      this.namespaces.delete(name);
      this.policies.delete(name);
      this.index.set(name, []);
    } else {
      // An unchanged object (a relist repeating it) is no change: no key, no work.
      if (before && before.metadata.resourceVersion === e.object.metadata.resourceVersion && before.phase === e.object.phase) return;
      this.namespaces.set(name, e.object);
    }
    this.onChange({ kind: 'namespace', namespace: name, added: e.type !== 'DELETED' && before === undefined });
  }

  policyEvent(e: WatchEvent<NetworkPolicy>): void {
    if (e.type === 'BOOKMARK') return;
    const p = e.object;
    const ns = p.metadata.namespace;
    const list = this.policies.get(ns) ?? [];
    const before = this.stored(ns, p.metadata.name);
    if (e.type === 'DELETED') {
      if (!before) return;
      const rest = list.filter((q) => q !== before);
      if (rest.length === 0) this.policies.delete(ns);
      else this.policies.set(ns, rest);
    } else {
      if (before && before.metadata.resourceVersion === p.metadata.resourceVersion) return;
      // In place of the old version (the order a Map kept), or at the end.
      this.policies.set(ns, before ? list.map((q) => (q === before ? p : q)) : [...list, p]);
    }
    this.index.set(ns, this.policies.get(ns) ?? []);
    this.onChange({ kind: 'policy', namespace: ns, name: p.metadata.name, ours: isOurs(p), deleted: e.type === 'DELETED', added: !before && e.type !== 'DELETED' });
  }

  /** What this process itself just created: in the store before its watch event arrives. */
  remember(p: NetworkPolicy): void {
    this.policyEvent({ type: 'ADDED', object: p, resourceVersion: '' });
  }
}
