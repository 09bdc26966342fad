// The pieces the other tests rely on: the schema-conformance checker must reject what the specs forbid,
// and the MIME reader must read what mail clients send.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addresses, parseMessage, textOf } from '../src/providers/google/mime.ts';
import { conform, discoveryResponse, loadSpec, operationResponse } from './helpers/schema.ts';

describe('schema conformance checker', () => {
  test('Swagger 2.0 (Slack): required fields, patterns, closed objects', () => {
    const spec = loadSpec('slack/slack_web_openapi_v2_without_examples.json');
    const schema = operationResponse(spec, '/chat.postMessage', 'post', '200');
    const good = {
      ok: true,
      channel: 'C0123ABCDE',
      ts: '1700000000.000100',
      message: { type: 'message', text: 'hi', ts: '1700000000.000100' },
    };
    assert.deepEqual(conform(good, schema, { spec }), []);
    assert.match(conform({ ...good, channel: 'general' }, schema, { spec }).join(), /does not match/);
    assert.match(
      conform({ ok: true, channel: 'C0123ABCDE', ts: '1.2', message: good.message }, schema, { spec }).join(),
      /\$\.ts/,
    );
    assert.match(conform({ ...good, extra: 1 }, schema, { spec }).join(), /"extra" is not declared/);
    const { message: _m, ...noMessage } = good;
    assert.match(conform(noMessage, schema, { spec }).join(), /missing required "message"/);
  });

  test('OpenAPI 3 (GitHub): types, nullable, $ref', () => {
    const spec = loadSpec('github/api.github.com.json');
    const schema = operationResponse(spec, '/repos/{owner}/{repo}/issues', 'post', '422');
    assert.deepEqual(
      conform(
        { message: 'Validation Failed', documentation_url: 'x', errors: [{ code: 'invalid' }] },
        schema,
        { spec },
      ),
      [],
    );
    assert.match(conform({ message: 'Validation Failed' }, schema, { spec }).join(), /documentation_url/);
    assert.match(conform({ message: 1, documentation_url: 'x' }, schema, { spec }).join(), /expected string/);
  });

  test('Discovery (Gmail): unknown fields and wrong types', () => {
    const spec = loadSpec('google/gmail-v1.json');
    const schema = discoveryResponse(spec, 'users.messages.list');
    assert.deepEqual(
      conform({ messages: [{ id: 'a', threadId: 'b' }], resultSizeEstimate: 1 }, schema, {
        spec,
        discovery: true,
      }),
      [],
    );
    assert.match(
      conform({ resultSizeEstimate: '1' }, schema, { spec, discovery: true }).join(),
      /expected integer/,
    );
    assert.match(
      conform({ messages: [{ id: 'a', nope: true }] }, schema, { spec, discovery: true }).join(),
      /"nope" is not declared/,
    );
  });
});

describe('MIME reader', () => {
  test('multipart/mixed with quoted-printable text, encoded-word subject and an attachment', () => {
    const raw = [
      'From: "Doe, John" <john.doe@example.com>',
      'To: alice@example.com, Bob <bob@example.com>',
      'Subject: =?UTF-8?B?w4ljaMOpYW5jaWVy?= report',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=C3=A9 at 10, soft=',
      ' break.',
      '--b1',
      'Content-Type: application/pdf; name="r.pdf"',
      'Content-Disposition: attachment; filename="r.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    const m = parseMessage(raw);
    assert.equal(m.mimeType, 'multipart/mixed');
    assert.equal(m.headers.find((h) => h.name === 'Subject')?.value, 'Échéancier report');
    assert.equal(textOf(m), 'Café at 10, soft break.');
    assert.equal(m.parts[1]?.filename, 'r.pdf');
    assert.equal(m.parts[1]?.body.toString(), '%PDF-1.4');
    assert.deepEqual(addresses(m.headers.find((h) => h.name === 'To')?.value), [
      'alice@example.com',
      'bob@example.com',
    ]);
    assert.deepEqual(addresses(m.headers.find((h) => h.name === 'From')?.value), ['john.doe@example.com']);
  });
});
