// Google Calendar API v3 imitation, checked against google/calendar-v3.json (Discovery).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { CALENDAR_METHOD_SCOPES } from '../src/providers/google/calendar.ts';
import { googleErrorSchema } from './helpers/google.ts';
import { tokensFor } from './helpers/oauth.ts';
import { assertConforms, discoveryMethod, discoveryResponse, loadSpec } from './helpers/schema.ts';

const spec = loadSpec('google/calendar-v3.json');
const D = { spec, discovery: true };
const DAY = 86_400_000;
const NOW = new Date('2026-03-10T08:00:00Z');

describe('Google Calendar imitation', () => {
  let sandbox: Sandbox;
  let token: string;
  const events = (query = '', init: RequestInit = {}, calendar = 'primary') =>
    fetch(`${sandbox.urls.googlecalendar}/calendars/${encodeURIComponent(calendar)}/events${query}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  const json = async (r: Response) => (await r.json()) as Record<string, unknown>;
  const items = (body: Record<string, unknown>) => body['items'] as Array<Record<string, unknown>>;
  const at = (days: number) => new Date(Date.UTC(2026, 2, 10) + days * DAY).toISOString();

  before(async () => {
    sandbox = await startSandbox({ now: NOW });
    token = (await tokensFor(sandbox, 'googlecalendar')).accessToken;
  });
  after(() => sandbox.close());

  test('paths and scopes match calendar-v3.json', () => {
    for (const [method, scopes] of Object.entries(CALENDAR_METHOD_SCOPES)) {
      const m = discoveryMethod(spec, method);
      assert.deepEqual([...scopes].sort(), [...(m['scopes'] as string[])].sort(), method);
    }
    assert.equal(discoveryMethod(spec, 'events.list')['path'], 'calendars/{calendarId}/events');
    assert.equal(`${spec['rootUrl']}${spec['servicePath']}`, 'https://www.googleapis.com/calendar/v3/');
  });

  test('events.list conforms to Events; singleEvents expands the recurring standup', async () => {
    const response = await events(`?timeMin=${at(0)}&timeMax=${at(7)}&singleEvents=true&orderBy=startTime`);
    assert.equal(response.status, 200);
    const body = await json(response);
    assertConforms(body, discoveryResponse(spec, 'events.list'), D);
    const list = items(body);
    const standups = list.filter((e) => e['summary'] === 'Team standup');
    assert.equal(standups.length, 5, 'weekdays only (BYDAY=MO..FR)');
    assert.ok(
      standups.every((e) => typeof e['recurringEventId'] === 'string' && String(e['id']).includes('_')),
    );
    const starts = list.map((e) =>
      Date.parse(
        String(
          (e['start'] as Record<string, string>)['dateTime'] ??
            `${(e['start'] as Record<string, string>)['date']}T00:00:00Z`,
        ),
      ),
    );
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
    );
    assert.ok(list.some((e) => e['summary'] === 'Quarterly planning'));
  });

  test('without singleEvents the series is one item; orderBy=startTime then is refused', async () => {
    const body = await json(await events(`?timeMin=${at(0)}&timeMax=${at(7)}`));
    assert.equal(items(body).filter((e) => e['summary'] === 'Team standup').length, 1);
    assert.ok(Array.isArray(items(body).find((e) => e['summary'] === 'Team standup')?.['recurrence']));
    const refused = await events('?orderBy=startTime');
    assert.equal(refused.status, 400);
    const error = await json(refused);
    assertConforms(error, googleErrorSchema, { spec: {} });
    assert.equal(
      (error['error'] as Record<string, unknown>)['message'],
      'The requested ordering is not available for the particular query.',
    );
  });

  test('q and maxResults/pageToken', async () => {
    const q = await json(await events('?q=ramen'));
    assert.deepEqual(
      items(q).map((e) => e['summary']),
      ['Dinner with John'],
    );
    const page1 = await json(
      await events(`?timeMin=${at(-3)}&timeMax=${at(10)}&singleEvents=true&orderBy=startTime&maxResults=3`),
    );
    assert.equal(items(page1).length, 3);
    const page2 = await json(
      await events(
        `?timeMin=${at(-3)}&timeMax=${at(10)}&singleEvents=true&orderBy=startTime&maxResults=3&pageToken=${page1['nextPageToken']}`,
      ),
    );
    assert.notDeepEqual(
      items(page2).map((e) => e['id']),
      items(page1).map((e) => e['id']),
    );
  });

  test('events.insert then events.get and events.list see the new event', async () => {
    const created = await events('', {
      method: 'POST',
      body: JSON.stringify({
        summary: 'Sandbox review',
        location: 'Room 2',
        start: { dateTime: '2026-03-12T15:00:00+01:00', timeZone: 'Europe/Paris' },
        end: { dateTime: '2026-03-12T15:30:00+01:00', timeZone: 'Europe/Paris' },
        attendees: [{ email: 'bob@example.com' }],
      }),
    });
    assert.equal(created.status, 200);
    const event = await json(created);
    assertConforms(event, discoveryResponse(spec, 'events.insert'), D);
    assert.equal(event['status'], 'confirmed');
    assert.deepEqual(event['organizer'], { email: 'alice@example.com', self: true });
    const got = await fetch(
      `${sandbox.urls.googlecalendar}/calendars/alice%40example.com/events/${event['id']}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    assert.equal(got.status, 200);
    const fetched = await json(got);
    assertConforms(fetched, discoveryResponse(spec, 'events.get'), D);
    assert.equal(fetched['summary'], 'Sandbox review');
    const listed = await json(await events(`?timeMin=${at(2)}&timeMax=${at(3)}&singleEvents=true&q=review`));
    assert.deepEqual(
      items(listed).map((e) => e['id']),
      [event['id']],
    );
    assert.ok(sandbox.state.googlecalendar.events('alice').some((e) => e.id === event['id']));
  });

  test('failure shapes: missing end, empty range, unknown event, other calendar', async () => {
    const noEnd = await events('', {
      method: 'POST',
      body: JSON.stringify({ summary: 'x', start: { dateTime: '2026-03-12T15:00:00Z' } }),
    });
    assert.equal(noEnd.status, 400);
    const body = await json(noEnd);
    assertConforms(body, googleErrorSchema, { spec: {} });
    assert.equal((body['error'] as Record<string, unknown>)['message'], 'Missing end time.');
    const empty = await events(`?timeMin=${at(3)}&timeMax=${at(2)}`);
    assert.equal(empty.status, 400);
    const missing = await fetch(`${sandbox.urls.googlecalendar}/calendars/primary/events/doesnotexist`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(missing.status, 404);
    assertConforms(await json(missing), googleErrorSchema, { spec: {} });
    const other = await events('', {}, 'bob@example.com');
    assert.equal(other.status, 404);
  });
});
