// RRULE expansion for the subset the sandbox seeds and accepts: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL,
// COUNT, UNTIL, BYDAY (weekly). Instances get Google's ids: `<eventId>_<YYYYMMDDTHHMMSSZ>` / `_<YYYYMMDD>`.
import { type CalendarEvent, type EventTime, formatInZone } from './calendar-state.ts';

const DAY = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const MAX_OCCURRENCES = 2000;

export function timeOf(t: EventTime): number {
  if (t.dateTime) return Date.parse(t.dateTime);
  if (t.date) return Date.parse(`${t.date}T00:00:00Z`);
  return Number.NaN;
}

interface Rule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  interval: number;
  count?: number;
  until?: number;
  byDay?: number[];
}

function parseRule(lines: string[] | undefined): Rule | undefined {
  const line = lines?.find((l) => l.startsWith('RRULE:'));
  if (!line) return undefined;
  const fields = Object.fromEntries(
    line
      .slice(6)
      .split(';')
      .map((kv) => kv.split('=') as [string, string]),
  );
  const freq = fields['FREQ'];
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') return undefined;
  const rule: Rule = { freq, interval: Math.max(1, Number(fields['INTERVAL'] ?? 1) || 1) };
  if (fields['COUNT']) rule.count = Number(fields['COUNT']);
  if (fields['UNTIL']) {
    const u = fields['UNTIL'];
    const iso = `${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}${u.length > 8 ? `T${u.slice(9, 11)}:${u.slice(11, 13)}:${u.slice(13, 15)}Z` : 'T23:59:59Z'}`;
    rule.until = Date.parse(iso);
  }
  if (fields['BYDAY']) rule.byDay = fields['BYDAY'].split(',').map((d) => WEEKDAYS.indexOf(d.slice(-2)));
  return rule;
}

/** Start instants of a series, in order (bounded). */
function occurrences(start: number, rule: Rule, until: number): number[] {
  const out: number[] = [];
  const stop = Math.min(until, rule.until ?? Number.POSITIVE_INFINITY);
  const push = (t: number) => {
    if (t >= start && t <= stop && (rule.count === undefined || out.length < rule.count)) out.push(t);
  };
  for (let i = 0; out.length < MAX_OCCURRENCES; i++) {
    let base: number;
    if (rule.freq === 'DAILY') base = start + i * rule.interval * DAY;
    else if (rule.freq === 'WEEKLY') base = start + i * rule.interval * 7 * DAY;
    else {
      const d = new Date(start);
      d.setUTCMonth(d.getUTCMonth() + i * rule.interval);
      base = d.getTime();
    }
    const weekStart = base - new Date(base).getUTCDay() * DAY;
    const periodStart = rule.freq === 'WEEKLY' && rule.byDay?.length ? weekStart : base;
    if (periodStart > stop || (rule.count !== undefined && out.length >= rule.count)) break;
    if (rule.freq === 'WEEKLY' && rule.byDay?.length) {
      for (const day of [...rule.byDay].sort((a, b) => a - b)) push(weekStart + day * DAY);
    } else push(base);
  }
  return out;
}

function shift(t: EventTime, delta: number, allDay: boolean): EventTime {
  const at = timeOf(t) + delta;
  if (allDay) return { date: new Date(at).toISOString().slice(0, 10) };
  if (t.timeZone) return { dateTime: formatInZone(at, t.timeZone), timeZone: t.timeZone };
  return { dateTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

function instanceSuffix(at: number, allDay: boolean): string {
  const iso = new Date(at).toISOString();
  return allDay ? iso.slice(0, 10).replace(/-/g, '') : `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** Instances of a recurring event whose time span may intersect [from, to). Non-recurring: the event itself. */
export function expand(event: CalendarEvent, from: number, to: number): CalendarEvent[] {
  const rule = parseRule(event.recurrence);
  if (!rule) return [event];
  const start = timeOf(event.start);
  const duration = timeOf(event.end) - start;
  const allDay = Boolean(event.start.date);
  const out: CalendarEvent[] = [];
  for (const at of occurrences(start, rule, to)) {
    if (at + duration <= from) continue;
    const delta = at - start;
    const { recurrence: _r, ...rest } = event;
    out.push({
      ...rest,
      id: `${event.id}_${instanceSuffix(at, allDay)}`,
      recurringEventId: event.id,
      originalStartTime: shift(event.start, delta, allDay),
      start: shift(event.start, delta, allDay),
      end: shift(event.end, delta, allDay),
    });
  }
  return out;
}

/** Last instant a series (or single event) occupies, for range filtering of masters. */
export function seriesEnd(event: CalendarEvent): number {
  const rule = parseRule(event.recurrence);
  const end = timeOf(event.end);
  if (!rule) return end;
  if (rule.count === undefined && rule.until === undefined) return Number.POSITIVE_INFINITY;
  const starts = occurrences(timeOf(event.start), rule, Number.POSITIVE_INFINITY);
  return (starts[starts.length - 1] ?? timeOf(event.start)) + (end - timeOf(event.start));
}
