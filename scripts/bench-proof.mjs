#!/usr/bin/env node
// The remediation proof at scale under cluster-wide policies, in process (no API server: the proof
// is pure). Prints milliseconds per scenario, median of --runs (default 5):
//   - 1,000 namespaces x 10 pods, 50 SIG policies (40 Admin, 10 Baseline; each Baseline policy
//     denies ingress from other namespaces to the 10 namespaces of its team), placeholders for all;
//   - the same with 50 Baseline policies that each select every namespace (the worst case: every
//     pod's side changes, so every pair of pods is compared);
//   - 1,000 x 10 with no cluster-wide policy (the linear shortcut, for comparison);
//   - 1,000 x 10 with the 50 SIG policies and 50 policies of each CNI kind: 50 Cilium (25
//     clusterwide ones isolating a team's namespaces with deny rules, 25 namespaced ones allowing
//     all), 50 Calico and 50 Antrea (without the priority the CRD requires: "not proven");
//   - 1,000 x 10 with 50 Antrea-native policies, modelled (5 custom Tiers; per team: same-team
//     Allow, monitoring Pass, Drop the rest; baseline-Tier Drops the placeholder would open;
//     namespaced ones allowing HTTP and dropping the metadata address).
// Also called by `npm run bench` (scripts/bench.mjs) and written into docs/benchmarks.md there.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

async function load() {
  const proof = await import(pathToFileURL(path.join(REPO, 'src/core/proof.ts')).href);
  const placeholder = await import(pathToFileURL(path.join(REPO, 'src/core/placeholder.ts')).href);
  return { proveCreates: proof.proveCreates, placeholderPolicy: placeholder.placeholderPolicy };
}

function world(nNamespaces, podsPer, clusterPolicies, cniPolicies = []) {
  const namespaces = [];
  const pods = [];
  for (let i = 0; i < nNamespaces; i++) {
    const name = `team${i % 100}-ns${i}`;
    namespaces.push({ metadata: { name, labels: { team: `t${i % 100}`, tier: i % 3 === 0 ? 'prod' : 'dev' } }, phase: 'Active' });
    for (let j = 0; j < podsPer; j++) {
      const n = i * podsPer + j;
      pods.push({
        metadata: { name: `p${j}`, namespace: name, labels: { app: `app${j % 3}` } },
        nodeName: `node${n % 10}`,
        podIPs: [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`],
        containerPorts: [{ name: 'http', containerPort: 8080 }],
      });
    }
  }
  const nodes = Array.from({ length: 10 }, (_, k) => ({ metadata: { name: `node${k}`, labels: { zone: `z${k % 3}` } }, addresses: [`192.168.0.${k + 1}`] }));
  return { namespaces, pods, nodes, policies: [], clusterPolicies, cniPolicies, unreadable: [] };
}

function sig(name, tier, priority, subject, ingress = [], egress = []) {
  return { kind: 'ClusterNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha2', metadata: { name }, spec: { tier, priority, subject, ingress, egress } };
}

function realistic() {
  const out = [];
  for (let k = 0; k < 40; k++) {
    // Admin: protect a team's prod pods from other teams, allow monitoring, deny a metadata address.
    out.push(sig(`admin-${k}`, 'Admin', k, { pods: { namespaceSelector: { matchLabels: { team: `t${k}`, tier: 'prod' } }, podSelector: {} } }, [
      { name: 'monitoring', action: 'Accept', peers: [{ namespaces: { matchLabels: { team: 't99' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
      { name: 'others', action: 'Deny', peers: [{ namespaces: {} }] },
    ], [{ name: 'metadata', action: 'Deny', peers: [{ networks: ['169.254.169.254/32'] }] }]));
  }
  for (let k = 0; k < 10; k++) {
    out.push(sig(`baseline-${k}`, 'Baseline', k, { namespaces: { matchLabels: { team: `t${40 + k}` } } }, [
      { name: 'same-team', action: 'Accept', peers: [{ namespaces: { matchLabels: { team: `t${40 + k}` } } }] },
      { name: 'no-other-teams', action: 'Deny', peers: [{ namespaces: {} }] },
    ]));
  }
  return out;
}

function cni() {
  const out = [];
  for (let k = 0; k < 25; k++) {
    out.push({ kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: `ccnp-${k}` }, spec: {
      endpointSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': `t${50 + k}` } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': `t${50 + k}` } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    } });
    out.push({ kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: `cnp-${k}`, namespace: `team${k}-ns${k}` }, spec: {
      endpointSelector: { matchLabels: { app: 'app0' } }, ingress: [{ fromEntities: ['all'] }], egressDeny: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '25' }] }] }],
    } });
  }
  for (let k = 0; k < 50; k++) {
    const ns = `team${(75 + k) % 100}-ns${75 + k}`;
    out.push({ kind: 'CalicoNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name: `cal-${k}`, namespace: ns }, spec: { selector: "app == 'app1'", ingress: [{ action: 'Allow' }] } });
    out.push({ kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: `antrea-${k}`, namespace: `team${(25 + k) % 100}-ns${125 + k}` }, spec: { appliedTo: [{ podSelector: { matchLabels: { app: 'app2' } } }], ingress: [{ action: 'Allow' }] } });
  }
  return out;
}

function antrea() {
  const out = [];
  const acnp = (name, spec) => ({ kind: 'AntreaClusterNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name }, spec });
  for (let t = 0; t < 5; t++) out.push({ kind: 'AntreaTier', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: `tier-${t}` }, spec: { priority: 10 + t * 20 } });
  for (let k = 0; k < 20; k++) {
    out.push(acnp(`team-${k}`, { priority: k + 1, tier: `tier-${k % 5}`, appliedTo: [{ namespaceSelector: { matchLabels: { team: `t${k}` } } }], ingress: [
      { action: 'Allow', name: 'same-team', from: [{ namespaceSelector: { matchLabels: { team: `t${k}` } } }] },
      { action: 'Pass', name: 'monitoring', from: [{ namespaceSelector: { matchLabels: { team: 't99' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
      { action: 'Drop', name: 'others', from: [{ namespaceSelector: {} }] },
    ] }));
  }
  for (let k = 0; k < 10; k++) {
    out.push(acnp(`baseline-${k}`, { priority: k + 1, tier: 'baseline', appliedTo: [{ namespaceSelector: { matchLabels: { team: `t${40 + k}` } } }], ingress: [{ action: 'Drop', name: 'no-other-teams', from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: [`t${40 + k}`] }] } }] }] }));
  }
  for (let k = 0; k < 20; k++) {
    out.push({ kind: 'AntreaNetworkPolicy', apiVersion: 'crd.antrea.io/v1beta1', metadata: { name: `annp-${k}`, namespace: `team${(60 + k) % 100}-ns${160 + k}` }, spec: {
      priority: 5, appliedTo: [{ podSelector: { matchLabels: { app: 'app1' } } }],
      ingress: [{ action: 'Allow', ports: [{ protocol: 'TCP', port: 'http' }] }],
      egress: [{ action: 'Drop', to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] }],
    } });
  }
  return out;
}

function worst() {
  return Array.from({ length: 50 }, (_, k) =>
    sig(`baseline-all-${k}`, 'Baseline', k, { namespaces: {} }, [{ name: 'deny-team', action: 'Deny', peers: [{ namespaces: { matchLabels: { team: `t${k}` } } }] }]),
  );
}

export async function runProofBench({ runs = 5, namespaces = 1000, podsPer = 10, log = console.log, only = '' } = {}) {
  const { proveCreates, placeholderPolicy } = await load();
  const scenarios = [
    ['1,000 ns x 10 pods, 50 SIG policies (40 Admin, 10 Baseline)', realistic()],
    ['1,000 ns x 10 pods, no cluster-wide policy', []],
    ['1,000 ns x 10 pods, 50 Baseline policies selecting every namespace (worst case)', worst()],
    ['1,000 ns x 10 pods, 50 SIG policies and 50 each of Cilium, Calico, Antrea', realistic(), cni()],
    ['1,000 ns x 10 pods, 50 Antrea policies (modelled, 5 custom Tiers)', [], antrea()],
  ];
  const results = [];
  for (const [label, cps, cniPolicies = []] of scenarios.filter(([l]) => l.includes(only))) {
    const state = world(namespaces, podsPer, cps, cniPolicies);
    const creates = state.namespaces.map((n) => placeholderPolicy(n.metadata.name, { name: 'cis-default-allow', template: 'allow-all', version: 'bench' }));
    const times = [];
    let refused = 0;
    const count = label.includes('worst') ? Math.min(runs, 1) : runs;
    for (let r = 0; r < count; r++) {
      const t0 = performance.now();
      const out = proveCreates(state, creates, creates[0]);
      times.push(performance.now() - t0);
      refused = [...out.namespaces.values()].filter((p) => p.denied.length + p.opened.length + p.unproven.length > 0).length;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    results.push({ label, ms: Math.round(median), runs: count, refused });
    log(`proof: ${label}: ${Math.round(median)} ms (median of ${count}), ${refused} of ${namespaces} namespaces would be refused`);
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string', default: '' } } });
  await runProofBench({ runs: Number(values.runs), only: values.only });
}
