// R31: how much of a channel's limits a batch may take. Pure; src/db/channelLimits.ts takes it in
// the statement that reads what was used, so two campaigns never exceed a limit together.

export interface ChannelLimits {
  /** Messages per second across campaigns and scheduled sends; null: no limit. */
  messagesPerSecond: number | null;
  /** Unique recipients per UTC day (WhatsApp's tier); null: no limit. */
  dailyUniqueRecipients: number | null;
}

/** How many of `wanted` messages this second's window still takes. */
export function grantPerSecond(wanted: number, usedThisSecond: number, limit: number | null): number {
  if (limit === null) return wanted;
  return Math.max(0, Math.min(wanted, limit - usedThisSecond));
}

/**
 * Which recipients fit today's unique-recipient limit, in order: one already messaged today
 * costs nothing; a new one fits while the day's count stays within the limit.
 */
export function grantDaily(recipients: readonly string[], alreadyToday: ReadonlySet<string>, countToday: number, limit: number | null): number {
  if (limit === null) return recipients.length;
  let count = countToday;
  const seen = new Set<string>();
  for (let i = 0; i < recipients.length; i += 1) {
    const r = recipients[i]!;
    if (alreadyToday.has(r) || seen.has(r)) continue;
    if (count >= limit) return i;
    count += 1;
    seen.add(r);
  }
  return recipients.length;
}

/** The UTC day a usage counts against ("2026-11-24"), and when the next one begins. */
export function utcDay(at: Date): { day: string; nextDayAt: Date } {
  const day = at.toISOString().slice(0, 10);
  return { day, nextDayAt: new Date(Date.parse(`${day}T00:00:00.000Z`) + 24 * 60 * 60 * 1000) };
}

/** The start of the one-second window `at` falls in. */
export const secondOf = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000);
