/**
 * Authorization links and the flows they start (DESIGN §5 "Authorize"):
 *   link (single use, expiring, stored as a hash, bound to environment + account)
 *   → OAuth: provider consent with state + PKCE → callback → code exchange → tokens encrypted →
 *     ACTIVE, or PENDING_VERIFICATION and a redirect to the app's user_verify_url
 *   → API key / bearer / basic: a hosted credential form, validated (and tested with the
 *     connector's test call when it declares one).
 * Steps return what the hosted pages show; nothing here knows HTTP.
 */
import type { CredentialField } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import { aadFor } from '../crypto/encrypted-columns.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { hashSecret, newId, newSecret } from '../crypto/secrets.ts';
import { invalidArgument, LatchkeyError } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import { type AuthRequestRow, authRequestsRepo } from '../store/repos/auth-requests.ts';
import type { Store } from '../store/store.ts';
import type { Account, Accounts } from './accounts.ts';
import type { Connection, Connections } from './connections.ts';
import {
  checkStaticFields,
  credentialFields,
  fromTokenSet,
  injectCredentials,
  type StoredCredentials,
} from './credentials-codec.ts';
import {
  exchangeCode,
  type HttpFetch,
  startAuthorization,
  TokenEndpointUnavailable,
  TokenResponseError,
  USER_AGENT,
} from './oauth.ts';

/** What the hosted pages render next. */
export type AuthStep =
  | { kind: 'redirect'; location: string }
  | {
      kind: 'form';
      connector: string;
      connection: string;
      identifier: string;
      fields: CredentialField[];
      flowToken: string;
      error?: string;
      values?: Record<string, string>;
    }
  | { kind: 'done'; connector: string; identifier: string }
  | { kind: 'error'; status: 400 | 404 | 410 | 502; title: string; reason: string };

class FlowError extends Error {
  readonly status: 400 | 404 | 410 | 502;
  readonly title: string;
  constructor(status: FlowError['status'], title: string, reason: string) {
    super(reason);
    this.status = status;
    this.title = title;
  }
}

const FLOW_TTL_MS = 15 * 60 * 1000;
const flowAad = (id: string) => aadFor('auth_requests', id, 'flow_secret_enc');
const pendingAad = (id: string) => aadFor('auth_requests', id, 'pending_credentials_enc');

interface FlowSecret {
  redirect_uri: string;
  code_verifier?: string | undefined;
}

export function createAuthorization(deps: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  connections: Connections;
  accounts: Accounts;
  fetch: HttpFetch;
  publicUrl: () => string;
  linkTtlSeconds: number;
}) {
  const { keyring, clock, connections, accounts, logger } = deps;
  const repo = authRequestsRepo(deps.store.db);
  const accountsRepo = accounts.repo;

  async function load(row: AuthRequestRow): Promise<{ account: Account; connection: Connection }> {
    const account = await accounts.get(row.environment_id, { id: row.account_id });
    return { account, connection: account.connection };
  }

  function successStep(connection: Connection, account: Account, row: AuthRequestRow): AuthStep {
    const target = connection.settings.success_redirect_url;
    if (target) {
      const u = new URL(target);
      u.searchParams.set('connected_account_id', account.id);
      if (row.app_state) u.searchParams.set('state', row.app_state);
      return { kind: 'redirect', location: u.toString() };
    }
    return { kind: 'done', connector: connection.connector.display_name, identifier: account.identifier };
  }

  /** Stores fresh credentials: ACTIVE now, or held until the app verifies the user. */
  async function complete(
    row: AuthRequestRow,
    account: Account,
    connection: Connection,
    creds: StoredCredentials,
    extra: {
      expiresIn?: number | undefined;
      metadata?: Record<string, unknown>;
    },
  ): Promise<AuthStep> {
    const now = clock.now();
    if (row.user_verify_url) {
      const moved = await repo.transition(row.id, 'started', {
        status: 'pending_verification',
        pending_credentials_enc: keyring.encrypt(
          JSON.stringify({ creds, expiresIn: extra.expiresIn, metadata: extra.metadata }),
          pendingAad(row.id),
        ),
        updated_at: now,
      });
      if (!moved)
        throw new FlowError(
          410,
          'This authorization was already completed',
          'the authorization request is no longer open',
        );
      await accountsRepo.update(row.environment_id, account.id, {
        status: 'PENDING_VERIFICATION',
        status_reason: 'authorized at the provider; waiting for the app to verify the user',
        updated_at: now,
      });
      await accounts.event(
        { id: account.id, environment_id: row.environment_id },
        'authorized',
        'pending user verification',
      );
      const u = new URL(row.user_verify_url);
      u.searchParams.set('auth_request_id', row.id);
      if (row.app_state) u.searchParams.set('state', row.app_state);
      return { kind: 'redirect', location: u.toString() };
    }
    const moved = await repo.transition(row.id, 'started', { status: 'completed', updated_at: now });
    if (!moved)
      throw new FlowError(
        410,
        'This authorization was already completed',
        'the authorization request is no longer open',
      );
    await activate(row.environment_id, account, creds, extra);
    await accounts.event({ id: account.id, environment_id: row.environment_id }, 'authorized', null);
    return successStep(connection, account, row);
  }

  async function activate(
    environmentId: string,
    account: Account,
    creds: StoredCredentials,
    extra: {
      expiresIn?: number | undefined;
      metadata?: Record<string, unknown>;
    },
  ): Promise<void> {
    const now = clock.now();
    const current = await accountsRepo.get(environmentId, account.id);
    const previous = accounts.decrypt(current);
    const merged =
      creds.kind === 'oauth2' && previous?.kind === 'oauth2' && !creds.refresh_token
        ? { ...creds, refresh_token: previous.refresh_token }
        : creds;
    await accountsRepo.update(environmentId, account.id, {
      status: 'ACTIVE',
      status_reason: null,
      credentials_enc: accounts.encrypt(account.id, merged),
      token_expires_at: extra.expiresIn ? now + extra.expiresIn * 1000 : null,
      metadata: JSON.stringify({ ...JSON.parse(current.metadata), ...extra.metadata }),
      version: current.version + 1,
      updated_at: now,
    });
  }

  async function openFlow(row: AuthRequestRow, connection: Connection, account: Account): Promise<AuthStep> {
    const auth = connection.connector.auth;
    const oauth = await connections.resolveOAuth(connection);
    if (oauth) {
      const redirectUri = connections.redirectUri();
      const start = await startAuthorization(oauth.auth, oauth.client, {
        redirectUri,
        scopes: auth.type === 'oauth2' ? connection.scopes : oauth.auth.scopes.default,
        pkce: connection.settings.pkce ?? oauth.auth.pkce,
        extraParams: { ...oauth.authorizeParams, ...connection.settings.authorization_params },
      });
      const secret: FlowSecret = { redirect_uri: redirectUri, code_verifier: start.codeVerifier };
      await repo.transition(row.id, 'created', {
        status: 'started',
        flow_state_hash: hashSecret(start.state),
        flow_secret_enc: keyring.encrypt(JSON.stringify(secret), flowAad(row.id)),
        updated_at: clock.now(),
      });
      return { kind: 'redirect', location: start.url };
    }
    const fields = credentialFields(auth);
    if (fields.length === 0) {
      throw new FlowError(
        400,
        'Nothing to authorize',
        `connector ${connection.connector.slug} (${auth.type}) is not authorized through a link`,
      );
    }
    const flowToken = newSecret('lkf_');
    await repo.transition(row.id, 'created', {
      status: 'started',
      flow_state_hash: hashSecret(flowToken),
      updated_at: clock.now(),
    });
    return {
      kind: 'form',
      connector: connection.connector.display_name,
      connection: connection.name,
      identifier: account.identifier,
      fields,
      flowToken,
    };
  }

  /** Finds the started flow for a state/form token, or explains why not. */
  async function startedFlow(token: string | undefined): Promise<AuthRequestRow> {
    if (!token) throw new FlowError(400, 'Invalid authorization response', 'the request carries no state');
    const row = await repo.findByFlowState(hashSecret(token));
    if (!row)
      throw new FlowError(
        400,
        'Invalid authorization response',
        'unknown or tampered state; start again from a new authorization link',
      );
    if (row.status !== 'started')
      throw new FlowError(
        410,
        'This authorization was already completed',
        'this authorization request was already used; request a new link',
      );
    if ((row.used_at ?? 0) + FLOW_TTL_MS < clock.now()) {
      throw new FlowError(
        410,
        'This authorization expired',
        'the authorization took too long; request a new link',
      );
    }
    return row;
  }

  async function fail(row: AuthRequestRow, reason: string): Promise<void> {
    await repo.transition(row.id, 'started', { status: 'failed', failure: reason, updated_at: clock.now() });
  }

  const catchFlow = async (fn: () => Promise<AuthStep>): Promise<AuthStep> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof FlowError)
        return { kind: 'error', status: e.status, title: e.title, reason: e.message };
      if (e instanceof LatchkeyError && (e.code === 'failed_precondition' || e.code === 'not_found')) {
        return {
          kind: 'error',
          status: 400,
          title: 'This connection cannot be authorized',
          reason: e.message,
        };
      }
      throw e;
    }
  };

  async function testCall(connection: Connection, creds: StoredCredentials): Promise<string | undefined> {
    const auth = connection.connector.auth;
    const call =
      auth.type === 'api_key' || auth.type === 'bearer' || auth.type === 'basic' ? auth.test_call : undefined;
    if (!call) return undefined;
    const { resolveBaseUrl } = await import('@latchkey/connectors');
    const inject = injectCredentials(auth, creds);
    const url = new URL(
      resolveBaseUrl(connection.connector, connection.settings.base_url_variables ?? {}) + call.path,
    );
    for (const [k, v] of Object.entries(inject.query)) url.searchParams.set(k, v);
    try {
      const res = await deps.fetch(url.toString(), {
        method: call.method,
        headers: {
          'user-agent': USER_AGENT,
          ...connection.connector.api?.default_headers,
          ...inject.headers,
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      if (!call.expect_status.includes(res.status)) {
        return `${connection.connector.display_name} did not accept these credentials (HTTP ${res.status}); check them and try again`;
      }
      return undefined;
    } catch (e) {
      return `could not reach ${connection.connector.display_name} to check the credentials: ${(e as Error).message}`;
    }
  }

  return {
    /** GetMagicLinkForConnectedAccount. */
    async createLink(
      environmentId: string,
      opts: {
        connector?: string | undefined;
        identifier?: string | undefined;
        accountId?: string | undefined;
        state?: string | undefined;
        userVerifyUrl?: string | undefined;
      },
    ): Promise<{ link: string; expiresAt: number; account: Account }> {
      let account: Account;
      if (opts.accountId) {
        account = await accounts.get(environmentId, { id: opts.accountId });
      } else {
        if (!opts.connector) throw invalidArgument('connector', 'is required: the connection name');
        const connection = await connections.resolve(environmentId, opts.connector);
        account = await accounts.ensure(environmentId, connection, accounts.checkIdentifier(opts.identifier));
      }
      const connection = account.connection;
      if (!connection.enabled)
        throw new LatchkeyError('failed_precondition', `connection "${connection.name}" is disabled`);
      if (connection.connector.auth.type === 'none') {
        throw new LatchkeyError(
          'failed_precondition',
          `connection "${connection.name}" needs no authorization`,
        );
      }
      await connections.resolveOAuth(connection); // fails early when unconfigured
      if (opts.userVerifyUrl !== undefined && opts.userVerifyUrl !== '') {
        let u: URL;
        try {
          u = new URL(opts.userVerifyUrl);
        } catch {
          throw invalidArgument('user_verify_url', 'must be an absolute http(s) URL');
        }
        if (u.protocol !== 'https:' && u.protocol !== 'http:')
          throw invalidArgument('user_verify_url', 'must be an absolute http(s) URL');
      }
      if (opts.state && opts.state.length > 2048)
        throw invalidArgument('state', 'is longer than 2048 characters');
      const token = newSecret('lkl_');
      const now = clock.now();
      const expiresAt = now + deps.linkTtlSeconds * 1000;
      await repo.insert({
        id: newId('ar'),
        environment_id: environmentId,
        account_id: account.id,
        link_hash: hashSecret(token),
        expires_at: expiresAt,
        used_at: null,
        app_state: opts.state || null,
        user_verify_url: opts.userVerifyUrl || null,
        flow_state_hash: null,
        flow_secret_enc: null,
        pending_credentials_enc: null,
        status: 'created',
        failure: null,
        created_at: now,
        updated_at: now,
      });
      await accounts.event({ id: account.id, environment_id: environmentId }, 'link_created', null);
      return { link: `${deps.publicUrl()}/connect/${token}`, expiresAt, account };
    },

    /** The hosted landing: consumes the link, starts consent or shows the credential form. */
    openLink(token: string): Promise<AuthStep> {
      return catchFlow(async () => {
        const row = /^lkl_[A-Za-z0-9_-]{20,}$/.test(token)
          ? await repo.findByLinkHash(hashSecret(token))
          : undefined;
        if (!row)
          throw new FlowError(
            404,
            'Unknown link',
            'this authorization link does not exist; ask the app for a new one',
          );
        if (row.used_at !== null)
          throw new FlowError(
            410,
            'Link already used',
            'this authorization link was already used; ask the app for a new one',
          );
        if (row.expires_at < clock.now())
          throw new FlowError(
            410,
            'Link expired',
            'this authorization link has expired; ask the app for a new one',
          );
        if (!(await repo.consumeLink(row.id, clock.now(), {}))) {
          throw new FlowError(
            410,
            'Link already used',
            'this authorization link was already used; ask the app for a new one',
          );
        }
        const { account, connection } = await load(row);
        return openFlow({ ...row, used_at: clock.now() }, connection, account);
      });
    },

    /** GET /oauth/callback. */
    callback(params: URLSearchParams): Promise<AuthStep> {
      return catchFlow(async () => {
        const row = await startedFlow(params.get('state') ?? undefined);
        const { account, connection } = await load(row);
        const error = params.get('error');
        if (error) {
          const description = params.get('error_description');
          const reason =
            error === 'access_denied'
              ? 'consent was denied at the provider; nothing was connected'
              : `the provider reported ${error}${description ? `: ${description}` : ''}`;
          await fail(row, reason);
          throw new FlowError(
            400,
            error === 'access_denied' ? 'Consent denied' : 'Authorization failed',
            reason,
          );
        }
        const code = params.get('code');
        if (!code)
          throw new FlowError(
            400,
            'Invalid authorization response',
            'the provider returned no authorization code',
          );
        const oauth = await connections.resolveOAuth(connection);
        if (!oauth)
          throw new FlowError(400, 'Invalid authorization response', 'this connection does not use OAuth');
        const secret = JSON.parse(keyring.decrypt(row.flow_secret_enc!, flowAad(row.id))) as FlowSecret;
        let set: Awaited<ReturnType<typeof exchangeCode>>;
        try {
          set = await exchangeCode(deps.fetch, oauth.auth, oauth.client, {
            code,
            redirectUri: secret.redirect_uri,
            codeVerifier: secret.code_verifier,
            ...(oauth.tokenParams ? { extra: oauth.tokenParams } : {}),
          });
        } catch (e) {
          if (e instanceof TokenResponseError || e instanceof TokenEndpointUnavailable) {
            const reason = `the provider refused the authorization code (${e instanceof TokenResponseError ? e.code : 'unavailable'}): ${e.message}`;
            await fail(row, reason);
            logger.info({ authRequest: row.id, reason }, 'code exchange failed');
            throw new FlowError(502, 'Authorization failed', reason);
          }
          throw e;
        }
        const metadata: Record<string, unknown> = { token: set.metadata };
        if (set.account_id) metadata['provider_account_id'] = set.account_id;
        if (set.scopes) metadata['scopes'] = set.scopes;
        return complete(row, account, connection, fromTokenSet(set), { expiresIn: set.expires_in, metadata });
      });
    },

    /** POST of the hosted credential form. */
    submitForm(flowToken: string | undefined, values: Record<string, string>): Promise<AuthStep> {
      return catchFlow(async () => {
        const row = await startedFlow(flowToken);
        const { account, connection } = await load(row);
        const auth = connection.connector.auth;
        const fields = credentialFields(auth);
        const given = Object.fromEntries(
          fields.map((f) => [f.name, (values[f.name] ?? '').trim()]).filter(([, v]) => v !== ''),
        );
        const again = (error: string): AuthStep => ({
          kind: 'form',
          connector: connection.connector.display_name,
          connection: connection.name,
          identifier: account.identifier,
          fields,
          flowToken: flowToken!,
          error,
          values: Object.fromEntries(
            fields.filter((f) => f.type !== 'password').map((f) => [f.name, given[f.name] ?? '']),
          ),
        });
        const violations = checkStaticFields(auth, given, 'form');
        if (violations.length > 0) return again(violations.map((v) => v.description).join('; '));
        const creds: StoredCredentials = { kind: 'static', fields: given as Record<string, string> };
        const refused = await testCall(connection, creds);
        if (refused) return again(refused);
        return complete(row, account, connection, creds, {});
      });
    },

    /** VerifyConnectedAccountUser: the app confirms who authorized. */
    async verifyUser(
      environmentId: string,
      authRequestId: string,
      identifier: string,
    ): Promise<{ redirectUrl: string }> {
      if (!authRequestId) throw invalidArgument('auth_request_id', 'is required');
      if (!identifier) throw invalidArgument('identifier', 'is required');
      const row = await repo.find(environmentId, authRequestId);
      if (!row) throw new LatchkeyError('not_found', `authorization request ${authRequestId} not found`);
      if (row.status !== 'pending_verification') {
        throw new LatchkeyError(
          'failed_precondition',
          `authorization request ${authRequestId} is not waiting for verification (${row.status})`,
        );
      }
      const { account, connection } = await load(row);
      if (account.identifier !== identifier) {
        logger.warn({ authRequest: row.id }, 'user verification refused: identifier mismatch');
        throw new LatchkeyError(
          'permission_denied',
          'the identifier does not match the user this authorization was created for',
          {
            violations: [{ field: 'identifier', description: 'does not match the authorization link' }],
          },
        );
      }
      const pending = JSON.parse(keyring.decrypt(row.pending_credentials_enc!, pendingAad(row.id))) as {
        creds: StoredCredentials;
        expiresIn?: number;
        metadata?: Record<string, unknown>;
      };
      const moved = await repo.transition(row.id, 'pending_verification', {
        status: 'completed',
        pending_credentials_enc: null,
        updated_at: clock.now(),
      });
      if (!moved)
        throw new LatchkeyError(
          'failed_precondition',
          `authorization request ${authRequestId} was already verified`,
        );
      await activate(environmentId, account, pending.creds, {
        expiresIn: pending.expiresIn,
        metadata: pending.metadata ?? {},
      });
      await accounts.event({ id: account.id, environment_id: environmentId }, 'verified', null);
      const step = successStep(connection, account, row);
      return {
        redirectUrl:
          step.kind === 'redirect' ? step.location : `${deps.publicUrl()}/connect/verified/${row.id}`,
      };
    },

    /** The page after verification. */
    async verifiedPage(authRequestId: string): Promise<AuthStep> {
      const row = await deps.store.db
        .selectFrom('auth_requests')
        .selectAll()
        .where('id', '=', authRequestId)
        .executeTakeFirst();
      if (row?.status !== 'completed')
        return {
          kind: 'error',
          status: 404,
          title: 'Unknown authorization',
          reason: 'no completed authorization with this id',
        };
      const { account, connection } = await load(row);
      return { kind: 'done', connector: connection.connector.display_name, identifier: account.identifier };
    },
  };
}

export type Authorization = ReturnType<typeof createAuthorization>;
