// CIS 5.3.1 verdicts from the object shapes each CNI's manifest installs (test/support/cni-fixtures.ts).
import assert from 'node:assert/strict';
import { flagValue, imageName, imagePath, imageTag, parseBool } from '../../../src/core/cni/image.ts';
import type { CniEvidence, ConfigMapRead } from '../../../src/core/cni/types.ts';
import { CONFIGMAP_KEYS, configMapsWanted, judgeCni } from '../../../src/core/cni/verdict.ts';
import { toDaemonSet } from '../../../src/kube/inspector.ts';
import { CNI_FIXTURES, type CniFixture } from '../../support/cni-fixtures.ts';

/** What the reader would collect from a cluster holding exactly these objects. */
export function evidenceOf(f: Pick<CniFixture, 'daemonSets' | 'configMaps'>, extra: Partial<CniEvidence> = {}): CniEvidence {
  const daemonSets = f.daemonSets.map((d) => toDaemonSet({ metadata: { namespace: d.namespace, name: d.name, labels: d.labels }, spec: { template: { spec: { containers: d.containers } } } }));
  const configMaps: ConfigMapRead[] = configMapsWanted(daemonSets).map(({ namespace, name }) => {
    const cm = f.configMaps?.find((c) => c.namespace === namespace && c.name === name);
    if (!cm) return { namespace, name, state: 'absent' };
    return { namespace, name, state: 'found', data: Object.fromEntries(Object.entries(cm.data).filter(([k]) => CONFIGMAP_KEYS.includes(k))) };
  });
  return { daemonSets, configMaps, unreadable: [], notes: [], ...extra };
}

describe('core/cni: a verdict per CNI install', () => {
  for (const f of CNI_FIXTURES) {
    it(`${f.name} → ${f.verdict}${f.by ? ` by ${f.by.join(', ')}` : ''}`, () => {
      const j = judgeCni(evidenceOf(f));
      assert.equal(j.verdict, f.verdict, j.summary);
      assert.deepEqual(j.enforcedBy, f.by ?? []);
      assert.match(j.summary, f.summary);
      if (f.evidence) assert.match(j.findings.flatMap((x) => x.evidence).join('\n'), f.evidence);
      assert.equal(j.hint === '', f.verdict === 'ENFORCED', 'a hint exactly when not enforced');
    });
  }
});

describe('core/cni: what keeps a verdict from NOT ENFORCED', () => {
  const flannelOnly = CNI_FIXTURES.find((f) => f.name === 'Flannel alone')!;

  it('Flannel alone, but DaemonSets of a namespace unreadable → UNKNOWN, naming the namespace', () => {
    const j = judgeCni(evidenceOf(flannelOnly, { unreadable: [{ namespace: 'calico-system', message: 'forbidden' }] }));
    assert.equal(j.verdict, 'UNKNOWN');
    assert.match(j.summary, /Flannel does not implement NetworkPolicy; could not list DaemonSets in namespace\(s\) calico-system \(forbidden\)/);
    assert.match(j.hint, /cis-netpol-cni/);
  });

  it('an enforcer seen wins over an unreadable namespace', () => {
    const calico = CNI_FIXTURES[0]!;
    assert.equal(judgeCni(evidenceOf(calico, { unreadable: [{ namespace: 'cilium', message: 'forbidden' }] })).verdict, 'ENFORCED');
  });

  it('Cilium whose cilium-config cannot be read → UNKNOWN (it may say never)', () => {
    const e = evidenceOf(CNI_FIXTURES.find((f) => f.name.startsWith('Cilium (Helm'))!);
    e.configMaps = e.configMaps.map((c) => (c.name === 'cilium-config' ? { namespace: c.namespace, name: c.name, state: 'unreadable', message: 'forbidden' } : c));
    const j = judgeCni(e);
    assert.equal(j.verdict, 'UNKNOWN');
    assert.match(j.summary, /cilium-config could not be read/);
  });

  it('Cilium without a cilium-config: the defaults enforce', () => {
    const j = judgeCni(evidenceOf({ daemonSets: CNI_FIXTURES.find((f) => f.name.startsWith('Cilium (Helm'))!.daemonSets }));
    assert.equal(j.verdict, 'ENFORCED');
    assert.match(j.findings[0]!.evidence.join('\n'), /cilium-config: absent/);
  });

  it('k3s (server version only) → UNKNOWN, naming --disable-network-policy', () => {
    const j = judgeCni(evidenceOf({ daemonSets: [] }, { serverVersion: 'v1.34.1+k3s1' }));
    assert.equal(j.verdict, 'UNKNOWN');
    assert.match(j.summary, /k3s: .*--disable-network-policy/);
  });

  it('no DaemonSets at all → UNKNOWN, saying none were seen', () => {
    const j = judgeCni(evidenceOf({ daemonSets: [] }));
    assert.equal(j.summary, 'UNKNOWN: no DaemonSet of a known NetworkPolicy enforcer among 0 DaemonSet(s)');
  });

  it('pod readiness, when a controller wrote it, is part of the evidence', () => {
    const e = evidenceOf(CNI_FIXTURES[0]!);
    e.daemonSets[0] = { ...e.daemonSets[0]!, desired: 3, ready: 1 };
    assert.match(judgeCni(e).findings[0]!.evidence[0]!, /pods ready 1\/3$/);
  });
});

describe('core/cni: reading images and flags', () => {
  const images: [string, string, string, string | undefined][] = [
    ['docker.io/calico/node:v3.30.2', 'calico/node', 'node', 'v3.30.2'],
    ['calico/node', 'calico/node', 'node', undefined],
    ['quay.io/cilium/cilium:v1.18.1@sha256:abc', 'cilium/cilium', 'cilium', 'v1.18.1'],
    ['localhost:5000/kindnetd:v1.2.3', 'kindnetd', 'kindnetd', 'v1.2.3'],
    ['602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.2.7', 'amazon/aws-network-policy-agent', 'aws-network-policy-agent', 'v1.2.7'],
  ];
  for (const [img, p, name, tag] of images) {
    it(img, () => assert.deepEqual([imagePath(img), imageName(img), imageTag(img)], [p, name, tag]));
  }
  const flags: [string[], string, boolean, string | undefined][] = [
    [['--a=1', '--run-firewall=false'], 'run-firewall', true, 'false'],
    [['--run-firewall'], 'run-firewall', true, 'true'],
    [['--enable-policy', 'never'], 'enable-policy', false, 'never'],
    [['-enable-policy=always'], 'enable-policy', false, 'always'],
    [['/bin/sh', '-c', 'exec kube-router --run-firewall=false --v=2'], 'run-firewall', true, 'false'],
    [['--enable-network-policy=true', '--enable-network-policy=false'], 'enable-network-policy', true, 'false'],
    [['--run-firewall-x=false'], 'run-firewall', true, undefined],
  ];
  for (const [args, name, bool, want] of flags) {
    it(`${args.join(' ')} → --${name}=${want}`, () => assert.equal(flagValue(args, name, bool), want));
  }
  it('booleans as Go parses them', () => assert.deepEqual(['true', 'T', '0', 'False', 'yes', undefined].map(parseBool), [true, true, false, false, undefined, undefined]));
});

describe('core/cni: the ConfigMaps it reads', () => {
  it('always amazon-vpc-cni in kube-system; cilium-config beside each Cilium agent; nothing else', () => {
    const e = evidenceOf({ daemonSets: [...CNI_FIXTURES.find((f) => f.name.includes('own namespace'))!.daemonSets, ...CNI_FIXTURES[0]!.daemonSets] });
    assert.deepEqual(configMapsWanted(e.daemonSets), [{ namespace: 'kube-system', name: 'amazon-vpc-cni' }, { namespace: 'cilium', name: 'cilium-config' }]);
  });
});
