import { ApplicationFailure } from '@temporalio/common';
import type { SendRequest } from '../domain/send.js';
import type { Acceptance } from './activities/accept.js';
import type { Scheduling } from './activities/schedule.js';
import { DATA_ERROR, type SendAnswer } from './contract.js';

// Where the API and a worker share a process (embedded mode), a send starts with eager workflow
// start: the Temporal server hands the send's first workflow task straight back to this process's
// worker, whose acceptSend (or scheduleSend) decides the answer in that task. The request waiting
// here hears the answer from the activity itself: no update travels through the server and back.
// The answer is the one the workflow gives its `accepted` update (an ask again still gets it
// there), and it is given once the decision is in the database: a crash after it loses nothing,
// because the workflow task runs again and the activity finds the decision it made (R21).
//
// The bare shape of npm run bench, on one dev server with nothing else running: an
// Update-with-Start answered in 52–55 ms, an eager start whose local activity had run in 25 ms,
// with half the process CPU (11.9 against 22.3 ms).

/** A request's wait for its send's answer: `null` means ask the workflow (the update path). */
export interface Expected {
  /** The answer, or null when none came here within `ms` or the activity failed for good. */
  within(ms: number): Promise<SendAnswer | null>;
  /** Stops waiting (the request went another way). */
  cancel(): void;
}

export class LocalAnswers {
  private readonly waiting = new Map<string, Set<(answer: SendAnswer | null) => void>>();

  /** Call before the send starts: its activity may answer before the start call returns. */
  expect(sendId: string): Expected {
    let settle!: (answer: SendAnswer | null) => void;
    const heard = new Promise<SendAnswer | null>((resolve) => (settle = resolve));
    const waiters = this.waiting.get(sendId) ?? new Set();
    this.waiting.set(sendId, waiters);
    waiters.add(settle);
    const cancel = () => {
      waiters.delete(settle);
      if (waiters.size === 0 && this.waiting.get(sendId) === waiters) this.waiting.delete(sendId);
      settle(null);
    };
    return {
      async within(ms) {
        const timer = setTimeout(cancel, Math.max(0, ms));
        try {
          return await heard;
        } finally {
          clearTimeout(timer);
          cancel();
        }
      },
      cancel,
    };
  }

  /** A send's answer was decided (null: its activity failed for good; the workflow answers). */
  heard(sendId: string, answer: SendAnswer | null): void {
    const waiters = this.waiting.get(sendId);
    if (!waiters) return;
    this.waiting.delete(sendId);
    for (const settle of waiters) settle(answer);
  }

  /** How many requests wait now (tests: none is left behind). */
  get size(): number {
    return this.waiting.size;
  }
}

/** The answer the workflow gives when acceptSend decided (src/sends/workflow.ts, shortSend). */
export function acceptanceAnswer(acceptance: Acceptance): SendAnswer {
  return acceptance.ok
    ? { state: 'DELIVERING', errors: [], messageId: acceptance.messageId, threadId: acceptance.threadId, conflictThreadId: null }
    : { state: acceptance.state, errors: acceptance.errors, messageId: null, threadId: null, conflictThreadId: acceptance.conflictThreadId };
}

/** The answer the workflow gives when scheduleSend decided (R25: SCHEDULED, or refused now). */
export function schedulingAnswer(scheduling: Scheduling): SendAnswer {
  return scheduling.ok
    ? { state: 'SCHEDULED', errors: [], messageId: scheduling.messageId, threadId: null, conflictThreadId: null }
    : { state: 'REJECTED', errors: scheduling.errors, messageId: null, threadId: null, conflictThreadId: null };
}

interface Answering {
  acceptSend(request: SendRequest): Promise<Acceptance>;
  scheduleSend(request: SendRequest): Promise<Scheduling>;
}

/**
 * The worker's activities, with the two that decide a send's answer telling `answers` what they
 * decided. A failure that will not be retried tells the waiting request to ask the workflow,
 * which answers with the failure; one that will be retried leaves it waiting.
 */
export function answeringLocally<T extends Answering>(activities: T, answers: LocalAnswers): T {
  const told = <R>(decide: (request: SendRequest) => Promise<R>, answerOf: (decision: R) => SendAnswer) => async (request: SendRequest) => {
    try {
      const decision = await decide(request);
      answers.heard(request.sendId, answerOf(decision));
      return decision;
    } catch (err) {
      if (err instanceof ApplicationFailure && (err.nonRetryable || err.type === DATA_ERROR)) answers.heard(request.sendId, null);
      throw err;
    }
  };
  return {
    ...activities,
    acceptSend: told(activities.acceptSend, acceptanceAnswer),
    scheduleSend: told(activities.scheduleSend, schedulingAnswer),
  };
}
