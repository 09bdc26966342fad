/**
 * Our .proto files against the descriptors embedded in the official @scalekit-sdk/node: every
 * message, field (name, number, type, label, optional, oneof), enum, RPC (input/output) and
 * google.api.http rule we declare must equal theirs. Differences allowed on purpose are listed.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  type DescField,
  type DescFile,
  type DescMessage,
  type DescMethod,
  getOption,
  hasOption,
  toJson,
} from '@bufbuild/protobuf';
import { http } from '../../src/gen/google/api/annotations_pb.js';
import { HttpRuleSchema } from '../../src/gen/google/api/http_pb.js';
import { file_scalekit_v1_connected_accounts_connected_accounts } from '../../src/gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { file_scalekit_v1_connections_connections } from '../../src/gen/scalekit/v1/connections/connections_pb.js';
import { file_scalekit_v1_domains_domains } from '../../src/gen/scalekit/v1/domains/domains_pb.js';
import { file_scalekit_v1_errdetails_errdetails } from '../../src/gen/scalekit/v1/errdetails/errdetails_pb.js';
import { file_scalekit_v1_tools_tools } from '../../src/gen/scalekit/v1/tools/tools_pb.js';

const require = createRequire(import.meta.url);
const sdkFile = (path: string, name: string): DescFile =>
  require(`@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/${path}`)[name] as DescFile;

const PAIRS: [DescFile, DescFile][] = [
  [file_scalekit_v1_tools_tools, sdkFile('tools/tools_pb.js', 'file_scalekit_v1_tools_tools')],
  [
    file_scalekit_v1_connected_accounts_connected_accounts,
    sdkFile(
      'connected_accounts/connected_accounts_pb.js',
      'file_scalekit_v1_connected_accounts_connected_accounts',
    ),
  ],
  [
    file_scalekit_v1_connections_connections,
    sdkFile('connections/connections_pb.js', 'file_scalekit_v1_connections_connections'),
  ],
  [
    file_scalekit_v1_errdetails_errdetails,
    sdkFile('errdetails/errdetails_pb.js', 'file_scalekit_v1_errdetails_errdetails'),
  ],
  [file_scalekit_v1_domains_domains, sdkFile('domains/domains_pb.js', 'file_scalekit_v1_domains_domains')],
];

/** Deliberately not carried (see proto/README.md). */
const OMITTED_FIELDS = new Set([
  'scalekit.v1.connections.Connection.saml_config',
  'scalekit.v1.connections.Connection.webauthn_config',
  'scalekit.v1.connections.UpdateConnection.saml_config',
  'scalekit.v1.connections.UpdateConnection.webauthn_config',
]);

function messages(file: DescFile): Map<string, DescMessage> {
  const out = new Map<string, DescMessage>();
  const visit = (m: DescMessage) => {
    out.set(m.typeName, m);
    m.nestedMessages.forEach(visit);
  };
  file.messages.forEach(visit);
  return out;
}

const signature = (f: DescField) =>
  JSON.stringify({
    name: f.name,
    kind: f.fieldKind,
    scalar: 'scalar' in f ? f.scalar : undefined,
    message: 'message' in f ? f.message?.typeName : undefined,
    enum: 'enum' in f ? f.enum?.typeName : undefined,
    mapKey: 'mapKey' in f ? f.mapKey : undefined,
    label: f.proto.label,
    optional: f.proto.proto3Optional,
    oneof: f.oneof?.name,
  });

describe('wire contract vs the official SDK descriptors', () => {
  for (const [ours, theirs] of PAIRS) {
    it(`${ours.name}.proto: messages, fields and enums match`, () => {
      const their = messages(theirs);
      let compared = 0;
      for (const [name, m] of messages(ours)) {
        const t = their.get(name);
        assert.ok(t, `${name} does not exist in the SDK`);
        for (const f of m.fields) {
          const g: DescField | undefined = t.fields.find((x) => x.number === f.number);
          assert.ok(g, `${name}.${f.name} = ${f.number} does not exist in the SDK`);
          assert.equal(signature(f), signature(g), `${name}.${f.name}`);
          compared++;
        }
        for (const g of t.fields) {
          if (OMITTED_FIELDS.has(`${name}.${g.name}`)) continue;
          assert.ok(
            m.fields.some((f) => f.number === g.number),
            `${name}.${g.name} = ${g.number} is missing`,
          );
        }
      }
      assert.ok(compared > 0);
      for (const e of ours.enums) {
        const t = theirs.enums.find((x) => x.typeName === e.typeName);
        assert.ok(t, `enum ${e.typeName} does not exist in the SDK`);
        const values = (x: typeof e) => x.values.map((v) => `${v.name}=${v.number}`).sort();
        assert.deepEqual(values(e), values(t), e.typeName);
      }
    });

    if (ours.services.length > 0) {
      it(`${ours.name}.proto: RPCs and HTTP rules match`, () => {
        for (const s of ours.services) {
          const t = theirs.services.find((x) => x.typeName === s.typeName);
          assert.ok(t, s.typeName);
          for (const m of s.methods) {
            const u: DescMethod | undefined = t.methods.find((x) => x.name === m.name);
            assert.ok(u, `${s.typeName}/${m.name} does not exist in the SDK`);
            assert.equal(m.input.typeName, u.input.typeName, `${m.name} input`);
            assert.equal(m.output.typeName, u.output.typeName, `${m.name} output`);
            assert.equal(m.methodKind, u.methodKind);
            assert.ok(hasOption(m, http), `${m.name} has no http rule`);
            assert.deepEqual(
              toJson(HttpRuleSchema, getOption(m, http)),
              toJson(HttpRuleSchema, getOption(u, http)),
              m.name,
            );
          }
        }
      });
    }
  }
});
