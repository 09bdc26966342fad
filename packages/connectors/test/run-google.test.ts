import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError, ToolInputError, type ToolRequest } from '../src/index.ts';
import { json, run } from './helpers.ts';

/** Parses a raw RFC 2822 message: unfolded headers (name → value) and the decoded body. */
function parseMime(raw: string): { headers: Map<string, string>; body: string } {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  assert.ok(
    !text.includes('\n') || text.split('\n').every((l, i, a) => i === a.length - 1 || l.endsWith('\r')),
    'CRLF lines',
  );
  const [head, payload] = text.split('\r\n\r\n') as [string, string];
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  assert.equal(headers.get('Content-Transfer-Encoding'), 'base64');
  for (const line of payload.trimEnd().split('\r\n'))
    assert.ok(line.length <= 76, 'body lines at most 76 characters');
  return { headers, body: Buffer.from(payload.replace(/\r\n/g, ''), 'base64').toString('utf8') };
}

/** Decodes RFC 2047 `=?UTF-8?B?…?=` words (adjacent words join without the folding space). */
const decodeWords = (value: string): string =>
  value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));

const sendBody = (req: ToolRequest): { raw: string; threadId?: string } =>
  (req.body as { json: { raw: string; threadId?: string } }).json;

describe('gmail', () => {
  it('gmail_fetch_mails lists, then fetches each message', async () => {
    const { data, requests } = await run(
      'gmail_fetch_mails',
      {
        query: 'is:unread from:alice@example.com',
        label_ids: ['INBOX', 'UNREAD'],
        max_results: 2,
        include_spam_trash: false,
      },
      (req) =>
        req.path.endsWith('/messages')
          ? json(200, {
              messages: [
                { id: 'm1', threadId: 't1' },
                { id: 'm2', threadId: 't2' },
              ],
              nextPageToken: 'p2',
              resultSizeEstimate: 7,
            })
          : json(200, { id: req.path.split('/').pop(), snippet: 'hi' }),
    );
    assert.deepEqual(requests[0], {
      method: 'GET',
      path: '/gmail/v1/users/me/messages',
      query: {
        maxResults: '2',
        q: 'is:unread from:alice@example.com',
        labelIds: ['INBOX', 'UNREAD'],
        includeSpamTrash: 'false',
      },
    });
    const detail = { format: 'metadata', metadataHeaders: ['From', 'To', 'Cc', 'Subject', 'Date'] };
    assert.deepEqual(requests.slice(1), [
      { method: 'GET', path: '/gmail/v1/users/me/messages/m1', query: detail },
      { method: 'GET', path: '/gmail/v1/users/me/messages/m2', query: detail },
    ]);
    assert.deepEqual(data, {
      messages: [
        { id: 'm1', snippet: 'hi' },
        { id: 'm2', snippet: 'hi' },
      ],
      resultSizeEstimate: 7,
      nextPageToken: 'p2',
    });
  });

  it('gmail_search_mails (alias) with defaults, and an empty mailbox', async () => {
    const { data, requests } = await run('gmail_search_mails', { format: 'full' }, () =>
      json(200, { resultSizeEstimate: 0 }),
    );
    assert.deepEqual(requests, [
      { method: 'GET', path: '/gmail/v1/users/me/messages', query: { maxResults: '10' } },
    ]);
    assert.deepEqual(data, { messages: [], resultSizeEstimate: 0 });
  });

  it('gmail_get_message_by_id and gmail_list_labels', async () => {
    const got = await run('gmail_get_message_by_id', { message_id: '18c2f' }, () =>
      json(200, { id: '18c2f' }),
    );
    assert.deepEqual(got.requests, [
      { method: 'GET', path: '/gmail/v1/users/me/messages/18c2f', query: { format: 'full' } },
    ]);
    assert.deepEqual(got.data, { id: '18c2f' });
    const labels = await run('gmail_list_labels', {}, () => json(200, { labels: [{ id: 'INBOX' }] }));
    assert.deepEqual(labels.requests, [{ method: 'GET', path: '/gmail/v1/users/me/labels' }]);
    assert.deepEqual(labels.data, { labels: [{ id: 'INBOX' }] });
  });

  it('gmail_send_message builds a MIME message (UTF-8 subject, names, HTML body, cc, bcc)', async () => {
    const body = 'Grüße aus Köln 👋\n<b>bold</b> '.repeat(8);
    const { data, requests } = await run(
      'gmail_send_message',
      {
        to: 'Zoë Ünal <zoe@example.com>, bob@example.com',
        cc: '"Doe, Jane" <jane@example.com>',
        bcc: 'audit@example.com',
        subject: 'Héllo ✓ — a subject long enough to need more than one encoded word, surely',
        body,
        content_type: 'text/html',
      },
      () => json(200, { id: 'sent1', threadId: 'th1', labelIds: ['SENT'] }),
    );
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.method, 'POST');
    assert.equal(requests[0]!.path, '/gmail/v1/users/me/messages/send');
    const sent = sendBody(requests[0]!);
    assert.deepEqual(Object.keys(sent), ['raw']);
    assert.match(sent.raw, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
    const { headers, body: decoded } = parseMime(sent.raw);
    assert.deepEqual(
      [...headers.keys()],
      ['To', 'Cc', 'Bcc', 'Subject', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding'],
    );
    assert.equal(decodeWords(headers.get('To')!), 'Zoë Ünal <zoe@example.com>, bob@example.com');
    assert.equal(headers.get('Cc'), '"Doe, Jane" <jane@example.com>');
    assert.equal(headers.get('Bcc'), 'audit@example.com');
    assert.equal(
      decodeWords(headers.get('Subject')!),
      'Héllo ✓ — a subject long enough to need more than one encoded word, surely',
    );
    assert.ok(
      headers
        .get('Subject')!
        .split(' ')
        .every((w) => w.length <= 75),
    );
    assert.equal(headers.get('Content-Type'), 'text/html; charset="UTF-8"');
    assert.equal(decoded, body);
    assert.deepEqual(data, { id: 'sent1', threadId: 'th1', labelIds: ['SENT'] });
  });

  it('gmail_send_mail (alias) sends plain text with ASCII headers as they are', async () => {
    const { requests } = await run('gmail_send_mail', { to: 'a@example.com', subject: 'Hi', body: 'Hello' });
    const { headers, body } = parseMime(sendBody(requests[0]!).raw);
    assert.equal(headers.get('Subject'), 'Hi');
    assert.equal(headers.get('To'), 'a@example.com');
    assert.equal(headers.get('Content-Type'), 'text/plain; charset="UTF-8"');
    assert.equal(body, 'Hello');
  });

  it('gmail_send_message replies in a thread with In-Reply-To and References', async () => {
    const { requests } = await run(
      'gmail_send_message',
      { to: 'a@example.com', subject: 'Re: plan', body: 'ok', thread_id: 't9' },
      (req) =>
        req.method === 'GET'
          ? json(200, {
              messages: [
                { payload: { headers: [{ name: 'Message-ID', value: '<first@x>' }] } },
                {
                  payload: {
                    headers: [
                      { name: 'Message-Id', value: '<second@x>' },
                      { name: 'References', value: '<first@x>' },
                    ],
                  },
                },
              ],
            })
          : json(200, { id: 's', threadId: 't9' }),
    );
    assert.deepEqual(requests[0], {
      method: 'GET',
      path: '/gmail/v1/users/me/threads/t9',
      query: { format: 'metadata', metadataHeaders: ['Message-ID', 'References'] },
    });
    const sent = sendBody(requests[1]!);
    assert.equal(sent.threadId, 't9');
    const { headers } = parseMime(sent.raw);
    assert.equal(headers.get('In-Reply-To'), '<second@x>');
    assert.equal(headers.get('References'), '<first@x> <second@x>');
  });

  it('gmail_send_message without a read scope still sends into the thread', async () => {
    const { requests } = await run(
      'gmail_send_message',
      { to: 'a@example.com', subject: 'S', body: 'b', thread_id: 't9' },
      (req) =>
        req.method === 'GET'
          ? json(403, {
              error: { code: 403, status: 'PERMISSION_DENIED', message: 'Insufficient Permission' },
            })
          : json(200, {}),
    );
    assert.equal(requests.length, 2);
    const sent = sendBody(requests[1]!);
    assert.equal(sent.threadId, 't9');
    assert.equal(parseMime(sent.raw).headers.get('In-Reply-To'), undefined);
  });

  it('gmail_send_message refuses header injection and bad addresses before any request', async () => {
    for (const input of [
      { to: 'a@example.com', subject: 'Hi\r\nBcc: everyone@example.com', body: 'x' },
      { to: 'a@example.com\nBcc: x@example.com', subject: 'Hi', body: 'x' },
      { to: 'not an address', subject: 'Hi', body: 'x' },
      { to: ' , ', subject: 'Hi', body: 'x' },
    ]) {
      await assert.rejects(
        run('gmail_send_message', input, () => assert.fail('no request expected')),
        ToolInputError,
      );
    }
  });

  it('Google errors become ProviderError with the status name as code', async () => {
    const err = await run('gmail_get_message_by_id', { message_id: 'nope' }, () =>
      json(404, {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          errors: [{ reason: 'notFound', domain: 'global' }],
        },
      }),
    ).catch((e: unknown) => e);
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'NOT_FOUND');
    assert.equal(err.providerMessage, 'Requested entity was not found.');
    assert.deepEqual(err.details, ['reason=notFound domain=global']);
  });

  it('message IDs cannot climb out of the messages collection', async () => {
    const { requests } = await run('gmail_get_message_by_id', { message_id: '../../labels?x=1#f' });
    assert.equal(requests[0]!.path, '/gmail/v1/users/me/messages/..%2F..%2Flabels%3Fx%3D1%23f');
    for (const message_id of ['..', '.', '']) {
      await assert.rejects(
        run('gmail_get_message_by_id', { message_id }, () => assert.fail('no request expected')),
        ToolInputError,
      );
    }
  });
});

describe('googlecalendar', () => {
  it('googlecalendar_list_events maps filters onto events.list', async () => {
    const { requests, data } = await run(
      'googlecalendar_list_events',
      {
        time_min: '2025-03-01T00:00:00Z',
        time_max: '2025-03-08T00:00:00Z',
        single_events: true,
        order_by: 'startTime',
        max_results: 5,
        query: 'standup',
      },
      () => json(200, { items: [{ id: 'e1' }] }),
    );
    assert.deepEqual(requests, [
      {
        method: 'GET',
        path: '/calendars/primary/events',
        query: {
          timeMin: '2025-03-01T00:00:00Z',
          timeMax: '2025-03-08T00:00:00Z',
          q: 'standup',
          singleEvents: 'true',
          orderBy: 'startTime',
          maxResults: '5',
        },
      },
    ]);
    assert.deepEqual(data, { items: [{ id: 'e1' }] });
  });

  it('googlecalendar_create_event computes the end, attendees, Meet link and notifications', async () => {
    const { requests } = await run('googlecalendar_create_event', {
      summary: 'Late review',
      start_datetime: '2025-03-04T23:30:00+01:00',
      event_duration_hour: 1,
      event_duration_minutes: 30,
      calendar_id: 'team@group.calendar.google.com',
      attendees_emails: ['a@example.com', 'b@example.com'],
      create_meeting_room: true,
      send_updates: true,
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      guests_can_modify: false,
      visibility: 'private',
      location: 'Room 1',
    });
    assert.equal(requests.length, 1);
    const req = requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/calendars/team%40group.calendar.google.com/events');
    assert.deepEqual(req.query, { conferenceDataVersion: '1', sendUpdates: 'all' });
    const body = (req.body as { json: { conferenceData: { createRequest: { requestId: string } } } }).json;
    const requestId = body.conferenceData.createRequest.requestId;
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(body, {
      summary: 'Late review',
      start: { dateTime: '2025-03-04T23:30:00+01:00' },
      end: { dateTime: '2025-03-05T01:00:00+01:00' },
      location: 'Room 1',
      guestsCanModify: false,
      visibility: 'private',
      attendees: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      conferenceData: { createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
    });
  });

  it('googlecalendar_create_event: local time with a zone, all-day, and refusals', async () => {
    const local = await run('googlecalendar_create_event', {
      summary: 'x',
      start_datetime: '2025-10-26T09:00',
      timezone: 'Europe/Paris',
      send_updates: false,
    });
    const body = (local.requests[0]!.body as { json: Record<string, unknown> }).json;
    assert.deepEqual(body['start'], { dateTime: '2025-10-26T09:00', timeZone: 'Europe/Paris' });
    assert.deepEqual(body['end'], { dateTime: '2025-10-26T10:00:00', timeZone: 'Europe/Paris' });
    assert.deepEqual(local.requests[0]!.query, { sendUpdates: 'none' });
    const allDay = await run('googlecalendar_create_event', { summary: 'x', start_datetime: '2025-12-31' });
    const allDayBody = (allDay.requests[0]!.body as { json: Record<string, unknown> }).json;
    assert.deepEqual(
      [allDayBody['start'], allDayBody['end']],
      [{ date: '2025-12-31' }, { date: '2026-01-01' }],
    );
    for (const input of [
      { summary: 'x', start_datetime: '2025-10-26T09:00' },
      { summary: 'x', start_datetime: 'tomorrow 9am' },
      {
        summary: 'x',
        start_datetime: '2025-10-26T09:00Z',
        event_duration_hour: 0,
        event_duration_minutes: 0,
      },
    ]) {
      await assert.rejects(
        run('googlecalendar_create_event', input, () => assert.fail('no request expected')),
        ToolInputError,
      );
    }
  });

  it('googlecalendar_get_event_by_id calls events.get (list filters are accepted, not sent)', async () => {
    const { requests } = await run('googlecalendar_get_event_by_id', {
      event_id: 'e 1/2',
      query: 'ignored',
      show_deleted: true,
    });
    assert.deepEqual(requests, [{ method: 'GET', path: '/calendars/primary/events/e%201%2F2' }]);
  });
});
