import { and, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { afterCursor, cursorTime, type Cursor } from './cursor.js';
import { publish } from './events.js';
import { clientChannels, consentChanges, stands } from './schema.js';
import type { ConsentKeywords } from '../domain/consent.js';
import type { Channel } from '../domain/enums.js';

// R32 consent: the client's state per channel (client_channels.opted_out_at), every change of it
// with how it came (consent_changes), and the stand's keywords. A change and its audit row are
// written by one statement pair in the caller's transaction, and only when the state really
// changes: a second STOP, or an admin setting what is already so, records nothing.

export type ConsentChangeRow = typeof consentChanges.$inferSelect;

export interface ConsentChange {
  clientId: string;
  channel: Channel;
  optedOut: boolean;
  at: Date;
  source: 'KEYWORD' | 'ADMIN';
  keyword?: string | null;
  messageId?: string | null;
  agentId?: string | null;
  note?: string | null;
}

/**
 * Opts the client out of (or back into) the channel, writes the audit row and announces it to
 * `clientActivity` (CONSENT_CHANGED); null when the state was already so. The guard is in the
 * statement (`opted_out_at is null` / `is not null`), so of two concurrent STOPs one records.
 */
export async function changeConsent(tx: DbOrTx, change: ConsentChange): Promise<ConsentChangeRow | null> {
  const changed = change.optedOut
    ? await tx.insert(clientChannels).values({ clientId: change.clientId, channel: change.channel, optedOutAt: change.at })
      .onConflictDoUpdate({
        target: [clientChannels.clientId, clientChannels.channel],
        set: { optedOutAt: change.at },
        setWhere: isNull(clientChannels.optedOutAt),
      })
      .returning({ clientId: clientChannels.clientId })
    : await tx.update(clientChannels).set({ optedOutAt: null })
      .where(and(eq(clientChannels.clientId, change.clientId), eq(clientChannels.channel, change.channel), isNotNull(clientChannels.optedOutAt)))
      .returning({ clientId: clientChannels.clientId });
  if (changed.length === 0) return null;
  const [row] = await tx.insert(consentChanges).values({
    clientId: change.clientId,
    channel: change.channel,
    optedOut: change.optedOut,
    source: change.source,
    keyword: change.keyword ?? null,
    messageId: change.messageId ?? null,
    agentId: change.agentId ?? null,
    note: change.note ?? null,
    at: change.at,
  }).returning();
  // No thread: consent is the client's, not a thread's (the keyword's message and its thread were announced as MESSAGE_ADDED).
  await publish(tx, { type: 'client', clientId: change.clientId, kind: 'CONSENT_CHANGED', threadId: null, messageId: change.messageId ?? null });
  return row!;
}

/** An administrator's change (R32), in a transaction of its own. */
export async function setConsentByAdmin(db: Db, change: Omit<ConsentChange, 'source' | 'at' | 'keyword' | 'messageId'>): Promise<ConsentChangeRow | null> {
  return db.transaction((tx) => changeConsent(tx, { ...change, source: 'ADMIN', at: new Date() }));
}

/** For campaigns: whether the client is opted out on the channel (they skip them with CLIENT_OPTED_OUT). */
export async function isOptedOut(db: DbOrTx, clientId: string, channel: Channel): Promise<boolean> {
  return (await optedOutClients(db, [clientId], channel)).has(clientId);
}

/** The clients of `clientIds` opted out on the channel, in one statement (a campaign's batch). */
export async function optedOutClients(db: DbOrTx, clientIds: readonly string[], channel: Channel): Promise<Set<string>> {
  if (clientIds.length === 0) return new Set();
  const rows = await db.select({ clientId: clientChannels.clientId }).from(clientChannels)
    .where(and(inArray(clientChannels.clientId, [...clientIds]), eq(clientChannels.channel, channel), isNotNull(clientChannels.optedOutAt)));
  return new Set(rows.map((r) => r.clientId));
}

/** A page of the client's audit trail, newest first, after a cursor on (at, id). */
export async function consentHistory(
  db: DbOrTx,
  clientId: string,
  channel: Channel | null,
  first: number,
  after: Cursor | null,
): Promise<{ rows: Array<{ cursor: Cursor; change: ConsentChangeRow }>; hasNextPage: boolean }> {
  const rows = await db.select({ change: consentChanges, at: cursorTime(consentChanges.at) }).from(consentChanges)
    .where(and(
      eq(consentChanges.clientId, clientId),
      ...(channel ? [eq(consentChanges.channel, channel)] : []),
      ...(after ? [afterCursor(consentChanges.at, consentChanges.id, after)] : []),
    ))
    .orderBy(desc(consentChanges.at), desc(consentChanges.id))
    .limit(first + 1);
  return {
    rows: rows.slice(0, first).map((r) => ({ cursor: { at: r.at, id: r.change.id }, change: r.change })),
    hasNextPage: rows.length > first,
  };
}

/** The stand's keywords (R32). */
export async function consentKeywords(db: DbOrTx, standId: string): Promise<ConsentKeywords> {
  const [row] = await db.select({ optOut: stands.optOutKeywords, optIn: stands.optInKeywords }).from(stands).where(eq(stands.id, standId));
  if (!row) throw new Error(`no stand ${standId}`);
  return row;
}

/** An administrator's lists; a list not given stays as it is. Checked by the caller (checkConsentKeywords). */
export async function setConsentKeywords(db: DbOrTx, standId: string, lists: Partial<ConsentKeywords>): Promise<ConsentKeywords> {
  if (!lists.optOut && !lists.optIn) return consentKeywords(db, standId);
  const [row] = await db.update(stands).set({
    ...(lists.optOut ? { optOutKeywords: [...lists.optOut] } : {}),
    ...(lists.optIn ? { optInKeywords: [...lists.optIn] } : {}),
  }).where(eq(stands.id, standId)).returning({ optOut: stands.optOutKeywords, optIn: stands.optInKeywords });
  if (!row) throw new Error(`no stand ${standId}`);
  return row;
}
