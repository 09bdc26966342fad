// Sandbox-only control endpoints under /_sandbox/ (JSON or form bodies). Nothing like this exists at a real
// provider; they stand in for what a provider's user or operator would do by hand.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http/node.ts';
import type { DelayPhase, TokenRequestRecord } from '../types.ts';
import type { AuthSettings } from './oidc.ts';

export function countTokenRequests(records: TokenRequestRecord[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const r of records) {
    const byGrant = counts[r.clientId] ?? {};
    byGrant[r.grantType] = (byGrant[r.grantType] ?? 0) + 1;
    counts[r.clientId] = byGrant;
  }
  return counts;
}

async function readInput(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, 64 * 1024)).toString('utf8');
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('json')) {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === '1' || v === 'on';

export function createControls(input: {
  settings: AuthSettings;
  tokenRequests(clientId?: string): TokenRequestRecord[];
  resetTokenRequests(): void;
  revokeGrants(user: string, client?: string): Promise<number>;
  /** Canonical login name of a user (by name or e-mail), if seeded. */
  findUser(nameOrEmail: string): string | undefined;
}) {
  const { settings } = input;
  const view = () => ({
    autoApprove: settings.autoApprove,
    denyConsent: settings.denyConsent,
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
    tokenEndpointDelay: { ms: settings.delayMs, phase: settings.delayPhase },
    extraRedirectUris: [...settings.extraRedirectUris],
    defaultUser: settings.defaultUser,
  });

  return async function controls(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
    let body: Record<string, unknown> = {};
    try {
      if (req.method === 'POST') body = await readInput(req);
    } catch {
      return sendJson(res, 400, { error: 'invalid_body' });
    }
    switch (route) {
      case 'GET /_sandbox':
        return sendJson(res, 200, view());
      case 'GET /_sandbox/token-requests': {
        const records = input.tokenRequests(url.searchParams.get('client_id') ?? undefined);
        return sendJson(res, 200, { requests: records, counts: countTokenRequests(records) });
      }
      case 'DELETE /_sandbox/token-requests':
      case 'POST /_sandbox/token-requests/reset':
        input.resetTokenRequests();
        return sendJson(res, 200, { ok: true });
      case 'POST /_sandbox/revoke-grants': {
        if (typeof body['user'] !== 'string') return sendJson(res, 400, { error: 'user is required' });
        const client = typeof body['client'] === 'string' ? body['client'] : undefined;
        return sendJson(res, 200, { revoked: await input.revokeGrants(body['user'], client) });
      }
      case 'POST /_sandbox/auto-approve':
        settings.autoApprove = truthy(body['on']);
        return sendJson(res, 200, view());
      case 'POST /_sandbox/deny-consent':
        settings.denyConsent = truthy(body['on']);
        return sendJson(res, 200, view());
      case 'POST /_sandbox/redirect-uris': {
        const uris = Array.isArray(body['uris']) ? body['uris'] : [body['uri']];
        for (const uri of uris) {
          if (typeof uri !== 'string' || !URL.canParse(uri))
            return sendJson(res, 400, { error: 'invalid uri' });
          settings.extraRedirectUris.add(uri);
        }
        return sendJson(res, 200, view());
      }
      case 'POST /_sandbox/token-endpoint-delay': {
        const ms = Number(body['ms'] ?? 0);
        const phase: DelayPhase = body['phase'] === 'after' ? 'after' : 'before';
        if (!Number.isFinite(ms) || ms < 0) return sendJson(res, 400, { error: 'ms must be a number >= 0' });
        settings.delayMs = ms;
        settings.delayPhase = phase;
        return sendJson(res, 200, view());
      }
      case 'POST /_sandbox/default-user': {
        const user = typeof body['user'] === 'string' ? input.findUser(body['user']) : undefined;
        if (!user) return sendJson(res, 400, { error: 'unknown user' });
        settings.defaultUser = user;
        return sendJson(res, 200, view());
      }
      case 'POST /_sandbox/access-token-ttl': {
        const seconds = Number(body['seconds']);
        if (!Number.isInteger(seconds) || seconds < 1)
          return sendJson(res, 400, { error: 'seconds must be >= 1' });
        settings.accessTokenTtlSeconds = seconds;
        return sendJson(res, 200, view());
      }
      default:
        return sendJson(res, 404, { error: 'unknown control endpoint' });
    }
  };
}
