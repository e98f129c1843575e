// NetworkPolicies as a comparison reads them: compiled, grouped by namespace (a policy selects
// pods of its own namespace only), with what it needs of all of them at once (every ipBlock, which
// cuts the address space, and every compile problem, which the proof reports).
//
// One shape, two lives. A one-shot command indexes its list once (indexPolicies). A watch keeps one
// index across batches and patches it per namespace as its store changes (`set`), and the "after"
// side of a proof is that index with a few namespaces' lists replaced (`replaced`): so a batch's
// proof touches what the batch touches, not the cluster. Rebuilding the grouping and the totals
// over 10,000 namespaces on every batch was what kept a watch's heap high (docs/watch.md).
import type { NetworkPolicy } from '../model.ts';
import { ipBlocksIn, type IPBlockPeer } from './address-space.ts';
import { compilePolicies, type CompiledPolicy, type CompileCache } from './compile.ts';

export interface PolicyIndex {
  /** The policies of one namespace, in the order they were given. */
  in(namespace: string): readonly CompiledPolicy[];
  /** Every distinct ipBlock of every policy (by its text). */
  ipBlocks(): IPBlockPeer[];
  /** Every distinct compile problem of every policy. */
  problems(): string[];
}

/** How many policies carry each key; a key's value is kept while any does. */
type Tally<V> = Map<string, { value: V; n: number }>;

function count<V>(t: Tally<V>, key: string, value: V, by: 1 | -1): void {
  const e = t.get(key);
  const n = (e?.n ?? 0) + by;
  if (n <= 0) t.delete(key);
  else t.set(key, { value: e?.value ?? value, n });
}

/** What one policy adds to the totals (ipBlocks of both directions, problems). */
function tally(p: CompiledPolicy, blocks: Tally<IPBlockPeer>, problems: Tally<string>, by: 1 | -1): void {
  for (const block of ipBlocksIn(p)) count(blocks, block.text, block, by);
  for (const text of p.problems) count(problems, text, text, by);
}

export class KeptPolicyIndex implements PolicyIndex {
  private readonly lists: Map<string, readonly CompiledPolicy[]>;
  private readonly blocks: Tally<IPBlockPeer>;
  private readonly issues: Tally<string>;
  private readonly base: PolicyIndex | undefined;
  private readonly compiled: CompileCache;

  /** `compiled`: each policy object is compiled once for the life of the cache (compile.ts). */
  constructor(compiled: CompileCache = new WeakMap(), from?: KeptPolicyIndex) {
    this.compiled = compiled;
    // An overlay (`replaced`) starts from copies of its base's totals: they are as many as the
    // distinct ipBlocks and problems, not as the policies.
    this.lists = new Map();
    this.blocks = new Map(from?.blocks);
    this.issues = new Map(from?.issues);
    this.base = from;
  }

  in(namespace: string): readonly CompiledPolicy[] {
    return this.lists.get(namespace) ?? this.base?.in(namespace) ?? [];
  }

  ipBlocks(): IPBlockPeer[] {
    return [...this.blocks.values()].map((e) => e.value);
  }

  problems(): string[] {
    return [...this.issues.keys()].sort();
  }

  /** The namespace's policies are now these (none: its last policy, or the namespace, went). */
  set(namespace: string, policies: readonly NetworkPolicy[]): void {
    this.put(namespace, compilePolicies(policies, this.compiled));
  }

  /** This index with the lists of some namespaces replaced; this index is left as it is. */
  replaced(lists: ReadonlyMap<string, readonly CompiledPolicy[]>): PolicyIndex {
    const out = new KeptPolicyIndex(this.compiled, this);
    for (const [namespace, list] of lists) out.put(namespace, list);
    return out;
  }

  private put(namespace: string, list: readonly CompiledPolicy[]): void {
    for (const p of this.in(namespace)) tally(p, this.blocks, this.issues, -1);
    for (const p of list) tally(p, this.blocks, this.issues, 1);
    // An overlay keeps an empty list: it hides its base's.
    if (list.length > 0 || this.base) this.lists.set(namespace, list);
    else this.lists.delete(namespace);
  }
}

/** A list's index, built once (what a one-shot comparison does). */
export function indexPolicies(policies: readonly NetworkPolicy[], compiled?: CompileCache): KeptPolicyIndex {
  const index = new KeptPolicyIndex(compiled);
  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const p of policies) {
    const list = byNamespace.get(p.metadata.namespace);
    if (list) list.push(p);
    else byNamespace.set(p.metadata.namespace, [p]);
  }
  for (const [namespace, list] of byNamespace) index.set(namespace, list);
  return index;
}
