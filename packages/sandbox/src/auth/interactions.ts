// Sign-in and consent: the pages a human sees, and the auto-approval a script gets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InteractionResults } from 'oidc-provider';
import { readBody, sendHtml } from '../http/node.ts';
import { SANDBOX_PASSWORD, type UserDirectory } from '../users.ts';
import type { AuthSettings, OidcParts } from './oidc.ts';
import { renderConsentPage, renderErrorPage, renderLoginPage } from './pages.ts';

type Interaction = InstanceType<OidcParts['provider']['Interaction']>;

const DENIED = {
  error: 'access_denied',
  error_description: 'The user denied the request.',
} as const;

/** The `login_hint` value that makes the sandbox deny consent. */
export const DENY_HINT = 'deny';

export interface ConsentFlow {
  /** Handles `/interaction/...` (human sign-in and consent pages). */
  handlePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** What auto-approval answers for this interaction. */
  autoResult(interaction: Interaction): Promise<InteractionResults>;
}

export function createConsentFlow(
  parts: OidcParts,
  users: UserDirectory,
  settings: AuthSettings,
): ConsentFlow {
  const { provider, grantMeta } = parts;

  async function grantFor(interaction: Interaction, accountId: string): Promise<string> {
    const { params } = interaction;
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const clientId = String(params['client_id']);
    let grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
    grant ??= new provider.Grant({ accountId, clientId });
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') kept[k] = v;
    grantMeta.set(grantId, { params: kept });
    return grantId;
  }

  async function autoResult(interaction: Interaction): Promise<InteractionResults> {
    const hint =
      typeof interaction.params['login_hint'] === 'string' ? interaction.params['login_hint'] : undefined;
    if (settings.denyConsent || hint === DENY_HINT) return { ...DENIED };
    if (interaction.prompt.name === 'login') {
      const user = users.find(hint || settings.defaultUser);
      if (!user) return { error: 'access_denied', error_description: `Unknown sandbox user "${hint}".` };
      return { login: { accountId: user.name } };
    }
    if (interaction.prompt.name === 'consent') {
      const accountId = interaction.session?.accountId;
      if (!accountId) return { error: 'login_required', error_description: 'No signed-in user.' };
      return { ...interaction.lastSubmission, consent: { grantId: await grantFor(interaction, accountId) } };
    }
    return {
      error: 'interaction_required',
      error_description: `Unsupported prompt ${interaction.prompt.name}.`,
    };
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
    if (!match) return sendHtml(res, 404, renderErrorPage({ error: 'not_found' }));
    const [, uid, action] = match;
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      return sendHtml(
        res,
        400,
        renderErrorPage({
          error: 'invalid_request',
          error_description:
            'This sign-in session has expired or cookies are disabled. Start again from the app.',
        }),
      );
    }
    if (interaction.uid !== uid) return sendHtml(res, 400, renderErrorPage({ error: 'invalid_request' }));
    const client = await provider.Client.find(String(interaction.params['client_id']));
    const clientName = client?.clientName ?? String(interaction.params['client_id']);
    const base = `/interaction/${uid}`;
    const finish = (result: InteractionResults) =>
      provider.interactionFinished(req, res, result, { mergeWithLastSubmission: !('error' in result) });

    if (req.method === 'GET' && !action) {
      if (interaction.prompt.name === 'login') {
        const hint = interaction.params['login_hint'];
        return sendHtml(
          res,
          200,
          renderLoginPage({
            action: `${base}/login`,
            clientName,
            loginHint: typeof hint === 'string' ? hint : undefined,
            users: users.names,
            password: SANDBOX_PASSWORD,
          }),
        );
      }
      const scope = String(interaction.params['scope'] ?? '');
      return sendHtml(
        res,
        200,
        renderConsentPage({
          action: `${base}/confirm`,
          abortAction: `${base}/abort`,
          clientName,
          user: interaction.session?.accountId ?? '',
          scopes: scope.split(' ').filter(Boolean),
        }),
      );
    }
    if (req.method !== 'POST') return sendHtml(res, 405, renderErrorPage({ error: 'method_not_allowed' }));
    if (action === 'abort') return finish({ ...DENIED });
    if (action === 'login') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const user = users.find(form.get('login') ?? '');
      if (!user || form.get('password') !== SANDBOX_PASSWORD) {
        return sendHtml(
          res,
          200,
          renderLoginPage({
            action: `${base}/login`,
            clientName,
            loginHint: form.get('login') ?? undefined,
            users: users.names,
            password: SANDBOX_PASSWORD,
            error: 'Unknown user or wrong password.',
          }),
        );
      }
      return finish({ login: { accountId: user.name } });
    }
    if (action === 'confirm') {
      if (settings.denyConsent) return finish({ ...DENIED });
      const accountId = interaction.session?.accountId;
      if (!accountId) return finish({ error: 'login_required', error_description: 'No signed-in user.' });
      return finish({ consent: { grantId: await grantFor(interaction, accountId) } });
    }
    return sendHtml(res, 404, renderErrorPage({ error: 'not_found' }));
  }

  return { handlePage, autoResult };
}
