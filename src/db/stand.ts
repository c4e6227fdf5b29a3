import { and, asc, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { standChannels, stands } from './schema.js';
import { CHANNELS, type Channel } from '../domain/enums.js';
import type { StandChannelSettings } from '../domain/clientChannels.js';
import type { QuietHours } from '../domain/quietHours.js';

export type StandChannelRow = typeof standChannels.$inferSelect;

/**
 * Herald serves one stand per deployment today; every row still carries its stand so that a
 * second one is a data change, not a migration. A new stand lists all seven channels, disabled
 * until an administrator enables them (the demo seed enables its own).
 */
export async function ensureStand(db: Db, name = 'Main stand'): Promise<string> {
  const existing = await db.select({ id: stands.id }).from(stands).orderBy(asc(stands.createdAt)).limit(1);
  if (existing[0]) return existing[0].id;
  return db.transaction(async (tx) => {
    const [stand] = await tx.insert(stands).values({ name }).returning({ id: stands.id });
    await tx.insert(standChannels).values(
      CHANNELS.map((channel, position) => ({ standId: stand!.id, channel, position, enabled: false })),
    );
    return stand!.id;
  });
}

export async function listStandChannels(db: DbOrTx, standId: string): Promise<StandChannelRow[]> {
  return db.select().from(standChannels).where(eq(standChannels.standId, standId)).orderBy(asc(standChannels.position));
}

export function toSettings(row: StandChannelRow): StandChannelSettings {
  return {
    channel: row.channel,
    enabled: row.enabled,
    templatePolicy: row.templatePolicy,
    sessionWindowHours: row.sessionWindowHours,
    strictTemplates: row.strictTemplates,
  };
}

export function findStandChannel(rows: readonly StandChannelRow[], channel: Channel): StandChannelRow | undefined {
  return rows.find((r) => r.channel === channel);
}

/** An administrator's change to one channel of the stand: only the settings given change. */
export async function configureStandChannel(
  db: Db,
  standId: string,
  input: {
    channel: Channel; enabled: boolean; templatePolicy?: StandChannelRow['templatePolicy'] | null; sessionWindowHours?: number | null; strictTemplates?: boolean | null;
    /** R31: given, set (0 clears the limit); absent, unchanged. */
    messagesPerSecond?: number | null; dailyUniqueRecipients?: number | null;
  },
): Promise<StandChannelRow> {
  const limit = (n: number | null | undefined) => (n === null || n === undefined ? undefined : n === 0 ? null : n);
  const [row] = await db
    .update(standChannels)
    .set({
      enabled: input.enabled,
      ...(input.templatePolicy ? { templatePolicy: input.templatePolicy } : {}),
      ...(input.sessionWindowHours ? { sessionWindowHours: input.sessionWindowHours } : {}),
      ...(input.strictTemplates !== null && input.strictTemplates !== undefined ? { strictTemplates: input.strictTemplates } : {}),
      ...(limit(input.messagesPerSecond) !== undefined ? { messagesPerSecond: limit(input.messagesPerSecond)! } : {}),
      ...(limit(input.dailyUniqueRecipients) !== undefined ? { dailyUniqueRecipients: limit(input.dailyUniqueRecipients)! } : {}),
    })
    .where(and(eq(standChannels.standId, standId), eq(standChannels.channel, input.channel)))
    .returning();
  return row!;
}

/** R33: the stand's quiet hours; null when it has none. */
export async function getQuietHours(db: DbOrTx, standId: string): Promise<QuietHours | null> {
  const [row] = await db.select({ timeZone: stands.quietHoursTimeZone, start: stands.quietHoursStart, end: stands.quietHoursEnd }).from(stands).where(eq(stands.id, standId));
  return row?.timeZone && row.start && row.end ? { timeZone: row.timeZone, start: row.start, end: row.end } : null;
}

/** R33: set (or with null, clear) the stand's quiet hours. */
export async function setQuietHours(db: DbOrTx, standId: string, quiet: QuietHours | null): Promise<void> {
  await db.update(stands).set({ quietHoursTimeZone: quiet?.timeZone ?? null, quietHoursStart: quiet?.start ?? null, quietHoursEnd: quiet?.end ?? null }).where(eq(stands.id, standId));
}
