/**
 * Google's OAuth 2.0 and error conventions, shared by the Gmail and Calendar connectors.
 * Endpoints: Google's OAuth 2.0 for web server apps (cross-checked with
 * shared/specs/oauth-providers/nango-providers.yaml `google`).
 */
import type { ConnectorInput } from '../model/connector.ts';

type OAuth2Input = Extract<ConnectorInput['auth'], { type: 'oauth2' }>;

export function googleOAuth(defaultScopes: string[], availableScopes: string[]): OAuth2Input {
  return {
    type: 'oauth2',
    grant_type: 'authorization_code',
    authorization_url: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_url: 'https://oauth2.googleapis.com/token',
    pkce: true,
    client_auth: 'client_secret_post',
    scopes: { default: defaultScopes, available: availableScopes, separator: ' ', param: 'scope' },
    // offline + consent: Google returns a refresh token on every consent, not only the first.
    authorization_params: { access_type: 'offline', prompt: 'consent' },
    token_request: { body_encoding: 'form', accept_json: false },
    refresh: { supported: true, rotates_refresh_token: false },
    // Google's revocation endpoint takes `token=` as a form field and needs no client authentication.
    revocation: {
      type: 'rfc7009',
      url: 'https://oauth2.googleapis.com/revoke',
      client_auth: 'none',
      prefer_refresh_token: true,
    },
    token_lifetime: {
      access_token_seconds: 3600,
      refresh_token_seconds: null,
      note: 'Refresh tokens of apps in "testing" publishing status expire after 7 days.',
    },
  };
}

/** `{"error": {"code": 404, "message": "...", "status": "NOT_FOUND", "errors": [{"reason": ...}]}}` */
export const googleErrors: NonNullable<ConnectorInput['errors']> = {
  code: ['error.status', 'error.errors.0.reason', 'error'],
  message: ['error.message', 'error_description'],
  details: 'error.errors',
};
