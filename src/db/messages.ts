import { and, asc, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { DbOrTx } from './client.js';
import { attachments, messageStatusChanges, messages, templates, templateVariables, threads } from './schema.js';

export type MessageRow = typeof messages.$inferSelect;
export type StatusChangeRow = typeof messageStatusChanges.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVariableRow = typeof templateVariables.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;

// Cursors are opaque to clients: the newest-first position (created_at, id) of the last row seen.
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id };
}

/** A client's chat history, newest first, one page past `after`. */
export async function clientHistory(db: DbOrTx, clientId: string, first: number, after: { createdAt: Date; id: string } | null) {
  const rows = await db
    .select()
    .from(messages)
    .where(and(
      eq(messages.clientId, clientId),
      after ? or(lt(messages.createdAt, after.createdAt), and(eq(messages.createdAt, after.createdAt), lt(messages.id, after.id))) : undefined,
    ))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(first + 1);
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
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
