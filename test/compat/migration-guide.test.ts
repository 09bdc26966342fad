/**
 * The migration guide's RPC tables are the truth: every RPC of the compatible services appears
 * once with its REST bindings as the descriptors declare them, the summary counts add up, and a
 * running latchkey dev answers exactly the RPCs marked `not` with UNIMPLEMENTED.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ConnectedAccountService } from '@latchkey/gateway/gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ConnectionService } from '@latchkey/gateway/gen/scalekit/v1/connections/connections_pb.js';
import { McpService } from '@latchkey/gateway/gen/scalekit/v1/mcp/mcp_pb.js';
import { ProviderService } from '@latchkey/gateway/gen/scalekit/v1/providers/providers_pb.js';
import { ToolService } from '@latchkey/gateway/gen/scalekit/v1/tools/tools_pb.js';
import { collectBindings } from '@latchkey/gateway/transports/compat/http-rules.ts';
import { ROOT, sharedDev } from './harness.ts';

const GUIDE = join(ROOT, 'docs/migrating-from-scalekit.md');
const SERVICES: DescService[] = [
  ConnectedAccountService,
  ConnectionService,
  ToolService,
  ProviderService,
  McpService,
];
const STATES = ['supported', 'partly', 'not'] as const;
type State = (typeof STATES)[number];

interface Row {
  service: string;
  rpc: string;
  rest: string;
  state: State;
}

/** Table rows `| \`Rpc\` | rest | state | notes |` under `### Service (…)` headings. */
function readGuide(): { rows: Row[]; summary: string } {
  const rows: Row[] = [];
  let service = '';
  let summary = '';
  for (const line of readFileSync(GUIDE, 'utf8').split('\n')) {
    const heading = /^### (\w+) \(/.exec(line);
    if (heading) service = heading[1]!;
    if (line.startsWith('Summary: ')) summary = line;
    const row = /^\| `(\w+)` \| (.*?) \| (\w+) \| .*\|$/.exec(line);
    if (row && service) rows.push({ service, rpc: row[1]!, rest: row[2]!, state: row[3] as State });
  }
  return { rows, summary };
}

describe('migration guide', () => {
  const { rows, summary } = readGuide();
  const bindings = collectBindings(SERVICES);

  it('lists every RPC once, with its REST bindings and a known state', () => {
    const expected = SERVICES.flatMap((s) => s.methods.map((m) => `${s.name}/${m.name}`));
    assert.deepEqual(rows.map((r) => `${r.service}/${r.rpc}`).sort(), expected.sort());
    for (const row of rows) {
      assert.ok(STATES.includes(row.state), `${row.rpc}: state "${row.state}"`);
      const service = SERVICES.find((s) => s.name === row.service)!;
      const method = service.method[row.rpc[0]!.toLowerCase() + row.rpc.slice(1)]!;
      const rest = bindings
        .filter((b) => b.method === method)
        .sort((x, y) => x.index - y.index)
        .map((b) => `\`${b.verb} ${b.template.source}\``)
        .join('<br>');
      assert.equal(row.rest, rest, `${row.rpc}: REST bindings`);
    }
  });

  it('states the right counts', () => {
    const count = (s: State) => rows.filter((r) => r.state === s).length;
    assert.equal(
      summary,
      `Summary: ${rows.length} RPCs: ${count('supported')} supported, ${count('partly')} partly, ${count('not')} not.`,
    );
  });

  describe('against latchkey dev', () => {
    const shared = sharedDev();

    it('answers UNIMPLEMENTED for exactly the RPCs marked "not"', async () => {
      const transport = createGrpcTransport({ baseUrl: shared.dev().url });
      const wrong: string[] = [];
      for (const service of SERVICES) {
        const client = createClient(service, transport) as unknown as Record<
          string,
          (req: object, opts: object) => Promise<unknown>
        >;
        for (const method of service.methods) {
          const row = rows.find((r) => r.service === service.name && r.rpc === method.name)!;
          let code: Code | 'ok' = 'ok';
          try {
            await client[method.localName]!({}, { headers: { authorization: `Bearer ${shared.token()}` } });
          } catch (e) {
            code = ConnectError.from(e).code;
          }
          const unimplemented = code === Code.Unimplemented;
          if (unimplemented !== (row.state === 'not')) {
            wrong.push(
              `${service.name}/${method.name} is "${row.state}" but answered ${code === 'ok' ? 'OK' : Code[code]}`,
            );
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  });
});
