// Use case: doctor. Every fact read separately, so one refusal costs one line, not the screen.
// Only a server that cannot be reached at all (or refuses our credentials) ends the run.
import { judgeCni, KNOWN_NAMESPACES } from '../core/cni/verdict.ts';
import {
  apisCheck, cniCheck, COMMAND_NEEDS, doctorReport, identityCheck, permissionCheck, placeholderCheck, terminatingCheck, versionCheck,
  type DoctorReport, type Need, type NeedResult,
} from '../core/doctor.ts';
import { ApiError } from '../core/errors.ts';
import type { Namespace } from '../core/model.ts';
import { makeScope } from '../core/scope.ts';
import { audit } from '../core/audit.ts';
import { readCniEvidence } from './cni.ts';
import type { Inspector } from './inspect-ports.ts';
import { forEachBounded } from './pool.ts';
import type { AppDeps, Cluster } from './ports.ts';
import { readClusterSnapshot } from './snapshot.ts';

export interface DoctorOptions {
  /** A namespace Terminating at least this long counts as stuck. */
  stuckAfterMs: number;
  /** Per-namespace access reviews when a cluster-wide one is denied: at most this many. */
  maxNamespaces?: number;
}

const FATAL = new Set(['Unreachable', 'TLS', 'Unauthorized', 'Timeout', 'Aborted']);

/** The value, or the error as a value; a fatal error (nothing can be checked) is thrown. */
async function attempt<T>(fn: () => Promise<T>): Promise<T | Error> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && FATAL.has(err.kind)) throw err;
    return err as Error;
  }
}

async function review(i: Inspector, n: Need, namespaces: string[], deps: AppDeps): Promise<NeedResult> {
  const base = { verb: n.verb, group: n.group, resource: n.resource, ...(n.name ? { name: n.name } : {}) };
  if ((await i.canI(base)).allowed) return { need: n, clusterWide: true };
  if (!n.namespaced) return { need: n, clusterWide: false };
  const allowed: string[] = [];
  const denied: string[] = [];
  await forEachBounded(namespaces, 16, () => deps.signal.aborted, async (namespace) => {
    ((await i.canI({ ...base, namespace })).allowed ? allowed : denied).push(namespace);
  });
  return { need: n, clusterWide: false, perNamespace: { allowed: allowed.sort(), denied: denied.sort() } };
}

export async function runDoctor(i: Inspector, cluster: Cluster, o: DoctorOptions, deps: AppDeps): Promise<DoctorReport> {
  deps.progress.update('Who am I');
  const who = await attempt(() => i.whoAmI());
  const checks = [identityCheck(who, i.identity)];
  deps.progress.update('Server version and APIs');
  checks.push(versionCheck(await attempt(() => i.serverVersion())));
  checks.push(apisCheck(await attempt(() => i.apiGroups())));

  deps.progress.update('Namespaces');
  const namespaces = await attempt(() => cluster.listNamespaces());
  // Where a namespaced right is denied cluster-wide, the namespaces a run would touch are reviewed.
  const scope = makeScope({ namespaces: [], exclude: [], includeSystem: false });
  const inScope = namespaces instanceof Error ? [] : namespaces.filter((n: Namespace) => !scope.skipReason(n)).map((n) => n.metadata.name).slice(0, o.maxNamespaces ?? 200);
  const user = who instanceof Error ? '' : who.username;
  for (const c of COMMAND_NEEDS) {
    deps.progress.update(`Permissions of ${c.command}`);
    const results: NeedResult[] = [];
    for (const n of c.needs) {
      const where = c.command === 'cni' ? (n.resource === 'configmaps' ? ['kube-system'] : KNOWN_NAMESPACES) : inScope;
      const r = await attempt(() => review(i, n, where, deps));
      if (r instanceof Error) throw r; // an access review itself refused: nothing below would be true
      results.push(r);
    }
    checks.push(permissionCheck(c.command, c.role, c.essential, results, user));
  }

  deps.progress.update('CNI');
  checks.push(cniCheck(await attempt(async () => judgeCni(await readCniEvidence(i, deps)))));
  deps.progress.update('Placeholders');
  checks.push(placeholderCheck(await attempt(async () => {
    if (namespaces instanceof Error) throw namespaces;
    const snapshot = await readClusterSnapshot(cluster, { namespaces: [], exclude: [], includeSystem: false }, deps);
    return audit(snapshot, scope, deps.now());
  })));
  checks.push(terminatingCheck(namespaces, deps.now(), o.stuckAfterMs));
  return doctorReport(checks, i.identity, deps.now());
}
