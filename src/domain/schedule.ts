import { userError, type UserError } from './errors.js';

// R25: when a send may be scheduled for. Pure, so the API refuses a bad time before anything starts.

/** A caller's clock may run a little behind ours: "now" by their clock is not "in the past". */
export const SCHEDULE_CLOCK_SKEW_MS = 60_000;
export const MAX_SCHEDULE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** INVALID_INPUT when `sendAt` is in the past (beyond the skew) or more than 30 days ahead. */
export function checkSendAt(sendAt: Date, now: Date): UserError | null {
  if (sendAt.getTime() < now.getTime() - SCHEDULE_CLOCK_SKEW_MS) {
    return userError('INVALID_INPUT', `sendAt ${sendAt.toISOString()} is in the past; leave it out to send now.`, ['sendAt']);
  }
  if (sendAt.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * DAY_MS) {
    return userError('INVALID_INPUT', `sendAt ${sendAt.toISOString()} is more than ${MAX_SCHEDULE_DAYS} days ahead.`, ['sendAt']);
  }
  return null;
}

/** How long a workflow waits for `sendAt` from `now` (never negative: a time just past is due). */
export function waitUntil(sendAt: string, nowMs: number): number {
  return Math.max(0, Date.parse(sendAt) - nowMs);
}
