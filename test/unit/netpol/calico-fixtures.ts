// Calico objects (projectcalico.org/v3) for the Calico table tests; the small cluster they are
// judged on is the CNI table world of fixtures.ts.
import type { CniPolicy } from '../../../src/core/model.ts';

export { allowed, at, cniWorld as cluster, ip, verdict } from './fixtures.ts';

type Spec = Record<string, unknown>;
export const gnp = (name: string, spec: Spec): CniPolicy => ({ kind: 'CalicoGlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec });
export const cnp = (namespace: string, name: string, spec: Spec): CniPolicy => ({ kind: 'CalicoNetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name, namespace }, spec });
export const tier = (name: string, spec: Spec = {}): CniPolicy => ({ kind: 'CalicoTier', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec });
