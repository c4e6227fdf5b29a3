import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { afterCursor, cursorTime, encodeCursor, type Cursor } from './cursor.js';
import type { DbOrTx } from './client.js';
import { canMoveTo } from '../domain/messageStatus.js';
import type { DeliveryFailureCode, MessageStatus } from '../domain/enums.js';
import { publish } from '../events/bus.js';
import { attachments, messageStatusChanges, messages, templates, templateVariables, threads } from './schema.js';

export type MessageRow = typeof messages.$inferSelect;
export type StatusChangeRow = typeof messageStatusChanges.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVariableRow = typeof templateVariables.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;

/** A client's chat history, newest first, one page past `after`. */
export async function clientHistory(db: DbOrTx, clientId: string, first: number, after: Cursor | null) {
  const rows = await db
    .select({ message: messages, cursorAt: cursorTime(messages.createdAt) })
    .from(messages)
    .where(and(eq(messages.clientId, clientId), after ? afterCursor(messages.createdAt, messages.id, after) : undefined))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(first + 1);
  return {
    rows: rows.slice(0, first).map((r) => ({ message: r.message, cursor: encodeCursor({ at: r.cursorAt, id: r.message.id }) })),
    hasNextPage: rows.length > first,
  };
}

export async function threadMessages(db: DbOrTx, threadIds: readonly string[]): Promise<MessageRow[]> {
  if (threadIds.length === 0) return [];
  return db.select().from(messages).where(inArray(messages.threadId, [...threadIds])).orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function getMessages(db: DbOrTx, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(messages).where(inArray(messages.id, [...ids]));
}

export async function statusChanges(db: DbOrTx, messageIds: readonly string[]): Promise<StatusChangeRow[]> {
  if (messageIds.length === 0) return [];
  return db.select().from(messageStatusChanges).where(inArray(messageStatusChanges.messageId, [...messageIds])).orderBy(asc(messageStatusChanges.at));
}

export async function getThreads(db: DbOrTx, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.select().from(threads).where(inArray(threads.id, [...ids]));
}

export async function getTemplates(db: DbOrTx, ids: readonly string[]): Promise<TemplateRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(templates).where(inArray(templates.id, [...ids]));
}

export async function getTemplateVariables(db: DbOrTx, templateIds: readonly string[]): Promise<TemplateVariableRow[]> {
  if (templateIds.length === 0) return [];
  return db.select().from(templateVariables).where(inArray(templateVariables.templateId, [...templateIds])).orderBy(asc(templateVariables.position));
}

export async function getAttachments(db: DbOrTx, ids: readonly string[]): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(attachments).where(inArray(attachments.id, [...ids]));
}


export interface StatusMove {
  status: MessageStatus;
  /** Move only from one of these (a failure that must not overwrite a message already out). */
  onlyFrom?: readonly MessageStatus[];
  at?: Date;
  failure?: { code: DeliveryFailureCode; providerCode: string | null; message: string } | null;
  note?: string | null;
}

/**
 * R19: the one place a message's status changes. It only moves forward; a duplicate or late
 * status changes nothing and says so. Every change is kept in the status history.
 */
export async function moveMessageStatus(tx: DbOrTx, messageId: string, move: StatusMove): Promise<{ changed: boolean; status: MessageStatus }> {
  const [current] = await tx.select({ status: messages.status, clientId: messages.clientId, threadId: messages.threadId }).from(messages).where(eq(messages.id, messageId)).for('update');
  if (!current) throw new Error(`message ${messageId} does not exist`);
  if (!canMoveTo(current.status, move.status) || (move.onlyFrom && !move.onlyFrom.includes(current.status))) return { changed: false, status: current.status };
  const at = move.at ?? new Date();
  await tx.update(messages).set({
    status: move.status,
    updatedAt: new Date(),
    ...(move.failure ? { failureCode: move.failure.code, failureProviderCode: move.failure.providerCode, failureMessage: move.failure.message } : {}),
  }).where(eq(messages.id, messageId));
  await tx.insert(messageStatusChanges).values({
    messageId,
    status: move.status,
    at,
    failureCode: move.failure?.code ?? null,
    failureProviderCode: move.failure?.providerCode ?? null,
    failureMessage: move.failure?.message ?? null,
    note: move.note ?? null,
  });
  await publish(tx, { type: 'client', clientId: current.clientId, kind: 'MESSAGE_STATUS', threadId: current.threadId, messageId });
  return { changed: true, status: move.status };
}

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
