/**
 * What an account's encrypted `credentials_enc` holds, and how credentials are injected into an
 * upstream request for each auth scheme. Pure functions.
 */
import type { AuthScheme, CredentialField, TokenSet } from '@latchkey/connectors';
import { type FieldViolation, LatchkeyError } from '../errors.ts';
import type { UpstreamAuth } from './account-access.ts';

export type StoredCredentials =
  | {
      kind: 'oauth2';
      access_token: string;
      refresh_token?: string | undefined;
      token_type?: string | undefined;
      scopes?: string[] | undefined;
    }
  | { kind: 'static'; fields: Record<string, string> };

export const credentialsAad = (accountId: string): string =>
  `connected_accounts:${accountId}:credentials_enc`;

/** Merges a token response into stored credentials, keeping the refresh token the provider omitted. */
export function fromTokenSet(set: TokenSet, previous?: StoredCredentials): StoredCredentials {
  const oldRefresh = previous?.kind === 'oauth2' ? previous.refresh_token : undefined;
  return {
    kind: 'oauth2',
    access_token: set.access_token,
    refresh_token: set.refresh_token ?? oldRefresh,
    token_type: set.token_type,
    scopes: set.scopes ?? (previous?.kind === 'oauth2' ? previous.scopes : undefined),
  };
}

/** Headers and query parameters that authenticate a request for this scheme. */
export function injectCredentials(auth: AuthScheme, creds: StoredCredentials | undefined): UpstreamAuth {
  const out: UpstreamAuth = { headers: {}, query: {} };
  if (auth.type === 'none') return out;
  if (!creds) throw new LatchkeyError('failed_precondition', 'the connected account holds no credentials');
  if (auth.type === 'oauth2' || auth.type === 'mcp_oauth2') {
    if (creds.kind !== 'oauth2')
      throw new LatchkeyError('failed_precondition', 'the account holds no OAuth token');
    const inject = auth.type === 'oauth2' ? auth.inject : undefined;
    out.headers[(inject?.header ?? 'authorization').toLowerCase()] =
      `${inject?.prefix ?? 'Bearer '}${creds.access_token}`;
    return out;
  }
  if (creds.kind !== 'static')
    throw new LatchkeyError('failed_precondition', 'the account holds no static credentials');
  const field = (name: string) => creds.fields[name] ?? '';
  switch (auth.type) {
    case 'api_key': {
      const value = `${auth.prefix ?? ''}${field(auth.field)}`;
      if (auth.placement === 'header') out.headers[auth.name.toLowerCase()] = value;
      else out.query[auth.name] = value;
      return out;
    }
    case 'bearer':
      out.headers['authorization'] = `Bearer ${field(auth.field)}`;
      return out;
    case 'basic':
      out.headers['authorization'] =
        `Basic ${Buffer.from(`${field(auth.username_field)}:${field(auth.password_field)}`).toString('base64')}`;
      return out;
  }
}

/** The credential-form fields of a non-OAuth scheme. */
export function credentialFields(auth: AuthScheme): CredentialField[] {
  return auth.type === 'api_key' || auth.type === 'bearer' || auth.type === 'basic' ? auth.fields : [];
}

/**
 * Validates static credentials against the connector's form fields: required, pattern, no
 * unknown fields, strings only. Returns violations (empty = valid); `prefix` names the field path.
 */
export function checkStaticFields(
  auth: AuthScheme,
  values: Record<string, unknown>,
  prefix: string,
): FieldViolation[] {
  const fields = credentialFields(auth);
  const violations: FieldViolation[] = [];
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) {
      violations.push({
        field: `${prefix}.${key}`,
        description: `unknown field; expected ${[...known].join(', ') || 'none'}`,
      });
    }
  }
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined || v === null || v === '') {
      if (f.required)
        violations.push({
          field: `${prefix}.${f.name}`,
          description: `${f.label} is required`,
          constraint: 'required',
        });
      continue;
    }
    if (typeof v !== 'string') {
      violations.push({
        field: `${prefix}.${f.name}`,
        description: `${f.label} must be a string`,
        constraint: 'type',
      });
      continue;
    }
    if (v.length > 4096)
      violations.push({
        field: `${prefix}.${f.name}`,
        description: `${f.label} is too long`,
        constraint: 'max_length',
      });
    else if (f.pattern && !new RegExp(`^(?:${f.pattern})$`).test(v)) {
      violations.push({
        field: `${prefix}.${f.name}`,
        description: `${f.label} does not have the expected format`,
        constraint: 'pattern',
      });
    }
  }
  return violations;
}
