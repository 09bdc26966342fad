// Google Calendar API v3 imitation (base https://www.googleapis.com/calendar/v3): events.list, events.get,
// events.insert on calendars/{calendarId} (`primary` or the user's address). Shapes from google/calendar-v3.json.

import type { Context } from 'hono';
import { Hono } from 'hono';
import type { TokenVerifier } from '../../auth/verify.ts';
import type { Calendar, CalendarEvent, CalendarState, EventTime } from './calendar-state.ts';
import { googleAuth, googleError, googleJson } from './common.ts';
import { expand, seriesEnd, timeOf } from './recurrence.ts';

const C = 'https://www.googleapis.com/auth/calendar';
export const CALENDAR_METHOD_SCOPES = {
  'events.list': [
    C,
    `${C}.app.created`,
    `${C}.events`,
    `${C}.events.freebusy`,
    `${C}.events.owned`,
    `${C}.events.owned.readonly`,
    `${C}.events.public.readonly`,
    `${C}.events.readonly`,
    `${C}.readonly`,
  ],
  'events.get': [
    C,
    `${C}.app.created`,
    `${C}.events`,
    `${C}.events.freebusy`,
    `${C}.events.owned`,
    `${C}.events.owned.readonly`,
    `${C}.events.public.readonly`,
    `${C}.events.readonly`,
    `${C}.readonly`,
  ],
  'events.insert': [C, `${C}.app.created`, `${C}.events`, `${C}.events.owned`],
} as const;
type Method = keyof typeof CALENDAR_METHOD_SCOPES;

const SERVICE = 'calendar-json.googleapis.com';
const RPC: Record<Method, string> = {
  'events.list': 'calendar.v3.Events.List',
  'events.get': 'calendar.v3.Events.Get',
  'events.insert': 'calendar.v3.Events.Insert',
};

// Calendar v3 answers request errors in the older envelope (no `status`).
const calendarError = (c: Context, code: 400 | 404, reason: string, message: string) =>
  googleError(c, code, message, [{ domain: 'global', reason, message }]);
const notFound = (c: Context) => calendarError(c, 404, 'notFound', 'Not Found');

function parseInstant(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

function validTime(t: unknown): t is EventTime {
  if (!t || typeof t !== 'object') return false;
  const { date, dateTime } = t as EventTime;
  if (dateTime !== undefined) return typeof dateTime === 'string' && parseInstant(dateTime) !== null;
  return typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date);
}

function matchesText(e: CalendarEvent, q: string): boolean {
  const hay = [
    e.summary,
    e.description,
    e.location,
    ...(e.attendees ?? []).flatMap((a) => [a.email, a.displayName]),
  ]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

export function createCalendarApp(state: CalendarState, verify: TokenVerifier): Hono {
  const app = new Hono();

  async function authorize(c: Context, method: Method): Promise<Calendar | Response> {
    const auth = await googleAuth(c, verify, [...CALENDAR_METHOD_SCOPES[method]], SERVICE, RPC[method]);
    if (!auth.ok) return auth.response;
    const cal = state.calendar(auth.check.user);
    const id = decodeURIComponent(c.req.param('calendarId') ?? '');
    if (id !== 'primary' && id.toLowerCase() !== cal.user.email) return notFound(c);
    return cal;
  }

  app.get('/calendar/v3/calendars/:calendarId/events', async (c) => {
    const cal = await authorize(c, 'events.list');
    if (cal instanceof Response) return cal;
    const timeMin = parseInstant(c.req.query('timeMin'));
    const timeMax = parseInstant(c.req.query('timeMax'));
    if (timeMin === null || timeMax === null) return calendarError(c, 400, 'badRequest', 'Bad Request');
    if (timeMin !== undefined && timeMax !== undefined && timeMax <= timeMin) {
      return calendarError(c, 400, 'timeRangeEmpty', 'The specified time range is empty.');
    }
    const singleEvents = c.req.query('singleEvents') === 'true';
    const orderBy = c.req.query('orderBy');
    if (orderBy !== undefined && orderBy !== 'startTime' && orderBy !== 'updated') {
      return calendarError(c, 400, 'invalidParameter', `Invalid value for: ${orderBy} is not a valid value`);
    }
    if (orderBy === 'startTime' && !singleEvents) {
      return calendarError(
        c,
        400,
        'badRequest',
        'The requested ordering is not available for the particular query.',
      );
    }
    const maxRaw = c.req.query('maxResults');
    const max = maxRaw === undefined ? 250 : Number(maxRaw);
    if (!Number.isInteger(max) || max < 1)
      return calendarError(
        c,
        400,
        'invalid',
        `Invalid value '${maxRaw}'. Values must be within the range: [1, 2500]`,
      );
    const from = timeMin ?? Number.NEGATIVE_INFINITY;
    const to = timeMax ?? Date.now() + 3 * 365 * 86_400_000;
    const q = c.req.query('q');
    let items: CalendarEvent[] = [];
    for (const event of cal.events) {
      if (singleEvents) {
        for (const instance of expand(event, from, to)) {
          if (timeOf(instance.end) > from && timeOf(instance.start) < to) items.push(instance);
        }
      } else if (seriesEnd(event) > from && timeOf(event.start) < to) items.push(event);
    }
    if (q) items = items.filter((e) => matchesText(e, q));
    if (orderBy === 'startTime') items.sort((a, b) => timeOf(a.start) - timeOf(b.start));
    if (orderBy === 'updated') items.sort((a, b) => Date.parse(a.updated) - Date.parse(b.updated));
    const pageToken = c.req.query('pageToken');
    const offset = pageToken ? Number.parseInt(Buffer.from(pageToken, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      return calendarError(c, 400, 'invalid', 'Invalid page token value.');
    const size = Math.min(max, 2500);
    const page = items.slice(offset, offset + size);
    const body: Record<string, unknown> = {
      kind: 'calendar#events',
      etag: `"p${cal.updated.replace(/\D/g, '').slice(0, 16)}"`,
      summary: cal.user.email,
      description: '',
      updated: cal.updated,
      timeZone: cal.user.timeZone,
      accessRole: 'owner',
      defaultReminders: [{ method: 'popup', minutes: 10 }],
    };
    if (offset + size < items.length)
      body['nextPageToken'] = Buffer.from(String(offset + size)).toString('base64url');
    else body['nextSyncToken'] = Buffer.from(`sync:${cal.updated}`).toString('base64url');
    body['items'] = page;
    return googleJson(c, body);
  });

  app.get('/calendar/v3/calendars/:calendarId/events/:eventId', async (c) => {
    const cal = await authorize(c, 'events.get');
    if (cal instanceof Response) return cal;
    const id = c.req.param('eventId');
    const direct = cal.events.find((e) => e.id === id);
    if (direct) return googleJson(c, direct);
    const [masterId] = id.split('_');
    const master = cal.events.find((e) => e.id === masterId && e.recurrence);
    const instance = master
      ? expand(master, Number.NEGATIVE_INFINITY, Date.now() + 3 * 365 * 86_400_000).find((e) => e.id === id)
      : undefined;
    return instance ? googleJson(c, instance) : notFound(c);
  });

  app.post('/calendar/v3/calendars/:calendarId/events', async (c) => {
    const cal = await authorize(c, 'events.insert');
    if (cal instanceof Response) return cal;
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return calendarError(c, 400, 'parseError', 'Parse Error');
    }
    if (!body || typeof body !== 'object') return calendarError(c, 400, 'parseError', 'Parse Error');
    if (body['start'] === undefined) return calendarError(c, 400, 'required', 'Missing start time.');
    if (body['end'] === undefined) return calendarError(c, 400, 'required', 'Missing end time.');
    if (!validTime(body['start']) || !validTime(body['end']))
      return calendarError(c, 400, 'invalid', 'Invalid start time.');
    if (timeOf(body['end']) <= timeOf(body['start'])) {
      return calendarError(c, 400, 'timeRangeEmpty', 'The specified time range is empty.');
    }
    const { id, kind: _k, etag: _e, creator: _c, organizer: _o, created: _cr, updated: _u, ...rest } = body;
    if (id !== undefined && (typeof id !== 'string' || !/^[a-v0-9]{5,1024}$/.test(id))) {
      return calendarError(c, 400, 'invalid', 'Invalid resource id value.');
    }
    if (typeof id === 'string' && cal.events.some((e) => e.id === id)) {
      return googleError(c, 409, 'The requested identifier already exists.', [
        { domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' },
      ]);
    }
    const event = state.insert(cal.user.name, {
      ...(rest as Partial<CalendarEvent>),
      ...(typeof id === 'string' ? { id } : {}),
      start: body['start'],
      end: body['end'],
    });
    return googleJson(c, event);
  });

  app.notFound((c) => notFound(c));
  return app;
}
