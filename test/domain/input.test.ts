import { describe, expect, it } from 'vitest';
import { EARLIEST_YEAR, LATEST_YEAR, checkDate, storableDate } from '../../src/domain/input.js';

describe('dates from outside', () => {
  it('a provider timestamp is kept only when the database can store it', () => {
    expect(storableDate('2026-11-24T10:00:00Z')?.toISOString()).toBe('2026-11-24T10:00:00.000Z');
    // Year 0 does not exist in PostgreSQL: a webhook carrying it answered 500 before.
    for (const bad of ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', 'yesterday', '', null, undefined, 42]) {
      expect(storableDate(bad)).toBeNull();
    }
  });

  it('the years Herald can mean are bounded on both sides', () => {
    expect(checkDate(new Date(Date.UTC(EARLIEST_YEAR, 0, 1)))).toBeNull();
    expect(checkDate(new Date(Date.UTC(LATEST_YEAR, 11, 31, 23, 59, 59)))).toBeNull();
    expect(checkDate(new Date(Date.UTC(EARLIEST_YEAR - 1, 11, 31)))).toMatch(/outside the years/);
    expect(checkDate(new Date(Number.NaN))).toBe('is not a date');
  });
});
