/**
 * Runs the scripted model server until SIGINT/SIGTERM.
 * Usage: node packages/sandbox/src/model/main.ts [--port N] [--host H] [--script file.json]
 */
import { parseArgs } from 'node:util';
import { startModelServer } from './server.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, script: { type: 'string' } },
});
const server = await startModelServer({
  port: values.port === undefined ? 0 : Number(values.port),
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(values.script === undefined ? {} : { script: values.script }),
});
console.log(`scripted model listening on ${server.url}`);
console.log(`  Anthropic SDK baseURL: ${server.anthropicBaseUrl}`);
console.log(`  OpenAI SDK baseURL:    ${server.openaiBaseUrl}`);
console.log(`  script: ${values.script ?? 'none (default behaviour)'}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
