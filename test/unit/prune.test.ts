// Prune removes our placeholder only beside real policies, shows exactly what that denies, and
// writes only with --yes (or --dry-run=server), with the uid/resourceVersion preconditions.
import assert from 'node:assert/strict';
import { runPrune, type PruneOptions } from '../../src/app/prune.ts';
import { pruneExit } from '../../src/cli/exit.ts';
import type { ApiErrorKind } from '../../src/core/errors.ts';
import type { NetworkPolicy } from '../../src/core/model.ts';
import {
  CHANGED_REASON, EDITED_REASON, ONLY_POLICY_REASON, planPrune, pruneConnectivity, pruneMode, pruneOutcome, unchangedSincePlan,
  type PruneMode, type PruneReport, type PruneStatus,
} from '../../src/core/prune.ts';
import type { DryRun } from '../../src/core/remediate.ts';
import { renderPrune } from '../../src/output/prune.ts';
import { apiError, deps, FIXED_NOW, ours, policy as userPolicy, scope, scopeOptions, state, type FakeCluster } from './builders.ts';
import { catalogue, node, pod, podSel, policy, tcp } from './netpol/fixtures.ts';

const key = (p: NetworkPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;

// shop: the placeholder beside web-ingress (only api → web:8080) and api-egress (api → web only);
// open: beside allow-all ingress and egress; quiet: beside default-deny, no pods;
// solo: the placeholder alone; edited: an edited placeholder beside a policy; team-x: excluded;
// plain: a user policy only.
function world() {
  return state()
    .namespace('shop').ours('shop')
    .namespace('open').ours('open')
    .namespace('quiet').ours('quiet')
    .namespace('solo').ours('solo')
    .namespace('edited').ours('edited', { edited: true }).policy('edited', 'web')
    .namespace('team-x').ours('team-x').policy('team-x', 'web')
    .namespace('plain').policy('plain', 'web');
}

const SHOP_POLICIES = [
  policy('shop', 'web-ingress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [podSel({ app: 'api' })], ports: [tcp(8080)] }] }),
  policy('shop', 'api-egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [podSel({ app: 'web' })] }] }),
];
const OTHER_POLICIES = [catalogue.allowAllIngress('open'), catalogue.allowAllEgress('open'), catalogue.defaultDenyAll('quiet')];
const PODS = [
  pod('shop', 'web', { labels: { app: 'web' }, ip: '10.1.0.6', node: 'n1', ports: [{ name: 'http', containerPort: 8080 }] }),
  pod('shop', 'api', { labels: { app: 'api' }, ip: '10.1.0.7', node: 'n1' }),
  pod('open', 'any', { labels: { app: 'any' }, ip: '10.1.0.8', node: 'n1' }),
  pod('solo', 'one', { ip: '10.1.0.9', node: 'n1' }),
];
const NODES = [node('n1', '10.0.0.5')];

function snap() {
  const s = world().snapshot();
  return { ...s, policies: [...s.policies, ...SHOP_POLICIES, ...OTHER_POLICIES] };
}

function cluster(): FakeCluster {
  const c = world().cluster();
  for (const p of [...SHOP_POLICIES, ...OTHER_POLICIES]) c.inject(p);
  c.pods = structuredClone(PODS);
  c.nodes = structuredClone(NODES);
  return c;
}

describe('core/prune: planPrune', () => {
  it('removes the placeholder only beside real policies; keeps it where it is alone or edited', () => {
    const plan = planPrune(snap(), scope({ exclude: ['team-*'] }), false);
    assert.deepEqual(plan.deletes.map(key), ['open/cis-default-allow', 'quiet/cis-default-allow', 'shop/cis-default-allow']);
    assert.deepEqual(plan.decided.map((d) => [d.namespace, d.status, d.reason, d.remaining]), [
      ['edited', 'KEPT', EDITED_REASON, ['web']],
      ['solo', 'KEPT', ONLY_POLICY_REASON, []],
    ]);
  });

  it('--force also removes an edited placeholder, but never one that is alone', () => {
    const plan = planPrune(snap(), scope({ exclude: ['team-*'] }), true);
    assert.ok(plan.deletes.map(key).includes('edited/cis-default-allow'));
    assert.ok(!plan.deletes.map(key).includes('solo/cis-default-allow'));
    assert.deepEqual(plan.decided.map((d) => d.namespace), ['solo']);
  });

  it('never a user policy; excluded namespaces are not touched or reported', () => {
    const plan = planPrune(snap(), scope({ exclude: ['team-*'] }), true);
    assert.ok(plan.deletes.every((p) => p.metadata.name === 'cis-default-allow' && p.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubectl-cis-netpol'));
    assert.ok(![...plan.deletes.map((p) => p.metadata.namespace), ...plan.decided.map((d) => d.namespace)].includes('team-x'));
  });

  it('-n narrows the plan; a missing or unreadable namespace is an ERROR', () => {
    const s = { ...snap(), missing: ['ghost'], unreadable: [{ namespace: 'open', message: 'forbidden (fake)' }] };
    const plan = planPrune(s, scope({ namespaces: ['shop', 'open', 'ghost'] }), false);
    assert.deepEqual(plan.deletes.map(key), ['shop/cis-default-allow']);
    assert.deepEqual(plan.decided.map((d) => [d.namespace, d.status, d.reason]), [
      ['open', 'ERROR', 'Could not read NetworkPolicies: forbidden (fake)'],
      ['ghost', 'ERROR', 'Namespace not found'],
    ]);
  });
});

describe('core/prune: pruneConnectivity', () => {
  const proof = () => {
    const s = snap();
    const plan = planPrune(s, scope({ exclude: ['team-*'] }), false);
    return pruneConnectivity({ namespaces: s.namespaces, pods: PODS, nodes: NODES, policies: s.policies }, plan.deletes);
  };

  it('lists what the remaining policies deny once the placeholder goes', () => {
    const shop = proof().byNamespace.get('shop');
    assert.ok(shop && !shop.unchanged && shop.classes === shop.details.length && shop.pods === 2);
    assert.ok(shop.details.every((c) => c.change === 'denied' && c.deniedBy.every((d) => d.pod.namespace === 'shop')));
    assert.deepEqual(shop.denied, [
      'egress from 1 of 2 pods in ns shop (api) to 0.0.0.0/0 outside pod IPs (internet, node addresses 10.0.0.5, NodeLocal DNS 169.254.20.10) on all ports',
      'egress from 1 of 2 pods in ns shop (api) to the only pod in ns open (any) on all ports',
      'egress from 1 of 2 pods in ns shop (api) to 1 of 2 pods in ns shop (api) on all ports',
      'egress from 1 of 2 pods in ns shop (api) to the only pod in ns solo (one) on all ports',
      'ingress to 1 of 2 pods in ns shop (web) from 0.0.0.0/0 except 10.0.0.5/32 outside pod IPs (external clients and load balancers) on all ports',
      'ingress to 1 of 2 pods in ns shop (web) from the only pod in ns open (any) on all ports',
      'ingress to 1 of 2 pods in ns shop (web) from 1 of 2 pods in ns shop (api) on TCP 1-8079, 8081-65535, all UDP ports, all SCTP ports',
      'ingress to 1 of 2 pods in ns shop (web) from 1 of 2 pods in ns shop (web) on all ports',
      'ingress to 1 of 2 pods in ns shop (web) from the only pod in ns solo (one) on all ports',
    ]);
  });

  it('unchanged where the remaining policies allow everything the placeholder did', () => {
    assert.deepEqual(proof().byNamespace.get('open'), { unchanged: true, unproven: [], denied: [], classes: 0, pods: 1, details: [] });
  });

  it('a namespace without pods today: unchanged, and says it covered no pod', () => {
    assert.deepEqual(proof().byNamespace.get('quiet'), { unchanged: true, unproven: [], denied: [], classes: 0, pods: 0, details: [] });
  });

  it('nothing to remove: no comparison at all', () => {
    const s = snap();
    assert.equal(pruneConnectivity({ namespaces: s.namespaces, pods: PODS, nodes: NODES, policies: s.policies }, []).byNamespace.size, 0);
  });
});

describe('core/prune: modes, outcomes, re-check', () => {
  const modes: [DryRun, boolean, PruneMode][] = [
    ['none', false, 'plan'], ['none', true, 'apply'], ['client', false, 'client'], ['client', true, 'client'], ['server', false, 'server'], ['server', true, 'server'],
  ];
  for (const [dryRun, yes, want] of modes) it(`--dry-run=${dryRun}${yes ? ' --yes' : ''} → ${want}`, () => assert.equal(pruneMode(dryRun, yes), want));

  const p = ours('shop');
  const outcomes: [PruneMode, ApiErrorKind | undefined, PruneStatus, RegExp][] = [
    ['apply', undefined, 'REMOVED', /^Placeholder removed; policies a, b now decide alone$/],
    ['plan', undefined, 'PLANNED', /run again with --yes/],
    ['client', undefined, 'PLANNED', /client dry run/],
    ['server', undefined, 'PLANNED', /server dry run accepted it/],
    ['apply', 'NotFound', 'REMOVED', /Already gone/],
    ['apply', 'Conflict', 'KEPT', /precondition failed/],
    ['apply', 'Timeout', 'UNKNOWN', /Outcome unknown/],
    ['apply', 'Forbidden', 'FAILED', /forbidden/],
  ];
  for (const [mode, kind, status, reason] of outcomes) {
    it(`${mode} ${kind ?? 'ok'} → ${status}`, () => {
      const r = pruneOutcome(p, ['a', 'b'], kind ? apiError(kind) : undefined, mode);
      assert.equal(r.status, status);
      assert.match(r.reason, reason);
      assert.equal(r.error !== undefined, kind !== undefined && kind !== 'NotFound');
    });
  }

  it('unchangedSincePlan compares names, uids and resourceVersions, not order', () => {
    const a = { ...userPolicy('x', 'a'), metadata: { name: 'a', namespace: 'x', uid: 'u1', resourceVersion: '5' } };
    const b = { ...userPolicy('x', 'b'), metadata: { name: 'b', namespace: 'x', uid: 'u2', resourceVersion: '7' } };
    assert.equal(unchangedSincePlan([a, b], [b, a]), true);
    assert.equal(unchangedSincePlan([a, b], [a]), false, 'a policy deleted meanwhile');
    assert.equal(unchangedSincePlan([a, b], [a, { ...b, metadata: { ...b.metadata, resourceVersion: '8' } }]), false, 'a policy edited meanwhile');
  });
});

describe('app/prune', () => {
  const options = (o: Partial<PruneOptions> & { namespaces?: string[]; exclude?: string[] } = {}): PruneOptions => ({
    scope: scopeOptions({ namespaces: o.namespaces ?? [], exclude: o.exclude ?? ['team-*'] }),
    dryRun: o.dryRun ?? 'none',
    yes: o.yes ?? false,
    force: o.force ?? false,
    concurrency: o.concurrency ?? 4,
  });
  const lines = (r: PruneReport) => r.results.map((x) => `${x.namespace}/${x.policy ?? '-'} ${x.status}`);

  it('without --yes: the plan with its connectivity proof, no write, exit 1', async () => {
    const c = cluster();
    const r = await runPrune(options(), c, deps());
    assert.deepEqual(c.writes, []);
    assert.deepEqual(lines(r), ['edited/cis-default-allow KEPT', 'open/cis-default-allow PLANNED', 'quiet/cis-default-allow PLANNED', 'shop/cis-default-allow PLANNED', 'solo/cis-default-allow KEPT']);
    assert.equal(r.results.find((x) => x.namespace === 'shop')?.connectivity?.denied.length, 9);
    assert.deepEqual(r.summary, { removed: 0, planned: 3, kept: 2, failures: 0, unknown: 0, namespacesWithDeniedConnections: 1 });
    assert.deepEqual([r.apiVersion, r.kind, r.mode, r.confirmed, r.timestamp], ['cis-netpol.io/v1', 'PruneReport', 'plan', false, FIXED_NOW.toISOString()]);
    assert.equal(pruneExit(r), 1);
  });

  it('--yes removes only placeholders beside real policies; user policies keep uid and resourceVersion', async () => {
    const c = cluster();
    const before = c.policies.filter((p) => p.metadata.name !== 'cis-default-allow').map((p) => `${key(p)}@${p.metadata.uid}@${p.metadata.resourceVersion}`);
    const r = await runPrune(options({ yes: true }), c, deps());
    assert.deepEqual(c.writes.map((w) => `${w.op} ${w.namespace}/${w.name} dryRun=${w.dryRun}`).sort(), [
      'deletePolicy open/cis-default-allow dryRun=false', 'deletePolicy quiet/cis-default-allow dryRun=false', 'deletePolicy shop/cis-default-allow dryRun=false',
    ]);
    assert.deepEqual(c.policyNames('solo'), ['cis-default-allow'], 'the only policy stays');
    assert.deepEqual(c.policyNames('edited'), ['cis-default-allow', 'web'], 'the edited one stays without --force');
    assert.deepEqual(c.policyNames('team-x'), ['cis-default-allow', 'web'], 'excluded');
    assert.deepEqual(c.policies.map((p) => `${key(p)}@${p.metadata.uid}@${p.metadata.resourceVersion}`).filter((x) => !x.includes('cis-default-allow')), before);
    assert.deepEqual(r.summary.removed, 3);
    assert.equal(pruneExit(r), 1);
  });

  it('--yes --force also removes the edited placeholder', async () => {
    const c = cluster();
    await runPrune(options({ yes: true, force: true }), c, deps());
    assert.deepEqual(c.policyNames('edited'), ['web']);
  });

  it('--dry-run=client writes nothing, even with --yes', async () => {
    const c = cluster();
    const r = await runPrune(options({ dryRun: 'client', yes: true }), c, deps());
    assert.deepEqual(c.writes, []);
    assert.equal(r.summary.planned, 3);
  });

  it('--dry-run=server sends each delete with dryRun and removes nothing', async () => {
    const c = cluster();
    const r = await runPrune(options({ dryRun: 'server' }), c, deps());
    assert.ok(c.writes.length === 3 && c.writes.every((w) => w.op === 'deletePolicy' && w.dryRun === true));
    assert.deepEqual(c.policyNames('shop'), ['api-egress', 'cis-default-allow', 'web-ingress']);
    assert.equal(r.summary.planned, 3);
  });

  it('nothing to prune: exit 0, and pods and nodes are not even read', async () => {
    const c = cluster().fail({ op: 'listPods' }, 'Forbidden');
    const r = await runPrune(options({ namespaces: ['solo', 'plain'] }), c, deps());
    assert.deepEqual(lines(r), ['solo/cis-default-allow KEPT']);
    assert.equal(pruneExit(r), 0);
    assert.deepEqual(c.callsTo('listPods'), []);
  });

  it('refuses without list on pods and nodes: the proof cannot be made', async () => {
    const c = cluster().fail({ op: 'listPods' }, 'Forbidden');
    await assert.rejects(runPrune(options({ yes: true }), c, deps()), (e: unknown) => e instanceof Error && /may not list pods cluster-wide .*prune needs "list" on pods and nodes/.test(e.message));
    assert.deepEqual(c.writes, []);
  });

  it('a namespace whose policies changed after the plan is left alone', async () => {
    const c = cluster();
    const list = c.listPolicies.bind(c);
    let n = 0;
    c.listPolicies = async (ns?: string) => {
      const out = await list(ns);
      if (++n === 1) c.inject(userPolicy('shop', 'late-allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }));
      return out;
    };
    const r = await runPrune(options({ yes: true }), c, deps());
    const shop = r.results.find((x) => x.namespace === 'shop');
    assert.deepEqual([shop?.status, shop?.reason], ['KEPT', CHANGED_REASON]);
    assert.ok(c.policyNames('shop').includes('cis-default-allow'));
  });

  it('a precondition conflict keeps the placeholder; an unknown outcome is UNKNOWN and exits 2', async () => {
    const c = cluster().fail({ op: 'deletePolicy', namespace: 'shop' }, 'Conflict').fail({ op: 'deletePolicy', namespace: 'open' }, 'ServerError');
    const r = await runPrune(options({ yes: true, concurrency: 1 }), c, deps());
    assert.equal(r.results.find((x) => x.namespace === 'shop')?.status, 'KEPT');
    assert.equal(r.results.find((x) => x.namespace === 'open')?.status, 'UNKNOWN');
    assert.equal(pruneExit(r), 2);
  });

  it('an unreachable server stops new deletes; the rest is reported not attempted', async () => {
    const c = cluster().fail({ op: 'deletePolicy' }, 'Unreachable');
    const r = await runPrune(options({ yes: true, concurrency: 1 }), c, deps());
    assert.equal(c.callsTo('deletePolicy').length, 1);
    assert.equal(r.results.filter((x) => x.reason.startsWith('Not attempted: stopped after:')).length, 2);
    assert.equal(pruneExit(r), 2);
  });
});

describe('output/prune', () => {
  it('shows each placeholder, what becomes denied under it, and why prune exists', async () => {
    const r = await runPrune({ scope: scopeOptions({ namespaces: ['shop', 'open', 'quiet', 'solo'] }), dryRun: 'none', yes: false, force: false, concurrency: 4 }, cluster(), deps());
    const text = renderPrune(r, { color: false });
    const head = text.split('\n').slice(0, 3);
    assert.deepEqual(head, [
      '[+] open                                PLANNED    cis-default-allow: Would be removed, leaving policies allow-all-egress, allow-all-ingress (run again with --yes to remove it)',
      '      connectivity unchanged: the remaining policies allow everything the placeholder did for today\'s 1 pod with an IP',
      '[+] quiet                               PLANNED    cis-default-allow: Would be removed, leaving policy default-deny-all (run again with --yes to remove it)',
    ]);
    assert.match(text, /\n {6}connectivity unchanged: no pod with an IP today; pods started later get only what default-deny-all allows\n/);
    assert.match(text, /\n {6}become denied \(\d+ connection classes, 2 pods with an IP; the detailed list: -o json, connectivity\.details\):\n {8}- egress from 1 of 2 pods in ns shop \(api\) to 0\.0\.0\.0\/0/);
    assert.match(text, /\[✓\] solo +KEPT +cis-default-allow: Only NetworkPolicy in the namespace/);
    assert.match(text, /PLAN ONLY: nothing was deleted\. Run again with --yes/);
    assert.match(text, /Placeholders To Remove: +3\n {2}Placeholders Kept: +1\n {2}Failures: +0\n {2}Namespaces Losing Traffic: +1\n/);
    assert.match(text, /Why prune: NetworkPolicies are additive\./);
  });

  it('judges by the proof\'s whole model: a later Calico tier stays unreached where the remaining policies isolate; one not read is "not proven"', async () => {
    const c = cluster();
    const deny = (name: string, tier: string) => ({ kind: 'CalicoNetworkPolicy' as const, apiVersion: 'projectcalico.org/v3', metadata: { name, namespace: 'open' }, spec: { tier, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['8.8.8.8/32'] } }] } });
    const tier = (name: string, order: number) => ({ kind: 'CalicoTier' as const, apiVersion: 'projectcalico.org/v3', metadata: { name }, spec: { order } });
    c.cniPolicies = [tier('default', 1_000_000), tier('late', 2_000_000), deny('late.no-dns', 'late'), deny('ghost.no-dns', 'ghost')];
    const r = await runPrune({ scope: scopeOptions({ namespaces: ['open'] }), dryRun: 'none', yes: false, force: false, concurrency: 4 }, c, deps());
    const open = r.results.find((x) => x.namespace === 'open')!.connectivity!;
    // allow-all-egress still isolates `open` for egress, so the late tier is never reached: nothing denied, one policy unproven.
    assert.deepEqual([open.unchanged, open.denied, open.unproven.length], [false, [], 1]);
    const text = renderPrune(r, { color: false });
    assert.match(text, /\n {6}connectivity not proven unchanged:\n {6}not proven: CalicoNetworkPolicy open\/ghost\.no-dns .*tier ghost: no Tier object of that name was read, so its order is unknown\n/);
    assert.match(text, /Namespaces Losing Traffic: +0\n/);
  });

  it('nothing found', async () => {
    const r = await runPrune({ scope: scopeOptions({ namespaces: ['plain'] }), dryRun: 'none', yes: true, force: false, concurrency: 4 }, cluster(), deps());
    assert.match(renderPrune(r, { color: false }), /^\[✓\] No cis-netpol placeholder found: nothing to prune\.\n/);
  });
});
