// Addresses, port sets, selectors and compiled defaults: the building blocks, one table each.
import assert from 'node:assert/strict';
import { compilePolicy } from '../../../src/core/netpol/compile.ts';
import { formatIP, parseCIDR, parseIP, rangeToCIDRs } from '../../../src/core/netpol/ip.ts';
import { ALL_PORTS, complement, intersect, portSet, subtract, union } from '../../../src/core/netpol/ports.ts';
import { compileSelector, matchesSelector } from '../../../src/core/netpol/selector.ts';
import type { LabelSelector } from '../../../src/core/model.ts';
import { catalogue, cidr, policy, podSel, tcp } from './fixtures.ts';

describe('netpol ip: parse and format', () => {
  const table: [string, string | undefined][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['256.0.0.1', undefined],
    ['10.0.0', undefined],
    ['010.0.0.1', undefined],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    ['fd00:244::2', 'fd00:244::2'],
  ];
  for (const [input, expected] of table) {
    it(`${input} -> ${expected ?? 'invalid'}`, () => {
      const a = parseIP(input);
      assert.equal(a && formatIP(a), expected);
    });
  }
});

describe('netpol ip: CIDRs', () => {
  it('masks host bits and rejects bad prefixes', () => {
    assert.equal(parseCIDR('10.1.2.3/8')?.start, parseIP('10.0.0.0')!.value);
    assert.equal(parseCIDR('10.0.0.0/33'), undefined);
    assert.equal(parseCIDR('10.0.0.0'), undefined);
    assert.equal(parseCIDR('::/0')?.end, (1n << 128n) - 1n);
  });
  const cover: [string, string, string[]][] = [
    ['0.0.0.0', '255.255.255.255', ['0.0.0.0/0']],
    ['10.0.0.0', '10.0.0.4', ['10.0.0.0/30', '10.0.0.4/32']],
    ['10.0.0.1', '10.0.0.2', ['10.0.0.1/32', '10.0.0.2/32']],
    ['2001:db8::', '2001:db8::ffff', ['2001:db8::/112']],
  ];
  for (const [start, end, cidrs] of cover) {
    it(`${start}-${end} is covered by ${cidrs.join(' ')}`, () => {
      const s = parseIP(start)!;
      assert.deepEqual(rangeToCIDRs({ family: s.family, start: s.value, end: parseIP(end)!.value }), cidrs);
    });
  }
});

describe('netpol ports: set algebra', () => {
  it('normalises, unions, intersects and subtracts', () => {
    assert.deepEqual(portSet([{ from: 5, to: 9 }, { from: 1, to: 3 }, { from: 4, to: 4 }]), [{ from: 1, to: 9 }]);
    assert.deepEqual(union([{ from: 1, to: 2 }], [{ from: 10, to: 11 }]), [{ from: 1, to: 2 }, { from: 10, to: 11 }]);
    assert.deepEqual(intersect(ALL_PORTS, [{ from: 80, to: 80 }]), [{ from: 80, to: 80 }]);
    assert.deepEqual(subtract(ALL_PORTS, [{ from: 80, to: 81 }]), [{ from: 1, to: 79 }, { from: 82, to: 65535 }]);
    assert.deepEqual(complement(ALL_PORTS), []);
    assert.deepEqual(portSet([{ from: 0, to: 70000 }]), ALL_PORTS);
  });
});

describe('netpol selector: label selector semantics', () => {
  const labels = { app: 'web', tier: 'front' };
  const table: [string, LabelSelector, boolean][] = [
    ['{} selects everything', {}, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, true],
    ['matchLabels differ', { matchLabels: { app: 'db' } }, false],
    ['matchLabels missing key', { matchLabels: { team: 'x' } }, false],
    ['In holds', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    ['In with a missing key fails', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }, false],
    ['NotIn with the value fails', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
    ['NotIn with a missing key holds', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['all requirements must hold', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
  ];
  for (const [name, selector, expected] of table) {
    it(name, () => assert.equal(matchesSelector(compileSelector(selector), labels), expected));
  }
});

describe('netpol compile: API defaults made explicit', () => {
  it('absent policyTypes: Ingress, plus Egress when egress rules exist', () => {
    assert.deepEqual(compilePolicy(policy('a', 'p', { ingress: [{}] })).isolates, { Ingress: true, Egress: false });
    assert.deepEqual(compilePolicy(policy('a', 'p', { egress: [{}] })).isolates, { Ingress: true, Egress: true });
  });
  it('absent or empty from/to and ports mean all', () => {
    const p = compilePolicy(policy('a', 'p', { policyTypes: ['Ingress'], ingress: [{ from: [], ports: [] }] }));
    assert.deepEqual(p.rules.Ingress[0], { index: 0, peers: 'all', ports: 'all' });
  });
  it('a podSelector peer without namespaceSelector looks in the policy namespace; a namespaceSelector alone selects all pods', () => {
    const p = compilePolicy(policy('a', 'p', { ingress: [{ from: [podSel({ app: 'x' }), { namespaceSelector: {} }] }] }));
    const peers = p.rules.Ingress[0]!.peers;
    assert.notEqual(peers, 'all');
    assert.deepEqual((peers as Exclude<typeof peers, 'all'>).map((x) => (x.kind === 'pods' ? [x.namespaces.kind, x.pods.requirements.length] : x.kind)), [
      ['own', 1],
      ['selected', 0],
    ]);
  });
  it('port protocol defaults to TCP; endPort makes a range; a name stays a name', () => {
    const p = compilePolicy(policy('a', 'p', { ingress: [{ ports: [{ port: 80 }, tcp(8000, 8080), tcp('http')] }] }));
    assert.deepEqual(p.rules.Ingress[0]!.ports, [
      { protocol: 'TCP', port: { kind: 'range', from: 80, to: 80 } },
      { protocol: 'TCP', port: { kind: 'range', from: 8000, to: 8080 } },
      { protocol: 'TCP', port: { kind: 'named', name: 'http' } },
    ]);
  });
  it('content the API rejects is reported as a problem and matches nothing', () => {
    const p = compilePolicy(policy('a', 'p', { ingress: [{ from: [cidr('nonsense'), { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }));
    assert.equal(p.problems.length, 2);
  });
  it('the templates compile as documented', () => {
    const allowAll = compilePolicy(catalogue.allowAll('a'));
    assert.deepEqual(allowAll.rules, { Ingress: [{ index: 0, peers: 'all', ports: 'all' }], Egress: [{ index: 0, peers: 'all', ports: 'all' }] });
    const internal = compilePolicy(catalogue.clusterInternal('a'));
    assert.deepEqual(internal.isolates, { Ingress: true, Egress: true });
  });
});
