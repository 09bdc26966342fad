/**
 * A gateway process on the sandbox catalog of a sandbox running elsewhere (in the test process),
 * for tests that need several real gateway processes on one database. Configuration comes from
 * LATCHKEY_* variables; the sandbox's providers from LATCHKEY_TEST_SANDBOX (JSON).
 */
import { loadConfig } from '../../src/config/config.ts';
import { type SandboxProviders, sandboxCatalog } from '../../src/dev/sandbox-catalog.ts';
import { createGateway } from '../../src/gateway.ts';

const providers = JSON.parse(process.env['LATCHKEY_TEST_SANDBOX'] ?? '{}') as SandboxProviders['providers'];
const gateway = await createGateway({ config: loadConfig(), ...sandboxCatalog({ providers }) });
await gateway.listen();
const stop = () => void gateway.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
