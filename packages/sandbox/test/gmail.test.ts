// Gmail API v1 imitation, checked against google/gmail-v1.json (Discovery).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { GMAIL_METHOD_SCOPES } from '../src/providers/google/gmail.ts';
import { googleErrorSchema } from './helpers/google.ts';
import { tokensFor } from './helpers/oauth.ts';
import { assertConforms, conform, discoveryMethod, discoveryResponse, loadSpec } from './helpers/schema.ts';

const spec = loadSpec('google/gmail-v1.json');
const D = { spec, discovery: true };
const G = 'https://www.googleapis.com/auth/gmail.';

describe('Gmail imitation', () => {
  let sandbox: Sandbox;
  let token: string;
  const api = (path: string, init: RequestInit = {}, t = token) =>
    fetch(`${sandbox.urls.gmail}/gmail/v1/users/me${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${t}`,
        'content-type': 'application/json',
        ...(init.headers as object),
      },
    });
  const json = async (r: Response) => (await r.json()) as Record<string, unknown>;
  const ids = async (q: string) => {
    const body = await json(await api(`/messages?${new URLSearchParams({ q })}`));
    return ((body['messages'] as Array<{ id: string }>) ?? []).map((m) => m.id);
  };
  const subjectOf = async (id: string) => {
    const m = await json(await api(`/messages/${id}?format=metadata&metadataHeaders=Subject`));
    return ((m['payload'] as { headers: Array<{ value: string }> }).headers[0] ?? { value: '' }).value;
  };

  before(async () => {
    sandbox = await startSandbox();
    token = (await tokensFor(sandbox, 'gmail', { scopes: [`${G}modify`] })).accessToken;
  });
  after(() => sandbox.close());

  test('method scopes are the ones gmail-v1.json lists', () => {
    for (const [method, scopes] of Object.entries(GMAIL_METHOD_SCOPES)) {
      assert.deepEqual(
        [...scopes].sort(),
        [...(discoveryMethod(spec, method)['scopes'] as string[])].sort(),
        method,
      );
    }
  });

  test('users.messages.list conforms to ListMessagesResponse and hides SPAM/TRASH', async () => {
    const response = await api('/messages');
    assert.equal(response.status, 200);
    const body = await json(response);
    assertConforms(body, discoveryResponse(spec, 'users.messages.list'), D);
    assert.equal(body['resultSizeEstimate'], 6);
    const all = sandbox.state.gmail.messages('alice');
    const spam = all.find((m) => m.labelIds.includes('SPAM'));
    assert.ok(spam);
    assert.ok(!(body['messages'] as Array<{ id: string }>).some((m) => m.id === spam.id));
    assert.equal((await ids('in:spam')).length, 1);
  });

  test('q: from:, to:, subject:, is:unread, label:, free text, negation', async () => {
    assert.deepEqual(await Promise.all((await ids('from:billing@acme-cloud.example')).map(subjectOf)), [
      'Your invoice #1042 is available',
    ]);
    assert.equal((await ids('is:unread')).length, 2);
    assert.deepEqual(await Promise.all((await ids('subject:"quarterly planning" -in:sent')).map(subjectOf)), [
      'Quarterly planning',
    ]);
    assert.deepEqual(await Promise.all((await ids('to:bob@example.com')).map(subjectOf)), [
      'Re: Quarterly planning',
    ]);
    assert.deepEqual(await Promise.all((await ids('ramen')).map(subjectOf)), ['Dinner on Friday?']);
    assert.deepEqual(await Promise.all((await ids('label:receipts')).map(subjectOf)), [
      'Your invoice #1042 is available',
    ]);
    assert.equal((await ids('is:unread is:starred')).length, 1);
    assert.equal((await ids('nothing-matches-this')).length, 0);
    assert.deepEqual(await json(await api('/messages?q=nothing-matches-this')), { resultSizeEstimate: 0 });
  });

  test('labelIds, maxResults and pageToken page through results', async () => {
    const inbox = await json(await api('/messages?labelIds=INBOX&labelIds=UNREAD'));
    assert.equal((inbox['messages'] as unknown[]).length, 2);
    const first = await json(await api('/messages?maxResults=4'));
    assert.equal((first['messages'] as unknown[]).length, 4);
    assert.equal(typeof first['nextPageToken'], 'string');
    const second = await json(await api(`/messages?maxResults=4&pageToken=${first['nextPageToken']}`));
    assert.equal((second['messages'] as unknown[]).length, 2);
    assert.equal(second['nextPageToken'], undefined);
  });

  test('users.messages.get: full, metadata (metadataHeaders), minimal, raw', async () => {
    const [id] = await ids('subject:"quarterly planning" -in:sent');
    assert.ok(id);
    const full = await json(await api(`/messages/${id}?format=full`));
    assertConforms(full, discoveryResponse(spec, 'users.messages.get'), D);
    const payload = full['payload'] as Record<string, unknown>;
    assert.equal(payload['mimeType'], 'multipart/alternative');
    const parts = payload['parts'] as Array<{ mimeType: string; body: { data: string } }>;
    assert.deepEqual(
      parts.map((p) => p.mimeType),
      ['text/plain', 'text/html'],
    );
    assert.match(Buffer.from(parts[0]?.body.data ?? '', 'base64url').toString('utf8'), /Q3 roadmap/);

    const meta = await json(
      await api(`/messages/${id}?format=metadata&metadataHeaders=From&metadataHeaders=Subject`),
    );
    assertConforms(meta, discoveryResponse(spec, 'users.messages.get'), D);
    const headers = (meta['payload'] as { headers: Array<{ name: string }> }).headers.map((h) => h.name);
    assert.deepEqual(headers.sort(), ['From', 'Subject']);

    const minimal = await json(await api(`/messages/${id}?format=minimal`));
    assert.equal(minimal['payload'], undefined);
    assert.deepEqual(Object.keys(minimal).sort(), [
      'historyId',
      'id',
      'internalDate',
      'labelIds',
      'sizeEstimate',
      'snippet',
      'threadId',
    ]);

    const raw = await json(await api(`/messages/${id}?format=raw`));
    assertConforms(raw, discoveryResponse(spec, 'users.messages.get'), D);
    assert.match(
      Buffer.from(String(raw['raw']), 'base64url').toString('utf8'),
      /^MIME-Version: 1\.0\r\n[\s\S]*Subject: Quarterly planning/,
    );
  });

  test('users.messages.send stores a SENT message visible through list/get, and delivers to seeded users', async () => {
    const rfc2822 = [
      'From: Someone Else <spoof@example.net>',
      'To: Bob Martin <bob@example.com>',
      'Subject: Sandbox send test',
      'Content-Type: text/plain; charset="UTF-8"',
      '',
      'Hello Bob, this went through the Gmail imitation.',
    ].join('\r\n');
    const response = await api('/messages/send', {
      method: 'POST',
      body: JSON.stringify({ raw: Buffer.from(rfc2822).toString('base64url') }),
    });
    assert.equal(response.status, 200);
    const sent = await json(response);
    assertConforms(sent, discoveryResponse(spec, 'users.messages.send'), D);
    assert.deepEqual(sent['labelIds'], ['SENT']);
    assert.deepEqual(await ids('in:sent subject:"sandbox send test"'), [sent['id']]);
    const full = await json(await api(`/messages/${sent['id']}`));
    const headers = (full['payload'] as { headers: Array<{ name: string; value: string }> }).headers;
    assert.equal(
      headers.find((h) => h.name === 'From')?.value,
      'Alice Nguyen <alice@example.com>',
      'Gmail sets From to the sender',
    );
    assert.ok(headers.some((h) => h.name === 'Message-ID'));
    const delivered = sandbox.state.gmail
      .messages('bob')
      .find((m) => m.raw.toString().includes('Sandbox send test'));
    assert.deepEqual(delivered?.labelIds, ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX']);
  });

  test('users.messages.send errors: no raw, bad To', async () => {
    const none = await api('/messages/send', { method: 'POST', body: '{}' });
    assert.equal(none.status, 400);
    const body = await json(none);
    assertConforms(body, googleErrorSchema, { spec: {} });
    assert.match(String((body['error'] as Record<string, unknown>)['message']), /'raw' RFC822 payload/);
    const bad = await api('/messages/send', {
      method: 'POST',
      body: JSON.stringify({
        raw: Buffer.from('To: not-an-address\r\nSubject: x\r\n\r\nbody').toString('base64url'),
      }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await json(bad))['error'] as Record<string, unknown>)['message'], 'Invalid To header');
  });

  test('users.labels.list conforms to ListLabelsResponse', async () => {
    const body = await json(await api('/labels'));
    assertConforms(body, discoveryResponse(spec, 'users.labels.list'), D);
    const labels = body['labels'] as Array<{ id: string; type: string }>;
    assert.ok(labels.some((l) => l.id === 'INBOX' && l.type === 'system'));
    assert.ok(labels.some((l) => l.id === 'Label_1' && l.type === 'user'));
  });

  test('failure shapes: 404, other userId, insufficient scope', async () => {
    const missing = await api('/messages/0123456789abcdef');
    assert.equal(missing.status, 404);
    const body = await json(missing);
    assertConforms(body, googleErrorSchema, { spec: {} });
    assert.equal((body['error'] as Record<string, unknown>)['status'], 'NOT_FOUND');

    const other = await fetch(`${sandbox.urls.gmail}/gmail/v1/users/bob@example.com/messages`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(other.status, 403);

    const sendOnly = (await tokensFor(sandbox, 'gmail', { scopes: [`${G}send`] })).accessToken;
    const denied = await api('/messages', {}, sendOnly);
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    const deniedBody = await json(denied);
    assertConforms(deniedBody, googleErrorSchema, { spec: {} });
    assert.equal(
      ((deniedBody['error'] as { errors: Array<{ reason: string }> }).errors[0] ?? { reason: '' }).reason,
      'insufficientPermissions',
    );
  });

  test('the conformance check notices an undeclared field', () => {
    const errors = conform(
      { id: 'x', threadId: 'y', surprise: 1 },
      discoveryResponse(spec, 'users.messages.get'),
      D,
    );
    assert.deepEqual(errors, ['$: "surprise" is not declared by the schema']);
  });
});
