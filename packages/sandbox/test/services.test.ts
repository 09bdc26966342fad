// The API-key service (acmecrm, X-API-Key) and the Basic-auth service (ticketdesk): per-user data, writes
// visible through later reads, and their error shapes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';

type Obj = Record<string, unknown>;

describe('API-key and Basic-auth services', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  test('acmecrm: each key sees its own contacts; create then read back; Stripe-like errors', async () => {
    const key = sandbox.providers.acmecrm.apiKey;
    assert.ok(key);
    assert.equal(key.header, 'X-API-Key');
    const as = (user: string) => ({
      [key.header]: key.perUser[user] ?? '',
      'content-type': 'application/json',
    });
    const base = sandbox.urls.acmecrm;
    const aliceList = (await (
      await fetch(`${base}/v1/contacts?limit=100`, { headers: as('alice') })
    ).json()) as { data: Obj[]; object: string };
    assert.equal(aliceList.object, 'list');
    assert.ok(aliceList.data.some((c) => c['email'] === 'bob@example.com'));
    assert.ok(!aliceList.data.some((c) => c['email'] === 'alice@example.com'));

    const created = await fetch(`${base}/v1/contacts`, {
      method: 'POST',
      headers: as('alice'),
      body: JSON.stringify({ email: 'Carol@Example.org', name: 'Carol' }),
    });
    assert.equal(created.status, 201);
    const contact = (await created.json()) as Obj;
    assert.equal(contact['email'], 'carol@example.org');
    const fetched = (await (
      await fetch(`${base}/v1/contacts/${contact['id']}`, { headers: as('alice') })
    ).json()) as Obj;
    assert.deepEqual(fetched, contact);
    const byEmail = (await (
      await fetch(`${base}/v1/contacts?email=carol@example.org`, { headers: as('alice') })
    ).json()) as { data: Obj[] };
    assert.equal(byEmail.data.length, 1);
    assert.equal(
      (await fetch(`${base}/v1/contacts/${contact['id']}`, { headers: as('bob') })).status,
      404,
      "bob cannot see alice's contact",
    );

    const duplicate = await fetch(`${base}/v1/contacts`, {
      method: 'POST',
      headers: as('alice'),
      body: JSON.stringify({ email: 'carol@example.org' }),
    });
    assert.equal(duplicate.status, 409);
    const missing = await fetch(`${base}/v1/contacts`, { method: 'POST', headers: as('alice'), body: '{}' });
    assert.equal(missing.status, 400);
    assert.deepEqual(((await missing.json()) as { error: Obj }).error, {
      type: 'invalid_request_error',
      code: 'parameter_missing',
      message: 'Missing required param: email.',
      param: 'email',
    });
  });

  test('ticketdesk: Basic auth per user; create then list/get; Zendesk-like errors', async () => {
    const creds = sandbox.providers.ticketdesk.basic;
    assert.ok(creds);
    const auth = (user: string) => {
      const c = creds.perUser[user] ?? { username: '', password: '' };
      return {
        authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`,
        'content-type': 'application/json',
      };
    };
    const base = `${sandbox.urls.ticketdesk}/api/v2`;
    const created = await fetch(`${base}/tickets.json`, {
      method: 'POST',
      headers: auth('bob'),
      body: JSON.stringify({
        ticket: { subject: 'Printer on fire', comment: { body: 'Third floor.' }, priority: 'urgent' },
      }),
    });
    assert.equal(created.status, 201);
    const { ticket } = (await created.json()) as { ticket: Obj };
    assert.equal(ticket['status'], 'new');
    assert.equal(created.headers.get('location'), ticket['url']);
    const list = (await (await fetch(`${base}/tickets.json`, { headers: auth('bob') })).json()) as {
      tickets: Obj[];
      count: number;
    };
    assert.equal(list.count, 4);
    assert.ok(list.tickets.some((t) => t['id'] === ticket['id']));
    const one = (await (
      await fetch(`${base}/tickets/${ticket['id']}.json`, { headers: auth('bob') })
    ).json()) as { ticket: Obj };
    assert.equal(one.ticket['subject'], 'Printer on fire');
    assert.equal(
      (await fetch(`${base}/tickets/${ticket['id']}.json`, { headers: auth('alice') })).status,
      404,
    );
    assert.equal(sandbox.state.ticketdesk.tickets('bob').length, 4);

    const invalid = await fetch(`${base}/tickets.json`, {
      method: 'POST',
      headers: auth('bob'),
      body: JSON.stringify({ ticket: { subject: 'x' } }),
    });
    assert.equal(invalid.status, 422);
    assert.equal(((await invalid.json()) as Obj)['error'], 'RecordInvalid');
  });
});
