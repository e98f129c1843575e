// Typed errors: every failure the user can meet becomes one line (what, where, what to do next).
// The CLI edge turns them into exit code 2; the stack is shown only with -v.

export class CisNetpolError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flags or arguments. */
export class UsageError extends CisNetpolError {}

/** kubeconfig missing, unreadable or inconsistent. */
export class ConfigError extends CisNetpolError {}

/** The run was interrupted (SIGINT/SIGTERM). */
export class InterruptedError extends CisNetpolError {
  constructor() {
    super('interrupted', 'run the command again to finish; it only creates what is still missing');
  }
}

export type ApiErrorKind =
  | 'AlreadyExists'
  | 'NotFound'
  | 'Forbidden'
  | 'NamespaceTerminating'
  | 'Conflict'
  | 'Invalid'
  | 'Unauthorized'
  | 'Throttled'
  | 'Expired'
  | 'Unreachable'
  | 'TLS'
  | 'Timeout'
  | 'Aborted'
  | 'ServerError'
  | 'Other';

export class ApiError extends CisNetpolError {
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  /** Seconds from Retry-After, for 429. */
  readonly retryAfter: number | undefined;
  constructor(kind: ApiErrorKind, message: string, hint: string, status?: number, retryAfter?: number) {
    super(message, hint);
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** A failed request whose effect on the server is unknown (connection lost, timeout). */
export function outcomeUnknown(err: ApiError): boolean {
  return err.kind === 'Unreachable' || err.kind === 'Timeout' || err.kind === 'Aborted' || err.kind === 'ServerError';
}
