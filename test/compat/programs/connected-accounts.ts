/**
 * Managing connected accounts, as Scalekit's guides do it: accounts created with the user's own
 * credentials (an API key, OAuth tokens), listed, read, updated and deleted; the connections of the
 * environment and the tools a user could use; and custom user verification, where the app's own
 * `user_verify_url` route confirms who completed the authorization.
 * Only environment variables point it at Latchkey (SCALEKIT_*); ACME_API_KEY is the user's key.
 * It prints one `name: value` line per step.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScalekitClient } from '@scalekit-sdk/node';

const scalekit = new ScalekitClient(
  process.env.SCALEKIT_ENV_URL!,
  process.env.SCALEKIT_CLIENT_ID!,
  process.env.SCALEKIT_CLIENT_SECRET!,
);
const actions = scalekit.actions;
const show = (name: string, value: unknown) => console.log(`${name}: ${JSON.stringify(value)}`);

// --- Bring your own credentials -------------------------------------------------------------
// An API-key connector: the key the user gave your app.
const { connectedAccount: acme } = await actions.createConnectedAccount({
  connectionName: 'acmecrm',
  identifier: 'user_123',
  authorizationDetails: {
    details: { case: 'staticAuth', value: { details: { api_key: process.env.ACME_API_KEY! } } },
  } as never,
});
show('acme.status', acme?.status);
const me = await actions.executeTool({
  toolName: 'acmecrm_get_account',
  connector: 'acmecrm',
  identifier: 'user_123',
  toolInput: {},
});
show('acme.account', me.data);
show('acme.execution_id', me.executionId);

// OAuth tokens your app obtained itself.
const { connectedAccount: github } = await actions.createConnectedAccount({
  connectionName: 'github',
  identifier: 'user_123',
  authorizationDetails: {
    details: {
      case: 'oauthToken',
      value: {
        accessToken: 'gho_from_my_app',
        refreshToken: 'ghr_from_my_app',
        scopes: ['repo', 'read:user'],
      },
    },
  } as never,
});
show('github.status', github?.status);

// --- Read, list, update, delete ---------------------------------------------------------------
const { connectedAccounts, totalSize } = await actions.listConnectedAccounts({ identifier: 'user_123' });
show('list.total', totalSize);
show('list.connectors', connectedAccounts.map((a) => a.connector).sort());

const byId = await actions.getConnectedAccount({ connectedAccountId: github!.id });
const details = byId.connectedAccount?.authorizationDetails?.details;
show('github.access_token', details?.case === 'oauthToken' ? details.value.accessToken : null);
show('github.scopes', details?.case === 'oauthToken' ? details.value.scopes : null);

const updated = await actions.updateConnectedAccount({
  connectionName: 'github',
  identifier: 'user_123',
  authorizationDetails: {
    details: {
      case: 'oauthToken',
      value: { accessToken: 'gho_rotated_by_my_app', refreshToken: '', scopes: [] },
    },
  } as never,
  apiConfig: { team: 'platform' },
});
show('github.updated.api_config', updated.connectedAccount?.apiConfig);
const reread = await actions.getConnectedAccount({ connectionName: 'github', identifier: 'user_123' });
const after = reread.connectedAccount?.authorizationDetails?.details;
show('github.updated.access_token', after?.case === 'oauthToken' ? after.value.accessToken : null);

await actions.deleteConnectedAccount({ connectionName: 'github', identifier: 'user_123' });
const remaining = await actions.listConnectedAccounts({ identifier: 'user_123' });
show(
  'after_delete.connectors',
  remaining.connectedAccounts.map((a) => a.connector),
);

// --- The environment's connections and the tools a user could use -------------------------------
const { connections } = await actions.listConnections({ pageSize: 30 });
show('connections', connections.map((c) => `${c.connectionName}:${c.type}`).sort());
const available = await scalekit.tools.listAvailableTools('user_123', { pageSize: 100 });
show('available.count', available.tools.length);
show(
  'available.has_gmail_fetch_mails',
  available.tools.some((t) => (t.definition as any)?.name === 'gmail_fetch_mails'),
);

// --- Custom user verification -----------------------------------------------------------------
// Your app's route: after consent the browser lands here with auth_request_id; the app confirms that
// the signed-in user is the one the link was made for, then sends the browser on.
const signedInUser = 'user_456';
const app = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://app');
  if (url.pathname !== '/user/verify') {
    res.writeHead(404).end();
    return;
  }
  try {
    const { postUserVerifyRedirectUrl } = await actions.verifyConnectedAccountUser({
      authRequestId: url.searchParams.get('auth_request_id')!,
      identifier: signedInUser,
    });
    show('verify.state', url.searchParams.get('state'));
    res.writeHead(302, { location: postUserVerifyRedirectUrl }).end();
  } catch (e) {
    show('verify.error', (e as Error).message);
    res.writeHead(403).end('verification failed');
  }
});
await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
const verifyUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/user/verify`;

const { link } = await actions.getAuthorizationLink({
  connectionName: 'slack',
  identifier: signedInUser,
  state: 'session-42',
  userVerifyUrl: verifyUrl,
});
console.log(`Authorize Slack: ${link}`);
for (;;) {
  await new Promise((r) => setTimeout(r, 300));
  const { connectedAccount } = await actions.getConnectedAccount({
    connectionName: 'slack',
    identifier: signedInUser,
  });
  if (connectedAccount?.status?.toString() === '1') break;
}
show('slack.status', 'ACTIVE');
app.close();
