import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, patched, proxyActivities, proxyLocalActivities, setHandler, sleep, upsertSearchAttributes,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { SendActivities } from './activities/index.js';
import type { AfterDelivery } from './activities/deliver.js';
import type { MessageOutcome } from './activities/status.js';
import { capabilitiesOf } from '../domain/channels.js';
import type { Channel, MessageStatus, SendState } from '../domain/enums.js';
import type { UserError } from '../domain/errors.js';
import { endsInFailure, isFinal, statusRank } from '../domain/messageStatus.js';
import { waitUntil } from '../domain/schedule.js';
import { movesOn, type FallbackStep } from '../domain/fallback.js';
import type { SendRequest } from '../domain/send.js';
import {
  DATA_ERROR, PERMANENT_DELIVERY_FAILURE, SA_STATE, TRANSIENT_DELIVERY_FAILURE, acceptedUpdate, cancelSignal, cancelUpdate, retryUpdate, clientWroteInSignal, deliveryStatusSignal,
  retrySignal, stateQuery,
  type ActionOutcome, type ActorInput, type DeliveryStatusEvent, type OutboundSendInput, type PermanentFailureDetails, type SendAnswer, type SendSnapshot,
  type TransientFailureDetails,
} from './contract.js';

// One send = one workflow: validate → reserve → deliver → dispose → await status. The caller
// gets its answer (the `accepted` update) once the send is reserved; the rest runs durably.

/**
 * Changes of behaviour since histories were first recorded, each kept behind patched() in
 * outboundSend so a send begun before it replays the way it ran (test/workflow/replay.test.ts);
 * outboundSendV2 has them all.
 */
const PATCH = {
  /** A final message status ends the send even when the settle's answer says "no change". */
  finalStatusEndsSend: 'final-status-ends-send',
  /**
   * The short send: validate and reserve in one local activity (the answer makes no round trip
   * through the Temporal server), deliver disposes and writes the waiting state itself, the last
   * status's settle ends the send, and the state search attribute is written only where a
   * supervisor filters on it (waiting for a status, ended).
   */
  shortSend: 'short-send',
  /** R31, R33: a scheduled send that falls due waits for the channel's limits and the stand's quiet hours. */
  dueWaitsForChannel: 'due-waits-for-channel',
  /**
   * The state search attribute holds how a send ended (and SCHEDULED while it waits to fall due),
   * nothing while it is under way: each write is a visibility update in the Temporal server, and
   * the one for AWAITING_STATUS cost every send more than a tenth of the server's work (npm run
   * bench). Herald's own sends(filter) has every state; the Temporal UI filters the outcome.
   */
  stateWhenEnded: 'state-written-when-ended',
} as const;

/** Which of the changes behind PATCH a send runs with. */
interface Behaviour {
  short: boolean;
  stateWhenEnded: boolean;
  /** Asked each time a due send would check the channel's limits and quiet hours. */
  dueWaitsForChannel(): boolean;
  /** Asked when a settle of the first version answers "no change" for a final status. */
  finalStatusEndsSend(): boolean;
  /**
   * One timer for the whole wait for a final status. The first type starts a timer for each
   * status it waits for and cancels it when the status comes: two commands and a timer task more
   * in the server per status.
   */
  oneStatusTimer: boolean;
  /**
   * A delivery status is settled by a local activity, in the workflow task its signal wakes: no
   * activity task travels through the Temporal server and back, and no second workflow task
   * follows. The bare shape of npm run bench with its two status writes as local activities: the
   * dev server's CPU per send 30–34 → 24–27 ms, the rate 32–36 → 37–42 per second.
   */
  localStatusSettles: boolean;
}

/**
 * The first workflow type: sends started as `outboundSend` finish and replay here, each change
 * taken or not as patched() recorded it.
 */
export async function outboundSend(input: OutboundSendInput): Promise<SendSnapshot> {
  const short = patched(PATCH.shortSend);
  const stateWhenEnded = short && patched(PATCH.stateWhenEnded);
  return runSend(input, {
    short,
    stateWhenEnded,
    dueWaitsForChannel: () => patched(PATCH.dueWaitsForChannel),
    finalStatusEndsSend: () => patched(PATCH.finalStatusEndsSend),
    oneStatusTimer: false,
    localStatusSettles: false,
  });
}

/**
 * Every send since: every change behind PATCH, without a patched() call. Each patched() call
 * writes a marker and an upsert of the TemporalChangeVersion search attribute (a visibility
 * write) into a new send's history: the bare shape of npm run bench with two patched() calls cost
 * the dev server 2.6–5 ms more CPU per send than without, in four rounds on one server. Later
 * changes to this type go behind patched() again, until the next type.
 */
export async function outboundSendV2(input: OutboundSendInput): Promise<SendSnapshot> {
  return runSend(input, { ...LATEST, localStatusSettles: false });
}

/** Every send since: as outboundSendV2, with each delivery status settled by a local activity. */
export async function outboundSendV3(input: OutboundSendInput): Promise<SendSnapshot> {
  return runSend(input, LATEST);
}

/** What the latest type does: every change, none behind patched(). */
const LATEST: Behaviour = {
  short: true, stateWhenEnded: true, dueWaitsForChannel: () => true, finalStatusEndsSend: () => true, oneStatusTimer: true, localStatusSettles: true,
};

/** The states a send ends in. */
const ENDED: ReadonlySet<SendState> = new Set(['COMPLETED', 'FAILED', 'REJECTED', 'CONFLICT', 'CANCELLED']);

async function runSend({ request, timing }: OutboundSendInput, behaviour: Behaviour): Promise<SendSnapshot> {
  // Herald's own records: a fault of the moment (a lost connection, a deadlock) is retried for
  // about ten minutes; a statement the database refuses (DATA_ERROR) is not retried at all.
  const records = proxyActivities<SendActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 25, nonRetryableErrorTypes: [DATA_ERROR] },
  });
  // Writing down that a step failed gets longer: it is what releases the thread.
  const compensation = proxyActivities<SendActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 100, nonRetryableErrorTypes: [DATA_ERROR] },
  });
  // Validate and reserve run in the workflow task itself; retried like the records.
  const local = proxyLocalActivities<SendActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 25, nonRetryableErrorTypes: [DATA_ERROR] },
  });
  const { deliverMessage } = proxyActivities<SendActivities>({
    startToCloseTimeout: '60 seconds',
    retry: {
      initialInterval: timing.deliveryInitialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: timing.deliveryAttempts,
      nonRetryableErrorTypes: [PERMANENT_DELIVERY_FAILURE],
    },
  });

  // Sends begun before the short send replay the way they ran.
  const { short, stateWhenEnded } = behaviour;
  let state: SendState = 'VALIDATING';
  let answer: SendAnswer | undefined;
  let messageId: string | null = null;
  let threadId: string | null = null;
  let messageStatus: MessageStatus | null = null;
  let attempt = 1;
  let delivering = false;
  let awaitingRetry = false;
  let cancelRequested = false;
  let retryRequested = false;
  let clientWroteIn = false;
  const statusEvents: DeliveryStatusEvent[] = [];
  // The parts the channel got in the current attempt; the message is as far as its slowest part.
  let currentParts: string[] = [];
  const partStatus = new Map<string, MessageStatus>();

  // Before the channel has the message, or while a failed attempt waits for a retry; never after
  // the channel took it (the message is then SENT and out of our hands).
  const cancellable = () => state === 'SCHEDULED' || awaitingRetry || (state === 'DELIVERING' && !delivering && messageStatus === 'PENDING');
  const snapshot = (): SendSnapshot => ({
    state, errors: answer?.errors ?? [], messageId, threadId, conflictThreadId: answer?.conflictThreadId ?? null,
    messageStatus, cancellable: cancellable(), cancelRequested, awaitingRetry, attempt,
  });

  setHandler(acceptedUpdate, async () => {
    await condition(() => answer !== undefined);
    return answer!;
  });
  setHandler(stateQuery, snapshot);
  setHandler(deliveryStatusSignal, (event) => void statusEvents.push(event));
  // cancelSend and retrySend: refused at once by the validator when they cannot apply, answered
  // once the workflow has acted, so the caller never polls and never claims what did not happen.
  const outcome = (): ActionOutcome => ({ state, messageStatus, attempt });
  setHandler(cancelUpdate, async (_by: ActorInput) => {
    cancelRequested = true;
    await condition(() => ENDED.has(state));
    return outcome();
  }, {
    validator: (_by: ActorInput) => {
      if (!cancellable()) throw new Error(ENDED.has(state) ? `The send has finished (${state}).` : 'The channel has the message already; it can no longer be cancelled.');
    },
  });
  setHandler(retryUpdate, async (_by: ActorInput) => {
    retryRequested = true;
    await condition(() => !awaitingRetry);
    return outcome();
  }, {
    validator: (_by: ActorInput) => {
      if (!awaitingRetry) throw new Error(`Nothing to retry: the send is ${state}.`);
    },
  });
  // The first version's signals, still in recorded histories.
  setHandler(cancelSignal, () => { if (cancellable()) cancelRequested = true; });
  setHandler(retrySignal, () => { if (awaitingRetry) retryRequested = true; });
  setHandler(clientWroteInSignal, () => { clientWroteIn = true; });

  const enter = (next: SendState) => {
    const before = state;
    state = next;
    if (next === before && short) return;
    // Each write is a visibility update in the Temporal server: the short send writes the state a
    // supervisor filters on, not each step on the way.
    if (!short || next === 'SCHEDULED' || ENDED.has(next) || (!stateWhenEnded && next === 'AWAITING_STATUS')) upsertSearchAttributes([{ key: SA_STATE, value: next }]);
    // A scheduled send that fell due is under way again: no state until it ends.
    else if (stateWhenEnded && before === 'SCHEDULED') upsertSearchAttributes([{ key: SA_STATE, value: null }]);
  };
  const finish = async (): Promise<SendSnapshot> => {
    await condition(allHandlersFinished);
    return snapshot();
  };
  const answerWith = (errors: UserError[], conflictThreadId: string | null) => {
    answer = { state, errors, messageId, threadId, conflictThreadId };
  };
  // The thread a failure releases: the one this send opened. A thread it took over (R28) was the
  // client's before the send and stays with the agent who took it.
  const releasable = () => (request.takeOverThreadId ? null : threadId);
  const settle = async (move: MessageOutcome['move'], sendState: SendState | undefined, step: MessageOutcome['step'], how: 'activity' | 'local' = 'activity') => {
    const outcome: MessageOutcome = {
      sendId: request.sendId, messageId: messageId!, threadId: releasable(), move, step, ...(sendState ? { sendState } : {}), ...(short ? { endsSendWhenFinal: true } : {}),
    };
    const result = how === 'local'
      ? await local.settleMessage(outcome).catch((err: unknown) => { throw asStepFailure(err, 'settleMessage'); })
      : await records.settleMessage(outcome);
    messageStatus = result.status;
    const ended = sendState ?? result.sendState;
    if (ended) enter(ended);
    return result;
  };

  // R26: why the step just tried handed over to the next one (null: it did not).
  let handOver: string | null = null;
  /** A step of a fallback chain that gives up: its message ends, but neither the thread nor the send. */
  const settleStep = async (move: MessageOutcome['move'], step: MessageOutcome['step']) => {
    const result = await records.settleMessage({ sendId: request.sendId, messageId: messageId!, threadId: null, move, step });
    messageStatus = result.status;
    return result;
  };

  try {
    return await validateReserveDeliver();
  } catch (err) {
    const reason = ownStepFailure(err);
    if (reason === null) throw err;
    return failOwnStep(reason);
  }

  async function validateReserveDeliver(): Promise<SendSnapshot> {
    return short ? shortSend() : firstVersion();
  }

  /** [schedule → wait until due] → validate and reserve (one local activity) → deliver, dispose → await status. */
  async function shortSend(): Promise<SendSnapshot> {
    if (request.sendAt && !(await scheduled(request.sendAt))) return finish();
    const acceptance = await local.acceptSend(request).catch((err: unknown) => { throw asStepFailure(err, 'acceptSend'); });
    if (!acceptance.ok) {
      enter(acceptance.state);
      answerWith(acceptance.errors, acceptance.conflictThreadId);
      // A scheduled message the rules refused when it fell due ends FAILED in the client's history.
      if (messageId) {
        const reasons = acceptance.errors.map((e) => e.message).join(' ');
        await settle({ status: 'FAILED', failure: { code: 'REFUSED_WHEN_DUE', providerCode: null, message: `Not sent when due: ${reasons}` } }, acceptance.state, { name: 'due', state: acceptance.state });
      }
      return finish();
    }
    messageId = acceptance.messageId;
    threadId = acceptance.threadId;
    messageStatus = 'PENDING';
    enter('DELIVERING');
    answerWith([], null);

    // Email and Telegram give no delivery receipts: SENT is as far as they go, so the send
    // completes there instead of waiting for a receipt that never comes and expiring.
    const caps = capabilitiesOf(request.channel);
    const then = afterDeliveryOn(request.channel, threadId && request.disposition ? { threadId, agentId: request.agentId, disposition: request.disposition, clientWroteIn } : null);
    if (request.fallback?.length) {
      await deliverAlongTheChain(then, request.fallback);
      return finish();
    }
    if (!(await deliverUntilAccepted(then))) return finish();
    enter(then.state);
    if (caps.deliveryReceipts) await awaitFinalStatus();
    return finish();
  }

  /**
   * R25: checked and written down SCHEDULED now (the caller's answer), then a durable timer until
   * sendAt; cancelSend ends it meanwhile. False when it was refused or cancelled.
   */
  async function scheduled(sendAt: string): Promise<boolean> {
    const scheduling = await local.scheduleSend(request).catch((err: unknown) => { throw asStepFailure(err, 'scheduleSend'); });
    if (!scheduling.ok) {
      enter('REJECTED');
      answerWith(scheduling.errors, null);
      return false;
    }
    messageId = scheduling.messageId;
    messageStatus = 'SCHEDULED';
    enter('SCHEDULED');
    answerWith([], null);
    const waitMs = waitUntil(sendAt, Date.now());
    if (waitMs > 0) await condition(() => cancelRequested, waitMs);
    // Due: still SCHEDULED (and cancellable) while quiet hours or the channel's limits hold it.
    while (!cancelRequested && behaviour.dueWaitsForChannel()) {
      const pace = await local.paceDueSend(request).catch((err: unknown) => { throw asStepFailure(err, 'paceDueSend'); });
      if (!pace.wait) break;
      await condition(() => cancelRequested, Math.max(100, Math.min(waitUntil(pace.wait.until, Date.now()), timing.paceRecheckMs ?? Infinity)));
    }
    if (cancelRequested) {
      await settle({ status: 'CANCELLED', note: 'cancelled before it fell due' }, 'CANCELLED', { name: 'cancel', state: 'CANCELLED' });
      return false;
    }
    enter('VALIDATING');
    return true;
  }

  /**
   * R26: the send's own channel, then each fallback step in turn. A step hands over when its
   * message ends in a way another channel can help with, or is not DELIVERED within the next
   * step's afterSeconds; the chain ends at DELIVERED, at a failure no channel can help with, or
   * at its last step, which ends like any send. Every step is a message of its own in the
   * client's history; the thread the send reserved stays its one thread.
   */
  async function deliverAlongTheChain(first: AfterDelivery, steps: readonly FallbackStep[]): Promise<void> {
    let then = first;
    let channel = request.channel;
    for (let k = 0; ; k += 1) {
      const next = steps[k];
      let reason: string | null;
      if (await deliverUntilAccepted(then, next !== undefined)) {
        enter(then.state);
        if (!capabilitiesOf(channel).deliveryReceipts) return;
        if (!next) return awaitFinalStatus();
        const outcome = await awaitStepOutcome(next.afterSeconds ?? null);
        if (outcome.kind !== 'handOver') return outcome.kind === 'delivered' ? awaitFinalStatus() : undefined;
        reason = outcome.reason;
      } else {
        reason = handOver;
        if (reason === null) return; // failed for good, or cancelled
      }
      const started = await records.startFallbackStep({ request, step: k + 1, threadId, reason });
      messageId = started.messageId;
      messageStatus = 'PENDING';
      attempt = 1;
      currentParts = [];
      partStatus.clear();
      channel = next!.channel;
      enter('DELIVERING');
      then = afterDeliveryOn(channel, null);
    }
  }

  /** Waits for the current step's message to be DELIVERED, to end, or for the wait before the next step to pass. */
  async function awaitStepOutcome(afterSeconds: number | null): Promise<{ kind: 'delivered' | 'ended' } | { kind: 'handOver'; reason: string }> {
    const deadline = Date.now() + (afterSeconds !== null ? afterSeconds * 1000 : timing.statusTimeoutMs);
    for (;;) {
      const arrived = await condition(() => statusEvents.length > 0, Math.max(0, deadline - Date.now()));
      if (!arrived) {
        if (afterSeconds !== null) return { kind: 'handOver', reason: `not DELIVERED within ${afterSeconds} s` };
        await settleStep({ status: 'EXPIRED', failure: { code: 'EXPIRED', providerCode: null, message: 'No delivery status arrived in time.' } }, { name: 'await status', state: 'EXPIRED' });
        return { kind: 'handOver', reason: 'no delivery status in time' };
      }
      const event = statusEvents.shift()!;
      if (event.providerRequestId && currentParts.length > 0 && !currentParts.includes(event.providerRequestId)) continue;
      if (event.transient) {
        // With another channel to try, a fault that may pass is not worth a person's retry.
        await records.noteTransientFailure({ sendId: request.sendId, messageId: messageId!, event, message: `The channel reported ${event.providerCode ?? 'a fault'} that may pass.` });
        return { kind: 'handOver', reason: `${event.providerCode ?? 'a fault that may pass'}` };
      }
      const { status, move, step } = statusOutcome(event);
      if (movesOn(status, event.failureCode)) {
        await settleStep(move, step);
        return { kind: 'handOver', reason: `${status} ${event.failureCode ?? ''}`.trim() };
      }
      const result = await settle(move, undefined, step);
      if (ENDED.has(state)) return { kind: 'ended' };
      if (result.status === 'DELIVERED' || result.status === 'READ') return { kind: 'delivered' };
    }
  }

  /** What deliver writes once the channel has the message: the disposition (the send's first step only) and the state it waits in. */
  function afterDeliveryOn(channel: Channel, dispose: AfterDelivery['dispose']): AfterDelivery {
    const caps = capabilitiesOf(channel);
    return {
      dispose,
      ...(caps.deliveryReceipts
        ? { state: 'AWAITING_STATUS', step: { name: 'await status', state: 'WAITING' } }
        : { state: 'COMPLETED', step: { name: 'complete', state: 'SENT', detail: `${caps.channel === 'EMAIL' ? 'email' : caps.label} has no delivery receipts` } }),
    };
  }

  /** The first version's steps, one activity each; sends begun with it replay here. */
  async function firstVersion(): Promise<SendSnapshot> {
    // 1. validate
    const validation = await records.validateSend(request);
    if (validation.errors.length > 0) {
      enter(validation.conflictThreadId !== null || validation.errors.some((e) => e.code === 'ACTIVE_THREAD_EXISTS') ? 'CONFLICT' : 'REJECTED');
      answerWith(validation.errors, validation.conflictThreadId);
      return finish();
    }

    // 2. reserve
    enter('RESERVING');
    const reservation = await records.reserveSend(request);
    if (!reservation.ok) {
      enter('CONFLICT');
      answerWith(reservation.errors, reservation.conflictThreadId);
      return finish();
    }
    messageId = reservation.messageId;
    threadId = reservation.threadId;
    messageStatus = 'PENDING';
    enter('DELIVERING');
    answerWith([], null);

    // 3. deliver
    if (!(await deliverUntilAccepted())) return finish();

    // 4. dispose
    if (threadId && request.disposition) {
      await records.disposeThread({ sendId: request.sendId, threadId, agentId: request.agentId, disposition: request.disposition, clientWroteIn });
    }

    // 5. await status (email and Telegram give no delivery receipts: SENT is as far as they go,
    // so the send completes there instead of waiting for a receipt that never comes and expiring)
    const after = afterDeliveryOn(request.channel, null);
    enter(after.state);
    await records.recordSendState({ sendId: request.sendId, state, step: after.step });
    if (after.state === 'AWAITING_STATUS') await awaitFinalStatus();
    return finish();
  }

  /**
   * A step of Herald's own failed for good (its record refused, or retries spent): the send ends
   * FAILED with the reason, the caller is answered if it was still waiting, and the thread is released.
   */
  async function failOwnStep(reason: string): Promise<SendSnapshot> {
    const message = `Herald could not carry out the send: ${reason}.`;
    const errors: UserError[] = answer?.errors ?? [{ code: 'SYSTEM_ERROR', message: `${message} Nothing was sent.` }];
    const unanswered = !answer;
    if (unanswered && !short) {
      state = 'FAILED';
      answerWith(errors, null);
    }
    enter('FAILED');
    // The short send answers once the failure is written: its record may not have existed before.
    const result = await compensation.abandonSend({ sendId: request.sendId, messageId, threadId: releasable(), reason: message, errors, ...(short ? { request } : {}) });
    messageStatus = result.messageStatus ?? messageStatus;
    if (unanswered && short) answerWith(errors, null);
    return finish();
  }

  /**
   * Tries until the channel has the message; false when it failed or was cancelled instead. With a
   * next step in the chain (R26), a refusal another channel can help with hands over instead of
   * failing the send: false, with `handOver` saying why.
   */
  async function deliverUntilAccepted(then?: AfterDelivery, nextStep = false): Promise<boolean> {
    handOver = null;
    for (;;) {
      if (cancelRequested) {
        await settle({ status: 'CANCELLED', note: 'cancelled before the channel had it' }, 'CANCELLED', { name: 'cancel', state: 'CANCELLED' });
        return false;
      }
      let fault: TransientFailureDetails;
      try {
        delivering = true;
        const delivered = await deliverMessage({ sendId: request.sendId, messageId: messageId!, attempt, ...(then ? { then } : {}) });
        currentParts = delivered.parts?.map((p) => p.providerRequestId) ?? [];
        partStatus.clear();
        messageStatus = 'SENT';
        return true;
      } catch (err) {
        if (isDataError(err)) throw err;
        const permanent = permanentFailure(err);
        if (permanent && nextStep && movesOn('FAILED', permanent.failureCode)) {
          await settleStep({ status: 'FAILED', failure: { code: permanent.failureCode, providerCode: permanent.providerCode, message: permanent.message } }, { name: 'deliver', state: 'FAILED', detail: permanent.message });
          handOver = `${permanent.failureCode} at delivery`;
          return false;
        }
        if (permanent) {
          await settle(
            { status: 'FAILED', failure: { code: permanent.failureCode, providerCode: permanent.providerCode, message: permanent.message } },
            'FAILED',
            { name: 'deliver', state: 'FAILED', detail: permanent.message },
          );
          return false;
        }
        // The automatic retries are spent: the message shows the last try's fault (R29).
        fault = transientFailure(err);
        await records.noteTransientFailure({
          sendId: request.sendId, messageId: messageId!, event: fault,
          message: `The channel did not take the message in ${timing.deliveryAttempts} tries (${failureText(err)}).`,
        });
      } finally {
        delivering = false;
      }
      if (!(await waitForRetry(fault))) return false;
    }
  }

  /**
   * A person may ask again (retrySend) for a while; a new attempt gets a new provider id. Nobody
   * asking fails the message with the fault it waited with (`fault`), so the reason stays (R29).
   */
  async function waitForRetry(fault: TransientFailureDetails): Promise<boolean> {
    awaitingRetry = true;
    retryRequested = false;
    await condition(() => retryRequested || cancelRequested, timing.retryWaitMs);
    awaitingRetry = false;
    if (cancelRequested) {
      await settle({ status: 'CANCELLED', note: 'cancelled while waiting for a retry' }, 'CANCELLED', { name: 'cancel', state: 'CANCELLED' });
      return false;
    }
    if (!retryRequested) {
      await settle(
        { status: 'FAILED', failure: { code: fault.failureCode, providerCode: fault.providerCode, message: 'The channel kept failing and nobody retried in time.' } },
        'FAILED',
        { name: 'deliver', state: 'FAILED', detail: 'no retry within the wait' },
      );
      return false;
    }
    attempt += 1;
    await records.recordSendState({ sendId: request.sendId, state, step: { name: 'retry', state: 'REQUESTED', detail: `attempt ${attempt}` } });
    return true;
  }

  /** Statuses only move forward; the timer ends the wait for a receipt (R19). */
  async function awaitFinalStatus(): Promise<void> {
    const deadline = Date.now() + timing.statusTimeoutMs;
    let expired = false;
    // Left running when a status ends the wait: a send that has ended takes no timer with it. A
    // cancel request cancels it too; the wait below is then cancelled itself, so that rejection
    // is dropped here (unhandled, it would fail every workflow task of the send from then on).
    if (behaviour.oneStatusTimer) void sleep(timing.statusTimeoutMs).then(() => { expired = true; }, () => undefined);
    const nextStatus = async () => {
      if (!behaviour.oneStatusTimer) return condition(() => statusEvents.length > 0, Math.max(0, deadline - Date.now()));
      await condition(() => statusEvents.length > 0 || expired);
      return statusEvents.length > 0;
    };
    for (;;) {
      const arrived = await nextStatus();
      if (!arrived) {
        if (messageStatus === 'DELIVERED') {
          enter('COMPLETED');
          await records.recordSendState({ sendId: request.sendId, state, step: { name: 'await status', state: 'DELIVERED', detail: 'no read receipt in time' } });
        } else {
          await settle({ status: 'EXPIRED', failure: { code: 'EXPIRED', providerCode: null, message: 'No delivery status arrived in time.' } }, 'FAILED', { name: 'await status', state: 'EXPIRED' });
        }
        return;
      }
      const event = statusEvents.shift()!;
      // A late status of an earlier attempt says nothing about this one.
      if (event.providerRequestId && currentParts.length > 0 && !currentParts.includes(event.providerRequestId)) continue;
      if (event.transient) {
        await records.noteTransientFailure({ sendId: request.sendId, messageId: messageId!, event, message: `The channel reported ${event.providerCode ?? 'a fault'} that may pass.` });
        enter('DELIVERING');
        const fault = { failureCode: event.failureCode ?? 'PROVIDER_ERROR', providerCode: event.providerCode } satisfies TransientFailureDetails;
        if (!(await waitForRetry(fault)) || !(await deliverUntilAccepted())) return;
        enter('AWAITING_STATUS');
        continue;
      }
      const { move, step } = statusOutcome(event);
      const result = await settle(move, undefined, step, behaviour.localStatusSettles ? 'local' : 'activity');
      if (short) {
        if (result.sendState) return; // the settle ended the send, in its own transaction
        continue;
      }
      // A settle whose answer was lost after it committed (a worker killed, the database
      // restarted) is retried and answers "no change": the message is final all the same.
      const ends = isFinal(result.status) && (result.changed || behaviour.finalStatusEndsSend());
      if (ends) {
        enter(endsInFailure(result.status) ? 'FAILED' : 'COMPLETED');
        await records.recordSendState({ sendId: request.sendId, state, step: { name: 'complete', state: result.status } });
        return;
      }
    }
  }

  /** What a status the channel reported does to the message, and how the send's steps show it. */
  function statusOutcome(event: DeliveryStatusEvent): { status: MessageStatus; move: MessageOutcome['move']; step: MessageOutcome['step'] } {
    const status = aggregateStatus(event);
    return {
      status,
      move: { status, at: event.at, failure: event.failureCode ? { code: event.failureCode, providerCode: event.providerCode, message: event.comment ?? event.failureCode } : null },
      step: { name: 'status', state: event.status, ...(event.providerCode ? { detail: event.providerCode } : currentParts.length > 1 ? { detail: `part ${event.providerRequestId}` } : {}) },
    };
  }

  /** A failing part fails the message; otherwise the message is where its slowest part is. */
  function aggregateStatus(event: DeliveryStatusEvent): MessageStatus {
    if (endsInFailure(event.status) || currentParts.length <= 1 || !event.providerRequestId) return event.status;
    const before = partStatus.get(event.providerRequestId) ?? 'SENT';
    if (statusRank(event.status) > statusRank(before)) partStatus.set(event.providerRequestId, event.status);
    return currentParts
      .map((id) => partStatus.get(id) ?? 'SENT')
      .reduce((slowest, s) => (statusRank(s) < statusRank(slowest) ? s : slowest));
  }
}

/** A local activity's failure reaches the workflow unwrapped; wrapped here, it reads like any step's. */
function asStepFailure(err: unknown, activityType: string): unknown {
  if (err instanceof ActivityFailure || !(err instanceof Error)) return err;
  return new ActivityFailure(`${activityType} failed`, activityType, undefined, RetryState.NON_RETRYABLE_FAILURE, undefined, err);
}

function isDataError(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === DATA_ERROR;
}

/** The reason when `err` is one of Herald's own steps failing for good; null for anything else. */
function ownStepFailure(err: unknown): string | null {
  if (!(err instanceof ActivityFailure)) return null;
  if (permanentFailure(err)) return null;
  return `${err.activityType} failed (${failureText(err)})`;
}

function permanentFailure(err: unknown): PermanentFailureDetails | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === PERMANENT_DELIVERY_FAILURE) return (cause.details?.[0] as PermanentFailureDetails | undefined) ?? null;
  return null;
}

/**
 * The fault of a delivery whose automatic retries are spent, from its last try (R29); a failure
 * that names none (a timeout, a history from before R29) is PROVIDER_ERROR. Reading it issues no
 * command, so sends recorded before it replay unchanged.
 */
function transientFailure(err: unknown): TransientFailureDetails {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const details = cause instanceof ApplicationFailure && cause.type === TRANSIENT_DELIVERY_FAILURE
    ? (cause.details?.[0] as Partial<TransientFailureDetails> | undefined)
    : undefined;
  return { failureCode: details?.failureCode ?? 'PROVIDER_ERROR', providerCode: details?.providerCode ?? null };
}

function failureText(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
