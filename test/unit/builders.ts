// Fake-state builders and a fake Cluster for the core, app and CLI specs.
//
//   state().namespace('a').namespace('b', { terminating: true }).policy('a', 'web').ours('c')
//     .snapshot()   → a core Snapshot
//     .cluster()    → a FakeCluster holding the same objects (records calls, can be told to fail)
//
// Everything is plain data: no client-node object ever appears here.
import { ApiError, type ApiErrorKind } from '../../src/core/errors.ts';
import type { ClusterPolicy, CniPolicy, Namespace, NetworkPolicy, NetworkPolicySpec, Node, Pod, PolicyApiRead } from '../../src/core/model.ts';
import { placeholderPolicy, DEFAULT_POLICY_NAME, MANAGED_BY_LABEL, TEMPLATE_ANNOTATION, type TemplateName } from '../../src/core/placeholder.ts';
import type { Snapshot } from '../../src/core/report.ts';
import { makeScope, type Scope, type ScopeOptions } from '../../src/core/scope.ts';
import type { AppDeps, Cluster, PolicyKindsRead, Progress } from '../../src/app/ports.ts';

export const TEST_VERSION = '0.1.0';
export const FIXED_NOW = new Date('2024-05-01T12:00:00.000Z');
export const IDENTITY = { context: 'kind-test', server: 'https://127.0.0.1:6443' };

// ---------------------------------------------------------------------------------------------
// Objects

export interface NamespaceOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  terminating?: boolean;
}

export function namespace(name: string, o: NamespaceOptions = {}): Namespace {
  return {
    metadata: { name, ...(o.labels ? { labels: { ...o.labels } } : {}), ...(o.annotations ? { annotations: { ...o.annotations } } : {}), ...(o.terminating ? { deletionTimestamp: '2024-05-01T11:00:00.000Z' } : {}) },
    phase: o.terminating ? 'Terminating' : 'Active',
  };
}

/** A user's own policy (not ours). Default spec: ingress isolation of app=web. */
export function policy(ns: string, name: string, spec?: NetworkPolicySpec): NetworkPolicy {
  return {
    metadata: { name, namespace: ns },
    spec: structuredClone(spec ?? { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }),
  };
}

export interface OursOptions {
  template?: TemplateName;
  /** Someone changed the spec since we created it (a `from` peer added to the ingress rule). */
  edited?: boolean;
  name?: string;
  version?: string;
}

/** A placeholder as cis-netpol creates it (our labels and annotations, the template's spec). */
export function ours(ns: string, o: OursOptions = {}): NetworkPolicy {
  const p = placeholderPolicy(ns, { name: o.name ?? DEFAULT_POLICY_NAME, template: o.template ?? 'allow-all', version: o.version ?? TEST_VERSION });
  if (o.edited) p.spec.ingress = [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }];
  return p;
}

// ---------------------------------------------------------------------------------------------
// Policies by kind, for property tests: ours (plain, edited, the other template from an older
// version) and the look-alikes that must never count as ours.

export const POLICY_KINDS = ['user', 'ours', 'ours-cluster-internal', 'ours-edited', 'user-with-our-spec', 'label-only', 'annotation-only'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export function policyOfKind(ns: string, name: string, kind: PolicyKind): NetworkPolicy {
  switch (kind) {
    case 'user': return policy(ns, name);
    case 'ours': return ours(ns, { name });
    case 'ours-cluster-internal': return ours(ns, { name, template: 'cluster-internal', version: '0.0.9' });
    case 'ours-edited': return ours(ns, { name, edited: true });
    case 'user-with-our-spec': return { ...ours(ns, { name }), metadata: { name, namespace: ns } };
    case 'label-only': {
      const p = ours(ns, { name });
      delete p.metadata.annotations?.[TEMPLATE_ANNOTATION];
      return p;
    }
    case 'annotation-only': {
      const p = ours(ns, { name });
      delete p.metadata.labels?.[MANAGED_BY_LABEL];
      return p;
    }
  }
}

export interface SnapshotParts {
  namespaces?: Namespace[];
  policies?: NetworkPolicy[];
  missing?: string[];
  unreadable?: Snapshot['unreadable'];
  notes?: string[];
  source?: Snapshot['source'];
  clusterPolicies?: ClusterPolicy[];
  cniPolicies?: CniPolicy[];
  policyApis?: PolicyApiRead[];
}

export function snapshot(parts: SnapshotParts = {}): Snapshot {
  return {
    source: parts.source ?? { kind: 'cluster', ...IDENTITY },
    namespaces: parts.namespaces ?? [],
    policies: parts.policies ?? [],
    missing: parts.missing ?? [],
    unreadable: parts.unreadable ?? [],
    notes: parts.notes ?? [],
    clusterPolicies: parts.clusterPolicies ?? [],
    cniPolicies: parts.cniPolicies ?? [],
    policyApis: parts.policyApis ?? [],
  };
}

export function scopeOptions(o: Partial<ScopeOptions> = {}): ScopeOptions {
  return { namespaces: [], exclude: [], includeSystem: false, ...o };
}

export function scope(o: Partial<ScopeOptions> = {}): Scope {
  return makeScope(scopeOptions(o));
}

// ---------------------------------------------------------------------------------------------
// Fluent state

export class State {
  readonly namespaces: Namespace[] = [];
  readonly policies: NetworkPolicy[] = [];

  namespace(name: string, o: NamespaceOptions = {}): this {
    this.namespaces.push(namespace(name, o));
    return this;
  }

  /** Several plain namespaces at once. */
  namespacesNamed(...names: string[]): this {
    for (const n of names) this.namespace(n);
    return this;
  }

  policy(ns: string, name: string, spec?: NetworkPolicySpec): this {
    this.policies.push(policy(ns, name, spec));
    return this;
  }

  ours(ns: string, o: OursOptions = {}): this {
    this.policies.push(ours(ns, o));
    return this;
  }

  snapshot(extra: Omit<SnapshotParts, 'namespaces' | 'policies'> = {}): Snapshot {
    return snapshot({ ...extra, namespaces: structuredClone(this.namespaces), policies: structuredClone(this.policies) });
  }

  cluster(): FakeCluster {
    return new FakeCluster(this.namespaces, this.policies);
  }
}

export function state(): State {
  return new State();
}

// ---------------------------------------------------------------------------------------------
// Fake Cluster

export type Op = 'probe' | 'listNamespaces' | 'getNamespace' | 'listPolicies' | 'listPods' | 'listNodes' | 'readPolicyKinds' | 'createPolicy' | 'deletePolicy';

export interface Call {
  op: Op;
  /** listPolicies(ns), getNamespace(name), and the policy's namespace for writes. */
  namespace?: string;
  /** The policy's name for writes. */
  name?: string;
  dryRun?: boolean;
}

export type CallMatcher = Partial<Call> | ((c: Call) => boolean);

interface FailRule {
  match: (c: Call) => boolean;
  kind: ApiErrorKind;
  remaining: number;
}

function matcher(m: CallMatcher): (c: Call) => boolean {
  if (typeof m === 'function') return m;
  return (c) => (Object.keys(m) as (keyof Call)[]).every((k) => m[k] === c[k]);
}

export function apiError(kind: ApiErrorKind, message = `${kind.toLowerCase()} (fake)`): ApiError {
  return new ApiError(kind, message, `hint for ${kind}`);
}

/**
 * An in-memory Cluster. Every call is recorded in `calls` (writes also in `writes`), in the order
 * they started; `fail()` makes matching calls throw an ApiError; `latencyMs` keeps calls in flight
 * long enough for concurrency to show; `beforeWrite`/`afterCreate` hooks let a test act mid-run.
 */
export class FakeCluster implements Cluster {
  readonly identity = { ...IDENTITY };
  namespaces: Namespace[];
  policies: NetworkPolicy[];
  pods: Pod[] = [];
  nodes: Node[] = [];
  clusterPolicies: ClusterPolicy[] = [];
  cniPolicies: CniPolicy[] = [];
  policyApis: PolicyApiRead[] = [];
  readonly calls: Call[] = [];
  readonly writes: Call[] = [];
  /** `start op ns` / `end op ns`, to check ordering. */
  readonly events: string[] = [];
  latencyMs = 0;
  inFlightWrites = 0;
  maxInFlightWrites = 0;
  beforeWrite: ((c: Call) => void) | undefined;
  afterCreate: ((p: NetworkPolicy) => void) | undefined;
  private readonly rules: FailRule[] = [];
  private uid = 0;

  constructor(namespaces: Namespace[] = [], policies: NetworkPolicy[] = []) {
    this.namespaces = structuredClone(namespaces);
    this.policies = structuredClone(policies).map((p) => this.stamp(p));
  }

  /** Calls matching `m` throw ApiError(kind); `times` of them (default: all). */
  fail(m: CallMatcher, kind: ApiErrorKind, times = Infinity): this {
    this.rules.push({ match: matcher(m), kind, remaining: times });
    return this;
  }

  callsTo(op: Op): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  policyNames(ns: string): string[] {
    return this.policies.filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name).sort();
  }

  /** Adds a policy directly (as another user would), bypassing the recording. */
  inject(p: NetworkPolicy): void {
    this.policies.push(this.stamp(structuredClone(p)));
  }

  private stamp(p: NetworkPolicy): NetworkPolicy {
    p.metadata.uid ??= `uid-${++this.uid}`;
    p.metadata.resourceVersion ??= '1';
    return p;
  }

  private async enter(c: Call): Promise<void> {
    this.calls.push(c);
    const write = c.op === 'createPolicy' || c.op === 'deletePolicy';
    if (write) {
      this.writes.push(c);
      this.inFlightWrites += 1;
      this.maxInFlightWrites = Math.max(this.maxInFlightWrites, this.inFlightWrites);
      this.beforeWrite?.(c);
    }
    this.events.push(`start ${c.op} ${c.namespace ?? ''}`.trim());
    try {
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      else await new Promise((r) => setImmediate(r));
      const rule = this.rules.find((r) => r.remaining > 0 && r.match(c));
      if (rule) {
        rule.remaining -= 1;
        throw apiError(rule.kind, `${rule.kind.toLowerCase()}: ${c.op}${c.namespace ? ` in ${c.namespace}` : ''} (fake)`);
      }
    } finally {
      if (write) this.inFlightWrites -= 1;
      this.events.push(`end ${c.op} ${c.namespace ?? ''}`.trim());
    }
  }

  async probe(): Promise<void> {
    await this.enter({ op: 'probe' });
  }

  async listNamespaces(): Promise<Namespace[]> {
    await this.enter({ op: 'listNamespaces' });
    return structuredClone(this.namespaces);
  }

  async getNamespace(name: string): Promise<Namespace | undefined> {
    await this.enter({ op: 'getNamespace', namespace: name });
    const ns = this.namespaces.find((n) => n.metadata.name === name);
    return ns && structuredClone(ns);
  }

  async listPolicies(ns?: string): Promise<NetworkPolicy[]> {
    await this.enter(ns === undefined ? { op: 'listPolicies' } : { op: 'listPolicies', namespace: ns });
    return structuredClone(this.policies.filter((p) => ns === undefined || p.metadata.namespace === ns));
  }

  async listPods(): Promise<Pod[]> {
    await this.enter({ op: 'listPods' });
    return structuredClone(this.pods);
  }

  async listNodes(): Promise<Node[]> {
    await this.enter({ op: 'listNodes' });
    return structuredClone(this.nodes);
  }

  async readPolicyKinds(): Promise<PolicyKindsRead> {
    await this.enter({ op: 'readPolicyKinds' });
    return structuredClone({ clusterPolicies: this.clusterPolicies, cniPolicies: this.cniPolicies, apis: this.policyApis });
  }

  async createPolicy(p: NetworkPolicy, o: { dryRun: boolean }): Promise<NetworkPolicy> {
    await this.enter({ op: 'createPolicy', namespace: p.metadata.namespace, name: p.metadata.name, dryRun: o.dryRun });
    const ns = this.namespaces.find((n) => n.metadata.name === p.metadata.namespace);
    if (!ns) throw apiError('NotFound', `namespaces "${p.metadata.namespace}" not found (fake)`);
    if (ns.phase === 'Terminating') throw apiError('NamespaceTerminating', `namespace "${p.metadata.namespace}" is terminating (fake)`);
    if (this.policies.some((x) => x.metadata.namespace === p.metadata.namespace && x.metadata.name === p.metadata.name)) {
      throw apiError('AlreadyExists', `networkpolicies "${p.metadata.name}" already exists (fake)`);
    }
    const stored = this.stamp(structuredClone(p));
    if (!o.dryRun) {
      this.policies.push(stored);
      this.afterCreate?.(structuredClone(stored));
    }
    return structuredClone(stored);
  }

  async deletePolicy(p: NetworkPolicy, o: { dryRun: boolean }): Promise<void> {
    await this.enter({ op: 'deletePolicy', namespace: p.metadata.namespace, name: p.metadata.name, dryRun: o.dryRun });
    const i = this.policies.findIndex((x) => x.metadata.namespace === p.metadata.namespace && x.metadata.name === p.metadata.name);
    if (i < 0) throw apiError('NotFound', `networkpolicies "${p.metadata.name}" not found (fake)`);
    const cur = this.policies[i] as NetworkPolicy;
    // The preconditions the real client sends: uid and resourceVersion.
    if ((p.metadata.uid && p.metadata.uid !== cur.metadata.uid) || (p.metadata.resourceVersion && p.metadata.resourceVersion !== cur.metadata.resourceVersion)) {
      throw apiError('Conflict', `precondition failed for networkpolicies "${p.metadata.name}" (fake)`);
    }
    if (!o.dryRun) this.policies.splice(i, 1);
  }
}

// ---------------------------------------------------------------------------------------------
// App dependencies

export interface RecordingDeps extends AppDeps {
  logged: string[];
  progressed: string[];
}

export function deps(o: { signal?: AbortSignal; now?: Date } = {}): RecordingDeps {
  const logged: string[] = [];
  const progressed: string[] = [];
  const progress: Progress = { update: (t) => void progressed.push(t), stop: () => {} };
  return {
    now: () => o.now ?? FIXED_NOW,
    progress,
    log: (line) => void logged.push(line),
    signal: o.signal ?? new AbortController().signal,
    version: TEST_VERSION,
    logged,
    progressed,
  };
}
