// The specs the API server must hold after remediate, written out by hand rather than imported from
// src/core/placeholder.ts: a test that took its expectation from the code under test could not fail.
export const ALLOW_ALL = { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] };

/** The original guide's YAML (--template cluster-internal): peers select pods only. */
export const CLUSTER_INTERNAL = {
  podSelector: {},
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }],
  egress: [{ to: [{ namespaceSelector: {} }, { podSelector: {} }] }],
};
