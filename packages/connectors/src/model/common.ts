import { z } from 'zod';
import { checkHttpUrl } from '../base-url.ts';
import { JSON_PATH_PATTERN } from '../json-path.ts';

export const slugSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{1,63}$/,
    'must be 2-64 characters: lowercase letters, digits, _; starting with a letter',
  );

/** Tool names as Anthropic, OpenAI and MCP clients all accept them. */
export const toolNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

/** Names of input fields and credential fields. */
export const fieldNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be an identifier');

export const headerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
  .refine((h) => !['host', 'content-length', 'transfer-encoding', 'connection'].includes(h.toLowerCase()), {
    message: 'must not be a connection-level header',
  });

export const jsonPathSchema = z.string().regex(JSON_PATH_PATTERN, 'must be a dot path like a.b.0.c');
export const pathListSchema = z.union([jsonPathSchema, z.array(jsonPathSchema).min(1)]);

export const httpUrlSchema = z.string().superRefine((value, ctx) => {
  try {
    checkHttpUrl(value);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

export const regexSourceSchema = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value, 'u');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a valid regular expression' });
  }
});

export const httpMethodSchema = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
export const statusListSchema = z.array(z.number().int().min(100).max(599)).min(1);

/** Text that must not break out of a header line. */
export const headerValueSchema = z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks');

/**
 * How a provider reports an error, so shared code never branches on the provider.
 * A response is an error when its status is not 2xx, or when `error_when_body` matches (Slack's
 * `ok: false` with HTTP 200).
 */
export const errorShapeSchema = z.strictObject({
  error_when_body: z.strictObject({ path: jsonPathSchema, equals: z.json() }).optional(),
  /** Where the provider's machine code is (first present wins); default: the HTTP status as text. */
  code: pathListSchema.optional(),
  /** Where the human message is (first present wins). */
  message: pathListSchema.optional(),
  /** An array of detail objects or strings (GitHub's 422 `errors`). */
  details: jsonPathSchema.optional(),
  /** Effective status per provider code, e.g. Slack `invalid_auth` → 401 so the gateway refreshes. */
  status_by_code: z.record(z.string().min(1), z.number().int().min(400).max(599)).optional(),
  /** Status for an error found in a 2xx body when `status_by_code` has no entry (default 400). */
  body_error_status: z.number().int().min(400).max(599).optional(),
});
export type ErrorShape = z.output<typeof errorShapeSchema>;
