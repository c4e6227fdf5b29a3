import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { isUniqueViolation } from './connection.js';
import { clientChannels, clients, messengerUsernames, threads } from './schema.js';
import type { Channel } from '../domain/enums.js';
import type { ClientFacts } from '../domain/clientChannels.js';
import { phoneDigits } from '../domain/phone.js';

export type ClientRow = typeof clients.$inferSelect;
export type ThreadRow = typeof threads.$inferSelect;
export type ClientChannelRow = typeof clientChannels.$inferSelect;
export type UsernameRow = typeof messengerUsernames.$inferSelect;

export async function getClients(db: DbOrTx, ids: readonly string[]): Promise<ClientRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(clients).where(inArray(clients.id, [...ids]));
}

export async function getClientChannels(db: DbOrTx, clientIds: readonly string[]): Promise<ClientChannelRow[]> {
  if (clientIds.length === 0) return [];
  return db.select().from(clientChannels).where(inArray(clientChannels.clientId, [...clientIds]));
}

export async function getUsernames(db: DbOrTx, clientIds: readonly string[]): Promise<UsernameRow[]> {
  if (clientIds.length === 0) return [];
  return db.select().from(messengerUsernames).where(inArray(messengerUsernames.clientId, [...clientIds]));
}

export async function getActiveThreads(db: DbOrTx, clientIds: readonly string[]): Promise<ThreadRow[]> {
  if (clientIds.length === 0) return [];
  return db.select().from(threads).where(and(inArray(threads.clientId, [...clientIds]), ne(threads.status, 'CLOSED')));
}

export function clientFacts(
  client: ClientRow,
  channelRows: readonly ClientChannelRow[],
  usernameRows: readonly UsernameRow[],
  activeThread: ThreadRow | null,
): ClientFacts {
  return {
    blocked: client.blocked,
    phone: client.phone,
    email: client.email,
    usernames: usernameRows.map((u) => ({ channel: u.channel, username: u.username })),
    // The row is read whole already: consent (R32) costs the send no statement of its own.
    channelFacts: channelRows.map((c) => ({ channel: c.channel, address: c.address, blocked: c.blocked, lastInboundAt: c.lastInboundAt, optedOutAt: c.optedOutAt })),
    hasActiveThread: activeThread !== null,
  };
}

/** The outer row's id, qualified: drizzle writes a lone table's columns bare, and a bare "id" in a subquery on threads is the thread's. */
const outerClientId = sql.raw('"clients"."id"');

/**
 * What the channel rules need about a client: its row, and its channels, usernames and active
 * thread as JSON beside it. These are a select's columns, read with what else a send needs in one
 * statement (sendFacts.ts): on PGlite each statement costs its own parse and plan (~0.5 ms).
 */
export const clientFactsColumns = {
  client: clients,
  channels: sql<ClientChannelJson[]>`coalesce((select json_agg(json_build_object(
    'clientId', cc.client_id, 'channel', cc.channel, 'address', cc.address, 'blocked', cc.blocked,
    'lastInboundAt', cc.last_inbound_at, 'optedOutAt', cc.opted_out_at)) from ${clientChannels} cc where cc.client_id = ${outerClientId}), '[]'::json)`,
  usernames: sql<UsernameRow[]>`coalesce((select json_agg(json_build_object(
    'clientId', mu.client_id, 'channel', mu.channel, 'username', mu.username)) from ${messengerUsernames} mu where mu.client_id = ${outerClientId}), '[]'::json)`,
  activeThread: sql<ThreadJson | null>`(select json_build_object(
    'id', t.id, 'clientId', t.client_id, 'channel', t.channel, 'status', t.status, 'assigneeId', t.assignee_id,
    'queueTargetId', t.queue_target_id, 'transferComment', t.transfer_comment, 'closeReason', t.close_reason,
    'openedAt', t.opened_at, 'closedAt', t.closed_at) from ${threads} t where t.client_id = ${outerClientId} and t.status <> 'CLOSED' limit 1)`,
};

export interface LoadedClientFacts {
  client: ClientRow;
  facts: ClientFacts;
  activeThread: ThreadRow | null;
}

/** The client's facts from a row read with clientFactsColumns. */
export function decodeClientFacts(row: { client: ClientRow; channels: unknown; usernames: unknown; activeThread: unknown }): LoadedClientFacts {
  const channelRows = asJson<ClientChannelJson[]>(row.channels).map((c) => ({ ...c, lastInboundAt: asDate(c.lastInboundAt), optedOutAt: asDate(c.optedOutAt) }));
  const thread = asJson<ThreadJson | null>(row.activeThread);
  const activeThread = thread ? { ...thread, openedAt: new Date(thread.openedAt), closedAt: asDate(thread.closedAt) } : null;
  return { client: row.client, facts: clientFacts(row.client, channelRows, asJson<UsernameRow[]>(row.usernames), activeThread), activeThread };
}

/** A row as json_build_object gives it: timestamps as text. */
type Jsonified<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type ClientChannelJson = Jsonified<ClientChannelRow>;
type ThreadJson = Jsonified<ThreadRow>;

/** PostgreSQL's driver parses json columns; PGlite's may hand them over as text inside an expression. */
export function asJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function asDate(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * R18: one box for name (partial, case-insensitive), phone (any formatting), email, external id
 * and messenger username. Exact hits on an identifier come before partial name matches.
 */
export async function searchClients(db: Db, standId: string, query: string, first: number, offset = 0): Promise<ClientRow[]> {
  const q = query.trim();
  if (q === '') return [];
  const lower = q.toLowerCase();
  const contains = `%${likeEscape(lower)}%`;
  const username = lower.replace(/^@/, '');
  const digits = phoneDigits(q);
  const looksLikePhone = !/[A-Za-z@]/.test(q) && digits.length >= 3;

  const usernameHit = sql`exists (select 1 from ${messengerUsernames} mu where mu.client_id = ${outerClientId} and lower(mu.username) = ${username})`;
  const phoneHit = looksLikePhone ? sql`${clients.phone} like ${`%${digits}%`}` : sql`false`;
  const exactPhone = looksLikePhone ? sql`${clients.phone} = ${digits}` : sql`false`;
  const rank = sql<number>`case
    when ${clients.externalId} = ${q} or ${exactPhone} or lower(${clients.email}) = ${lower} or ${usernameHit} then 0
    when lower(${clients.name}) like ${`${likeEscape(lower)}%`} then 1
    else 2 end`;

  return db
    .select()
    .from(clients)
    .where(and(
      eq(clients.standId, standId),
      sql`(lower(${clients.name}) like ${contains}
        or ${phoneHit}
        or lower(${clients.email}) like ${contains}
        or ${clients.externalId} = ${q}
        or ${usernameHit})`,
    ))
    .orderBy(rank, asc(clients.name), asc(clients.createdAt), asc(clients.id))
    .limit(first)
    .offset(offset);
}

export async function findClientByPhone(db: DbOrTx, standId: string, digits: string): Promise<ClientRow | null> {
  const [row] = await db.select().from(clients).where(and(eq(clients.standId, standId), eq(clients.phone, digits))).limit(1);
  return row ?? null;
}

export async function findClientByExternalId(db: DbOrTx, standId: string, externalId: string): Promise<ClientRow | null> {
  const [row] = await db.select().from(clients).where(and(eq(clients.standId, standId), eq(clients.externalId, externalId))).limit(1);
  return row ?? null;
}

export type CreateResult = { created: true; client: ClientRow } | { created: false; existing: ClientRow };

/** R17: the unique index decides, so two agents creating one number at once get one client. */
export async function insertClientByPhone(db: Db, standId: string, digits: string, name: string | null): Promise<CreateResult> {
  try {
    const [client] = await db.insert(clients).values({ standId, phone: digits, name }).returning();
    return { created: true, client: client! };
  } catch (err) {
    if (!isUniqueViolation(err, 'clients_stand_phone')) throw err;
    const existing = await findClientByPhone(db, standId, digits);
    if (!existing) throw err;
    return { created: false, existing };
  }
}

export async function replaceUsernames(tx: DbOrTx, clientId: string, usernames: ReadonlyArray<{ channel: Channel; username: string }>): Promise<void> {
  await tx.delete(messengerUsernames).where(eq(messengerUsernames.clientId, clientId));
  if (usernames.length > 0) {
    await tx.insert(messengerUsernames).values(usernames.map((u) => ({ clientId, channel: u.channel, username: u.username })));
  }
}

/** Blocks or unblocks the client everywhere, or on one channel only (R2, R4). */
export async function setBlocked(db: Db, clientId: string, blocked: boolean, channel: Channel | null): Promise<void> {
  if (channel === null) {
    await db.update(clients).set({ blocked, updatedAt: new Date() }).where(eq(clients.id, clientId));
    return;
  }
  await db
    .insert(clientChannels)
    .values({ clientId, channel, blocked })
    .onConflictDoUpdate({ target: [clientChannels.clientId, clientChannels.channel], set: { blocked } });
}

export interface ClientFields {
  externalId?: string | null;
  name?: string | null;
  /** Digits only (checked by the caller). */
  phone?: string | null;
  email?: string | null;
  usernames?: ReadonlyArray<{ channel: Channel; username: string }> | null;
}

/**
 * An integrator's upsert, keyed by external id when given: only the fields given change. A phone
 * another client has already is refused by the unique index and answered with that client.
 */
export async function upsertClient(db: Db, standId: string, input: ClientFields): Promise<{ ok: true; client: ClientRow } | { ok: false; phoneTakenBy: ClientRow | null }> {
  const fields = {
    ...(input.name !== undefined ? { name: input.name?.trim() || null } : {}),
    ...(input.phone !== undefined ? { phone: input.phone } : {}),
    ...(input.email !== undefined ? { email: input.email || null } : {}),
  };
  try {
    const client = await db.transaction(async (tx) => {
      const existing = input.externalId ? await findClientByExternalId(tx, standId, input.externalId) : null;
      const [row] = existing
        ? await tx.update(clients).set({ ...fields, updatedAt: new Date() }).where(eq(clients.id, existing.id)).returning()
        : await tx.insert(clients).values({ standId, externalId: input.externalId ?? null, ...fields }).returning();
      if (input.usernames) await replaceUsernames(tx, row!.id, input.usernames);
      return row!;
    });
    return { ok: true, client };
  } catch (err) {
    if (!isUniqueViolation(err, 'clients_stand_phone') || !input.phone) throw err;
    return { ok: false, phoneTakenBy: await findClientByPhone(db, standId, input.phone) };
  }
}
