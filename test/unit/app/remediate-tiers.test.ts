// runRemediate beside cluster-wide policies: refused per namespace where the placeholder would open
// what a Baseline-tier policy denies (or where the proof cannot vouch), with the ways out.
import assert from 'node:assert/strict';
import { runRemediate, type RemediateOptions } from '../../../src/app/remediate.ts';
import type { TemplateName } from '../../../src/core/placeholder.ts';
import type { RemediationReport } from '../../../src/core/remediate.ts';
import { deps, namespace, scopeOptions, TEST_VERSION, FakeCluster } from '../builders.ts';
import { cnp, fromNamespaces, inNamespaces, pod, rule } from '../netpol/fixtures.ts';

function options(o: { template?: TemplateName; acceptOpening?: boolean; acceptUnproven?: boolean } = {}): RemediateOptions {
  return {
    scope: scopeOptions(),
    placeholder: { name: 'cis-default-allow', template: o.template ?? 'allow-all', version: TEST_VERSION },
    dryRun: 'none',
    concurrency: 4,
    acceptDisruption: false,
    acceptOpening: o.acceptOpening ?? false,
    acceptUnproven: o.acceptUnproven ?? false,
  };
}

const statuses = (r: RemediationReport) => Object.fromEntries(r.results.map((x) => [x.namespace, x.status]));

function cluster(): FakeCluster {
  const c = new FakeCluster([namespace('tenant-a', { labels: { tenant: 'yes' } }), namespace('plain')]);
  c.pods = [pod('tenant-a', 'web', { ip: '10.1.0.5' }), pod('plain', 'api', { ip: '10.1.0.6' })];
  c.clusterPolicies = [cnp('isolate-tenants', 'Baseline', 10, { subject: inNamespaces({ tenant: 'yes' }), ingress: [rule('Deny', [fromNamespaces({ tenant: 'yes' })], undefined, 'no-cross-tenant')] })];
  return c;
}

describe('app/remediate: cluster-wide policies', () => {
  it('refuses only where the placeholder would open a Baseline deny, writes elsewhere, exit-worthy failure', async () => {
    const c = cluster();
    const r = await runRemediate(options(), c, deps());
    assert.deepEqual(statuses(r), { plain: 'FIXED', 'tenant-a': 'FAILED' });
    const refused = r.results.find((x) => x.namespace === 'tenant-a')!;
    assert.match(refused.reason, /^Refused: template allow-all would allow connections that a cluster-wide policy denies today \(see below\); nothing was written$/);
    assert.equal(refused.error?.kind, 'Opening');
    assert.match(refused.error!.hint, /--template select-none .* or pass --accept-opening/);
    assert.ok(refused.connectivity!.opened.length > 0 && refused.connectivity!.unchanged === false);
    assert.deepEqual(c.writes.map((w) => w.namespace), ['plain'], 'nothing written in tenant-a');
    assert.equal(r.summary.failures, 1);
  });

  it('--accept-opening writes there too, and the report still lists what opened', async () => {
    const c = cluster();
    const r = await runRemediate(options({ acceptOpening: true }), c, deps());
    assert.deepEqual(statuses(r), { plain: 'FIXED', 'tenant-a': 'FIXED' });
    assert.ok(r.results.find((x) => x.namespace === 'tenant-a')!.connectivity!.opened.length > 0);
  });

  it('--template select-none: written everywhere, connectivity unchanged', async () => {
    const c = cluster();
    const r = await runRemediate(options({ template: 'select-none' }), c, deps());
    assert.deepEqual(statuses(r), { plain: 'FIXED', 'tenant-a': 'FIXED' });
    assert.ok(r.results.every((x) => x.connectivity?.unchanged));
    const spec = c.policies.find((p) => p.metadata.namespace === 'tenant-a')!.spec;
    assert.deepEqual(spec.podSelector.matchExpressions?.map((e) => e.operator), ['Exists', 'DoesNotExist']);
  });

  it('a CNI-specific policy makes the namespace unproven: refused unless --accept-unproven', async () => {
    const c = cluster();
    c.clusterPolicies = [];
    c.cniPolicies = [{ kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: 'db', namespace: 'plain' }, spec: { priority: 5, appliedTo: [{ podSelector: {} }], ingress: [{ action: 'Allow', from: [{ group: 'clients' }] }] } }];
    const refused = await runRemediate(options(), c, deps());
    assert.deepEqual(statuses(refused), { plain: 'FAILED', 'tenant-a': 'FIXED' });
    assert.equal(refused.results.find((x) => x.namespace === 'plain')!.error?.kind, 'NotProven');
    const accepted = await runRemediate(options({ acceptUnproven: true }), cluster2(c), deps());
    assert.equal(statuses(accepted)['plain'], 'FIXED');
  });
});

function cluster2(c: FakeCluster): FakeCluster {
  const fresh = new FakeCluster([namespace('tenant-a', { labels: { tenant: 'yes' } }), namespace('plain')]);
  fresh.pods = c.pods;
  fresh.cniPolicies = c.cniPolicies;
  return fresh;
}
