/** ConnectedAccountService over the accounts and authorization services. */
import type { JsonObject, MessageInitShape } from '@bufbuild/protobuf';
import { invalidArgument } from '../../errors.ts';
import {
  type AuthorizationDetails,
  type ConnectedAccountSchema,
  ConnectedAccountService,
} from '../../gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import type { Account, AccountSelector, GivenCredentials } from '../../services/accounts.ts';
import { providerKeyOf } from '../../services/catalog.ts';
import type { StoredCredentials } from '../../services/credentials-codec.ts';
import type { Services } from '../../services/index.ts';
import { defineService, type ServiceRegistration } from '../compat/index.ts';
import { ACCOUNT_STATUS, accountAuthType, opt, ts } from './convert.ts';

type AccountMessage = Omit<MessageInitShape<typeof ConnectedAccountSchema>, '$typeName'>;

export function accountMessage(a: Account, credentials?: StoredCredentials): AccountMessage {
  const msg: AccountMessage = {
    id: a.id,
    identifier: a.identifier,
    provider: providerKeyOf(a.connection.connector.slug),
    connector: a.connection.name,
    connectionId: a.connection.id,
    status: ACCOUNT_STATUS[a.status],
    authorizationType: accountAuthType(a.connection.connector.auth),
    tokenExpiresAt: ts(a.tokenExpiresAt),
    updatedAt: ts(a.updatedAt),
    lastUsedAt: ts(a.lastUsedAt),
    ...(a.apiConfig ? { apiConfig: a.apiConfig as JsonObject } : {}),
  };
  if (credentials?.kind === 'oauth2') {
    msg.authorizationDetails = {
      details: {
        case: 'oauthToken',
        value: {
          accessToken: credentials.access_token,
          refreshToken: credentials.refresh_token ?? '',
          scopes: credentials.scopes ?? a.metadata.scopes ?? [],
        },
      },
    };
  } else if (credentials?.kind === 'static') {
    msg.authorizationDetails = { details: { case: 'staticAuth', value: { details: credentials.fields } } };
  }
  return msg;
}

function given(details: AuthorizationDetails | undefined): GivenCredentials {
  const d = details?.details;
  if (!d || d.case === undefined) return undefined;
  if (d.case === 'oauthToken') {
    return {
      oauthToken: {
        accessToken: d.value.accessToken,
        refreshToken: d.value.refreshToken,
        scopes: d.value.scopes,
      },
    };
  }
  if (d.case === 'staticAuth') return { staticAuth: (d.value.details ?? {}) as Record<string, unknown> };
  throw invalidArgument(
    `connected_account.authorization_details.${d.case === 'googleDwd' ? 'google_dwd' : 'trusted_idp'}`,
    'is not supported by Latchkey',
  );
}

const selector = (req: {
  id?: string | undefined;
  connector?: string | undefined;
  identifier?: string | undefined;
}): AccountSelector => ({
  id: opt(req.id),
  connector: opt(req.connector),
  identifier: opt(req.identifier),
});

function requireSelector(sel: AccountSelector): AccountSelector {
  if (!sel.id && !(sel.connector && sel.identifier)) {
    throw invalidArgument(
      sel.connector ? 'identifier' : 'connector',
      'name the account by id, or by connector (connection name) and identifier',
    );
  }
  return sel;
}

export function connectedAccountServices(s: Services): ServiceRegistration[] {
  const { accounts, authorization } = s;
  const list = async (env: string, opts: Parameters<typeof accounts.list>[1]) => {
    const page = await accounts.list(env, opts);
    return {
      connectedAccounts: page.accounts.map((a) => accountMessage(a)),
      totalSize: page.total,
      nextPageToken: page.nextPageToken,
      prevPageToken: page.prevPageToken,
    };
  };
  return [
    defineService(ConnectedAccountService, {
      listConnectedAccounts: (req, ctx) =>
        list(ctx.principal.environmentId, {
          connector: opt(req.connector),
          connectionNames: req.connectionNames,
          provider: opt(req.provider),
          identifier: opt(req.identifier),
          query: opt(req.query),
          pageSize: req.pageSize,
          pageToken: opt(req.pageToken),
        }),
      async searchConnectedAccounts(req, ctx) {
        if (req.query.trim().length < 3) throw invalidArgument('query', 'must be at least 3 characters');
        const names: string[] = [];
        if (req.connectionId)
          names.push((await s.connections.get(ctx.principal.environmentId, req.connectionId)).name);
        return list(ctx.principal.environmentId, {
          query: req.query.trim(),
          connectionNames: names.length ? names : undefined,
          pageSize: req.pageSize,
          pageToken: opt(req.pageToken),
        });
      },
      async createConnectedAccount(req, ctx) {
        const account = await accounts.create(
          ctx.principal.environmentId,
          { connector: opt(req.connector), identifier: opt(req.identifier) },
          given(req.connectedAccount?.authorizationDetails),
          req.connectedAccount?.apiConfig,
        );
        return { connectedAccount: accountMessage(account) };
      },
      async updateConnectedAccount(req, ctx) {
        const account = await accounts.update(
          ctx.principal.environmentId,
          requireSelector(selector(req)),
          given(req.connectedAccount?.authorizationDetails),
          req.connectedAccount?.apiConfig,
        );
        return { connectedAccount: accountMessage(account) };
      },
      async deleteConnectedAccount(req, ctx) {
        await accounts.delete(ctx.principal.environmentId, requireSelector(selector(req)));
        return {};
      },
      async getMagicLinkForConnectedAccount(req, ctx) {
        const { link, expiresAt } = await authorization.createLink(ctx.principal.environmentId, {
          connector: opt(req.connector),
          identifier: opt(req.identifier),
          accountId: opt(req.id),
          state: opt(req.state),
          userVerifyUrl: opt(req.userVerifyUrl),
        });
        return { link, expiry: ts(expiresAt) };
      },
      async getConnectedAccount(req, ctx) {
        if (!req.id) throw invalidArgument('id', 'is required');
        return {
          connectedAccount: accountMessage(await accounts.get(ctx.principal.environmentId, { id: req.id })),
        };
      },
      async disconnectConnectedAccount(req, ctx) {
        if (!req.id || req.id === '-' || req.id === 'this') throw invalidArgument('id', 'is required');
        return {
          connectedAccount: accountMessage(
            await accounts.disconnect(ctx.principal.environmentId, { id: req.id }),
          ),
        };
      },
      async getConnectedAccountAuth(req, ctx) {
        const { account, credentials } = await accounts.getWithCredentials(
          ctx.principal.environmentId,
          requireSelector(selector(req)),
        );
        return { connectedAccount: accountMessage(account, credentials) };
      },
      async getConnectedAccountDetails(req, ctx) {
        return {
          connectedAccount: accountMessage(
            await accounts.get(ctx.principal.environmentId, requireSelector(selector(req))),
          ),
        };
      },
      async verifyConnectedAccountUser(req, ctx) {
        const { redirectUrl } = await authorization.verifyUser(
          ctx.principal.environmentId,
          req.authRequestId,
          req.identifier,
        );
        return { postUserVerifyRedirectUrl: redirectUrl };
      },
    }),
  ];
}
