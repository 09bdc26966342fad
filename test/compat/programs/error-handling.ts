/**
 * Error handling, as Scalekit's guides write it: every failure is a Scalekit exception class; tool
 * failures caused by the provider are tool exceptions carrying the provider's code and the
 * execution id, and are never retried as authentication failures.
 * Only environment variables point it at Latchkey (SCALEKIT_*). One `name: value` line per case.
 */
import {
  isToolException,
  ScalekitBadRequestException,
  ScalekitClient,
  ScalekitNotFoundException,
  ScalekitServerException,
} from '@scalekit-sdk/node';

const scalekit = new ScalekitClient(
  process.env.SCALEKIT_ENV_URL!,
  process.env.SCALEKIT_CLIENT_ID!,
  process.env.SCALEKIT_CLIENT_SECRET!,
);
const actions = scalekit.actions;

async function attempt(name: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
    console.log(`${name}: no error`);
  } catch (e) {
    if (isToolException(e)) {
      console.log(
        `${name}: ${(e as Error).constructor.name} tool_error_code=${e.toolErrorCode} execution_id=${e.executionId} tool=${e.isToolError}`,
      );
    } else if (e instanceof ScalekitBadRequestException) {
      const fields = e.unpackedDetails.flatMap(
        (d) => d.validationErrorInfo?.fieldViolations.map((v) => v.field) ?? [],
      );
      console.log(`${name}: ${e.constructor.name} fields=${fields.join(',')}`);
    } else if (e instanceof ScalekitServerException) {
      console.log(`${name}: ${e.constructor.name} error_code=${e.errorCode}`);
    } else {
      console.log(`${name}: unexpected ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
}

await attempt('unknown account', () =>
  actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'nobody' }),
);
await attempt('unknown connection', () =>
  actions.getAuthorizationLink({ connectionName: 'no_such_connection', identifier: 'user_1' }),
);
await attempt('SaaSKit user reference', () =>
  actions.listConnectedAccounts({ organizationId: 'org_1', userId: 'usr_1' }),
);
await attempt('unknown tool', () =>
  actions.executeTool({ toolName: 'gmail_teleport', identifier: 'user_1', toolInput: {} }),
);

// A provider failure: the user's key works, but the provider refuses a duplicate contact.
await actions.createConnectedAccount({
  connectionName: 'acmecrm',
  identifier: 'user_1',
  authorizationDetails: {
    details: { case: 'staticAuth', value: { details: { api_key: process.env.ACME_API_KEY! } } },
  } as never,
});
await attempt('bad tool input', () =>
  actions.executeTool({
    toolName: 'acmecrm_list_contacts',
    connector: 'acmecrm',
    identifier: 'user_1',
    toolInput: { email: 42 },
  }),
);
const contact = { email: 'dup@example.com', name: 'Dup' };
const tool = { toolName: 'acmecrm_create_contact', connector: 'acmecrm', identifier: 'user_1' };
await attempt('first create', () => actions.executeTool({ ...tool, toolInput: contact }));
await attempt('provider conflict', () => actions.executeTool({ ...tool, toolInput: contact }));
// A key the provider refuses: a tool exception (TOOL_ERROR), not a Latchkey authentication failure.
await actions.updateConnectedAccount({
  connectionName: 'acmecrm',
  identifier: 'user_1',
  authorizationDetails: {
    details: { case: 'staticAuth', value: { details: { api_key: 'acme_sk_revokedkey000000' } } },
  } as never,
});
await attempt('provider refuses the key', () =>
  actions.executeTool({
    toolName: 'acmecrm_get_account',
    connector: 'acmecrm',
    identifier: 'user_1',
    toolInput: {},
  }),
);
await attempt('not found is also a NotFoundException', async () => {
  try {
    await actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'nobody' });
  } catch (e) {
    if (e instanceof ScalekitNotFoundException) throw e;
    throw new Error('not a ScalekitNotFoundException');
  }
});
