// Each user's primary calendar: events stored in Google's Event shape, recurring series expanded on read.
import { hexId } from '../../ids.ts';
import type { SandboxUser, UserDirectory } from '../../users.ts';

export interface EventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

export type CalendarEvent = Record<string, unknown> & {
  id: string;
  summary?: string;
  description?: string;
  location?: string;
  start: EventTime;
  end: EventTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventTime;
  attendees?: Array<{
    email: string;
    displayName?: string;
    responseStatus?: string;
    self?: boolean;
    organizer?: boolean;
  }>;
  updated: string;
  status: string;
};

export interface Calendar {
  user: SandboxUser;
  events: CalendarEvent[];
  updated: string;
}

export interface CalendarState {
  calendar(user: string): Calendar;
  events(user: string): CalendarEvent[];
  insert(user: string, event: Partial<CalendarEvent> & { start: EventTime; end: EventTime }): CalendarEvent;
}

const DAY = 86_400_000;

/** `2024-05-01T10:00:00+02:00` for an instant in a time zone. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  const zone = offset === '+00:00' || offset === '' ? 'Z' : offset;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${zone}`;
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Google-style event id: lower-case base32hex, 26 characters. */
export function eventId(...parts: (string | number)[]): string {
  return hexId(26, 'gcal', ...parts)
    .replace(/[a-f]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 5))
    .toLowerCase();
}

export function createCalendarState(users: UserDirectory, now: number): CalendarState {
  const today = Math.floor(now / DAY) * DAY;
  const stamp = new Date(today - 30 * DAY).toISOString();
  const calendars = new Map<string, Calendar>();
  let seq = 0;

  const build = (
    user: SandboxUser,
    data: Partial<CalendarEvent> & { start: EventTime; end: EventTime },
    key: string | number,
    created = stamp,
  ): CalendarEvent => {
    const id = typeof data.id === 'string' && data.id ? data.id : eventId(user.name, key);
    const updated = created;
    const event: CalendarEvent = {
      kind: 'calendar#event',
      etag: `"${Number.parseInt(hexId(13, 'etag', id, created), 16)}"`,
      id,
      status: 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${user.email}`).toString('base64url')}`,
      created,
      updated,
      ...data,
      creator: { email: user.email, self: true },
      organizer: { email: user.email, self: true },
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: data.reminders ?? { useDefault: true },
      eventType: data['eventType'] ?? 'default',
    } as CalendarEvent;
    if (event.attendees) {
      event.attendees = event.attendees.map((a) => ({
        ...a,
        responseStatus: a.responseStatus ?? (a.email === user.email ? 'accepted' : 'needsAction'),
        ...(a.email === user.email ? { self: true, organizer: true } : {}),
      }));
    }
    return event;
  };

  for (const user of users.all) {
    const others = users.all.filter((u) => u !== user);
    const peer = others[0] ?? user;
    const peer2 = others[1] ?? peer;
    const tz = user.timeZone;
    const at = (dayOffset: number, hour: number, minute = 0) =>
      formatInZone(today + dayOffset * DAY + (hour * 60 + minute) * 60_000, tz);
    const timed = (d: number, h: number, m: number, minutes: number) => ({
      start: { dateTime: at(d, h, m), timeZone: tz },
      end: { dateTime: formatInZone(today + d * DAY + (h * 60 + m + minutes) * 60_000, tz), timeZone: tz },
    });
    const events: CalendarEvent[] = [
      build(
        user,
        {
          summary: 'Team standup',
          ...timed(-7, 9, 30, 15),
          recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'],
        },
        1,
      ),
      build(
        user,
        {
          summary: 'Quarterly planning',
          description: 'Go over the Q3 roadmap and lock the launch date.',
          location: 'Room 4A',
          ...timed(1, 10, 0, 60),
          attendees: [{ email: user.email }, { email: peer.email, displayName: peer.displayName }],
        },
        2,
      ),
      build(
        user,
        {
          summary: 'Company offsite',
          start: { date: isoDate(today + 7 * DAY) },
          end: { date: isoDate(today + 9 * DAY) },
        },
        3,
      ),
      build(user, { summary: `1:1 with ${peer2.givenName}`, ...timed(-2, 14, 0, 30) }, 4),
      build(
        user,
        {
          summary: `Dinner with ${peer2.givenName}`,
          location: 'Ramen Place, Main St',
          ...timed(4, 19, 0, 120),
        },
        5,
      ),
      build(
        user,
        { summary: 'Weekly review', ...timed(-14, 16, 0, 45), recurrence: ['RRULE:FREQ=WEEKLY;COUNT=8'] },
        6,
      ),
    ];
    calendars.set(user.name, { user, events, updated: stamp });
  }

  const calendar = (name: string): Calendar => {
    const cal = calendars.get(users.find(name)?.name ?? name);
    if (!cal) throw new Error(`no calendar for ${name}`);
    return cal;
  };

  return {
    calendar,
    events: (user) => [...calendar(user).events],
    insert(user, data) {
      const cal = calendar(user);
      const created = new Date().toISOString();
      const event = build(cal.user, data, `new-${Date.now()}-${++seq}`, created);
      cal.events.push(event);
      cal.updated = created;
      return event;
    },
  };
}
