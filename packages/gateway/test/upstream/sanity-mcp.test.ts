/**
 * The sandbox's OAuth-protected MCP server as the upstream of the `sanitymcp` connector, driven
 * through the official Scalekit SDK: the flow of the guide "Authenticated Tool Calling with the
 * Anthropic SDK" (authorize through a link, listScopedTools, executeTool), and its failures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ScalekitBadRequestException,
  ScalekitNotFoundException,
  ScalekitToolException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;
const SANITY_TOOLS = ['sanitymcp_list_projects', 'sanitymcp_list_releases', 'sanitymcp_query_documents'];

/** Completes an authorization through a link; returns the authorization request sent to the provider. */
async function authorize(stack: Stack, identifier: string): Promise<URL> {
  const { link } = await stack.sdk.actions.getAuthorizationLink({ connectionName: 'sanitymcp', identifier });
  const done = await followLink(link);
  assert.equal(done.status, 200, done.body);
  const consent = done.hops
    .map((h) => new URL(h.url))
    .find((u) => u.origin === new URL(stack.sandbox.urls.authServer).origin);
  assert.ok(consent, JSON.stringify(done.hops));
  return consent;
}

async function scopedTools(stack: Stack, identifier: string) {
  const res = await stack.sdk.tools.listScopedTools(identifier, {
    filter: { connectionNames: ['sanitymcp'] } as never,
    pageSize: 100,
  });
  return res.tools;
}

const defOf = (x: { tool?: { definition?: unknown } | undefined }): Obj => (x.tool?.definition ?? {}) as Obj;

const execute = (stack: Stack, identifier: string, toolName: string, toolInput: Obj) =>
  stack.sdk.actions.executeTool({ toolName, connector: 'sanitymcp', identifier, toolInput });

for (const dialect of DIALECTS) {
  describe(`sanitymcp against the sandbox MCP server (${dialect})`, () => {
    it('authorizes with discovery + dynamic registration + PKCE + resource, lists scoped tools and executes them', async (t) => {
      const stack = await startStack(t, dialect, { connections: { sanitymcp: 'sanitymcp', gmail: 'gmail' } });
      if (!stack) return;
      const { gw, sandbox } = stack;

      // Before authorization: no scoped tools (the account is pending), and no MCP session.
      assert.deepEqual(await scopedTools(stack, 'user_1'), []);
      const consent = await authorize(stack, 'user_1');
      assert.equal(
        consent.searchParams.get('resource'),
        sandbox.urls.mcpServer,
        'RFC 8707 resource indicator',
      );
      assert.equal(consent.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(consent.searchParams.get('code_challenge'));
      assert.equal(consent.searchParams.get('scope'), 'projects:read documents:read releases:read');

      // The gateway registered one client at the sandbox's authorization server, secret encrypted.
      const clients = await gw.store.db.selectFrom('mcp_clients').selectAll().execute();
      assert.equal(clients.length, 1);
      assert.match(clients[0]!.client_secret_enc ?? '', /^lk1\./);
      const tokenGrants = sandbox.tokenRequests(clients[0]!.client_id).map((r) => r.grantType);
      assert.deepEqual(tokenGrants, ['authorization_code']);

      const tools = await scopedTools(stack, 'user_1');
      assert.deepEqual(tools.map((x) => defOf(x)['name']).sort(), SANITY_TOOLS);
      const query = tools.find((x) => defOf(x)['name'] === 'sanitymcp_query_documents')!;
      const schema = defOf(query)['input_schema'] as {
        type: string;
        properties: Obj;
        required: string[];
      };
      assert.equal(schema.type, 'object');
      assert.ok(schema.properties['projectId'] && schema.properties['query'] && schema.properties['params']);
      assert.deepEqual([...schema.required].sort(), ['projectId', 'query']);
      assert.equal(query.identifier, 'user_1');
      assert.match(query.connectedAccountId, /^ca_/);
      assert.deepEqual(defOf(query)['annotations'], {
        read_only_hint: true,
        destructive_hint: false,
        idempotent_hint: false,
        open_world_hint: false,
      });

      // Executed through the upstream server as alice (the sandbox's default user): results unchanged.
      const listed = await execute(stack, 'user_1', 'sanitymcp_list_projects', {});
      assert.match(listed.executionId, /^exec_/);
      const structured = (listed.data as Obj)['structuredContent'] as { projects: Obj[] };
      assert.deepEqual(
        structured.projects.map((p) => p['displayName']),
        ["Alice's Blog", 'Product Docs'],
      );
      const content = (listed.data as Obj)['content'] as { type: string; text: string }[];
      assert.equal(content[0]?.type, 'text');
      assert.deepEqual(JSON.parse(content[0]!.text), structured, 'content and structuredContent as sent');
      const projectId = structured.projects[0]!['id'];

      const drafts = await execute(stack, 'user_1', 'sanitymcp_query_documents', {
        projectId,
        query: '*[_type == "post" && status == "draft"] | order(_updatedAt desc) {title, status}',
      });
      assert.deepEqual(((drafts.data as Obj)['structuredContent'] as Obj)['result'], [
        { title: 'Announcing our Q3 launch', status: 'draft' },
        { title: 'How our agents authenticate', status: 'draft' },
      ]);
      const releases = await execute(stack, 'user_1', 'sanitymcp_list_releases', {
        projectId,
        state: 'scheduled',
      });
      const scheduled = ((releases.data as Obj)['structuredContent'] as { releases: Obj[] }).releases;
      assert.ok(scheduled.length > 0 && scheduled.every((r) => r['state'] === 'scheduled'));

      // An upstream tool error (isError) passes through as the tool's result.
      const missing = await execute(stack, 'user_1', 'sanitymcp_list_releases', { projectId: 'nope' });
      assert.equal((missing.data as Obj)['isError'], true);

      // ListTools of the environment includes the discovered tools; one session served it all.
      const all = await stack.sdk.tools.listTools({
        filter: { connector: 'sanitymcp' } as never,
        pageSize: 50,
      });
      assert.deepEqual(all.tools.map((x) => (x.definition as Obj)['name']).sort(), SANITY_TOOLS);
      assert.equal(gw.upstream.sessionCount(), 1);
      const executions = await gw.services.execution.listExecutions(stack.environmentId, {}, 20);
      assert.equal(executions.filter((e) => e.tool.startsWith('sanitymcp_')).length, 4);
    });

    it('refuses bad input and unknown tools before the upstream; an unreachable upstream is a TOOL_ERROR', async (t) => {
      const stack = await startStack(t, dialect, { connections: { sanitymcp: 'sanitymcp' } });
      if (!stack) return;
      await authorize(stack, 'user_1');
      await assert.rejects(
        () => execute(stack, 'user_1', 'sanitymcp_query_documents', { dataset: 'production' }),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitBadRequestException, String(e));
          assert.match(e.message, /params\.projectId is required/);
          assert.match(e.message, /params\.query is required/);
          return true;
        },
      );
      await assert.rejects(
        () => execute(stack, 'user_1', 'sanitymcp_delete_everything', {}),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitNotFoundException, String(e));
          assert.match(e.message, /unknown tool "sanitymcp_delete_everything" for connection "sanitymcp"/);
          return true;
        },
      );
      // The upstream goes away: tools stay listed from the cache, calls fail with a clear tool error.
      await stack.sandbox.close();
      assert.equal((await scopedTools(stack, 'user_1')).length, 3);
      await assert.rejects(
        () => execute(stack, 'user_1', 'sanitymcp_list_projects', {}),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitToolException, String(e));
          assert.equal(e.errorCode, 'TOOL_ERROR');
          assert.match(e.message, /Sanity MCP MCP server .* is unreachable/);
          assert.match(e.executionId ?? '', /^exec_/);
          return true;
        },
      );
    });

    it('an upstream 401 after revocation at the provider refreshes once, then marks the account EXPIRED with the reason', async (t) => {
      const stack = await startStack(t, dialect, { connections: { sanitymcp: 'sanitymcp' } });
      if (!stack) return;
      const { sandbox, sdk, gw } = stack;
      await authorize(stack, 'user_1');
      await execute(stack, 'user_1', 'sanitymcp_list_projects', {});
      const [client] = await gw.store.db.selectFrom('mcp_clients').select('client_id').execute();
      assert.ok((await sandbox.revokeGrants('alice', client!.client_id)) > 0);
      await assert.rejects(
        () => execute(stack, 'user_1', 'sanitymcp_list_projects', {}),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitToolUnauthorizedException, String(e));
          assert.equal(e.toolErrorCode, 'UNAUTHENTICATED');
          assert.match(e.message, /refused the credentials/);
          assert.match(e.message, /EXPIRED/);
          return true;
        },
      );
      const grants = sandbox.tokenRequests(client!.client_id).map((r) => r.grantType);
      assert.deepEqual(grants, ['authorization_code', 'refresh_token'], 'one refresh attempt');
      const { connectedAccount } = await sdk.actions.getConnectedAccount({
        connectionName: 'sanitymcp',
        identifier: 'user_1',
      });
      assert.equal(connectedAccount?.status?.toString(), '2', 'EXPIRED on the wire');
      const account = await gw.services.accounts.get(stack.environmentId, {
        connector: 'sanitymcp',
        identifier: 'user_1',
      });
      assert.equal(account.status, 'EXPIRED');
      assert.match(account.statusReason ?? '', /refused the refresh token \(invalid_grant\)/);
      assert.deepEqual(await scopedTools(stack, 'user_1'), []);
      // Reconnecting through a new link makes it work again (same registered client).
      await authorize(stack, 'user_1');
      const again = await execute(stack, 'user_1', 'sanitymcp_list_projects', {});
      assert.ok((again.data as Obj)['structuredContent']);
      assert.equal((await gw.store.db.selectFrom('mcp_clients').selectAll().execute()).length, 1);
    });
  });
}
