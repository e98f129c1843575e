// Discovery answers written as kube-apiserver writes them (aggregated v2/v2beta1, and the plain APIGroupList).

/** One group of an APIGroupDiscoveryList (apidiscovery.k8s.io/v2), as `kubectl get --raw /apis` with the aggregated Accept shows it. */
export function discoveryGroup(name: string, versions: Record<string, string[]>, freshness: Record<string, 'Current' | 'Stale'> = {}) {
  return {
    metadata: { name, creationTimestamp: null },
    versions: Object.entries(versions).map(([version, resources]) => ({
      version,
      resources: resources.map((resource) => ({
        resource,
        responseKind: { group: name, version, kind: 'X' },
        scope: 'Cluster',
        singularResource: resource.replace(/s$/, ''),
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      })),
      freshness: freshness[version] ?? 'Current',
    })),
  };
}

export const aggregated = (apiVersion: 'v2' | 'v2beta1', ...items: ReturnType<typeof discoveryGroup>[]) => ({
  kind: 'APIGroupDiscoveryList',
  apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
  metadata: {},
  items: [discoveryGroup('apps', { v1: ['deployments', 'daemonsets'] }), discoveryGroup('networking.k8s.io', { v1: ['networkpolicies', 'ingresses'] }), ...items],
});

export const groupList = (...groups: [name: string, versions: string[]][]) => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [['apps', ['v1']] as [string, string[]], ...groups].map(([name, versions]) => ({
    name,
    versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
    preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
  })),
});
