/**
 * The static-URL model: ListMcpConnectedAccounts with links, CreateMcpSessionToken (RS256, sub,
 * aud, mcp_cfg, ca_ids), the official MCP client on the config's server URL and on a
 * connection's URL with the token as a bearer, and refusals: no token, expired, wrong audience,
 * an API token, a deleted config; bad input names the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { TOKEN_ISSUER } from '../../src/services/api-access.ts';
import { DIALECTS } from '../helpers/env.ts';
import { api, ERAS, mcpClient, mcpStatus, violatedFields } from '../helpers/mcp.ts';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;
interface State {
  connection_id: string;
  connection_name: string;
  connected_account_id?: string;
  connected_account_status?: string;
  authentication_link: string;
}

/** Status of an MCP initialize with an Authorization header (or none). */
const status = (url: string, authorization?: string) =>
  mcpStatus(url, authorization ? { authorization } : {});

const mint = (stack: Stack, configId: string, body: Obj) =>
  api<{ token: string; expires_at: string }>(stack, 'POST', `/api/v1/mcp/configs/${configId}/tokens`, body);

describe('MCP session tokens and static server URLs', () => {
  for (const dialect of DIALECTS) {
    it(`connected accounts with links → token → static URL with a real client; refusals (${dialect})`, async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sandbox, gw } = stack;
      const config = (
        await api<{ config: Obj }>(stack, 'POST', '/api/v1/mcp/configs', {
          name: 'assistant',
          connection_tool_mappings: [
            { connection_name: 'gmail', tools: ['gmail_fetch_mails'] },
            { connection_name: 'googlecalendar', tools: ['googlecalendar_create_event'] },
          ],
        })
      ).json.config;
      const id = String(config['id']);
      const serverUrl = String(config['mcp_server_url']);
      const other = (
        await api<{ config: Obj }>(stack, 'POST', '/api/v1/mcp/configs', {
          name: 'other',
          connection_tool_mappings: [{ connection_name: 'gmail', tools: [] }],
        })
      ).json.config;

      const listed = async (includeAuthLink: boolean) =>
        (
          await api<{ connected_accounts: State[] }>(
            stack,
            'POST',
            `/api/v1/mcp/configs/${id}/connected_accounts`,
            {
              identifier: 'john-doe',
              include_auth_link: includeAuthLink,
            },
          )
        ).json.connected_accounts;
      const none = await listed(false);
      assert.deepEqual(none, [
        {
          connection_id: none[0]!.connection_id,
          connection_name: 'gmail',
          provider: 'GMAIL',
          authentication_link: '',
        },
        {
          connection_id: none[1]!.connection_id,
          connection_name: 'googlecalendar',
          provider: 'GOOGLECALENDAR',
          authentication_link: '',
        },
      ]);
      const early = await mint(stack, id, { identifier: 'john-doe' });
      assert.equal(early.status, 400, 'no ACTIVE accounts yet');
      assert.deepEqual(violatedFields(early.json), ['identifier']);
      assert.match(JSON.stringify(early.json), /gmail/);

      const withLinks = await listed(true);
      assert.deepEqual(
        withLinks.map((s) => s.connected_account_status),
        ['PENDING_AUTH', 'PENDING_AUTH'],
      );
      sandbox.setDefaultUser('john-doe');
      for (const s of withLinks) assert.equal((await followLink(s.authentication_link)).status, 200);
      const active = await listed(false);
      assert.deepEqual(
        active.map((s) => [s.connected_account_status, s.connected_account_id]),
        withLinks.map((s) => ['ACTIVE', s.connected_account_id]),
      );

      const minted = await mint(stack, id, { identifier: 'john-doe' });
      assert.equal(minted.status, 200, JSON.stringify(minted.json));
      const token = minted.json.token;
      assert.equal(decodeProtectedHeader(token).alg, 'RS256');
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${gw.url}/keys`)), {
        audience: serverUrl,
        issuer: TOKEN_ISSUER,
      });
      assert.equal(payload.sub, 'john-doe');
      assert.equal(payload['mcp_cfg'], id);
      assert.deepEqual(
        payload['ca_ids'],
        withLinks.map((s) => s.connected_account_id),
      );
      assert.equal(payload.exp! - payload.iat!, 3600, 'default expiry 1 h');
      assert.ok(Math.abs(Date.parse(minted.json.expires_at) - payload.exp! * 1000) < 2000);

      for (const era of ERAS) {
        const client = await mcpClient(serverUrl, era, { authorization: `Bearer ${token}` });
        try {
          const names = (await client.listTools()).tools.map((x) => x.name).sort();
          assert.deepEqual(names, ['gmail_fetch_mails', 'googlecalendar_create_event']);
          const mails = (await client.callTool({
            name: 'gmail_fetch_mails',
            arguments: {},
          })) as CallToolResult;
          assert.notEqual(mails.isError, true, JSON.stringify(mails));
          const summary = `static URL (${era})`;
          const made = (await client.callTool({
            name: 'googlecalendar_create_event',
            arguments: { summary, start_datetime: '2026-12-02T09:00:00Z', event_duration_minutes: 15 },
          })) as CallToolResult;
          assert.notEqual(made.isError, true, JSON.stringify(made));
          assert.ok(sandbox.state.googlecalendar.events('john-doe').some((e) => e['summary'] === summary));
        } finally {
          await client.close();
        }
      }

      // refusals
      assert.equal(await status(serverUrl), 401, 'no token');
      assert.equal(await status(serverUrl, `Bearer ${token}x`), 401, 'bad signature');
      assert.equal(await status(String(other['mcp_server_url']), `Bearer ${token}`), 401, 'wrong audience');
      assert.equal(
        await status(serverUrl, `Bearer ${await stack.token()}`),
        401,
        'an API token is not a session token',
      );
      const { exp: _e, iat: _i, aud: _a, iss: _s, jti: _j, ...claims } = payload;
      const expired = await gw.signer.sign(claims, {
        audience: serverUrl,
        issuer: TOKEN_ISSUER,
        expiresInSeconds: -5,
      });
      assert.equal(await status(serverUrl, `Bearer ${expired}`), 401, 'expired');
      const unauthorized = await fetch(serverUrl, { method: 'POST', body: '{}' });
      assert.match(unauthorized.headers.get('www-authenticate') ?? '', /^Bearer /);

      // bad input
      const refused = async (body: Obj, field: string, configId = id) => {
        const r = await mint(stack, configId, body);
        assert.equal(r.status, 400, JSON.stringify(r.json));
        assert.deepEqual(violatedFields(r.json), [field]);
      };
      await refused({ identifier: 'john-doe', expiry: '59s' }, 'expiry');
      await refused({ identifier: 'john-doe', expiry: '86401s' }, 'expiry');
      await refused({ identifier: '' }, 'identifier');
      await refused({ identifier: 'x'.repeat(256) }, 'identifier');
      await refused({ identifier: 'john-doe', key_id: 'gmail' }, 'key_id');
      assert.equal((await mint(stack, 'mcfg_missing', { identifier: 'john-doe' })).status, 404);
      const short = await mint(stack, id, { identifier: 'john-doe', expiry: '60s' });
      assert.equal(short.status, 200);

      // a connection's static URL, minted with key_id
      const conn = await api<{ token: string }>(stack, 'POST', '/api/v1/mcp/connections/gmail/tokens', {
        identifier: 'john-doe',
      });
      assert.equal(conn.status, 200, JSON.stringify(conn.json));
      const connUrl = `${gw.url}/mcp/v3/connections/gmail`;
      const connClient = await mcpClient(connUrl, 'modern', { authorization: `Bearer ${conn.json.token}` });
      assert.ok((await connClient.listTools()).tools.length >= 4, 'every gmail tool');
      await connClient.close();
      assert.equal(
        await status(`${gw.url}/mcp/v3/connections/googlecalendar`, `Bearer ${conn.json.token}`),
        401,
      );
      assert.equal(
        await status(connUrl, `Bearer ${token}`),
        401,
        'a config token is not for a connection URL',
      );

      // deleting the config kills its tokens at once
      assert.equal(await status(serverUrl, `Bearer ${token}`), 200);
      await api(stack, 'DELETE', `/api/v1/mcp/configs/${id}`);
      assert.equal(await status(serverUrl, `Bearer ${token}`), 401);
    });
  }
});
