/**
 * "Making tool calls", as Scalekit's guide writes it: authorize a user through an authorization
 * link, call a REST connector's API through the proxy with `actions.request`, then list an MCP
 * connector's tools with `listScopedTools` and run one with `executeTool`.
 * Only environment variables point it at Latchkey (SCALEKIT_*).
 */
import { ScalekitClient } from '@scalekit-sdk/node';

const scalekit = new ScalekitClient(
  process.env.SCALEKIT_ENV_URL!,
  process.env.SCALEKIT_CLIENT_ID!,
  process.env.SCALEKIT_CLIENT_SECRET!,
);
const identifier = 'user_123';

async function authorize(connectionName: string): Promise<void> {
  const { link } = await scalekit.actions.getAuthorizationLink({ connectionName, identifier });
  console.log(`Authorize ${connectionName}: ${link}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const { connectedAccount } = await scalekit.actions.getConnectedAccount({ connectionName, identifier });
    if (connectedAccount?.status?.toString() === '1') return;
  }
}

// A REST connector: any endpoint of the provider's API, with the user's credentials injected.
await authorize('github');
const response = await scalekit.actions.request({
  connectionName: 'github',
  identifier,
  path: '/user',
  method: 'GET',
});
console.log(`GET /user: ${response.status} login=${response.data.login}`);
const repos = await scalekit.actions.request({
  connectionName: 'github',
  identifier,
  path: '/user/repos',
  method: 'GET',
  queryParams: { per_page: 2 },
});
console.log(`GET /user/repos: ${repos.status} count=${repos.data.length}`);

// An MCP connector: its tools are discovered from the provider's MCP server.
await authorize('sanitymcp');
const { tools } = await scalekit.tools.listScopedTools(identifier, {
  filter: { connectionNames: ['sanitymcp'] },
  pageSize: 100,
});
console.log(
  `Sanity tools: ${tools
    .map((t) => (t.tool?.definition as any)?.name)
    .sort()
    .join(', ')}`,
);
const result = await scalekit.actions.executeTool({
  toolName: 'sanitymcp_list_projects',
  connector: 'sanitymcp',
  identifier,
  toolInput: {},
});
console.log(`Projects: ${JSON.stringify(result.data)}`);
