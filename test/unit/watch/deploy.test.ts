// deploy/controller/: the exact rights (written out here, not read from the code), and the
// Deployment's HA and security settings the issue asks for. The integration suite proves the
// rights suffice (watch-ha.test.ts binds exactly these to a user with no others).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { REPO } from '../../support/env.ts';

type Doc = { kind: string; metadata: { name: string }; rules?: unknown[]; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const docs = (f: string) => loadAll(fs.readFileSync(path.join(REPO, 'deploy', 'controller', f), 'utf8')).filter(Boolean) as Doc[];

describe('deploy/controller', () => {
  const rbac = docs('rbac.yaml');
  it('the ClusterRole grants exactly what watch uses, and no update, patch or get of anything cluster-wide', () => {
    const role = rbac.find((d) => d.kind === 'ClusterRole');
    assert.deepEqual(role?.rules, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch', 'create', 'delete'] },
      { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['list'] },
      { apiGroups: ['policy.networking.k8s.io'], resources: ['clusternetworkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'], verbs: ['list'] },
      { apiGroups: ['cilium.io'], resources: ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'], verbs: ['list'] },
      { apiGroups: ['crd.projectcalico.org', 'projectcalico.org'], resources: ['networkpolicies', 'globalnetworkpolicies', 'tiers'], verbs: ['list'] },
      { apiGroups: ['crd.antrea.io'], resources: ['networkpolicies', 'clusternetworkpolicies', 'tiers'], verbs: ['list'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
  });
  it('the Lease rights are namespaced, and get/update name the one Lease', () => {
    const role = rbac.find((d) => d.kind === 'Role');
    assert.deepEqual(role?.rules, [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['cis-netpol-watch'], verbs: ['get', 'update'] },
    ]);
  });
  it('two replicas with leader election, probes, requests and limits, a restricted securityContext, a PDB', () => {
    const all = docs('deployment.yaml');
    const d = all.find((x) => x.kind === 'Deployment')!;
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(d.spec.replicas, 2);
    assert.ok(c.args.includes('--leader-elect'));
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    assert.deepEqual({ ...pod.securityContext, runAsUser: undefined, runAsGroup: undefined }, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: undefined, runAsGroup: undefined });
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.equal(pod.serviceAccountName, 'cis-netpol-watch');
    const pdb = all.find((x) => x.kind === 'PodDisruptionBudget')!;
    assert.equal(pdb.spec.minAvailable, 1);
  });
});
