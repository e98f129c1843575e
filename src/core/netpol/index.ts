// The evaluator's public surface. Everything here is pure: no cluster access, no I/O.
export { evaluate, createEvaluator, directionOutcome, EndpointError } from './evaluate.ts';
export type { Evaluator } from './evaluate.ts';
export { compareConnectivity } from './compare.ts';
export { summarise } from './summarise.ts';
export { explainVerdict, describeEndpoint } from './explain.ts';
export type { PortRange } from './ports.ts';
export type {
  Change,
  ClassEndpoint,
  Cluster,
  CompareScope,
  Comparison,
  Connection,
  ConnectionClass,
  DenyingSide,
  Direction,
  DirectionReason,
  DirectionVerdict,
  Endpoint,
  NamespaceSummary,
  PodRef,
  PolicyRef,
  ResolvedEndpoint,
  RuleRef,
  TextRange,
  Verdict,
} from './types.ts';
