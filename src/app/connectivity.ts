// The proof behind "remediation breaks no connection": for the namespaces a run will change, every
// class of connection (all addresses, ports and protocols) allowed today and denied afterwards.
import { ApiError } from '../core/errors.ts';
import type { Namespace, NetworkPolicy, Node, Pod } from '../core/model.ts';
import { compareConnectivity, summarise } from '../core/netpol/index.ts';
import type { AppDeps, Cluster } from './ports.ts';

export interface ConnectivityResult {
  /** Per changed namespace: readable lines of what becomes denied (empty: unchanged). */
  broken: Map<string, string[]>;
  /** Pods looked at per namespace (0: only the representative pod). */
  pods: Map<string, number>;
  notes: string[];
}

// A namespace with no pods yet still gets the placeholder, and so will its future pods: one
// representative pod stands for "any pod in a namespace without policies". Its address is in the
// benchmarking range 198.18.0.0/15, which no cluster routes.
const REPRESENTATIVE_NS = '(any-namespace-without-policies)';
const REPRESENTATIVE_IP = '198.18.0.1';
// How summarise() names it; replaced by the target namespace in each line.
const REPRESENTATIVE_PHRASE = `the only pod in ns ${REPRESENTATIVE_NS} ((any-pod))`;

async function readOrNote<T>(what: string, read: () => Promise<T[]>, notes: string[]): Promise<T[]> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof ApiError) || (err.kind !== 'Forbidden' && err.kind !== 'NotFound')) throw err;
    notes.push(`Could not list ${what} (${err.kind}): the connectivity proof covers a representative pod and no ${what === 'nodes' ? 'node addresses' : 'real pods'}; grant "list ${what}" for a complete one`);
    return [];
  }
}

export async function readPodsAndNodes(cluster: Cluster, notes: string[]): Promise<{ pods: Pod[]; nodes: Node[] }> {
  const [pods, nodes] = await Promise.all([readOrNote('pods', () => cluster.listPods(), notes), readOrNote('nodes', () => cluster.listNodes(), notes)]);
  return { pods, nodes };
}

/** Pure: compare `policies` with `policies + creates` over the given state, grouped per namespace. */
export function proveCreates(state: { namespaces: Namespace[]; pods: Pod[]; nodes: Node[]; policies: NetworkPolicy[] }, creates: NetworkPolicy[], template: NetworkPolicy | undefined): ConnectivityResult {
  const targets = new Set(creates.map((p) => p.metadata.namespace));
  const namespaces = [...state.namespaces];
  const pods = [...state.pods];
  const after = [...state.policies, ...creates];
  if (template) {
    namespaces.push({ metadata: { name: REPRESENTATIVE_NS }, phase: 'Active' });
    pods.push({ metadata: { name: '(any-pod)', namespace: REPRESENTATIVE_NS }, podIPs: [REPRESENTATIVE_IP], containerPorts: [] });
    after.push({ ...template, metadata: { ...template.metadata, namespace: REPRESENTATIVE_NS } });
    targets.add(REPRESENTATIVE_NS);
  }
  const cluster = { namespaces, pods, nodes: state.nodes, policies: state.policies };
  const comparison = compareConnectivity(cluster, state.policies, after, { namespaces: [...targets] });
  const summaries = summarise(cluster, comparison.denied);
  const representative = summaries.find((s) => s.namespace === REPRESENTATIVE_NS)?.lines ?? [];
  const broken = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const p of state.pods) if (targets.has(p.metadata.namespace) && p.podIPs.length > 0 && !p.hostNetwork) counts.set(p.metadata.namespace, (counts.get(p.metadata.namespace) ?? 0) + 1);
  for (const ns of targets) {
    if (ns === REPRESENTATIVE_NS) continue;
    const own = summaries.find((s) => s.namespace === ns)?.lines ?? [];
    // Future pods of every target behave like the representative one.
    broken.set(ns, [...own, ...representative.map((l) => l.split(REPRESENTATIVE_PHRASE).join(`any pod in ${ns} (now or later)`))]);
    counts.set(ns, counts.get(ns) ?? 0);
  }
  return { broken, pods: counts, notes: comparison.problems };
}

export async function checkCreates(cluster: Cluster, state: { namespaces: Namespace[]; policies: NetworkPolicy[] }, creates: NetworkPolicy[], deps: AppDeps): Promise<ConnectivityResult> {
  const notes: string[] = [];
  deps.progress.update('Reading pods and nodes for the connectivity proof');
  const { pods, nodes } = await readPodsAndNodes(cluster, notes);
  deps.progress.update('Proving connectivity');
  const t0 = performance.now();
  const result = proveCreates({ ...state, pods, nodes }, creates, creates[0]);
  deps.log(`connectivity proof: ${creates.length} namespaces, ${pods.length} pods, ${nodes.length} nodes in ${Math.round(performance.now() - t0)} ms`);
  result.notes.unshift(...notes);
  return result;
}
