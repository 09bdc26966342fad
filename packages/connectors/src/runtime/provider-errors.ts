/**
 * Recognising provider errors from the connector's declared error shape. Pure: the gateway may call
 * `detectProviderError` inside its ToolRuntime too (to treat Slack's `invalid_auth` in a 200 body as
 * a 401 and refresh).
 */
import { ProviderError } from '../errors.ts';
import { getFirst, getPath, isRecord } from '../json-path.ts';
import type { ErrorShape } from '../model/common.ts';
import type { ToolResponse } from './types.ts';

/** Used when a connector declares no error shape: the common `error`/`message` conventions. */
export const DEFAULT_ERROR_SHAPE: ErrorShape = {
  code: ['error.code', 'error.status', 'code', 'error'],
  message: ['error.message', 'message', 'error_description', 'error'],
};

const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function detailLines(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 20).flatMap((item): string[] => {
    const text = scalarText(item);
    if (text !== undefined) return [text];
    if (!isRecord(item)) return [];
    const parts = Object.entries(item)
      .map(([k, v]) => [k, scalarText(v)] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    return parts.length > 0 ? [parts.join(' ')] : [];
  });
}

function retryAfter(headers: Record<string, string>): number | undefined {
  const raw = headers['retry-after'];
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** Returns the ProviderError this response represents, or undefined when it is a success. */
export function detectProviderError(
  response: ToolResponse,
  shape: ErrorShape | undefined,
  connector?: string,
): ProviderError | undefined {
  const s = shape ?? DEFAULT_ERROR_SHAPE;
  const ok2xx = response.status >= 200 && response.status < 300;
  const flagged =
    s.error_when_body !== undefined &&
    JSON.stringify(getPath(response.body, s.error_when_body.path)) ===
      JSON.stringify(s.error_when_body.equals);
  if (ok2xx && !flagged) return undefined;

  const body = response.body;
  const code = scalarText(getFirst(body, s.code)) ?? String(response.status);
  let message = scalarText(getFirst(body, s.message));
  if (message === undefined) {
    message = typeof body === 'string' && body.trim() !== '' ? body.trim() : `HTTP ${response.status}`;
  }
  const mapped = s.status_by_code?.[code];
  const status = mapped ?? (ok2xx ? (s.body_error_status ?? 400) : response.status);
  const details = s.details === undefined ? [] : detailLines(getPath(body, s.details));
  const after = retryAfter(response.headers);
  return new ProviderError({
    status,
    code,
    providerMessage: message,
    httpStatus: response.status,
    details,
    ...(after === undefined ? {} : { retryAfterSeconds: after }),
    ...(connector === undefined ? {} : { connector }),
  });
}
