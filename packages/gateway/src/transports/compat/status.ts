/**
 * Error model of the compat transport: any thrown value → one RpcStatus (gRPC code, message,
 * ErrorInfo detail), rendered as a gRPC status with `grpc-status-details-bin` or as a
 * grpc-gateway style REST body `{code, message, details: [{"@type": ..., ...}]}`.
 *
 * Only LatchkeyError messages reach clients; anything else becomes INTERNAL with a generic
 * message and is reported through `onError` (no stack, no secrets on the wire).
 */
import { create, createRegistry, type MessageInitShape, toJson } from '@bufbuild/protobuf';
import { AnySchema, anyPack } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { type ErrorCode, isLatchkeyError, type LatchkeyError } from '../../errors.ts';
import { ErrorInfoSchema } from '../../gen/scalekit/v1/errdetails/errdetails_pb.js';

/** error_code of failures caused by the provider behind a tool (the SDK never retries them). */
export const TOOL_ERROR = 'TOOL_ERROR';

export const GRPC_CODE: Record<ErrorCode, Code> = {
  invalid_argument: Code.InvalidArgument,
  failed_precondition: Code.FailedPrecondition,
  out_of_range: Code.OutOfRange,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  aborted: Code.Aborted,
  resource_exhausted: Code.ResourceExhausted,
  cancelled: Code.Canceled,
  deadline_exceeded: Code.DeadlineExceeded,
  unimplemented: Code.Unimplemented,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/** gRPC code → HTTP status, as grpc-gateway maps them. */
export const HTTP_STATUS: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

type ErrorInfoInit = MessageInitShape<typeof ErrorInfoSchema>;

/** A failure ready to be rendered by either protocol. */
export interface RpcStatus {
  code: Code;
  message: string;
  errorInfo: ErrorInfoInit;
}

const GENERIC_INTERNAL = 'internal error';

/** The canonical upper-case name of a LatchkeyError code, used as default error_code. */
const defaultErrorCode = (code: ErrorCode): string => code.toUpperCase();

/**
 * Normalizes anything thrown by authentication, transcoding or a handler. `report` is called for
 * values that are not deliberate client-facing errors (and for LatchkeyError 'internal').
 */
export function toRpcStatus(
  err: unknown,
  requestId: string,
  report: (err: unknown) => void,
  signal?: AbortSignal,
): RpcStatus {
  if (isLatchkeyError(err)) {
    if (err.code === 'internal') report(err);
    return { code: GRPC_CODE[err.code], message: err.message, errorInfo: errorInfoOf(err, requestId) };
  }
  // The client went away or its deadline passed (typically a handler rethrowing its abort
  // signal's reason): nothing to report, and nobody is listening for the answer anyway.
  if (err instanceof ConnectError && err.code === Code.DeadlineExceeded) {
    return { code: err.code, message: 'deadline exceeded', errorInfo: base('DEADLINE_EXCEEDED', requestId) };
  }
  if ((err instanceof ConnectError && err.code === Code.Canceled) || isAbortError(err) || signal?.aborted) {
    return { code: Code.Canceled, message: 'request cancelled', errorInfo: base('CANCELLED', requestId) };
  }
  report(err);
  return { code: Code.Internal, message: GENERIC_INTERNAL, errorInfo: base('INTERNAL', requestId) };
}

const isAbortError = (err: unknown): boolean => err instanceof Error && err.name === 'AbortError';

function base(errorCode: string, requestId: string): ErrorInfoInit {
  return { errorCode, requestInfo: { requestId } };
}

function errorInfoOf(err: LatchkeyError, requestId: string): ErrorInfoInit {
  const info = base(err.errorCode ?? (err.toolError ? TOOL_ERROR : defaultErrorCode(err.code)), requestId);
  if (err.violations.length > 0) {
    info.validationErrorInfo = {
      fieldViolations: err.violations.map((v) => ({
        field: v.field,
        description: v.description,
        constraint: v.constraint ?? '',
      })),
    };
  }
  if (err.toolError) {
    info.toolErrorInfo = {
      executionId: err.toolError.executionId,
      toolErrorMessage: err.toolError.message,
      toolErrorCode: err.toolError.code,
    };
  }
  if (err.help.length > 0) info.helpInfo = { links: err.help.map((l) => ({ ...l })) };
  return info;
}

/** gRPC rendering: connect-node encodes the detail into `grpc-status-details-bin`. */
export function toConnectError(status: RpcStatus): ConnectError {
  return new ConnectError(status.message, status.code, undefined, [
    { desc: ErrorInfoSchema, value: status.errorInfo },
  ]);
}

const registry = createRegistry(ErrorInfoSchema);

/** REST rendering (grpc-gateway's body; detail fields in snake_case like every response). */
export function toRestError(status: RpcStatus): { httpStatus: number; body: Record<string, unknown> } {
  const any = anyPack(ErrorInfoSchema, create(ErrorInfoSchema, status.errorInfo));
  const detail = toJson(AnySchema, any, { registry, useProtoFieldName: true, alwaysEmitImplicit: true });
  return {
    httpStatus: HTTP_STATUS[status.code],
    body: { code: status.code, message: status.message, details: [detail] },
  };
}
