// Use case: cni (CIS 5.3.1). Read the DaemonSets and the few ConfigMaps the rules name, judge.
// Forbidden reads become evidence ("could not list …"), never an exception: the verdict says
// UNKNOWN and why. Other failures (server unreachable, 401) propagate: nothing could be checked.
import { cniReport, type CniReport } from '../core/cni/report.ts';
import type { CniEvidence, ConfigMapRead, DaemonSetEvidence } from '../core/cni/types.ts';
import { CONFIGMAP_KEYS, KNOWN_NAMESPACES, configMapsWanted, judgeCni } from '../core/cni/verdict.ts';
import { ApiError } from '../core/errors.ts';
import type { Inspector } from './inspect-ports.ts';
import type { AppDeps } from './ports.ts';

const forbidden = (err: unknown): err is ApiError => err instanceof ApiError && err.kind === 'Forbidden';

async function readDaemonSets(i: Inspector, deps: AppDeps, e: CniEvidence): Promise<DaemonSetEvidence[]> {
  try {
    return await i.listDaemonSets();
  } catch (err) {
    if (!forbidden(err)) throw err;
  }
  deps.log('cluster-wide list of daemonsets forbidden: listing the namespaces CNIs use');
  e.notes.push(`Listing DaemonSets cluster-wide is forbidden; listed only ${KNOWN_NAMESPACES.join(', ')}`);
  const out: DaemonSetEvidence[] = [];
  for (const ns of KNOWN_NAMESPACES) {
    try {
      out.push(...(await i.listDaemonSets(ns)));
    } catch (err) {
      if (!forbidden(err)) throw err;
      e.unreadable.push({ namespace: ns, message: 'forbidden' });
    }
  }
  return out;
}

export async function readCniEvidence(i: Inspector, deps: AppDeps): Promise<CniEvidence> {
  const e: CniEvidence = { daemonSets: [], unreadable: [], configMaps: [], notes: [] };
  deps.progress.update('Listing DaemonSets');
  e.daemonSets = await readDaemonSets(i, deps, e);
  deps.progress.update('Reading CNI ConfigMaps');
  for (const { namespace, name } of configMapsWanted(e.daemonSets)) {
    let read: ConfigMapRead;
    try {
      const data = await i.readConfigMap(namespace, name, CONFIGMAP_KEYS);
      read = data ? { namespace, name, state: 'found', data } : { namespace, name, state: 'absent' };
    } catch (err) {
      if (!forbidden(err)) throw err;
      read = { namespace, name, state: 'unreadable', message: 'forbidden' };
    }
    e.configMaps.push(read);
  }
  try {
    e.serverVersion = (await i.serverVersion()).gitVersion;
  } catch (err) {
    deps.log(`server version unreadable: ${(err as Error).message}`);
  }
  return e;
}

export async function runCni(i: Inspector, deps: AppDeps): Promise<CniReport> {
  const evidence = await readCniEvidence(i, deps);
  return cniReport(judgeCni(evidence), i.identity, deps.now());
}
