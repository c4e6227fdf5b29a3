import { and, eq, ne, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import { messages, sends, type SendStepRecord } from './schema.js';
import type { SendState } from '../domain/enums.js';
import type { UserError } from '../domain/errors.js';
import type { SendRequest } from '../domain/send.js';
import { publish } from './events.js';
import { writeAll, type Write } from './writes.js';

export type SendRow = typeof sends.$inferSelect;

/** What a send's record says when it is first written (by default: just begun, validating). */
export interface SendRecordStart {
  state: SendState;
  /** Steps after "validate STARTED", in order. */
  steps?: Array<Omit<SendStepRecord, 'at'>>;
  errors?: UserError[];
  messageId?: string | null;
  threadId?: string | null;
}

/**
 * The send's row for reads and supervision; the workflow is the source of truth, this its mirror.
 * Written once, except that a SCHEDULED send's row (R25) takes the decision made when it fell due.
 */
export async function createSendRecord(tx: DbOrTx, request: SendRequest, start: SendRecordStart = { state: 'VALIDATING' }): Promise<void> {
  await writeAll(tx, [sendRecording(tx, request, start)]);
}

/** createSendRecord's write, for a statement that writes more (a send's reservation). */
export function sendRecording(tx: DbOrTx, request: SendRequest, start: SendRecordStart = { state: 'VALIDATING' }): Write {
  const at = new Date().toISOString();
  const steps: SendStepRecord[] = [{ name: 'validate', state: 'STARTED', at }, ...(start.steps ?? []).map((step) => ({ ...step, at }))];
  const recording = tx.insert(sends).values({
    id: request.sendId,
    requestId: request.requestId,
    requestHash: request.fingerprint ?? null,
    agentId: request.agentId,
    requestedById: request.requestedById,
    clientId: request.clientId,
    channel: request.channel,
    state: start.state,
    disposition: request.disposition?.kind ?? null,
    steps,
    errors: start.errors ?? [],
    messageId: start.messageId ?? null,
    threadId: start.threadId ?? null,
    sendAt: request.sendAt ? new Date(request.sendAt) : null,
  }).onConflictDoUpdate({
    target: sends.id,
    set: {
      state: start.state,
      steps: sql`${sends.steps} || ${JSON.stringify(steps)}::jsonb`,
      errors: start.errors ?? [],
      ...(start.messageId ? { messageId: start.messageId } : {}),
      ...(start.threadId ? { threadId: start.threadId } : {}),
      updatedAt: new Date(),
    },
    where: eq(sends.state, 'SCHEDULED'),
  });
  return { ctes: sql`send_recorded as (${recording.getSQL()})`, events: [{ type: 'send', sendId: request.sendId }] };
}

/**
 * recordSendProgress's write, for a statement that writes more (the first version's reservation).
 * Nothing of the record comes back: the caller knows the channel it notes.
 */
export function sendProgressing(tx: DbOrTx, sendId: string, progress: SendProgress): Write {
  return { ctes: sql`send_progressed as (${sendProgressUpdate(tx, sendId, progress).getSQL()})`, events: [{ type: 'send', sendId }] };
}

/** What a step of a send writes on its record. */
export interface SendProgress { state?: SendState; step?: Omit<SendStepRecord, 'at'>; steps?: Array<Omit<SendStepRecord, 'at'>>; errors?: UserError[]; messageId?: string; threadId?: string }

/** What the send is, as a progress record leaves it (for the metrics the activities keep). */
export interface SendProgressed { channel: SendRow['channel']; createdAt: Date }

export async function recordSendProgress(
  tx: DbOrTx,
  sendId: string,
  progress: SendProgress,
): Promise<SendProgressed | null> {
  const [row] = await sendProgressUpdate(tx, sendId, progress);
  await publish(tx, { type: 'send', sendId });
  return row ?? null;
}

/**
 * The update recordSendProgress runs (its steps stamped now), not yet run: a message's move
 * carries it in its own statement (moveMessageStatus), with `onlyIf` added to its condition.
 */
export function sendProgressUpdate(tx: DbOrTx, sendId: string, progress: SendProgress, onlyIf?: SQL) {
  const at = new Date().toISOString();
  const steps: SendStepRecord[] = [...(progress.step ? [progress.step] : []), ...(progress.steps ?? [])].map((step) => ({ ...step, at }));
  return tx.update(sends).set({
    ...(progress.state ? { state: progress.state } : {}),
    ...(progress.errors ? { errors: progress.errors } : {}),
    ...(progress.messageId ? { messageId: progress.messageId } : {}),
    ...(progress.threadId ? { threadId: progress.threadId } : {}),
    ...(steps.length > 0 ? { steps: sql`${sends.steps} || ${JSON.stringify(steps)}::jsonb` } : {}),
    updatedAt: new Date(),
  }).where(onlyIf ? and(eq(sends.id, sendId), onlyIf) : eq(sends.id, sendId)).returning({ channel: sends.channel, createdAt: sends.createdAt });
}

/** The caller's send for a requestId, whichever id it was given (ids were not always scoped). */
export async function findSendByRequest(tx: DbOrTx, requestedById: string, requestId: string): Promise<SendRow | null> {
  const [row] = await tx.select().from(sends).where(and(eq(sends.requestedById, requestedById), eq(sends.requestId, requestId)));
  return row ?? null;
}

/**
 * What an earlier run of acceptSend (or of the first version's reserveSend) decided for a send,
 * its answer lost: the send's record with the message and thread it reserved, if any, in one
 * statement. A message still
 * SCHEDULED (R25) is no reservation: its send has not fallen due yet.
 */
export async function findDecision(db: DbOrTx, sendId: string): Promise<(Pick<SendRow, 'state' | 'errors' | 'steps'> & { reservation: { messageId: string; threadId: string | null } | null }) | null> {
  const [row] = await db
    .select({ state: sends.state, errors: sends.errors, steps: sends.steps, messageId: messages.id, threadId: messages.threadId })
    .from(sends)
    .leftJoin(messages, and(eq(messages.sendId, sends.id), eq(messages.fallbackStep, 0), ne(messages.status, 'SCHEDULED')))
    .where(eq(sends.id, sendId));
  if (!row) return null;
  return { state: row.state, errors: row.errors, steps: row.steps, reservation: row.messageId ? { messageId: row.messageId, threadId: row.threadId } : null };
}

export async function getSend(tx: DbOrTx, id: string): Promise<SendRow | null> {
  const [row] = await tx.select().from(sends).where(eq(sends.id, id));
  return row ?? null;
}
