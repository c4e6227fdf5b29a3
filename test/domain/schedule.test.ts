import { describe, expect, it } from 'vitest';
import { MAX_SCHEDULE_DAYS, SCHEDULE_CLOCK_SKEW_MS, checkSendAt, waitUntil } from '../../src/domain/schedule.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const DAY = 24 * 3600 * 1000;

describe('when a send may be scheduled for (R25)', () => {
  it('R25: from a minute behind our clock to 30 days ahead, both ends included', () => {
    for (const ms of [-SCHEDULE_CLOCK_SKEW_MS, -1, 0, 1, DAY, MAX_SCHEDULE_DAYS * DAY]) expect(checkSendAt(at(ms), NOW), String(ms)).toBeNull();
  });

  it('R25: further in the past, or a moment past 30 days, is INVALID_INPUT on sendAt, saying which', () => {
    expect(checkSendAt(at(-SCHEDULE_CLOCK_SKEW_MS - 1), NOW)).toMatchObject({ code: 'INVALID_INPUT', field: ['sendAt'], message: expect.stringMatching(/in the past/) });
    expect(checkSendAt(at(MAX_SCHEDULE_DAYS * DAY + 1), NOW)).toMatchObject({ code: 'INVALID_INPUT', field: ['sendAt'], message: expect.stringMatching(/30 days ahead/) });
  });

  it('R25: the wait is the time left, never negative', () => {
    expect(waitUntil(at(5000).toISOString(), NOW.getTime())).toBe(5000);
    expect(waitUntil(at(-5000).toISOString(), NOW.getTime())).toBe(0);
  });
});
