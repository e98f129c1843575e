// Reading what the proof needs (pods and nodes) and running it; the proof itself is core/proof.ts.
import { ApiError } from '../core/errors.ts';
import type { NetworkPolicy, Node, Pod } from '../core/model.ts';
import { proveCreates, type KeptState, type ProofResult } from '../core/proof.ts';
import { ciliumModeNote } from '../core/cilium-mode.ts';
import { ciliumPresent, readCiliumMode } from './cilium-mode.ts';
import type { Snapshot } from '../core/report.ts';
import type { AppDeps, Cluster } from './ports.ts';

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

export async function checkCreates(cluster: Cluster, snapshot: Snapshot, creates: NetworkPolicy[], deps: AppDeps, kept?: KeptState): Promise<ProofResult> {
  const notes: string[] = [];
  deps.progress.update('Reading pods and nodes for the connectivity proof');
  // Side by side: a watch pays these reads on every batch, and each waits on the API server.
  const [{ pods, nodes }, cilium] = await Promise.all([
    readPodsAndNodes(cluster, notes),
    ciliumPresent(snapshot.policyApis, snapshot.cniPolicies) ? readCiliumMode(cluster, deps.log) : undefined,
  ]);
  deps.progress.update('Proving connectivity');
  const t0 = performance.now();
  const state = {
    ...(cilium ? { ciliumMode: cilium.mode } : {}),
    namespaces: snapshot.namespaces,
    policies: snapshot.policies,
    clusterPolicies: snapshot.clusterPolicies,
    cniPolicies: snapshot.cniPolicies,
    unreadable: snapshot.policyApis.filter((a) => a.state === 'unreadable'),
    pods,
    nodes,
    ...(kept ? { kept } : {}),
  };
  const result = proveCreates(state, creates, creates[0]);
  deps.log(`connectivity proof: ${creates.length} namespaces, ${pods.length} pods, ${nodes.length} nodes in ${Math.round(performance.now() - t0)} ms`);
  // Cilium's agent mode changes isolation: with enable-policy=always every pod is isolated even
  // without a policy, so an allow-all placeholder opens it. Say which mode the proof used.
  if (cilium) notes.push(ciliumModeNote(cilium));
  result.notes.unshift(...notes);
  return result;
}
