/**
 * Mastra Gmail agent, as Scalekit's guide writes it: a connected account per user, an authorization
 * link when it is not active yet, Gmail tools from listTools wrapped with Mastra's createTool,
 * executed through Scalekit, and a Mastra Agent on an OpenAI model.
 * Only environment variables point it at Latchkey (SCALEKIT_*) and at the model (OPENAI_BASE_URL).
 */
import { openai } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { ScalekitClient } from '@scalekit-sdk/node';

const scalekit = new ScalekitClient(
  process.env.SCALEKIT_ENV_URL!,
  process.env.SCALEKIT_CLIENT_ID!,
  process.env.SCALEKIT_CLIENT_SECRET!,
);
const actions = scalekit.actions;

const identifier = 'user_123';
const connectionName = 'gmail';

// 1. Make sure the user has an active Gmail connection.
const { connectedAccount } = await actions.getOrCreateConnectedAccount({ connectionName, identifier });
if (connectedAccount?.status?.toString() !== '1') {
  const { link } = await actions.getAuthorizationLink({ connectionName, identifier });
  console.log(`Authorize Gmail: ${link}`);
  // Wait until the user has completed the authorization.
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const { connectedAccount: account } = await actions.getConnectedAccount({ connectionName, identifier });
    if (account?.status?.toString() === '1') break;
  }
}

// 2. Fetch the Gmail tools for this user and wrap them as Mastra tools.
const { tools } = await scalekit.tools.listTools({
  filter: { connector: 'gmail', identifier } as never,
  pageSize: 50,
});
const gmailTools = Object.fromEntries(
  tools.map((t) => {
    const definition = t.definition as any;
    const name = (t.definition as any)?.name as string;
    return [
      name,
      createTool({
        id: name,
        description: definition.description,
        inputSchema: definition.input_schema,
        execute: async (input: unknown) => {
          const result = await scalekit.tools.executeTool({
            toolName: name,
            identifier,
            params: input as never,
          });
          return result.data;
        },
      }),
    ];
  }),
);
console.log(
  `Loaded ${Object.keys(gmailTools).length} Gmail tools: ${Object.keys(gmailTools).sort().join(', ')}`,
);

// 3. Run an agent with those tools.
const agent = new Agent({
  id: 'gmail-agent',
  name: 'Gmail agent',
  instructions: 'You help the user with their email. Use the Gmail tools.',
  model: openai('gpt-4o-mini'),
  tools: gmailTools,
});
const response = await agent.generate('Use gmail_fetch_mails to fetch my latest emails and summarise them.', {
  maxSteps: 5,
});
console.log(`Agent: ${response.text}`);
