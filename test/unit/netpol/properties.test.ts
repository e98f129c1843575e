// Properties that must hold for every cluster, policy set and connection, checked with fast-check.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareConnectivity, createEvaluator, type ClassEndpoint, type Cluster, type Connection, type ConnectionClass, type Endpoint, type Verdict,
} from '../../../src/core/netpol/index.ts';
import { formatIP, parseIP } from '../../../src/core/netpol/ip.ts';
import { clusterArb, connectionArb, policyArb } from './arbitraries.ts';
import { judged } from './property-helpers.ts';
import { catalogue } from './fixtures.ts';

const RUNS = { numRuns: 150 };


const clusterWithConnections = clusterArb.chain((cluster) => fc.tuple(fc.constant(cluster), fc.array(connectionArb(cluster), { minLength: 1, maxLength: 10 })));

describe('netpol properties', function () {
  this.timeout(20000);

  it('(a) adding allow-all to a namespace without policies never changes a verdict', () => {
    fc.assert(
      fc.property(clusterWithConnections, ([cluster, connections]) => {
        const before = cluster.policies.filter((p) => p.metadata.namespace !== 'a');
        const withBefore = { ...cluster, policies: before };
        const withAfter = { ...cluster, policies: [...before, catalogue.allowAll('a')] };
        for (const c of connections) assert.equal(judged(withAfter, c)?.allowed, judged(withBefore, c)?.allowed);
        const r = compareConnectivity(cluster, before, withAfter.policies, { includeNewlyAllowed: true });
        assert.deepEqual([r.denied.length, r.allowed.length], [0, 0]);
      }),
      RUNS,
    );
  });

  it('(b) adding a policy never denies a connection in a direction already isolated for that pod', () => {
    fc.assert(
      fc.property(clusterWithConnections, policyArb(undefined, 'extra'), ([cluster, connections], extra) => {
        const after = { ...cluster, policies: [...cluster.policies, extra] };
        for (const c of connections) {
          const v0 = judged(cluster, c);
          const v1 = judged(after, c);
          if (!v0 || !v1) continue;
          for (const side of ['egress', 'ingress'] as const) {
            if (v0[side].isolatedBy.length > 0 && v0[side].allowed) assert.ok(v1[side].allowed, `${side} ${JSON.stringify(c)}`);
          }
        }
      }),
      RUNS,
    );
  });

  it('(c) every port and address of a class gets the class verdicts, and every changed connection is in a class', () => {
    const scenario = clusterArb.chain((cluster) =>
      fc.tuple(
        fc.constant(cluster),
        fc.array(policyArb(undefined, 'after'), { maxLength: 3 }),
        fc.subarray(cluster.policies),
        fc.array(connectionArb(cluster), { minLength: 1, maxLength: 15 }),
      ),
    );
    fc.assert(
      fc.property(scenario, ([cluster, added, kept, connections]) => {
        const before = cluster.policies;
        const after = [...kept, ...added];
        const beforeEval = createEvaluator({ ...cluster, policies: before });
        const afterEval = createEvaluator({ ...cluster, policies: after });
        const { denied } = compareConnectivity(cluster, before, after);
        for (const cls of denied) {
          for (const c of samples(cls)) {
            assert.equal(beforeEval.evaluate(c).allowed, true, `before ${cls.description} ${JSON.stringify(c)}`);
            const v = afterEval.evaluate(c);
            assert.equal(v.allowed, false, `after ${cls.description} ${JSON.stringify(c)}`);
            const deniedSides = [v.egress, v.ingress].filter((d) => !d.allowed).map((d) => d.direction);
            assert.deepEqual(cls.deniedBy.map((d) => d.direction), deniedSides);
          }
        }
        for (const c of connections) {
          const v0 = judged({ ...cluster, policies: before }, c);
          const v1 = judged({ ...cluster, policies: after }, c);
          if (v0?.allowed && v1 && !v1.allowed) assert.ok(denied.some((cls) => inClass(cls, v1)), `no class holds ${JSON.stringify(v1.from)} -> ${JSON.stringify(v1.to)} ${c.protocol} ${c.port}`);
        }
      }),
      RUNS,
    );
  });
});

// The first, middle and last address of the first and last range; the first, middle and last port.
function endpointSamples(e: ClassEndpoint): Endpoint[] {
  if (e.kind === 'pod') return [{ kind: 'pod', namespace: e.pod.namespace, name: e.pod.name, ip: e.address }];
  const ranges = [e.ranges[0]!, e.ranges[e.ranges.length - 1]!];
  return ranges.flatMap((r) => {
    const start = parseIP(r.start)!;
    const end = parseIP(r.end)!.value;
    const mid = { family: start.family, value: (start.value + end) / 2n };
    return [r.start, formatIP(mid), r.end].map((ip): Endpoint => ({ kind: 'ip', ip }));
  });
}

function samples(cls: ConnectionClass): Connection[] {
  const ports = [cls.ports.from, Math.floor((cls.ports.from + cls.ports.to) / 2), cls.ports.to];
  return endpointSamples(cls.from).flatMap((from) =>
    endpointSamples(cls.to).flatMap((to) => ports.map((port) => ({ from, to, port, protocol: cls.protocol }))),
  );
}

function endpointHolds(e: ClassEndpoint, r: Verdict['from']): boolean {
  if (e.kind === 'pod') return r.kind === 'pod' && r.pod.namespace === e.pod.namespace && r.pod.name === e.pod.name && r.address === e.address;
  if (r.kind === 'pod' || r.address === undefined) return false;
  const a = parseIP(r.address)!;
  return e.ranges.some((x) => {
    const s = parseIP(x.start)!;
    return s.family === a.family && s.value <= a.value && a.value <= parseIP(x.end)!.value;
  });
}

function inClass(cls: ConnectionClass, v: Verdict): boolean {
  const c = v.connection;
  return cls.protocol === c.protocol && cls.ports.from <= c.port && c.port <= cls.ports.to && endpointHolds(cls.from, v.from) && endpointHolds(cls.to, v.to);
}
