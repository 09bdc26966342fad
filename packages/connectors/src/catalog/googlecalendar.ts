/**
 * Google Calendar. API: Calendar API v3 (shared/specs/google/calendar-v3.json), base
 * https://www.googleapis.com/calendar/v3 (tool paths are relative to it).
 * Scopes: calendar.events (read and write events on every calendar the user can access).
 */
import type { ConnectorInput } from '../model/connector.ts';
import type { ToolContext } from '../runtime/types.ts';
import { googleErrors, googleOAuth } from './google.ts';
import { buildEventRequest } from './googlecalendar-event.ts';
import { bool, CREATES, int, objectSchema, READ_ONLY, str, strArray } from './schema.ts';

const SCOPE = 'https://www.googleapis.com/auth/';
const AVAILABLE_SCOPES = [
  'calendar',
  'calendar.acls',
  'calendar.acls.readonly',
  'calendar.app.created',
  'calendar.calendarlist',
  'calendar.calendarlist.readonly',
  'calendar.calendars',
  'calendar.calendars.readonly',
  'calendar.events',
  'calendar.events.freebusy',
  'calendar.events.owned',
  'calendar.events.owned.readonly',
  'calendar.events.public.readonly',
  'calendar.events.readonly',
  'calendar.freebusy',
  'calendar.readonly',
  'calendar.settings.readonly',
].map((s) => SCOPE + s);
const READ_SCOPES = ['calendar', 'calendar.events', 'calendar.events.readonly', 'calendar.readonly'].map(
  (s) => SCOPE + s,
);
const WRITE_SCOPES = ['calendar', 'calendar.events', 'calendar.events.owned'].map((s) => SCOPE + s);

const EVENTS = '/calendars/{calendarId}/events';
const EVENT = '/calendars/{calendarId}/events/{eventId}';
const calendarId = str(
  'Calendar ID: "primary" (default) for the user\'s main calendar, or an ID such as an email address.',
);
const ignoredForGet = (what: string): string =>
  `${what} Accepted for compatibility; an event fetched by ID is returned whatever this says.`;

async function createEvent(ctx: ToolContext): Promise<Record<string, unknown>> {
  const { query, body } = buildEventRequest(ctx.input);
  const calendar = typeof ctx.input['calendar_id'] === 'string' ? ctx.input['calendar_id'] : 'primary';
  const res = await ctx.call({
    method: 'POST',
    path: ctx.path(EVENTS, { calendarId: calendar }),
    query,
    body: { json: body },
  });
  return res.body as Record<string, unknown>;
}

export const googlecalendar: ConnectorInput = {
  slug: 'googlecalendar',
  display_name: 'Google Calendar',
  description: 'Read and create events in Google Calendar.',
  categories: ['Communication', 'Calendar'],
  docs_url: 'https://developers.google.com/workspace/calendar/api/v3/reference',
  kind: 'rest',
  auth: googleOAuth([`${SCOPE}calendar.events`], AVAILABLE_SCOPES),
  api: { base_url: 'https://www.googleapis.com/calendar/v3' },
  errors: googleErrors,
  tools: [
    {
      name: 'googlecalendar_list_events',
      display_name: 'List events',
      description:
        'List events of a calendar, optionally within a time window (time_min/time_max, RFC 3339 with offset, e.g. "2025-03-01T00:00:00Z") or matching free text. Use it to see what is scheduled. Set single_events true to expand recurring events into occurrences (needed for order_by "startTime"). Returns {items: [event…], nextPageToken?, timeZone, …}; each event has id, summary, start, end, attendees, htmlLink.',
      input_schema: objectSchema({
        calendar_id: calendarId,
        time_min: str('Only events ending after this time (RFC 3339 with offset).'),
        time_max: str('Only events starting before this time (RFC 3339 with offset).'),
        query: str('Free text matched against summary, description, location, attendees.'),
        single_events: bool('Expand recurring events into single occurrences. Default false.'),
        order_by: str('"startTime" (requires single_events true) or "updated".', {
          enum: ['startTime', 'updated'],
        }),
        max_results: int('Maximum events per page (default 250 by Google).', { minimum: 1, maximum: 2500 }),
        page_token: str('nextPageToken from a previous call.'),
      }),
      annotations: READ_ONLY,
      scopes: READ_SCOPES,
      operations: [{ id: 'calendar.events.list', method: 'GET', path: EVENTS }],
      executor: {
        type: 'http',
        method: 'GET',
        path: EVENTS,
        path_params: { calendarId: { from: 'calendar_id', default: 'primary' } },
        query: {
          timeMin: { from: 'time_min' },
          timeMax: { from: 'time_max' },
          q: { from: 'query' },
          singleEvents: { from: 'single_events' },
          orderBy: { from: 'order_by' },
          maxResults: { from: 'max_results' },
          pageToken: { from: 'page_token' },
        },
      },
    },
    {
      name: 'googlecalendar_create_event',
      display_name: 'Create event',
      description:
        'Create an event. Give summary and start_datetime (RFC 3339, e.g. "2025-03-04T15:00:00+01:00", or "2025-03-04T15:00:00" with timezone, or a date "2025-03-04" for an all-day event); duration defaults to 1 hour (event_duration_hour + event_duration_minutes). Can invite attendees, add a Google Meet link (create_meeting_room), repeat (recurrence RRULEs) and notify guests (send_updates). Returns the created event with id, htmlLink and, with a meeting room, hangoutLink.',
      input_schema: objectSchema(
        {
          summary: str('Event title.'),
          start_datetime: str(
            'Start: RFC 3339 date-time (with offset, or without and with timezone), or YYYY-MM-DD for all day.',
          ),
          event_duration_hour: int('Duration hours (added to minutes; default 1 hour in total).', {
            minimum: 0,
            maximum: 744,
          }),
          event_duration_minutes: int('Duration minutes.', { minimum: 0, maximum: 59999 }),
          timezone: str('IANA time zone, e.g. "Europe/Paris"; required when start_datetime has no offset.'),
          calendar_id: calendarId,
          description: str('Event description (plain text or simple HTML).'),
          location: str('Free-form location.'),
          attendees_emails: strArray('Emails of people to invite.'),
          create_meeting_room: bool('Attach a new Google Meet link.'),
          recurrence: strArray('RFC 5545 lines, e.g. ["RRULE:FREQ=WEEKLY;COUNT=10"].'),
          send_updates: bool('Email invitations to attendees (true) or not (false, default).'),
          guests_can_invite_others: bool('Attendees may invite others.'),
          guests_can_modify: bool('Attendees may edit the event.'),
          guests_can_see_other_guests: bool('Attendees see the guest list.'),
          transparency: str('"opaque" blocks time (busy, default), "transparent" does not.', {
            enum: ['opaque', 'transparent'],
          }),
          visibility: str('Event visibility.', { enum: ['default', 'public', 'private', 'confidential'] }),
          event_type: str('Special event kinds; default "default".', {
            enum: ['default', 'focusTime', 'outOfOffice', 'workingLocation'],
          }),
        },
        ['summary', 'start_datetime'],
      ),
      annotations: CREATES,
      scopes: WRITE_SCOPES,
      operations: [{ id: 'calendar.events.insert', method: 'POST', path: EVENTS }],
      executor: { type: 'function', run: createEvent },
    },
    {
      name: 'googlecalendar_get_event_by_id',
      display_name: 'Get event by ID',
      description:
        'Get one event by its ID (from googlecalendar_list_events) with all details: summary, start, end, attendees and their responses, organizer, recurrence, conference links. Returns the event resource; a deleted event comes back with status "cancelled".',
      input_schema: objectSchema(
        {
          event_id: str('The event ID.'),
          calendar_id: calendarId,
          event_types: strArray(ignoredForGet('List filter by event type.')),
          query: str(ignoredForGet('List filter by text.')),
          show_deleted: bool(ignoredForGet('List option.')),
          single_events: bool(ignoredForGet('List option.')),
          time_max: str(ignoredForGet('List filter.')),
          time_min: str(ignoredForGet('List filter.')),
          updated_min: str(ignoredForGet('List filter.')),
        },
        ['event_id'],
      ),
      annotations: READ_ONLY,
      scopes: READ_SCOPES,
      operations: [{ id: 'calendar.events.get', method: 'GET', path: EVENT }],
      executor: {
        type: 'http',
        method: 'GET',
        path: EVENT,
        path_params: {
          calendarId: { from: 'calendar_id', default: 'primary' },
          eventId: { from: 'event_id' },
        },
      },
    },
  ],
};
