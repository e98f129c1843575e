// readCniEvidence: the DaemonSet list first and alone, then the ConfigMaps and the version at once.
import assert from 'node:assert/strict';
import { readCniEvidence } from '../../../src/app/cni.ts';
import type { Inspector } from '../../../src/app/inspect-ports.ts';
import { apiError, deps } from '../builders.ts';

/** An Inspector whose reads record `start …` / `end …` and answer after a turn of the event loop. */
function inspector(o: { versionFails?: boolean } = {}) {
  const events: string[] = [];
  const read = async <T>(what: string, value: () => T): Promise<T> => {
    events.push(`start ${what}`);
    await new Promise((r) => setImmediate(r));
    events.push(`end ${what}`);
    return value();
  };
  const none = () => Promise.reject(new Error('not used by readCniEvidence'));
  const i: Inspector = {
    identity: { context: 'test', server: 'https://test' },
    listDaemonSets: () => read('daemonsets', () => []),
    readConfigMap: (namespace, name) => read(`configmap ${namespace}/${name}`, () => ({ k: 'v' })),
    serverVersion: () =>
      read('version', () => {
        if (o.versionFails) throw apiError('Unreachable', 'version: unreachable (fake)');
        return { gitVersion: 'v1.37.2', major: '1', minor: '37' };
      }),
    whoAmI: none,
    canI: none,
    apiGroups: none,
  };
  return { i, events };
}

describe('app/cni: readCniEvidence', () => {
  it('DaemonSets alone first; then the ConfigMaps they name and the version, at once', async () => {
    const { i, events } = inspector();
    const e = await readCniEvidence(i, deps());
    assert.deepEqual(events.slice(0, 2), ['start daemonsets', 'end daemonsets']);
    assert.deepEqual(events.slice(2, 4).sort(), ['start configmap kube-system/amazon-vpc-cni', 'start version']);
    assert.deepEqual([e.serverVersion, e.configMaps.map((c) => `${c.namespace}/${c.name} ${c.state}`)], ['v1.37.2', ['kube-system/amazon-vpc-cni found']]);
  });

  it('an unreadable version is logged and left out; the evidence still comes back', async () => {
    const { i } = inspector({ versionFails: true });
    const d = deps();
    const e = await readCniEvidence(i, d);
    assert.equal(e.serverVersion, undefined);
    assert.ok(!('serverVersion' in e));
    assert.deepEqual(d.logged, ['server version unreadable: version: unreachable (fake)']);
  });
});
