import { moveMessageStatus, noteMessageProblem, type StatusMove } from '../../db/messages.js';
import type { DbOrTx } from '../../db/connection.js';
import { publishWritesRows } from '../../db/events.js';
import { noteProgress, recordProgress } from './progress.js';
import { createSendRecord, type SendProgressed } from '../../db/sends.js';
import type { SendRequest } from '../../domain/send.js';
import { observeSendLatency } from '../../metrics.js';
import type { SendStepRecord } from '../../db/schema.js';
import { closeThread } from '../../db/threads.js';
import type { MessageStatus, SendState } from '../../domain/enums.js';
import { endsInFailure, isFinal } from '../../domain/messageStatus.js';
import type { UserError } from '../../domain/errors.js';
import type { DeliveryStatusEvent } from '../../domain/deliveryStatus.js';
import type { ActivityDeps } from './deps.js';


export interface MessageOutcome {
  sendId: string;
  messageId: string;
  threadId: string | null;
  move: Omit<StatusMove, 'at'> & { at?: string };
  /** Set: the send ends in this state. */
  sendState?: SendState;
  /** The send ends (COMPLETED, or FAILED) if the message's status is final after the move. */
  endsSendWhenFinal?: boolean;
  step: Omit<SendStepRecord, 'at'>;
}

/**
 * Moves the message (forward only, R19) and, when it ends in a failure, releases the thread it
 * reserved (R20), so the client is free for another send. One transaction: never one without
 * the other.
 */
export function settleMessageActivity(deps: ActivityDeps) {
  return async function settleMessage(outcome: MessageOutcome): Promise<Settled> {
    // R34: with a webhook endpoint, the events the move publishes are written with it, in one transaction.
    const moved = endsInFailure(outcome.move.status) ? null
      : publishWritesRows() ? await deps.db.transaction((tx) => settleMove(tx, outcome)) : await settleMove(deps.db, outcome);
    if (moved) return moved;
    return deps.db.transaction(async (tx) => {
      const result = await moveMessageStatus(tx, outcome.messageId, moveOf(outcome));
      if (result.changed && endsInFailure(result.status) && outcome.threadId) {
        await closeThread(tx, outcome.threadId, `released: message ${result.status.toLowerCase()}${outcome.move.failure ? ` (${outcome.move.failure.code})` : ''}`, null);
      }
      const { ended, steps } = progressAfter(outcome, result);
      const send = await recordProgress(tx, outcome.sendId, { ...(ended ? { state: ended } : {}), steps });
      if (send && result.changed) observeDelivered(outcome, result.status, send);
      return { ...result, ...(ended ? { sendState: ended } : {}) };
    });
  };
}

/** The move a settle asks for, its time a Date. */
const moveOf = (outcome: MessageOutcome): StatusMove => ({ ...outcome.move, at: outcome.move.at ? new Date(outcome.move.at) : undefined });

/**
 * What the send's record gets once the message is at `status`: a final status ends the send here,
 * in the same write, when the workflow asks it to; a settle that moved nothing says so in its step.
 */
function progressAfter(outcome: MessageOutcome, { changed, status }: { changed: boolean; status: MessageStatus }) {
  const ended: SendState | undefined = outcome.sendState ?? (outcome.endsSendWhenFinal && isFinal(status) ? (endsInFailure(status) ? 'FAILED' : 'COMPLETED') : undefined);
  const step = { ...outcome.step, ...(changed ? {} : { detail: `${outcome.step.detail ?? ''} (no change: message is ${status})`.trim() }) };
  return { ended, steps: [step, ...(ended && !outcome.sendState ? [{ name: 'complete', state: status }] : [])] };
}

/** How long the message took to reach DELIVERED (herald_send_latency_seconds). */
function observeDelivered(outcome: MessageOutcome, status: MessageStatus, send: SendProgressed): void {
  if (status === 'DELIVERED') observeSendLatency(send.channel, 'DELIVERED', send.createdAt, outcome.move.at ? new Date(outcome.move.at) : new Date());
}

/**
 * A status that cannot fail the message (DELIVERED, READ: nearly every status a channel reports)
 * releases no thread, so when it moves the message, the move, its history line and the send's
 * steps are one statement, as the transaction below would write them for a move (inside a
 * transaction only when webhook events are written with it). Null when the
 * message did not move (a duplicate, a late status, a retry whose first run committed): the
 * transaction then writes what that means.
 */
async function settleMove(db: DbOrTx, outcome: MessageOutcome): Promise<Settled | null> {
  // Written only if the message moves, so it is what the transaction would write for a move.
  const { ended, steps } = progressAfter(outcome, { changed: true, status: outcome.move.status });
  const result = await moveMessageStatus(db, outcome.messageId, moveOf(outcome), { sendId: outcome.sendId, ...(ended ? { state: ended } : {}), steps });
  if (!result.changed) return null;
  if (result.send) {
    noteProgress(outcome.sendId, result.send, ended, outcome.step);
    observeDelivered(outcome, result.status, result.send);
  }
  return { changed: true, status: result.status, ...(ended ? { sendState: ended } : {}) };
}

export interface Settled {
  changed: boolean;
  status: MessageStatus;
  /** The state the send ended in, when this settle ended it. */
  sendState?: SendState;
}

/** A fault that may pass (edna error-system, retries spent): shown on the message while the send waits for retrySend. */
export function noteTransientFailureActivity(deps: ActivityDeps) {
  return async function noteTransientFailure(input: { sendId: string; messageId: string; event: Pick<DeliveryStatusEvent, 'failureCode' | 'providerCode'>; message: string }): Promise<void> {
    await deps.db.transaction(async (tx) => {
      const failure = input.event.failureCode ? { code: input.event.failureCode, providerCode: input.event.providerCode, message: input.message } : null;
      await noteMessageProblem(tx, input.messageId, failure, `${input.message} Waiting for retrySend.`);
      await recordProgress(tx, input.sendId, { step: { name: 'deliver', state: 'WAITING_FOR_RETRY', detail: input.message } });
    });
  };
}

export function recordSendStateActivity(deps: ActivityDeps) {
  return async function recordSendState(input: { sendId: string; state: SendState; step: Omit<SendStepRecord, 'at'>; errors?: UserError[] }): Promise<void> {
    await recordProgress(deps.db, input.sendId, input);
  };
}

export interface AbandonInput {
  sendId: string;
  messageId: string | null;
  threadId: string | null;
  /** What went wrong, for the supervisor. */
  reason: string;
  errors: UserError[];
  /** The send as asked: its record is written if the failing step came before it was (acceptSend). */
  request?: SendRequest;
}

/**
 * A step of Herald's own failed for good: the send ends FAILED with the reason and releases the
 * thread it reserved. A message the channel does not have yet fails with it (SYSTEM_ERROR); one the
 * channel took keeps its status, since it did go out. One transaction.
 */
export function abandonSendActivity(deps: ActivityDeps) {
  return async function abandonSend(input: AbandonInput): Promise<{ messageStatus: MessageStatus | null }> {
    return deps.db.transaction(async (tx) => {
      if (input.request) await createSendRecord(tx, input.request);
      let messageStatus: MessageStatus | null = null;
      if (input.messageId) {
        const moved = await moveMessageStatus(tx, input.messageId, {
          status: 'FAILED',
          failure: { code: 'SYSTEM_ERROR', providerCode: null, message: input.reason },
          onlyFrom: ['PENDING'],
        });
        messageStatus = moved.status;
      }
      if (input.threadId) await closeThread(tx, input.threadId, `released: ${input.reason}`, null);
      await recordProgress(tx, input.sendId, { state: 'FAILED', errors: input.errors, step: { name: 'fail', state: 'FAILED', detail: input.reason } });
      return { messageStatus };
    });
  };
}
