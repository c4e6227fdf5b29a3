import { and, eq, ne } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type DbOrTx, type Tx } from '../../db/connection.js';
import { messageStatusChanges, messages, threads } from '../../db/schema.js';
import { noteProgress, recordProgress } from './progress.js';
import { addMessage, messageAdding } from '../../db/messages.js';
import { findDecision, sendProgressing } from '../../db/sends.js';
import { claimUnassignedThread, openThread, threadOpening } from '../../db/threads.js';
import { writeAll, type Write } from '../../db/writes.js';
import { publish } from '../../db/events.js';
import { capabilitiesOf } from '../../domain/channels.js';
import { userError, type UserError } from '../../domain/errors.js';
import type { SendRequest } from '../../domain/send.js';
import { renderTemplate } from '../../domain/templates.js';
import { loadTemplateSpec } from '../../db/templates.js';
import type { ActivityDeps } from './deps.js';

export type Reservation =
  | { ok: true; messageId: string; threadId: string | null }
  | { ok: false; errors: UserError[]; conflictThreadId: string | null };

const THREAD_LOCK = 'threads_one_active_per_client';

/** The thread a send was to take over was taken (or closed) between the check and the claim. */
class ThreadTakenMeanwhile extends Error {}

/**
 * Step 2 of a send begun before acceptSend (old histories): reserve, and write it on the send's record.
 */
export function reserveSendActivity(deps: ActivityDeps) {
  return async function reserveSend(request: SendRequest): Promise<Reservation> {
    const existing = (await findDecision(deps.db, request.sendId))?.reservation;
    if (existing) return { ok: true, ...existing };
    const reservation = await reserve(deps, request, {
      reserved: (tx, { messageId, threadId }) => sendProgressing(tx, request.sendId, { state: 'DELIVERING', messageId, ...(threadId ? { threadId } : {}), step: reservedStep(threadId) }),
      conflict: async (errors, activeThreadId) => {
        await recordProgress(deps.db, request.sendId, { state: 'CONFLICT', errors, step: conflictStep(activeThreadId) });
      },
    });
    if (reservation.ok) noteProgress(request.sendId, { channel: request.channel, createdAt: new Date() }, 'DELIVERING', reservedStep(reservation.threadId));
    return reservation;
  };
}

export const reservedStep = (threadId: string | null) => ({ name: 'reserve', state: 'RESERVED' as const, detail: threadId ? `thread ${threadId}` : 'email: no thread' });
export const conflictStep = (activeThreadId: string | null) => ({ name: 'reserve', state: 'CONFLICT' as const, ...(activeThreadId ? { detail: `thread ${activeThreadId}` } : {}) });

/** How the send's own record learns the outcome: written with the reservation, or after a lost race. */
export interface ReservationRecord {
  /** The send's record as the reservation leaves it, written in the reservation's own statement. */
  reserved(tx: DbOrTx, reservation: { messageId: string; threadId: string | null }): Write;
  conflict(errors: UserError[], activeThreadId: string | null): Promise<void>;
}

/** The message as the client will read it; the history shows the template rendered with its variables (R16). */
export async function outboundMessage(deps: ActivityDeps, request: SendRequest) {
  const template = request.template ? await loadTemplateSpec(deps.db, request.template.templateId) : null;
  const rendered = template && request.template ? renderTemplate(template, request.template.variables) : null;
  return {
    sendId: request.sendId,
    clientId: request.clientId,
    channel: request.channel,
    direction: 'OUTBOUND' as const,
    authorId: request.agentId,
    text: rendered ? rendered.body : request.text?.trim() ? request.text : null,
    header: rendered?.header ?? null,
    footer: rendered?.footer ?? null,
    templateId: template?.row.id ?? null,
    templateVariables: request.template?.variables ?? null,
    subject: request.subject ?? null,
    attachmentId: request.attachmentId ?? null,
    bcc: request.bcc ?? [],
  };
}

/**
 * The PENDING message a send goes out as: a scheduled send's message (R25) becomes it, placed in
 * the history at the moment it went out; any other send's is written now.
 */
async function pendingMessage(tx: Tx, values: Awaited<ReturnType<typeof outboundMessage>>, threadId: string | null, wasScheduled: boolean): Promise<string> {
  const [scheduled] = !wasScheduled ? [] : await tx.update(messages).set({ threadId, status: 'PENDING', createdAt: new Date() })
    .where(and(eq(messages.sendId, values.sendId), eq(messages.status, 'SCHEDULED'))).returning({ id: messages.id });
  if (!scheduled) return addMessage(tx, { ...values, threadId, status: 'PENDING' });
  // Announced again where it now stands in the history, as any message that goes out.
  await tx.insert(messageStatusChanges).values({ messageId: scheduled.id, status: 'PENDING' });
  await publish(tx, { type: 'client', clientId: values.clientId, kind: 'MESSAGE_ADDED', threadId, messageId: scheduled.id });
  return scheduled.id;
}

/**
 * R6, R7, R11: the thread and the PENDING message are written together, with the send's record.
 * The partial unique index on open threads is the lock: of concurrent sends exactly one insert
 * succeeds. Email reserves no thread. Its caller looks for what an earlier run of it made first.
 *
 * A send that opens a new thread (or none) is one statement; taking over a thread (R28) or a
 * scheduled send falling due (R25) reads as it writes, in a transaction.
 */
export async function reserve(deps: ActivityDeps, request: SendRequest, record: ReservationRecord): Promise<Reservation> {
  const opensThread = capabilitiesOf(request.channel).opensThread;
  const values = await outboundMessage(deps, request);
  try {
    if (!request.takeOverThreadId && request.sendAt === undefined) {
      const threadId = opensThread ? randomUUID() : null;
      const messageId = randomUUID();
      await writeAll(deps.db, [
        ...(threadId ? [threadOpening(deps.db, { id: threadId, clientId: request.clientId, channel: request.channel, status: 'NEW', openedBy: request.agentId })] : []),
        messageAdding(deps.db, { ...values, id: messageId, threadId, status: 'PENDING' }),
        record.reserved(deps.db, { messageId, threadId }),
      ]);
      return { ok: true, messageId, threadId };
    }
    const reserved = await deps.db.transaction(async (tx) => {
      let threadId: string | null = null;
      if (request.takeOverThreadId) {
        // R28: into the open thread nobody held, now the agent's; lost to another agent, a conflict.
        const claimed = await claimUnassignedThread(tx, { threadId: request.takeOverThreadId, clientId: request.clientId, agentId: request.agentId! });
        if (!claimed) throw new ThreadTakenMeanwhile();
        threadId = request.takeOverThreadId;
      } else if (opensThread) {
        threadId = await openThread(tx, { clientId: request.clientId, channel: request.channel, status: 'NEW', openedBy: request.agentId });
      }
      const messageId = await pendingMessage(tx, values, threadId, request.sendAt !== undefined);
      await writeAll(tx, [record.reserved(tx, { messageId, threadId })]);
      return { messageId, threadId };
    });
    return { ok: true, ...reserved };
  } catch (err) {
    if (err instanceof ThreadTakenMeanwhile) {
      const errors = [userError('ACTIVE_THREAD_EXISTS', 'Another agent has just taken over this thread.', ['takeOverThreadId'])];
      await record.conflict(errors, request.takeOverThreadId!);
      return { ok: false, errors, conflictThreadId: request.takeOverThreadId! };
    }
    if (!isUniqueViolation(err, THREAD_LOCK)) throw err;
    const [active] = await deps.db.select({ id: threads.id }).from(threads).where(and(eq(threads.clientId, request.clientId), ne(threads.status, 'CLOSED')));
    const errors = [userError('ACTIVE_THREAD_EXISTS', 'This client has just got an active thread; go to it, or send an email instead.', ['channel'])];
    await record.conflict(errors, active?.id ?? null);
    return { ok: false, errors, conflictThreadId: active?.id ?? null };
  }
}
