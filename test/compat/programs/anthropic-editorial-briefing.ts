/**
 * The editorial briefing agent of Scalekit's guide "Authenticated Tool Calling with the Anthropic
 * SDK": the editor's Sanity (an MCP connector) and Slack accounts, their tools from
 * listScopedTools handed to Claude, each tool_use executed through Scalekit on the connector it
 * belongs to, until Claude ends its turn with the briefing posted to Slack.
 * Only environment variables point it at Latchkey (SCALEKIT_*) and at the model (ANTHROPIC_BASE_URL).
 */
import Anthropic from '@anthropic-ai/sdk';
import { ScalekitClient } from '@scalekit-sdk/node';
import { ConnectorStatus } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';

const scalekit = new ScalekitClient(
  process.env.SCALEKIT_ENV_URL!,
  process.env.SCALEKIT_CLIENT_ID!,
  process.env.SCALEKIT_CLIENT_SECRET!,
);
const anthropic = new Anthropic();

const identifier = 'editor_jane';
const SANITY = 'sanitymcp';
const SLACK = 'slack';

// 1. The editor connects Sanity and Slack once.
for (const connectionName of [SANITY, SLACK]) {
  const { connectedAccount } = await scalekit.actions.getOrCreateConnectedAccount({
    connectionName,
    identifier,
  });
  if (connectedAccount?.status !== ConnectorStatus.ACTIVE) {
    const { link } = await scalekit.actions.getAuthorizationLink({ connectionName, identifier });
    console.log(`Connect ${connectionName}: ${link}`);
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const { connectedAccount: account } = await scalekit.actions.getConnectedAccount({
        connectionName,
        identifier,
      });
      if (account?.status === ConnectorStatus.ACTIVE) break;
    }
  }
}

// 2. The tools this editor can use, in the shape the Messages API takes.
const { tools: scoped } = await scalekit.tools.listScopedTools(identifier, {
  filter: { connectionNames: [SANITY, SLACK] },
  pageSize: 100,
});
const tools = scoped.map(({ tool }) => {
  const definition = tool?.definition as any;
  return {
    name: definition.name,
    description: definition.description,
    input_schema: definition.input_schema,
  };
});
const connectorOf = (toolName: string) => (toolName.startsWith(`${SANITY}_`) ? SANITY : SLACK);
console.log(`Tools: ${tools.length}`);

// 3. The agent loop: run every tool_use through Scalekit until Claude ends its turn.
const messages: Anthropic.MessageParam[] = [
  {
    role: 'user',
    content:
      'Write the editorial briefing: find my Sanity project, list its latest posts with their status, ' +
      'and post a short briefing to the #general Slack channel.',
  },
];
for (let turn = 0; turn < 10; turn++) {
  const response = await anthropic.messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 2048,
    system:
      'You are the editorial assistant of a content team. Use the tools to read Sanity and post to Slack.',
    tools: tools as Anthropic.Tool[],
    messages,
  });
  messages.push({ role: 'assistant', content: response.content });
  if (response.stop_reason === 'end_turn') {
    const text = response.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    console.log(`Briefing done: ${text}`);
    break;
  }
  const results: Anthropic.ToolResultBlockParam[] = [];
  for (const block of response.content) {
    if (block.type !== 'tool_use') continue;
    const result = await scalekit.actions.executeTool({
      toolName: block.name,
      connector: connectorOf(block.name),
      identifier,
      toolInput: block.input as Record<string, unknown>,
    });
    console.log(`Ran ${block.name}`);
    results.push({ type: 'tool_result', tool_use_id: block.id, content: JSON.stringify(result.data) });
  }
  messages.push({ role: 'user', content: results });
}
