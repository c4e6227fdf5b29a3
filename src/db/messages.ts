import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, getTableColumns, gt, inArray, sql } from 'drizzle-orm';
import { afterCursor, cursorTime, encodeCursor, type Cursor } from './cursor.js';
import type { DbOrTx } from './connection.js';
import { statusesMovableTo } from '../domain/messageStatus.js';
import type { DeliveryFailureCode, MessageStatus } from '../domain/enums.js';
import { publish, publishAll, type PublishedEvent } from './events.js';
import { writeAll, type Write } from './writes.js';
import { clients, messageParts, messageStatusChanges, messages } from './schema.js';
import { sendProgressUpdate, type SendProgress, type SendProgressed } from './sends.js';

export type MessageRow = typeof messages.$inferSelect;
export type StatusChangeRow = typeof messageStatusChanges.$inferSelect;

export interface HistoryPage {
  rows: Array<{ message: MessageRow; cursor: string }>;
  hasNextPage: boolean;
}

/**
 * Several clients' chat histories, newest first, one page past `after` each, in one query: a
 * lateral join runs the indexed page query per client, so a nested `client.history` costs one
 * statement per level, not one per client.
 */
export async function clientHistories(db: DbOrTx, clientIds: readonly string[], first: number, after: Cursor | null): Promise<Map<string, HistoryPage>> {
  const pages = new Map<string, HistoryPage>(clientIds.map((id) => [id, { rows: [], hasNextPage: false }]));
  if (clientIds.length === 0) return pages;
  const page = db
    .select({ ...getTableColumns(messages), cursorAt: cursorTime(messages.createdAt).as('cursor_at') })
    .from(messages)
    .where(and(eq(messages.clientId, clients.id), after ? afterCursor(messages.createdAt, messages.id, after) : undefined))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(first + 1)
    .as('page');
  const rows = await db.select().from(clients).innerJoinLateral(page, sql`true`).where(inArray(clients.id, [...clientIds]));
  const byClient = new Map<string, Array<MessageRow & { cursorAt: string }>>();
  for (const { page: row } of rows) byClient.set(row.clientId, [...(byClient.get(row.clientId) ?? []), row]);
  for (const [clientId, list] of byClient) {
    list.sort((a, b) => (a.cursorAt === b.cursorAt ? (a.id < b.id ? 1 : -1) : a.cursorAt < b.cursorAt ? 1 : -1));
    pages.set(clientId, {
      rows: list.slice(0, first).map(({ cursorAt, ...message }) => ({ message, cursor: encodeCursor({ at: cursorAt, id: message.id }) })),
      hasNextPage: list.length > first,
    });
  }
  return pages;
}

export async function threadMessages(db: DbOrTx, threadIds: readonly string[]): Promise<MessageRow[]> {
  if (threadIds.length === 0) return [];
  return db.select().from(messages).where(inArray(messages.threadId, [...threadIds])).orderBy(asc(messages.createdAt), asc(messages.id));
}

/** Whether the client has written in (on any channel) since `since`: a reply on its way (R12). */
export async function clientWroteInSince(db: DbOrTx, clientId: string, since: Date): Promise<boolean> {
  const [row] = await db.select({ id: messages.id }).from(messages)
    .where(and(eq(messages.clientId, clientId), eq(messages.direction, 'INBOUND'), gt(messages.createdAt, since))).limit(1);
  return row !== undefined;
}

/** Every message of these sends, in the order of their fallback chains (R26). */
export async function sendMessages(db: DbOrTx, sendIds: readonly string[]): Promise<MessageRow[]> {
  if (sendIds.length === 0) return [];
  return db.select().from(messages).where(inArray(messages.sendId, [...sendIds])).orderBy(asc(messages.fallbackStep));
}

/**
 * A new message with its first status in the status history, announced to whoever watches the
 * client (MESSAGE_ADDED), in the caller's transaction. Every message a send makes comes in here.
 */
export async function addMessage(tx: DbOrTx, values: NewMessage): Promise<string> {
  const id = values.id ?? randomUUID();
  await writeAll(tx, [messageAdding(tx, { ...values, id })]);
  return id;
}

export type NewMessage = typeof messages.$inferInsert & { status: MessageStatus };

/** addMessage's write, the message's id chosen by the caller, for a statement that writes more (a send's reservation). */
export function messageAdding(tx: DbOrTx, values: NewMessage & { id: string }): Write {
  return {
    // The message and its first line together (each statement costs its own round on a send's path).
    ctes: sql`message_added as (${tx.insert(messages).values(values).returning({ id: messages.id }).getSQL()}),
      message_added_logged as (insert into ${messageStatusChanges} (message_id, status) select id, ${values.status} from message_added)`,
    events: [{ type: 'client', clientId: values.clientId, kind: 'MESSAGE_ADDED', threadId: values.threadId ?? null, messageId: values.id }],
  };
}

export async function getMessages(db: DbOrTx, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(messages).where(inArray(messages.id, [...ids]));
}

export async function statusChanges(db: DbOrTx, messageIds: readonly string[]): Promise<StatusChangeRow[]> {
  if (messageIds.length === 0) return [];
  return db.select().from(messageStatusChanges).where(inArray(messageStatusChanges.messageId, [...messageIds])).orderBy(asc(messageStatusChanges.at));
}

export interface StatusMove {
  status: MessageStatus;
  /** Move only from one of these (a failure that must not overwrite a message already out). */
  onlyFrom?: readonly MessageStatus[];
  at?: Date;
  failure?: { code: DeliveryFailureCode; providerCode: string | null; message: string } | null;
  note?: string | null;
}

/** The send's progress a move writes with it, in its own statement (only when the message moves). */
export interface ProgressWithMove extends Pick<SendProgress, 'state' | 'steps'> {
  sendId: string;
}

/**
 * R19: the one place a message's status changes. It only moves forward; a duplicate or late
 * status changes nothing and says so. Every change is kept in the status history. With
 * `progress`, the send's record moves on in the same statement when the message moves (and not
 * at all when it does not): one statement where a transaction would take four.
 */
export async function moveMessageStatus(tx: DbOrTx, messageId: string, move: StatusMove): Promise<{ changed: boolean; status: MessageStatus }>;
export async function moveMessageStatus(tx: DbOrTx, messageId: string, move: StatusMove, progress: ProgressWithMove): Promise<{ changed: boolean; status: MessageStatus; send?: SendProgressed }>;
export async function moveMessageStatus(tx: DbOrTx, messageId: string, move: StatusMove, progress?: ProgressWithMove): Promise<{ changed: boolean; status: MessageStatus; send?: SendProgressed }> {
  const from = statusesMovableTo(move.status).filter((s) => !move.onlyFrom || move.onlyFrom.includes(s));
  const at = move.at ?? new Date();
  const failure = move.failure ?? null;
  // The move, its line in the history and what the event names, in one statement (each costs its
  // own parse and plan on PGlite). The rule is in the statement: the row moves only from a status
  // it may leave for this one. Its row lock orders two moves at once, and the second is judged
  // against the status the first left.
  const moved = from.length === 0 ? [] : ((await tx.execute(sql`with moved as (
      update ${messages} set status = ${move.status}, updated_at = ${new Date().toISOString()}::timestamptz
        ${failure ? sql`, failure_code = ${failure.code}, failure_provider_code = ${failure.providerCode}, failure_message = ${failure.message}` : sql``}
      where id = ${messageId} and status in (${sql.join(from.map((s) => sql`${s}`), sql`, `)})
      returning id, client_id, thread_id),
    logged as (insert into ${messageStatusChanges} (message_id, status, failure_code, failure_provider_code, failure_message, note, at)
      select id, ${move.status}, ${failure?.code ?? null}::text, ${failure?.providerCode ?? null}::text, ${failure?.message ?? null}::text, ${move.note ?? null}::text, ${at.toISOString()}::timestamptz from moved)
    ${progress ? sql`, progressed as (${sendProgressUpdate(tx, progress.sendId, progress, sql`exists (select 1 from moved)`).getSQL()})
    select client_id, thread_id, (select channel from progressed) as send_channel, (select created_at from progressed) as send_created_at from moved` : sql`select client_id, thread_id from moved`}`)) as unknown as { rows: MovedRow[] }).rows;
  const [row] = moved;
  if (!row) {
    // A duplicate, a late status, or one this message can no longer take: nothing changes (R19).
    const [current] = await tx.select({ status: messages.status }).from(messages).where(eq(messages.id, messageId));
    if (!current) throw new Error(`message ${messageId} does not exist`);
    return { changed: false, status: current.status };
  }
  const statusEvent: PublishedEvent = { type: 'client', clientId: row.client_id, kind: 'MESSAGE_STATUS', threadId: row.thread_id, messageId };
  await publishAll(tx, progress ? [statusEvent, { type: 'send', sendId: progress.sendId }] : [statusEvent]);
  if (!progress) return { changed: true, status: move.status };
  const send = row.send_channel ? { channel: row.send_channel, createdAt: new Date(row.send_created_at!) } : undefined;
  return { changed: true, status: move.status, ...(send ? { send } : {}) };
}

type MovedRow = { client_id: string; thread_id: string | null; send_channel?: SendProgressed['channel'] | null; send_created_at?: string | Date | null };

/** A fault that may pass: the message keeps its status and shows why it is stuck (R19, R20). */
export async function noteMessageProblem(tx: DbOrTx, messageId: string, failure: NonNullable<StatusMove['failure']> | null, note: string): Promise<void> {
  const [current] = await tx.select({ status: messages.status, clientId: messages.clientId, threadId: messages.threadId }).from(messages).where(eq(messages.id, messageId));
  if (!current) return;
  await tx.update(messages).set({
    failureCode: failure?.code ?? null,
    failureProviderCode: failure?.providerCode ?? null,
    failureMessage: failure?.message ?? null,
    updatedAt: new Date(),
  }).where(eq(messages.id, messageId));
  await tx.insert(messageStatusChanges).values({
    messageId, status: current.status, failureCode: failure?.code ?? null, failureProviderCode: failure?.providerCode ?? null, failureMessage: failure?.message ?? null, note,
  });
  await publish(tx, { type: 'client', clientId: current.clientId, kind: 'MESSAGE_STATUS', threadId: current.threadId, messageId });
}

// A message's parts: what the provider received as separate messages, per attempt (R8, R21).

/** Records an attempt's parts before anything is sent, so a callback that overtakes the send finds them. */
export async function recordAttemptParts(
  db: DbOrTx, messageId: string, attempt: number, parts: ReadonlyArray<{ kind: string; providerRequestId: string }>, options: { clearFailure: boolean } = { clearFailure: true },
): Promise<void> {
  await db.insert(messageParts).values(parts.map((p, i) => ({
    messageId, seq: (attempt - 1) * 10 + i, kind: p.kind as typeof messageParts.$inferInsert.kind, providerRequestId: p.providerRequestId, status: 'PENDING' as const,
  }))).onConflictDoNothing();
  // A new attempt starts clean: the previous one's failure stays in the status history.
  if (options.clearFailure) await db.update(messages).set({ failureCode: null, failureProviderCode: null, failureMessage: null }).where(eq(messages.id, messageId));
}

/** Which of these parts the channel has taken already. */
export async function partsTaken(db: DbOrTx, messageId: string, providerRequestIds: readonly string[]): Promise<Set<string>> {
  const rows = await db.select({ id: messageParts.providerRequestId }).from(messageParts)
    .where(and(eq(messageParts.messageId, messageId), inArray(messageParts.providerRequestId, [...providerRequestIds]), eq(messageParts.status, 'SENT')));
  return new Set(rows.map((r) => r.id));
}

export async function markPartTaken(db: DbOrTx, providerRequestId: string): Promise<void> {
  await db.update(messageParts).set({ status: 'SENT' }).where(eq(messageParts.providerRequestId, providerRequestId));
}

/** The send a provider's id belongs to (a status callback names a part), with its channel. */
export async function findPartOwner(db: DbOrTx, providerRequestId: string): Promise<{ messageId: string; sendId: string | null; channel: MessageRow['channel']; messageStatus: MessageStatus } | null> {
  const [row] = await db
    .select({ messageId: messages.id, sendId: messages.sendId, channel: messages.channel, messageStatus: messages.status })
    .from(messageParts)
    .innerJoin(messages, eq(messages.id, messageParts.messageId))
    .where(eq(messageParts.providerRequestId, providerRequestId));
  return row ?? null;
}
