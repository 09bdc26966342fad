/**
 * Errors raised while running a tool. Both carry only what is safe to show to the caller:
 * never a credential, never a full request.
 */

const MAX_MESSAGE = 1000;

const bound = (text: string): string => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text);

export interface ProviderErrorInit {
  /** Effective status: the HTTP status, or the declared status for an error in a 2xx body (Slack). */
  status: number;
  /** Provider's machine code (`channel_not_found`, `NOT_FOUND`), else the HTTP status as text. */
  code: string;
  providerMessage: string;
  /** HTTP status actually received. */
  httpStatus?: number;
  /** Extra provider detail lines (GitHub 422 `errors[]`). */
  details?: string[];
  /** From a `Retry-After` header, when the provider sent one in seconds. */
  retryAfterSeconds?: number;
  /** Connector slug, for the message. */
  connector?: string;
}

/** A provider answered with an error, as recognised by the connector's declared error shape. */
export class ProviderError extends Error {
  readonly status: number;
  readonly code: string;
  readonly providerMessage: string;
  readonly httpStatus: number;
  readonly details: string[];
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ProviderErrorInit) {
    const providerMessage = bound(init.providerMessage);
    const details = (init.details ?? []).map(bound);
    const where = init.connector === undefined ? 'provider' : init.connector;
    const suffix = details.length > 0 ? ` (${details.join('; ')})` : '';
    super(`${where} error ${init.status} ${init.code}: ${providerMessage}${suffix}`);
    this.name = 'ProviderError';
    this.status = init.status;
    this.code = init.code;
    this.providerMessage = providerMessage;
    this.httpStatus = init.httpStatus ?? init.status;
    this.details = details;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/**
 * The tool input cannot be turned into a safe provider request (path traversal attempt, header
 * injection, a missing parameter the schema could not express). Maps to invalid_argument.
 */
export class ToolInputError extends Error {
  /** Input field at fault, e.g. `message_id`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ToolInputError';
    this.field = field;
  }
}

export const isProviderError = (e: unknown): e is ProviderError => e instanceof ProviderError;
export const isToolInputError = (e: unknown): e is ToolInputError => e instanceof ToolInputError;
