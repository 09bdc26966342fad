/**
 * Table types for Kysely. Conventions that keep both dialects identical:
 * ids are text; times are epoch milliseconds (bigint in PostgreSQL, parsed to number);
 * booleans are integers 0/1; JSON is text; secrets are either SHA-256 hashes (`*_hash`)
 * or key-ring ciphertexts (`*_enc`), never plaintext.
 */
import type { Generated } from 'kysely';

export interface EnvironmentsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiClientsTable {
  id: string;
  environment_id: string;
  name: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_key_enc: string;
  status: 'active' | 'retired';
  created_at: number;
  retired_at: number | null;
}

/** Small key/value table for process-wide facts (e.g. the secrets canary used by readiness). */
export interface MetaTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  environments: EnvironmentsTable;
  api_clients: ApiClientsTable;
  signing_keys: SigningKeysTable;
  meta: MetaTable;
}

export type { Generated };
