/** HTTP statuses of the service error codes (the grpc-gateway mapping). */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../errors.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_argument: 400,
  failed_precondition: 400,
  out_of_range: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  aborted: 409,
  resource_exhausted: 429,
  cancelled: 499 as ContentfulStatusCode,
  deadline_exceeded: 504,
  unimplemented: 501,
  unavailable: 503,
  internal: 500,
};

export const httpStatusOf = (code: ErrorCode): ContentfulStatusCode => STATUS[code];
