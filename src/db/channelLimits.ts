import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from './connection.js';
import { channelDailyRecipients, channelUsage, standChannels, stands } from './schema.js';
import { grantDaily, grantPerSecond, secondOf, utcDay } from '../domain/channelLimits.js';
import type { Channel } from '../domain/enums.js';
import { quietUntil } from '../domain/quietHours.js';

// R31 and R33 at the moment a campaign batch or a scheduled send is about to go: whether the
// stand's channel takes it now, and if not, until when it waits and why. The limits are taken in
// the transaction that reads them (the usage row locked), so campaigns on several workers share
// one limit.

export type WaitReason = 'QUIET_HOURS' | 'PROVIDER_RATE_LIMITED' | 'MESSAGES_PER_SECOND' | 'DAILY_UNIQUE_RECIPIENTS';

export interface Pace {
  /** How many of the recipients asked for (in order) may go now. */
  granted: number;
  /** When none may go: why, and when to ask again. */
  wait: { reason: WaitReason; until: string } | null;
  /** When some but not all may go: the limit that cut the batch (the campaign says it is held by it). */
  limitedBy?: WaitReason | null;
}

export async function takeChannelCapacity(db: Db, ask: { standId: string; channel: Channel; recipients: readonly string[]; at: Date }): Promise<Pace> {
  const { standId, channel, recipients, at } = ask;
  if (recipients.length === 0) return { granted: 0, wait: null };
  return db.transaction(async (tx) => {
    const [settings] = await tx.select({
      perSecond: standChannels.messagesPerSecond, daily: standChannels.dailyUniqueRecipients, throttledUntil: standChannels.throttledUntil,
      timeZone: stands.quietHoursTimeZone, start: stands.quietHoursStart, end: stands.quietHoursEnd,
    }).from(standChannels).innerJoin(stands, eq(stands.id, standChannels.standId))
      .where(and(eq(standChannels.standId, standId), eq(standChannels.channel, channel)))
      // One pacer at a time per stand channel: both limits are read and taken under this lock.
      .for('update', { of: standChannels });
    if (!settings) return { granted: recipients.length, wait: null };

    if (settings.timeZone && settings.start && settings.end) {
      const until = quietUntil(at, { timeZone: settings.timeZone, start: settings.start, end: settings.end });
      if (until) return { granted: 0, wait: { reason: 'QUIET_HOURS' as const, until: until.toISOString() } };
    }

    // The provider's own answer comes first: while it asks to slow down, nothing more is sent its way.
    if (settings.throttledUntil && settings.throttledUntil.getTime() > at.getTime()) {
      return { granted: 0, wait: { reason: 'PROVIDER_RATE_LIMITED' as const, until: settings.throttledUntil.toISOString() } };
    }

    const { day, nextDayAt } = utcDay(at);
    let granted = recipients.length;
    let limitedBy: WaitReason | null = null;
    if (settings.daily !== null) {
      const already = await tx.select({ recipient: channelDailyRecipients.recipient }).from(channelDailyRecipients)
        .where(and(eq(channelDailyRecipients.standId, standId), eq(channelDailyRecipients.channel, channel), eq(channelDailyRecipients.day, day), inArray(channelDailyRecipients.recipient, [...recipients])));
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(channelDailyRecipients)
        .where(and(eq(channelDailyRecipients.standId, standId), eq(channelDailyRecipients.channel, channel), eq(channelDailyRecipients.day, day))) as [{ n: number }];
      granted = grantDaily(recipients, new Set(already.map((r) => r.recipient)), Number(n), settings.daily);
      if (granted === 0) return { granted: 0, wait: { reason: 'DAILY_UNIQUE_RECIPIENTS' as const, until: nextDayAt.toISOString() } };
      if (granted < recipients.length) limitedBy = 'DAILY_UNIQUE_RECIPIENTS';
    }

    if (settings.perSecond !== null) {
      const window = secondOf(at);
      // Windows older than a minute are of no use to anyone.
      await tx.delete(channelUsage).where(and(eq(channelUsage.standId, standId), eq(channelUsage.channel, channel), lt(channelUsage.windowStart, new Date(window.getTime() - 60_000))));
      await tx.insert(channelUsage).values({ standId, channel, windowStart: window, used: 0 }).onConflictDoNothing();
      const [usage] = await tx.select({ used: channelUsage.used }).from(channelUsage)
        .where(and(eq(channelUsage.standId, standId), eq(channelUsage.channel, channel), eq(channelUsage.windowStart, window))).for('update');
      const before = granted;
      granted = grantPerSecond(granted, usage!.used, settings.perSecond);
      if (granted > 0 && granted < before) limitedBy ??= 'MESSAGES_PER_SECOND';
      if (granted === 0) return { granted: 0, wait: { reason: 'MESSAGES_PER_SECOND' as const, until: new Date(window.getTime() + 1000).toISOString() } };
      await tx.update(channelUsage).set({ used: usage!.used + granted })
        .where(and(eq(channelUsage.standId, standId), eq(channelUsage.channel, channel), eq(channelUsage.windowStart, window)));
    }

    if (settings.daily !== null) {
      await tx.insert(channelDailyRecipients).values(recipients.slice(0, granted).map((recipient) => ({ standId, channel, day, recipient }))).onConflictDoNothing();
    }
    return { granted, wait: null, limitedBy };
  });
}

/**
 * R31: the provider answered "too many requests" for a message of this stand's channel; campaigns
 * and scheduled sends on it hold until `until` (the later of two notes wins). The message itself
 * is retried after the provider's wait by its own send (R29), not failed.
 */
export async function noteProviderThrottle(db: Db, ask: { clientId: string; channel: Channel; until: Date }): Promise<void> {
  await db.execute(sql`update stand_channels set throttled_until = greatest(coalesce(throttled_until, ${ask.until.toISOString()}::timestamptz), ${ask.until.toISOString()}::timestamptz)
    where channel = ${ask.channel} and stand_id = (select stand_id from clients where id = ${ask.clientId})`);
}
