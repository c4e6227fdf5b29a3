import { and, asc, desc, eq, gt, inArray, ne, notInArray, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { afterCursor, cursorTime, type Cursor } from './cursor.js';
import { publish } from './events.js';
import { campaignRecipients, campaigns, clients, messages, sends, type CampaignState } from './schema.js';
import { ENDED_CAMPAIGN_STATES, OUTCOME_BY_ENDED_SEND, campaignEnded, OUTCOME_BY_MESSAGE_STATUS, SKIPPING_SEND_STATES, type RecipientOutcome } from '../domain/campaign.js';
import type { Channel } from '../domain/enums.js';

// R30: campaigns and their recipients. A recipient's outcome is read from the ordinary send it
// got (its state and its message's status), so the send path writes nothing for campaigns.

export type CampaignRow = typeof campaigns.$inferSelect;
export type CampaignRecipientRow = typeof campaignRecipients.$inferSelect;

/** Rows per statement: well inside PostgreSQL's parameter limit. */
const INSERT_CHUNK = 1000;

/** A recipient as stored: a client (found by id, or by the number given), or a number nobody has yet. */
export interface NewRecipient {
  clientId: string | null;
  phone: string | null;
  variables: Array<{ key: string; value: string }> | null;
}

/**
 * The list as the stand knows it: client ids that are not clients of the stand (their positions),
 * and every recipient with the client its number already belongs to; a client named twice (by id
 * and by number) is one recipient, the first.
 */
export async function resolveRecipients(db: DbOrTx, standId: string, recipients: ReadonlyArray<{ clientId: string | null; phone: string | null; variables: NewRecipient['variables'] }>): Promise<{ unknown: Set<string>; recipients: NewRecipient[] }> {
  const ids = [...new Set(recipients.flatMap((r) => (r.clientId ? [r.clientId] : [])))];
  const phones = [...new Set(recipients.flatMap((r) => (r.phone ? [r.phone] : [])))];
  const known = new Set<string>();
  const byPhone = new Map<string, string>();
  for (let i = 0; i < Math.max(ids.length, phones.length); i += INSERT_CHUNK) {
    const someIds = ids.slice(i, i + INSERT_CHUNK);
    const somePhones = phones.slice(i, i + INSERT_CHUNK);
    if (someIds.length) for (const r of await db.select({ id: clients.id }).from(clients).where(and(eq(clients.standId, standId), inArray(clients.id, someIds)))) known.add(r.id);
    if (somePhones.length) {
      for (const r of await db.select({ id: clients.id, phone: clients.phone }).from(clients).where(and(eq(clients.standId, standId), inArray(clients.phone, somePhones)))) byPhone.set(r.phone!, r.id);
    }
  }
  const unknown = new Set(ids.filter((id) => !known.has(id)));
  const seen = new Set<string>();
  const resolved: NewRecipient[] = [];
  for (const r of recipients) {
    const clientId = r.clientId ?? (r.phone ? byPhone.get(r.phone) ?? null : null);
    const key = clientId ?? r.phone!;
    if (seen.has(key)) continue;
    seen.add(key);
    resolved.push({ clientId, phone: r.phone, variables: r.variables });
  }
  return { unknown, recipients: resolved };
}

export interface NewCampaign {
  standId: string;
  name: string;
  channel: Channel;
  requestedById: string;
  agentId: string | null;
  content: Record<string, unknown>;
  ratePerSecond: number;
  startAt: Date | null;
  requestId: string | null;
  requestHash: string | null;
}

/**
 * The campaign and its first recipients, in one transaction: it exists whole or not at all. A
 * requestId the caller used before answers the campaign it made then (created: false).
 */
export async function createCampaign(db: Db, campaign: NewCampaign, recipients: readonly NewRecipient[]): Promise<{ campaign: CampaignRow; created: boolean }> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(campaigns).values({ ...campaign, state: campaign.startAt ? 'SCHEDULED' : 'RUNNING', recipientCount: 0 })
      .onConflictDoNothing({ target: [campaigns.requestedById, campaigns.requestId] }).returning();
    if (!row) {
      const [earlier] = await tx.select().from(campaigns).where(and(eq(campaigns.requestedById, campaign.requestedById), eq(campaigns.requestId, campaign.requestId!)));
      return { campaign: earlier!, created: false };
    }
    const count = await appendRecipients(tx, row.id, 0, recipients);
    const [updated] = await tx.update(campaigns).set({ recipientCount: count }).where(eq(campaigns.id, row.id)).returning();
    await publish(tx, { type: 'campaign', campaignId: row.id });
    return { campaign: updated!, created: true };
  });
}

async function appendRecipients(tx: DbOrTx, campaignId: string, from: number, recipients: readonly NewRecipient[]): Promise<number> {
  let seq = from;
  for (let i = 0; i < recipients.length; i += INSERT_CHUNK) {
    const chunk = recipients.slice(i, i + INSERT_CHUNK).map((r) => ({ campaignId, seq: (seq += 1), clientId: r.clientId, phone: r.phone, variables: r.variables }));
    await tx.insert(campaignRecipients).values(chunk);
  }
  return seq;
}

/**
 * More recipients for a campaign that has not ended; anyone already on its list is left out
 * (nobody gets a campaign twice). Answers how many were added, or null when it has ended.
 */
export async function addRecipients(db: Db, campaignId: string, recipients: readonly NewRecipient[]): Promise<{ added: number; campaign: CampaignRow } | null> {
  return db.transaction(async (tx) => {
    // The row lock orders concurrent additions: each gets its own run of places in the list.
    const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId)).for('update');
    if (!campaign || campaignEnded(campaign.state)) return null;
    const clientIds = recipients.flatMap((r) => (r.clientId ? [r.clientId] : []));
    const phones = recipients.flatMap((r) => (r.phone ? [r.phone] : []));
    const known = new Set<string>();
    for (let i = 0; i < Math.max(clientIds.length, phones.length); i += INSERT_CHUNK) {
      const ids = clientIds.slice(i, i + INSERT_CHUNK);
      const ph = phones.slice(i, i + INSERT_CHUNK);
      const rows = await tx.select({ clientId: campaignRecipients.clientId, phone: campaignRecipients.phone }).from(campaignRecipients)
        .where(and(eq(campaignRecipients.campaignId, campaignId), or(
          ids.length ? inArray(campaignRecipients.clientId, ids) : sql`false`,
          ph.length ? inArray(campaignRecipients.phone, ph) : sql`false`,
        )));
      for (const r of rows) {
        if (r.clientId) known.add(r.clientId);
        if (r.phone) known.add(r.phone);
      }
    }
    const fresh = recipients.filter((r) => !(r.clientId && known.has(r.clientId)) && !(r.phone && known.has(r.phone)));
    const count = await appendRecipients(tx, campaignId, campaign.recipientCount, fresh);
    const [updated] = await tx.update(campaigns).set({ recipientCount: count, updatedAt: new Date() }).where(eq(campaigns.id, campaignId)).returning();
    await publish(tx, { type: 'campaign', campaignId });
    return { added: fresh.length, campaign: updated! };
  });
}

export async function getCampaign(db: DbOrTx, id: string): Promise<CampaignRow | null> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  return row ?? null;
}

/** The next recipients still waiting, in list order. */
export async function pendingRecipients(db: DbOrTx, campaignId: string, afterSeq: number, limit: number): Promise<CampaignRecipientRow[]> {
  return db.select().from(campaignRecipients)
    .where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.state, 'PENDING'), gt(campaignRecipients.seq, afterSeq)))
    .orderBy(asc(campaignRecipients.seq)).limit(limit);
}

/** A recipient named by phone becomes a client when its turn comes (found by the number, else created, R17). */
export async function setRecipientClient(db: DbOrTx, campaignId: string, seq: number, clientId: string): Promise<void> {
  await db.update(campaignRecipients).set({ clientId, updatedAt: new Date() }).where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.seq, seq)));
}

/** Whether the client is on the list at another place already (a number that turned out to be a listed client's). */
export async function listedElsewhere(db: DbOrTx, campaignId: string, seq: number, clientId: string): Promise<boolean> {
  const [row] = await db.select({ seq: campaignRecipients.seq }).from(campaignRecipients)
    .where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.clientId, clientId), ne(campaignRecipients.seq, seq))).limit(1);
  return !!row;
}

/** The recipients' own template variables, by place in the list. */
export async function recipientVariables(db: DbOrTx, campaignId: string, seqs: readonly number[]): Promise<Map<number, Array<{ key: string; value: string }>>> {
  if (seqs.length === 0) return new Map();
  const rows = await db.select({ seq: campaignRecipients.seq, variables: campaignRecipients.variables }).from(campaignRecipients)
    .where(and(eq(campaignRecipients.campaignId, campaignId), inArray(campaignRecipients.seq, [...seqs])));
  return new Map(rows.map((r) => [r.seq, r.variables ?? []]));
}

export type RecipientMark = { seq: number; sendId: string } | { seq: number; skip: { code: string; message: string } };

/** What the campaign did with each recipient of a batch: started its send, or skipped it with the reason. */
export async function markRecipients(db: Db, campaignId: string, marks: readonly RecipientMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db.transaction(async (tx) => {
    for (const mark of marks) {
      const where = and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.seq, mark.seq));
      await tx.update(campaignRecipients).set('sendId' in mark
        ? { state: 'SENDING', sendId: mark.sendId, updatedAt: new Date() }
        : { state: 'SKIPPED', skipCode: mark.skip.code, skipMessage: mark.skip.message, updatedAt: new Date() }).where(where);
    }
    await tx.update(campaigns).set({ updatedAt: new Date() }).where(eq(campaigns.id, campaignId));
    await publish(tx, { type: 'campaign', campaignId });
  });
}

export interface CampaignMove {
  state: CampaignState;
  waitingReason?: string | null;
  waitingUntil?: Date | null;
}

/**
 * The campaign's state as its workflow moves it; an ended campaign does not move again. When it
 * is cancelled, the recipients it had not reached are CANCELLED with it.
 */
export async function moveCampaign(db: Db, campaignId: string, move: CampaignMove): Promise<CampaignRow | null> {
  return db.transaction(async (tx) => {
    const ended = campaignEnded(move.state);
    const [row] = await tx.update(campaigns).set({
      state: move.state, waitingReason: move.waitingReason ?? null, waitingUntil: move.waitingUntil ?? null, updatedAt: new Date(),
      ...(ended ? { finishedAt: new Date() } : {}),
    }).where(and(eq(campaigns.id, campaignId), notInArray(campaigns.state, [...ENDED_CAMPAIGN_STATES]))).returning();
    if (!row) return null;
    if (move.state === 'CANCELLED' || move.state === 'FAILED') {
      await tx.update(campaignRecipients).set({ state: 'CANCELLED', updatedAt: new Date() })
        .where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.state, 'PENDING')));
    }
    await publish(tx, { type: 'campaign', campaignId });
    return row;
  });
}

/**
 * Every recipient handled: the campaign is COMPLETED, unless recipients were added meanwhile
 * (false: the workflow goes on). The row lock orders it with addRecipients.
 */
export async function completeCampaign(db: Db, campaignId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [campaign] = await tx.select({ state: campaigns.state }).from(campaigns).where(eq(campaigns.id, campaignId)).for('update');
    if (!campaign) return true;
    if (campaignEnded(campaign.state)) return true;
    const [waiting] = await tx.select({ seq: campaignRecipients.seq }).from(campaignRecipients)
      .where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.state, 'PENDING'))).limit(1);
    if (waiting) return false;
    await tx.update(campaigns).set({ state: 'COMPLETED', waitingReason: null, waitingUntil: null, updatedAt: new Date(), finishedAt: new Date() }).where(eq(campaigns.id, campaignId));
    await publish(tx, { type: 'campaign', campaignId });
    return true;
  });
}

// The enums' own values written into the statement (never a caller's): the same expression must
// read the same in SELECT and GROUP BY, which parameters would not.
const literal = (value: string) => sql.raw(`'${value}'`);
const whens = (column: AnyColumn, table: Readonly<Record<string, string | undefined>>) =>
  sql.join(Object.entries(table).map(([from, to]) => sql`when ${column} = ${literal(from)} then ${literal(to!)}`), sql` `);

/** A recipient's outcome in SQL: its own state until its send started, then domain/campaign.ts's tables, in their order. */
const OUTCOME: SQL<RecipientOutcome> = sql`case
  when ${campaignRecipients.state} <> 'SENDING' then ${campaignRecipients.state}
  when ${sends.state} in (${sql.join(SKIPPING_SEND_STATES.map(literal), sql`, `)}) then 'SKIPPED'
  ${whens(messages.status, OUTCOME_BY_MESSAGE_STATUS)}
  ${whens(sends.state, OUTCOME_BY_ENDED_SEND)}
  else 'SENDING' end`;

/** How many recipients are in each outcome. */
export async function campaignCounts(db: DbOrTx, campaignId: string): Promise<Record<RecipientOutcome, number>> {
  const rows = await db.select({ outcome: OUTCOME, n: sql<number>`count(*)::int` }).from(campaignRecipients)
    .leftJoin(sends, eq(sends.id, campaignRecipients.sendId)).leftJoin(messages, eq(messages.id, sends.messageId))
    .where(eq(campaignRecipients.campaignId, campaignId)).groupBy(OUTCOME);
  const counts = { PENDING: 0, SKIPPED: 0, SENDING: 0, SENT: 0, DELIVERED: 0, READ: 0, FAILED: 0, CANCELLED: 0 };
  for (const r of rows) counts[r.outcome] += Number(r.n);
  return counts;
}

export interface RecipientView {
  seq: number;
  clientId: string | null;
  phone: string | null;
  outcome: RecipientOutcome;
  skipCode: string | null;
  skipMessage: string | null;
  sendId: string | null;
  failureCode: string | null;
  updatedAt: Date;
}

/** A page of the list in order, optionally only one outcome. */
export async function recipientsPage(db: DbOrTx, campaignId: string, options: { outcome?: RecipientOutcome | null; afterSeq: number; first: number }): Promise<RecipientView[]> {
  return db.select({
    seq: campaignRecipients.seq, clientId: campaignRecipients.clientId, phone: campaignRecipients.phone, outcome: OUTCOME,
    skipCode: sql<string | null>`coalesce(${campaignRecipients.skipCode}, case when ${sends.state} in ('REJECTED', 'CONFLICT') then ${sends.errors}->0->>'code' end)`,
    skipMessage: sql<string | null>`coalesce(${campaignRecipients.skipMessage}, case when ${sends.state} in ('REJECTED', 'CONFLICT') then ${sends.errors}->0->>'message' end)`,
    sendId: campaignRecipients.sendId, failureCode: sql<string | null>`${messages.failureCode}`, updatedAt: campaignRecipients.updatedAt,
  }).from(campaignRecipients)
    .leftJoin(sends, eq(sends.id, campaignRecipients.sendId)).leftJoin(messages, eq(messages.id, sends.messageId))
    .where(and(eq(campaignRecipients.campaignId, campaignId), gt(campaignRecipients.seq, options.afterSeq), options.outcome ? sql`${OUTCOME} = ${options.outcome}` : undefined))
    .orderBy(asc(campaignRecipients.seq)).limit(options.first);
}

/** The stand's campaigns, newest first (keyset on created_at and id, as every list); an integrator's own only when `requestedById` is given. */
export async function listCampaigns(db: DbOrTx, scope: { standId: string; requestedById: string | null }, options: { first: number; after: Cursor | null }): Promise<Array<CampaignRow & { cursorAt: string }>> {
  const rows = await db.select({ campaign: campaigns, cursorAt: cursorTime(campaigns.createdAt) }).from(campaigns).where(and(
    eq(campaigns.standId, scope.standId),
    scope.requestedById ? eq(campaigns.requestedById, scope.requestedById) : undefined,
    options.after ? afterCursor(campaigns.createdAt, campaigns.id, options.after) : undefined,
  )).orderBy(desc(campaigns.createdAt), desc(campaigns.id)).limit(options.first);
  return rows.map((r) => ({ ...r.campaign, cursorAt: r.cursorAt }));
}
