/**
 * Sandbox variants: the same connector pointed at Latchkey's sandbox, chosen by the gateway's
 * configuration. Real definitions are never edited for it.
 *
 * The sandbox serves each API so that `real base + relative path == sandbox base + relative path`,
 * so tools, paths and quirks (Slack's `authed_user` token paths, GitHub's Accept header, Notion's
 * basic client auth and JSON token body) stay exactly as declared.
 */
import { checkHttpUrl } from './base-url.ts';
import type { Revocation } from './model/auth.ts';
import type { ConnectorDefinition } from './model/connector.ts';
import { loadConnector } from './model/load.ts';

export interface SandboxTarget {
  /** Where the sandbox serves this connector's API (for kind mcp: its MCP endpoint). */
  apiBaseUrl: string;
  oauth?: {
    authorizationEndpoint: string;
    tokenEndpoint: string;
    /** RFC 7009 endpoint; when set it replaces the provider's revocation. */
    revocationEndpoint?: string;
    /** Scopes the sandbox grants; when set they replace the default and available scopes. */
    scopes?: string[];
  };
}

function sandboxRevocation(
  real: Revocation,
  realBase: string | undefined,
  target: SandboxTarget,
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'none',
): Revocation {
  const endpoint = target.oauth?.revocationEndpoint;
  if (endpoint !== undefined) {
    return {
      type: 'rfc7009',
      url: checkHttpUrl(endpoint, 'revocationEndpoint'),
      client_auth: clientAuth,
      prefer_refresh_token: true,
    };
  }
  if (real.type === 'http' && realBase !== undefined && real.url.startsWith(`${realBase}/`)) {
    // A provider revoker under the API base (GitHub's DELETE /applications/{client_id}/grant) moves with it.
    return { ...real, url: checkHttpUrl(target.apiBaseUrl, 'apiBaseUrl') + real.url.slice(realBase.length) };
  }
  return { type: 'none', note: 'the sandbox target declares no revocation endpoint' };
}

/** Returns `real` pointed at the sandbox `target` (validated like any definition). */
export function sandboxConnector(real: ConnectorDefinition, target: SandboxTarget): ConnectorDefinition {
  const apiBaseUrl = checkHttpUrl(target.apiBaseUrl, 'apiBaseUrl');
  const out: ConnectorDefinition = { ...real, variant: 'sandbox' };
  if (real.api !== undefined) {
    const { variables: _dropped, ...api } = real.api;
    out.api = { ...api, base_url: apiBaseUrl };
  }
  if (real.mcp !== undefined) out.mcp = { ...real.mcp, server_url: apiBaseUrl };
  if (real.auth.type === 'oauth2') {
    const o = target.oauth;
    if (o === undefined)
      throw new Error(`connector ${real.slug} uses OAuth: the sandbox target needs oauth endpoints`);
    const realBase = real.api?.base_url.replace(/\/+$/, '');
    out.auth = {
      ...real.auth,
      authorization_url: o.authorizationEndpoint,
      token_url: o.tokenEndpoint,
      revocation: sandboxRevocation(real.auth.revocation, realBase, target, real.auth.client_auth),
      scopes:
        o.scopes === undefined
          ? real.auth.scopes
          : { ...real.auth.scopes, default: [...o.scopes], available: [...o.scopes] },
    };
    if (o.scopes !== undefined) {
      // Tool scope hints must stay within the available scopes.
      out.tools = real.tools.map((t) => {
        if (t.scopes === undefined) return t;
        const { scopes, ...rest } = t;
        const kept = scopes.filter((s) => o.scopes!.includes(s));
        return kept.length > 0 ? { ...rest, scopes: kept } : rest;
      });
    }
  }
  return loadConnector(out);
}
