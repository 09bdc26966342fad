/**
 * The one error type of the services. Transports map it: gRPC status + google.rpc.Status details
 * (scalekit.v1.errdetails.ErrorInfo), REST HTTP status + JSON {code, message, details}.
 * Services never throw transport errors and never see HTTP or gRPC.
 */

/** Canonical codes (the gRPC code names in snake case). */
export type ErrorCode =
  | 'invalid_argument'
  | 'failed_precondition'
  | 'out_of_range'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'aborted'
  | 'resource_exhausted'
  | 'cancelled'
  | 'deadline_exceeded'
  | 'unimplemented'
  | 'unavailable'
  | 'internal';

export interface FieldViolation {
  /** Path of the offending field, e.g. `connection_name` or `params.to[0]`. */
  field: string;
  description: string;
  constraint?: string;
}

/** Set on failures caused by a provider while executing a tool (error_code TOOL_ERROR). */
export interface ToolErrorInfo {
  executionId: string;
  message: string;
  /** The provider's code or HTTP status as text, e.g. `401`, `channel_not_found`. */
  code: string;
}

export interface LatchkeyErrorOptions {
  /** Machine-readable reason carried as ErrorInfo.error_code, e.g. `TOOL_ERROR`, `ACCOUNT_NOT_ACTIVE`. */
  errorCode?: string;
  violations?: FieldViolation[];
  toolError?: ToolErrorInfo;
  /** Links a caller can follow to fix the problem (HelpInfo). */
  help?: { description: string; url: string }[];
  cause?: unknown;
}

export class LatchkeyError extends Error {
  readonly code: ErrorCode;
  readonly errorCode: string | undefined;
  readonly violations: FieldViolation[];
  readonly toolError: ToolErrorInfo | undefined;
  readonly help: { description: string; url: string }[];

  constructor(code: ErrorCode, message: string, options: LatchkeyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LatchkeyError';
    this.code = code;
    this.errorCode = options.errorCode;
    this.violations = options.violations ?? [];
    this.toolError = options.toolError;
    this.help = options.help ?? [];
  }
}

export const invalidArgument = (field: string, description: string, constraint?: string): LatchkeyError =>
  new LatchkeyError('invalid_argument', `${field}: ${description}`, {
    violations: [constraint === undefined ? { field, description } : { field, description, constraint }],
  });

export const notFound = (what: string, message?: string): LatchkeyError =>
  new LatchkeyError('not_found', message ?? `${what} not found`);

export const isLatchkeyError = (e: unknown): e is LatchkeyError => e instanceof LatchkeyError;
