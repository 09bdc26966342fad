/**
 * The catalog `latchkey dev` and the tests use: every shipped connector that the sandbox imitates,
 * pointed at it by configuration (sandboxConnector), with the sandbox's OAuth apps as the
 * platform ("managed") credentials. Real definitions are never edited.
 */
import {
  builtinConnectors,
  type ConnectorDefinition,
  type SandboxTarget,
  sandboxConnector,
} from '@latchkey/connectors';
import type { PlatformCredentials } from '../services/catalog.ts';

/** The part of `@latchkey/sandbox`'s Sandbox this needs (structural, so production never loads the sandbox). */
export interface SandboxProviders {
  providers: Record<
    string,
    {
      slug: string;
      apiBaseUrl: string;
      oauth?: {
        authorizationEndpoint: string;
        tokenEndpoint: string;
        revocationEndpoint?: string;
        clientId: string;
        clientSecret: string;
        scopes: string[];
      };
    }
  >;
}

export function sandboxCatalog(sandbox: SandboxProviders): {
  connectors: ConnectorDefinition[];
  platformCredentials: Record<string, PlatformCredentials>;
} {
  const connectors: ConnectorDefinition[] = [];
  const platformCredentials: Record<string, PlatformCredentials> = {};
  for (const real of builtinConnectors({ includeSandboxOnly: true })) {
    const p = sandbox.providers[real.slug];
    if (!p) continue;
    const target: SandboxTarget = { apiBaseUrl: p.apiBaseUrl };
    if (p.oauth && real.auth.type === 'oauth2') {
      target.oauth = {
        authorizationEndpoint: p.oauth.authorizationEndpoint,
        tokenEndpoint: p.oauth.tokenEndpoint,
        scopes: p.oauth.scopes,
        // An RFC 7009-style provider revoker moves to the sandbox's; a provider-specific one
        // (GitHub, Notion, Slack) stays as declared and moves with the API base.
        ...(real.auth.revocation.type === 'rfc7009' && p.oauth.revocationEndpoint
          ? { revocationEndpoint: p.oauth.revocationEndpoint }
          : {}),
      };
    }
    connectors.push(sandboxConnector(real, target));
    if (p.oauth)
      platformCredentials[real.slug] = { clientId: p.oauth.clientId, clientSecret: p.oauth.clientSecret };
  }
  return { connectors, platformCredentials };
}
