// The Inspector port (app/inspect-ports.ts) over KubeClient's pooled connection, -v logging and
// 429 retries: one client object serves both ports, so an exec credential plugin runs once.
import { HttpMethod } from '@kubernetes/client-node';
import type { AccessCheck, Inspector, ServerVersion } from '../app/inspect-ports.ts';
import type { DaemonSetEvidence } from '../core/cni/types.ts';
import { ApiError } from '../core/errors.ts';
import { KubeClient, type ClientOptions } from './client.ts';
import type { Where } from './map-error.ts';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Where.resource names the resources of the Cluster port; widening that union in map-error.ts
// would touch a line others edit, and the messages only interpolate the name.
const res = (r: string) => r as Where['resource'];

export function toDaemonSet(raw: Raw): DaemonSetEvidence {
  const containers = (raw.spec?.template?.spec?.containers ?? []) as Raw[];
  const out: DaemonSetEvidence = {
    namespace: String(raw.metadata?.namespace ?? ''),
    name: String(raw.metadata?.name ?? ''),
    labels: { ...(raw.metadata?.labels ?? {}) },
    containers: containers.map((c) => ({ name: String(c.name ?? ''), image: String(c.image ?? ''), args: [...(c.command ?? []), ...(c.args ?? [])].map(String) })),
  };
  // Only once a controller has looked at it: the API server itself writes zeros on create.
  if (raw.status?.observedGeneration !== undefined && typeof raw.status?.desiredNumberScheduled === 'number') {
    out.desired = raw.status.desiredNumberScheduled;
    out.ready = raw.status.numberReady ?? 0;
  }
  return out;
}

export class KubeInspector extends KubeClient implements Inspector {
  // Plain JSON like KubeClient's own calls: no generated API class (and none of its models) loads.
  listDaemonSets(namespace?: string): Promise<DaemonSetEvidence[]> {
    const w = { verb: 'list' as const, resource: res('daemonsets'), ...(namespace ? { namespace } : {}) };
    return this.pages(w, this.rawPages(namespace ? `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/daemonsets` : '/apis/apps/v1/daemonsets'), toDaemonSet as never);
  }

  async readConfigMap(namespace: string, name: string, keys: string[]): Promise<Record<string, string> | undefined> {
    try {
      const cm = (await this.call({ verb: 'get', resource: res('configmaps'), namespace, name }, () =>
        this.getJson(`/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`))) as { data?: Record<string, string> };
      // Only the keys a rule reads: a ConfigMap may hold things that belong in no report.
      const data: Record<string, string> = {};
      for (const k of keys) if (cm.data?.[k] !== undefined) data[k] = cm.data[k];
      return data;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  async serverVersion(): Promise<ServerVersion> {
    const v = (await this.call({ verb: 'get', resource: res('version') }, () => this.getJson('/version'))) as ServerVersion;
    return { gitVersion: v.gitVersion, major: v.major, minor: v.minor };
  }

  async whoAmI(): Promise<{ username: string; groups: string[] }> {
    const r = await this.call({ verb: 'create', resource: res('selfsubjectreviews') }, () => this.selfSubjectReview());
    return { username: r.status?.userInfo?.username ?? '', groups: r.status?.userInfo?.groups ?? [] };
  }

  async canI(c: AccessCheck): Promise<{ allowed: boolean; reason?: string }> {
    const r = (await this.call({ verb: 'create', resource: res('selfsubjectaccessreviews') }, () =>
      this.request(HttpMethod.POST, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: c.verb, group: c.group, resource: c.resource, ...(c.namespace ? { namespace: c.namespace } : {}), ...(c.name ? { name: c.name } : {}) } },
      }))) as { status?: { allowed?: boolean; reason?: string } };
    return { allowed: r.status?.allowed === true, ...(r.status?.reason ? { reason: r.status.reason } : {}) };
  }

  async apiGroups(): Promise<{ name: string; versions: string[] }[]> {
    const list = (await this.call({ verb: 'get', resource: res('apis') }, () => this.getJson('/apis'))) as { groups?: { name: string; versions: { version: string }[] }[] };
    return (list.groups ?? []).map((g) => ({ name: g.name, versions: g.versions.map((v) => v.version) }));
  }
}
