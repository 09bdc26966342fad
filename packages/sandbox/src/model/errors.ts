/**
 * A request the real API would refuse. Each wire format renders it in its own error JSON:
 * Anthropic `{type: "error", error: {type, message}, request_id}`,
 * OpenAI `{error: {message, type, param, code}}`.
 */
export class ModelApiError extends Error {
  readonly status: number;
  /** `invalid_request_error`, `authentication_error`, `not_found_error`, ... */
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;

  constructor(
    status: number,
    type: string,
    message: string,
    param: string | null = null,
    code: string | null = null,
  ) {
    super(message);
    this.name = 'ModelApiError';
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }
}

export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): ModelApiError {
  return new ModelApiError(400, 'invalid_request_error', message, param, code);
}
