import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantDaily, grantPerSecond, secondOf, utcDay } from '../../src/domain/channelLimits.js';

const none = new Set<string>();

describe('messages per second (R31)', () => {
  it('R31: no limit grants everything asked for, however much was used', () => {
    expect(grantPerSecond(0, 0, null)).toBe(0);
    expect(grantPerSecond(5, 0, null)).toBe(5);
    expect(grantPerSecond(100_000, 1_000_000, null)).toBe(100_000);
  });

  it('R31: with nothing used this second, up to the limit', () => {
    expect(grantPerSecond(5, 0, 10)).toBe(5);
    expect(grantPerSecond(10, 0, 10)).toBe(10);
    expect(grantPerSecond(11, 0, 10)).toBe(10);
    expect(grantPerSecond(1000, 0, 1)).toBe(1);
  });

  it('R31: partly used: what is left of the second, no more than asked', () => {
    expect(grantPerSecond(5, 7, 10)).toBe(3);
    expect(grantPerSecond(2, 7, 10)).toBe(2);
    expect(grantPerSecond(3, 7, 10)).toBe(3);
    expect(grantPerSecond(1, 9, 10)).toBe(1);
  });

  it('R31: exhausted (or over, if the limit was lowered meanwhile) grants nothing, never a negative', () => {
    expect(grantPerSecond(5, 10, 10)).toBe(0);
    expect(grantPerSecond(5, 15, 10)).toBe(0);
    expect(grantPerSecond(0, 0, 10)).toBe(0);
  });

  it('R31: a limit of 0 stops the channel', () => {
    expect(grantPerSecond(5, 0, 0)).toBe(0);
  });

  it('R31: for any numbers the grant is within what was asked and what is left, and takes all it can', () => {
    fc.assert(fc.property(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000), (wanted, used, limit) => {
      const granted = grantPerSecond(wanted, used, limit);
      expect(granted).toBeGreaterThanOrEqual(0);
      expect(granted).toBeLessThanOrEqual(wanted);
      expect(used + granted <= limit || granted === 0).toBe(true);
      expect(granted).toBe(Math.min(wanted, Math.max(0, limit - used)));
    }));
  });
});

describe('daily unique recipients (R31)', () => {
  it('R31: no limit grants the whole batch', () => {
    expect(grantDaily([], none, 0, null)).toBe(0);
    expect(grantDaily(['a', 'b', 'c'], none, 1_000_000, null)).toBe(3);
  });

  it('R31: an empty batch grants nothing, whatever the limit', () => {
    expect(grantDaily([], none, 0, 10)).toBe(0);
    expect(grantDaily([], none, 10, 10)).toBe(0);
  });

  it('R31: a fresh day takes new recipients up to the limit', () => {
    expect(grantDaily(['a', 'b', 'c'], none, 0, 10)).toBe(3);
    expect(grantDaily(['a', 'b', 'c'], none, 0, 3)).toBe(3);
    expect(grantDaily(['a', 'b', 'c'], none, 0, 2)).toBe(2);
  });

  it('R31: partly used: only what is left of the day\'s count', () => {
    expect(grantDaily(['a', 'b', 'c'], none, 8, 10)).toBe(2);
    expect(grantDaily(['a', 'b', 'c'], none, 7, 10)).toBe(3);
  });

  it('R31: exhausted (or over) grants no new recipient', () => {
    expect(grantDaily(['a', 'b'], none, 10, 10)).toBe(0);
    expect(grantDaily(['a', 'b'], none, 12, 10)).toBe(0);
  });

  it('R31: a limit of 0 takes no new recipient but still those already messaged today', () => {
    expect(grantDaily(['a'], none, 0, 0)).toBe(0);
    expect(grantDaily(['a', 'b'], new Set(['a', 'b']), 0, 0)).toBe(2);
  });

  it('R31: a recipient already messaged today costs nothing, even with the day exhausted', () => {
    const already = new Set(['a', 'b']);
    expect(grantDaily(['a', 'b'], already, 10, 10)).toBe(2);
    expect(grantDaily(['a', 'x', 'b'], already, 9, 10)).toBe(3);
    // Exhausted: the leading already-messaged ones go, the first new one stops the batch.
    expect(grantDaily(['a', 'b', 'x', 'a'], already, 10, 10)).toBe(2);
  });

  it('R31: the same recipient twice in a batch counts once', () => {
    expect(grantDaily(['a', 'a', 'a'], none, 9, 10)).toBe(3);
    expect(grantDaily(['a', 'b', 'a', 'b', 'c'], none, 8, 10)).toBe(4); // a, b fit; the repeats are free; c does not
    expect(grantDaily(['a', 'b', 'a', 'b'], none, 8, 10)).toBe(4);
  });

  it('R31: the grant is a prefix: the limit reached in the middle stops the batch there, in order', () => {
    // 8 of 10 used: x and y fit, z is the 11th and stops it; w after z is not granted even though a later "a" would be free.
    const batch = ['x', 'a', 'y', 'z', 'a', 'w'];
    expect(grantDaily(batch, new Set(['a']), 8, 10)).toBe(3);
    expect(batch.slice(0, grantDaily(batch, new Set(['a']), 8, 10))).toEqual(['x', 'a', 'y']);
    // The same recipients in another order give another prefix.
    expect(grantDaily(['a', 'a', 'x', 'y', 'z'], new Set(['a']), 8, 10)).toBe(4);
  });

  it('R31: for any batch the grant is the longest prefix whose new unique recipients fit', () => {
    const recipient = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    fc.assert(fc.property(
      fc.array(recipient, { maxLength: 30 }), fc.uniqueArray(recipient), fc.nat(12), fc.option(fc.nat(12), { nil: null }),
      (batch, alreadyList, countToday, limit) => {
        const already = new Set<string>(alreadyList);
        const granted = grantDaily(batch, already, countToday, limit);
        const newIn = (prefix: string[]) => new Set(prefix.filter((r) => !already.has(r))).size;
        const fits = (n: number) => limit === null || n === 0 || countToday + newIn(batch.slice(0, n)) <= limit;
        expect(granted).toBeGreaterThanOrEqual(0);
        expect(granted).toBeLessThanOrEqual(batch.length);
        // Every prefix up to the grant fits; one more would not (unless the whole batch went).
        expect(fits(granted) || newIn(batch.slice(0, granted)) === 0).toBe(true);
        if (granted < batch.length) expect(fits(granted + 1)).toBe(false);
      },
    ));
  });
});

describe('the windows usage counts against (R31)', () => {
  it('R31: the UTC day and the start of the next, at midnight, midday and the last millisecond', () => {
    expect(utcDay(new Date('2026-11-24T00:00:00.000Z'))).toEqual({ day: '2026-11-24', nextDayAt: new Date('2026-11-25T00:00:00.000Z') });
    expect(utcDay(new Date('2026-11-24T12:34:56.789Z'))).toEqual({ day: '2026-11-24', nextDayAt: new Date('2026-11-25T00:00:00.000Z') });
    expect(utcDay(new Date('2026-11-24T23:59:59.999Z'))).toEqual({ day: '2026-11-24', nextDayAt: new Date('2026-11-25T00:00:00.000Z') });
  });

  it('R31: the next day across a month, a leap day and a year end', () => {
    expect(utcDay(new Date('2026-02-28T10:00:00Z')).nextDayAt.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(utcDay(new Date('2028-02-28T10:00:00Z')).nextDayAt.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(utcDay(new Date('2026-12-31T23:00:00Z'))).toEqual({ day: '2026-12-31', nextDayAt: new Date('2027-01-01T00:00:00.000Z') });
  });

  it('R31: the day is UTC, not the machine\'s or the stand\'s zone (a DST day is still 24 hours)', () => {
    // 2026-03-08 is the New York spring-forward day; the UTC day does not care.
    expect(utcDay(new Date('2026-03-08T04:30:00Z'))).toEqual({ day: '2026-03-08', nextDayAt: new Date('2026-03-09T00:00:00.000Z') });
  });

  it('R31: the second window starts on the whole second at or before the instant', () => {
    expect(secondOf(new Date('2026-11-24T12:00:00.000Z')).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(secondOf(new Date('2026-11-24T12:00:00.001Z')).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(secondOf(new Date('2026-11-24T12:00:00.999Z')).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(secondOf(new Date('2026-11-24T12:00:01.000Z')).toISOString()).toBe('2026-11-24T12:00:01.000Z');
    expect(secondOf(new Date('2026-12-31T23:59:59.999Z')).toISOString()).toBe('2026-12-31T23:59:59.000Z');
  });

  it('R31: for any instant, the second and the day contain it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Date.parse('2100-01-01T00:00:00Z') }), (t) => {
      const at = new Date(t);
      const second = secondOf(at).getTime();
      expect(second).toBeLessThanOrEqual(t);
      expect(t - second).toBeLessThan(1000);
      expect(second % 1000).toBe(0);
      const { day, nextDayAt } = utcDay(at);
      const dayStart = Date.parse(`${day}T00:00:00.000Z`);
      expect(dayStart).toBeLessThanOrEqual(t);
      expect(nextDayAt.getTime()).toBeGreaterThan(t);
      expect(nextDayAt.getTime() - dayStart).toBe(24 * 3600 * 1000);
    }));
  });
});
