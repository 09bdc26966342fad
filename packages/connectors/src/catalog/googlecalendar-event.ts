/**
 * googlecalendar_create_event input → Calendar `events.insert` request (query + Event body).
 * The end time is the start plus the duration on the wall clock of the given start (offset kept),
 * so "10:00+02:00" + 90 min is "11:30+02:00"; across a DST change in `timezone` the length may
 * differ by the shift (Google interprets the wall-clock times in that zone).
 */
import { randomUUID } from 'node:crypto';
import { ToolInputError } from '../errors.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|z|[+-]\d{2}:\d{2})?$/;
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function addMinutes(start: string, minutes: number): string {
  const m = DATE_TIME.exec(start)!;
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  const d = new Date(ms + minutes * 60_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${time}${m[8] ?? ''}`;
}

function nextDay(date: string, days: number): string {
  const m = DATE.exec(date)!;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const optional = <T>(value: unknown, check: (v: unknown) => v is T): T | undefined =>
  check(value) ? value : undefined;
const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function buildEventRequest(input: Readonly<Record<string, unknown>>): {
  query: Record<string, string>;
  body: Record<string, unknown>;
} {
  const start = String(input['start_datetime'] ?? '');
  const timezone = optional(input['timezone'], isString);
  const hours = optional(input['event_duration_hour'], isInt);
  const minutes = optional(input['event_duration_minutes'], isInt);
  const duration = hours === undefined && minutes === undefined ? 60 : (hours ?? 0) * 60 + (minutes ?? 0);
  if (duration <= 0)
    throw new ToolInputError('event_duration_minutes', 'the event must last at least one minute');

  const body: Record<string, unknown> = { summary: input['summary'] };
  if (DATE.test(start)) {
    body['start'] = { date: start };
    body['end'] = { date: nextDay(start, Math.max(1, Math.ceil(duration / 1440))) };
  } else {
    const m = DATE_TIME.exec(start);
    if (m === null)
      throw new ToolInputError(
        'start_datetime',
        'must be RFC 3339 (2025-03-04T15:00:00+01:00) or YYYY-MM-DD',
      );
    if (m[8] === undefined && timezone === undefined) {
      throw new ToolInputError('timezone', 'is required when start_datetime has no UTC offset');
    }
    const zone = timezone === undefined ? {} : { timeZone: timezone };
    body['start'] = { dateTime: start, ...zone };
    body['end'] = { dateTime: addMinutes(start, duration), ...zone };
  }
  const copy: [string, string, (v: unknown) => boolean][] = [
    ['description', 'description', isString],
    ['location', 'location', isString],
    ['guests_can_invite_others', 'guestsCanInviteOthers', isBool],
    ['guests_can_modify', 'guestsCanModify', isBool],
    ['guests_can_see_other_guests', 'guestsCanSeeOtherGuests', isBool],
    ['transparency', 'transparency', isString],
    ['visibility', 'visibility', isString],
    ['event_type', 'eventType', isString],
  ];
  for (const [from, to, check] of copy) if (check(input[from])) body[to] = input[from];
  const attendees = input['attendees_emails'];
  if (Array.isArray(attendees) && attendees.length > 0)
    body['attendees'] = attendees.map((email) => ({ email: String(email) }));
  const recurrence = input['recurrence'];
  if (Array.isArray(recurrence) && recurrence.length > 0) body['recurrence'] = recurrence.map(String);

  const query: Record<string, string> = {};
  if (input['create_meeting_room'] === true) {
    body['conferenceData'] = {
      createRequest: { requestId: randomUUID(), conferenceSolutionKey: { type: 'hangoutsMeet' } },
    };
    query['conferenceDataVersion'] = '1';
  }
  if (isBool(input['send_updates'])) query['sendUpdates'] = input['send_updates'] ? 'all' : 'none';
  return { query, body };
}
