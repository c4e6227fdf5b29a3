import { userError, type UserError } from './errors.js';

// R33: the hours nobody wants a message from the business, in the stand's own time zone. Pure:
// the workflow asks an activity, which asks here, so the answer is recorded in the history.

export interface QuietHours {
  /** An IANA time zone, e.g. "Europe/Moscow". */
  timeZone: string;
  /** Local wall-clock times "HH:MM"; the window runs from start up to end, across midnight when end < start. */
  start: string;
  end: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The user errors of a quiet-hours setting (field paths under `input`). */
export function checkQuietHours(q: QuietHours): UserError[] {
  const errors: UserError[] = [];
  if (!isTimeZone(q.timeZone)) errors.push(userError('INVALID_INPUT', `"${q.timeZone}" is not a time zone; use an IANA name such as Europe/Moscow.`, ['timeZone']));
  for (const key of ['start', 'end'] as const) {
    if (!HH_MM.test(q[key])) errors.push(userError('INVALID_INPUT', `${key} is a local time as HH:MM (00:00 to 23:59).`, [key]));
  }
  if (errors.length === 0 && q.start === q.end) errors.push(userError('INVALID_INPUT', 'Quiet hours start and end at different times.', ['end']));
  return errors;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall-clock date and time at `at` in `timeZone`. */
function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { y: n('year'), m: n('month'), d: n('day'), minutes: n('hour') * 60 + n('minute') };
}

/** The wall clock in `timeZone` at `t`, as if it were UTC (minutes). */
function wallOf(t: number, timeZone: string): number {
  const seen = localParts(new Date(t), timeZone);
  return Date.UTC(seen.y, seen.m - 1, seen.d, Math.floor(seen.minutes / 60), seen.minutes % 60);
}

/**
 * The instant when the wall clock in `timeZone` shows this date and time: when a DST change shows
 * it twice, the first showing after `after` (else the later one); when one skips it, the first
 * minute the clock is past it.
 */
function instantOf(y: number, m: number, d: number, minutes: number, timeZone: string, after: number): Date {
  const wanted = Date.UTC(y, m - 1, d, Math.floor(minutes / 60), minutes % 60);
  // The offsets in force a day before and a day after (no zone changes twice in two days).
  const candidates = [wanted - DAY, wanted + DAY].map((t) => wanted - (wallOf(t, timeZone) - t));
  const exact = candidates.filter((t) => wallOf(t, timeZone) === wanted);
  const next = exact.filter((t) => t > after);
  if (exact.length > 0) return new Date(next.length > 0 ? Math.min(...next) : Math.max(...exact));
  // Skipped: the earlier candidate shows a time before it, the later one after; find the jump.
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / (2 * MINUTE)) * MINUTE;
    if (wallOf(mid, timeZone) >= wanted) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/**
 * When the quiet hours around `at` end, or null when `at` is outside them. A window across
 * midnight (21:00–09:00) ends the next local morning when `at` is in its evening part.
 */
export function quietUntil(at: Date, q: QuietHours): Date | null {
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  const local = localParts(at, q.timeZone);
  const inside = start < end ? local.minutes >= start && local.minutes < end : local.minutes >= start || local.minutes < end;
  if (!inside) return null;
  // The end falls today (local) unless the window crosses midnight and we are before midnight.
  const endsTomorrow = start > end && local.minutes >= start;
  const day = new Date(Date.UTC(local.y, local.m - 1, local.d + (endsTomorrow ? 1 : 0)));
  const until = instantOf(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), end, q.timeZone, at.getTime());
  // A safety net for a zone stranger than instantOf assumes (two changes within two days): a minute later will do.
  return until.getTime() > at.getTime() ? until : new Date(at.getTime() + 60_000);
}
