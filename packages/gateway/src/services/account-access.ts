/**
 * The port through which the proxy and tool execution reach a user's upstream account: resolve
 * the account a caller means, get credentials to inject (refreshed when near expiry), and react
 * to an upstream 401. Implemented by the credentials service; transports depend on this type only.
 */
import type { ConnectorDefinition } from '@latchkey/connectors';
import type { Principal } from './api-access.ts';

/** How a caller names an account. */
export interface AccountRef {
  connectionName?: string | undefined;
  /** Connector slug (e.g. `gmail`), when the caller does not name the connection. */
  connector?: string | undefined;
  identifier?: string | undefined;
  accountId?: string | undefined;
}

/** A resolved, ACTIVE account and where its API lives. */
export interface UpstreamTarget {
  accountId: string;
  environmentId: string;
  identifier: string;
  connectionId: string;
  connectionName: string;
  connector: ConnectorDefinition;
  /** Resolved API base URL without a trailing slash (`https://gmail.googleapis.com`). */
  baseUrl: string;
}

/** What to add to an upstream request: headers (Authorization, X-API-Key, …) and query parameters. */
export interface UpstreamAuth {
  headers: Record<string, string>;
  query: Record<string, string>;
}

export interface AccountAccess {
  /**
   * Resolves the account; throws LatchkeyError: `not_found` (no such connection/account, naming
   * the authorization-link call to create one), `failed_precondition` (account not ACTIVE, with
   * its status), `invalid_argument` (ambiguous or missing reference, listing candidates).
   */
  resolve(principal: Principal, ref: AccountRef): Promise<UpstreamTarget>;
  /** Credentials to inject, refreshed first when they expire within the margin. */
  credentials(target: UpstreamTarget): Promise<UpstreamAuth>;
  /**
   * After the upstream answered 401 to `rejected`: refresh once (or pick up a refresh another
   * caller already made) and return new credentials; undefined when there is nothing better
   * (no refresh token, or the provider refused it: the account is then marked EXPIRED).
   */
  afterUnauthorized(target: UpstreamTarget, rejected: UpstreamAuth): Promise<UpstreamAuth | undefined>;
  /** Records that the account was used (last_used_at); cheap, batched. */
  touch(target: UpstreamTarget): void;
}
