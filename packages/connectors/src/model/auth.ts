import { z } from 'zod';
import {
  errorShapeSchema,
  fieldNameSchema,
  headerNameSchema,
  headerValueSchema,
  httpMethodSchema,
  httpUrlSchema,
  pathListSchema,
  regexSourceSchema,
  statusListSchema,
} from './common.ts';

/** A field of the hosted credential form (non-OAuth schemes). */
export const credentialFieldSchema = z.strictObject({
  name: fieldNameSchema,
  label: z.string().min(1),
  type: z.enum(['text', 'password']),
  hint: z.string().optional(),
  required: z.boolean(),
  /** Whole-value regular expression (anchored by the form), e.g. `^sk_[A-Za-z0-9]{20,}$`. */
  pattern: regexSourceSchema.optional(),
});

/** A request that proves entered credentials work; `path` is relative to the API base URL. */
export const testCallSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'HEAD']),
  path: z.string().regex(/^\/[^?#]*$/, 'must be a path starting with / (no query)'),
  expect_status: statusListSchema,
});

const formScheme = {
  fields: z.array(credentialFieldSchema).min(1),
  test_call: testCallSchema.optional(),
};

export const apiKeySchema = z.strictObject({
  type: z.literal('api_key'),
  /** Where the key goes. */
  placement: z.enum(['header', 'query']),
  /** Header name (`X-API-Key`) or query parameter name (`api_key`). */
  name: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a header or query parameter name'),
  /** Text before the key, e.g. `Token `. */
  prefix: z.string().optional(),
  /** The credential field holding the key. */
  field: fieldNameSchema,
  ...formScheme,
});

export const bearerSchema = z.strictObject({
  type: z.literal('bearer'),
  /** The credential field holding the token (sent as `Authorization: Bearer <token>`). */
  field: fieldNameSchema,
  ...formScheme,
});

export const basicSchema = z.strictObject({
  type: z.literal('basic'),
  username_field: fieldNameSchema,
  password_field: fieldNameSchema,
  ...formScheme,
});

export const noAuthSchema = z.strictObject({ type: z.literal('none') });

/**
 * Token revocation when an account is deleted.
 * - `rfc7009`: POST form `token=…` to a revocation endpoint (RFC 7009).
 * - `http`: a provider-specific request described as data; `{{client_id}}`, `{{access_token}}` and
 *   `{{refresh_token}}` are substituted in `url` (percent-encoded) and in body values.
 * - `none`: the provider offers no revocation (the gateway only forgets the credentials).
 */
export const revocationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('rfc7009'),
    url: httpUrlSchema,
    client_auth: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
    /** Send the refresh token when the account has one (revokes the whole grant at most providers). */
    prefer_refresh_token: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('http'),
    method: httpMethodSchema,
    url: z.string().min(1),
    auth: z.enum(['client_basic', 'bearer_access_token', 'none']),
    /** Constant headers (Notion's revoke needs `Notion-Version`). */
    headers: z.record(headerNameSchema, headerValueSchema).optional(),
    body: z
      .strictObject({ encoding: z.enum(['json', 'form']), fields: z.record(z.string().min(1), z.string()) })
      .optional(),
    expect_status: statusListSchema,
    /** Also require this body value (Slack answers 200 with `ok: false` on failure). */
    expect_body: z.strictObject({ path: z.string().min(1), equals: z.json() }).optional(),
  }),
  z.strictObject({ type: z.literal('none'), note: z.string().optional() }),
]);

/** Where the token response keeps its parts, for non-standard responses (Slack's `authed_user`). */
export const tokenResponseSchema = z.strictObject({
  access_token: pathListSchema,
  refresh_token: pathListSchema.optional(),
  expires_in: pathListSchema.optional(),
  scope: pathListSchema.optional(),
  token_type: pathListSchema.optional(),
  /** The provider's id of the authorizing user or installation, kept as account metadata. */
  account_id: pathListSchema.optional(),
  /** Other values kept on the account (team id, workspace name, Salesforce instance_url). */
  metadata: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), pathListSchema).optional(),
  /** Errors in a 2xx token response (Slack's `ok: false`); default: RFC 6749 `error`. */
  error: errorShapeSchema.optional(),
});

export const oauth2Schema = z.strictObject({
  type: z.literal('oauth2'),
  grant_type: z.literal('authorization_code'),
  authorization_url: httpUrlSchema,
  token_url: httpUrlSchema,
  pkce: z.boolean(),
  /** `none`: a public client (PKCE, `client_id` in the body), e.g. an MCP client ID metadata document. */
  client_auth: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
  scopes: z.strictObject({
    default: z.array(z.string().min(1)),
    /** Every scope a connection may request; empty when the provider has no scopes (Notion). */
    available: z.array(z.string().min(1)),
    separator: z.enum([' ', ',']),
    /** Authorization parameter carrying the scopes: `scope`, or Slack's `user_scope`. */
    param: z.string().regex(/^[a-z_]+$/),
  }),
  /** Extra authorization request parameters, e.g. Google `access_type=offline`, `prompt=consent`. */
  authorization_params: z.record(z.string().min(1), z.string()).optional(),
  token_request: z.strictObject({
    body_encoding: z.enum(['form', 'json']),
    /** Send `Accept: application/json` (GitHub answers form-encoded otherwise). */
    accept_json: z.boolean(),
  }),
  token_response: tokenResponseSchema.optional(),
  refresh: z.strictObject({
    /** The provider can issue refresh tokens (the gateway refreshes only when it holds one). */
    supported: z.boolean(),
    /** Each refresh returns a new refresh token and invalidates the old one. */
    rotates_refresh_token: z.boolean(),
  }),
  revocation: revocationSchema,
  token_lifetime: z
    .strictObject({
      access_token_seconds: z.number().int().positive().nullable(),
      refresh_token_seconds: z.number().int().positive().nullable(),
      note: z.string().optional(),
    })
    .optional(),
  /** How the access token is sent; default `Authorization: Bearer <token>`. */
  inject: z.strictObject({ header: headerNameSchema, prefix: z.string() }).optional(),
});

/** Upstream MCP server authorization per the MCP authorization spec (kind `mcp` only). */
export const mcpOAuthSchema = z.strictObject({
  type: z.literal('mcp_oauth2'),
  /** How the gateway becomes a client of the server's authorization server. */
  registration: z.enum(['dynamic', 'client_id_metadata_document', 'preregistered']),
  scopes: z.array(z.string().min(1)).optional(),
});

export const authSchemeSchema = z.discriminatedUnion('type', [
  oauth2Schema,
  apiKeySchema,
  bearerSchema,
  basicSchema,
  noAuthSchema,
  mcpOAuthSchema,
]);

export type AuthScheme = z.output<typeof authSchemeSchema>;
export type OAuth2Scheme = z.output<typeof oauth2Schema>;
export type Revocation = z.output<typeof revocationSchema>;
export type TokenResponseShape = z.output<typeof tokenResponseSchema>;
export type CredentialField = z.output<typeof credentialFieldSchema>;
export type TestCall = z.output<typeof testCallSchema>;
