// Antrea NetworkPolicy / ClusterNetworkPolicy (crd.antrea.io): which pods a policy applies to.
// Rules followed, from antrea-io/antrea docs/antrea-network-policy.md:
// - `spec.appliedTo` lists the workloads; when it is absent, every rule carries its own `appliedTo`
//   ("appliedTo per rule") and the policy applies to their union.
// - An appliedTo peer: `podSelector` and `namespaceSelector` (both given: ANDed; in a
//   ClusterNetworkPolicy a lone podSelector selects in all namespaces), `group` (a ClusterGroup or
//   Group), `serviceAccount {name, namespace}`, `service {name, namespace}`, `nodeSelector` (Nodes)
//   or `externalEntitySelector` (ExternalEntities). An Antrea NetworkPolicy only reaches its own
//   namespace, and "setting a namespaceSelector in the appliedTo field is forbidden" there.
// - Groups, service accounts and Service selectors are not in our data: over-approximated to every
//   pod they could reach (every pod in scope; every pod of the named namespace).
// - "There is no automatic isolation of Pods on being selected in appliedTo": directions are those
//   with rules (`ingress`, `egress` lists).
import type { CniPolicy } from '../model.ts';
import { describeRequirements, directionsOf, isNonEmptyList, isObject, objects, readSelector, scopeOf, unique, BOTH, type Json } from './cni-common.ts';
import type { CniSelection, SelectionTarget } from './cni-selection.ts';
import { matchesSelector } from './selector.ts';

interface Peer {
  selects(t: SelectionTarget): boolean;
  subject: string;
  approximations: string[];
}

const everyPod = (subject: string, approximation: string): Peer => ({ selects: () => true, subject, approximations: [approximation] });

function namespaceNamed(ref: unknown, what: string, field: string, cluster: boolean): Peer {
  const o = isObject(ref) ? ref : {};
  const name = typeof o.name === 'string' ? o.name : '?';
  const ns = typeof o.namespace === 'string' && o.namespace !== '' ? o.namespace : undefined;
  if (!ns || !cluster) {
    // In a namespaced policy the reference lives in the policy's namespace, which the scope enforces.
    return everyPod(`${what} ${name}`, `${field}.${what} ${name} not evaluated: taken to select every pod in ${cluster ? 'scope' : "the policy's namespace"}`);
  }
  return {
    selects: (t) => t.namespace === ns,
    subject: `${what} ${ns}/${name}`,
    approximations: [`${field}.${what} ${ns}/${name} not evaluated: taken to select every pod in namespace ${ns}`],
  };
}

function readPeer(peer: Json, field: string, cluster: boolean): Peer {
  if (peer.nodeSelector !== undefined) return { selects: () => false, subject: 'nodeSelector (nodes, no pod)', approximations: [] };
  if (peer.externalEntitySelector !== undefined) return { selects: () => false, subject: 'externalEntitySelector (no pod)', approximations: [] };
  if (peer.group !== undefined) return everyPod(`group ${String(peer.group)}`, `${field}.group ${String(peer.group)} not read: taken to select every pod in scope`);
  if (peer.serviceAccount !== undefined) return namespaceNamed(peer.serviceAccount, 'serviceAccount', field, cluster);
  if (peer.service !== undefined) return namespaceNamed(peer.service, 'service', field, cluster);
  const hasPods = peer.podSelector !== undefined && peer.podSelector !== null;
  const hasNs = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  if (!hasPods && !hasNs) return everyPod('every pod (empty appliedTo peer)', `${field} names no selector we know: taken to select every pod in scope`);
  const pods = hasPods ? readSelector(peer.podSelector, `${field}.podSelector`) : { requirements: [], dropped: [] };
  const approximations = [...pods.dropped];
  let ns = { requirements: [] as typeof pods.requirements, dropped: [] as string[] };
  if (hasNs && cluster) ns = readSelector(peer.namespaceSelector, `${field}.namespaceSelector`);
  if (hasNs && !cluster) approximations.push(`${field}.namespaceSelector is forbidden in an Antrea NetworkPolicy: ignored (own namespace only)`);
  approximations.push(...ns.dropped);
  const podSel = { requirements: pods.requirements };
  const nsSel = { requirements: ns.requirements };
  const parts = [hasPods ? `podSelector ${describeRequirements(pods.requirements)}` : '', hasNs && cluster ? `namespaceSelector ${describeRequirements(ns.requirements)}` : ''];
  return {
    selects: (t) => matchesSelector(podSel, t.podLabels) && matchesSelector(nsSel, t.namespaceLabels),
    subject: parts.filter(Boolean).join(' + '),
    approximations,
  };
}

export function antreaSelection(p: CniPolicy): CniSelection {
  const cluster = p.kind === 'AntreaClusterNetworkPolicy';
  const spec = isObject(p.spec) ? p.spec : {};
  const scope = scopeOf(p, !cluster);
  const ingress = objects(spec.ingress);
  const egress = objects(spec.egress);
  const fields: { peer: unknown; field: string }[] = [];
  if (isNonEmptyList(spec.appliedTo)) {
    spec.appliedTo.forEach((peer, i) => fields.push({ peer, field: `appliedTo[${i}]` }));
  } else {
    for (const [list, name] of [[ingress, 'ingress'], [egress, 'egress']] as const) {
      list.forEach((rule, r) => (Array.isArray(rule.appliedTo) ? rule.appliedTo : []).forEach((peer, i) => fields.push({ peer, field: `${name}[${r}].appliedTo[${i}]` })));
    }
  }
  const directions = directionsOf(ingress.length > 0, egress.length > 0);
  if (fields.length === 0) {
    return {
      directions: directions.length ? directions : BOTH,
      selects: (t) => scope.inScope(t),
      approximations: unique([...scope.approximations, 'no appliedTo in the spec or its rules: taken to select every pod in scope']),
      subject: `every pod ${scope.text}`,
    };
  }
  const peers = fields.map(({ peer, field }) =>
    isObject(peer) ? readPeer(peer, field, cluster) : everyPod('every pod (unreadable appliedTo)', `${field} unreadable: taken to select every pod in scope`),
  );
  return {
    directions,
    selects: (t) => scope.inScope(t) && peers.some((x) => x.selects(t)),
    approximations: unique([...scope.approximations, ...peers.flatMap((x) => x.approximations)]),
    subject: `appliedTo ${unique(peers.map((x) => x.subject)).join('; ')} ${scope.text}`,
  };
}
