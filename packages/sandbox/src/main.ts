// `node packages/sandbox/src/main.ts [--port-base N] [--no-auto-approve] [--ttl SECONDS] [--secrets] [--json]`
// Starts the sandbox, prints its URLs and credentials, and stays up until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startSandbox } from './index.ts';
import type { SandboxOptions } from './types.ts';

const { values } = parseArgs({
  options: {
    'port-base': { type: 'string' },
    'no-auto-approve': { type: 'boolean', default: false },
    ttl: { type: 'string' },
    json: { type: 'boolean', default: false },
    secrets: { type: 'boolean', default: false },
  },
});

const options: SandboxOptions = { autoApprove: !values['no-auto-approve'] };
if (values.ttl) options.accessTokenTtlSeconds = Number(values.ttl);
if (values['port-base']) {
  const base = Number(values['port-base']);
  const names = [
    'authServer',
    'gmail',
    'googlecalendar',
    'slack',
    'github',
    'notion',
    'acmecrm',
    'ticketdesk',
    'mcpServer',
  ] as const;
  options.ports = Object.fromEntries(names.map((n, i) => [n, base + i]));
}

const started = performance.now();
const sandbox = await startSandbox(options);
const ms = Math.round(performance.now() - started);
const sinceProcessStart = Math.round(performance.now());
const secret = (value: string) => (values.secrets ? value : `${value.slice(0, 4)}… (--secrets to show)`);

if (values.json) {
  console.log(
    JSON.stringify(
      { startedInMs: ms, urls: sandbox.urls, providers: sandbox.providers, users: sandbox.users },
      null,
      2,
    ),
  );
} else {
  const lines = [
    `Latchkey sandbox ready in ${ms} ms (${sinceProcessStart} ms after process start)`,
    '',
    `  authorization server  ${sandbox.urls.authServer}`,
  ];
  lines.push(`  control endpoints     ${sandbox.urls.control}`);
  lines.push(
    `  scripted model        ${sandbox.urls.model}  (Anthropic: baseURL=${sandbox.model.anthropicBaseUrl}, OpenAI: baseURL=${sandbox.model.openaiBaseUrl})`,
  );
  for (const p of Object.values(sandbox.providers)) {
    lines.push(`  ${p.slug.padEnd(20)}  ${p.apiBaseUrl}   (stands in for ${p.realBaseUrl})`);
    if (p.oauth)
      lines.push(
        `  ${''.padEnd(20)}  client_id=${p.oauth.clientId} client_secret=${secret(p.oauth.clientSecret)}`,
      );
    if (p.apiKey)
      lines.push(
        `  ${''.padEnd(20)}  ${p.apiKey.header}: ${secret(p.apiKey.value)}  (user ${sandbox.defaultUser})`,
      );
    if (p.basic)
      lines.push(
        `  ${''.padEnd(20)}  basic ${p.basic.username}:${secret(p.basic.password)}  (user ${sandbox.defaultUser})`,
      );
  }
  lines.push(
    '',
    `  users: ${sandbox.users.join(', ')} (default ${sandbox.defaultUser}); consent auto-approval is ${options.autoApprove ? 'on' : 'off'}`,
  );
  lines.push('  Ctrl-C to stop.');
  console.log(lines.join('\n'));
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  await sandbox.close();
  console.log(`sandbox stopped (${signal})`);
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
