/**
 * Every column that holds key-ring ciphertext, so `latchkey keys rotate` can re-encrypt them all.
 * A ciphertext's associated data is `<table>:<row id>:<column>`: it cannot be moved elsewhere.
 * Add a line here whenever a migration adds an `*_enc` column.
 */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
}

export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  { table: 'signing_keys', idColumn: 'kid', column: 'private_key_enc' },
  { table: 'connections', idColumn: 'id', column: 'oauth_client_secret_enc' },
  { table: 'connected_accounts', idColumn: 'id', column: 'credentials_enc' },
  { table: 'auth_requests', idColumn: 'id', column: 'flow_secret_enc' },
  { table: 'auth_requests', idColumn: 'id', column: 'pending_credentials_enc' },
  { table: 'mcp_clients', idColumn: 'connection_id', column: 'client_secret_enc' },
];

export const aadFor = (table: string, id: string, column: string): string => `${table}:${id}:${column}`;
