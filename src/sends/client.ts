import {
  WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client,
} from '@temporalio/client';
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { SendRequest } from '../domain/send.js';
import {
  OUTBOUND_SEND_WORKFLOW, SA_AGENT, SA_CHANNEL, SA_CLIENT, acceptedUpdate, cancelUpdate, clientWroteInSignal, deliveryStatusSignal, retryUpdate, stateQuery,
  type ActionOutcome, type ActorInput, type DeliveryStatusEvent, type OutboundSendInput, type SendAnswer, type SendSnapshot, type SendTiming,
} from './contract.js';
import type { LocalAnswers } from './localAnswers.js';
import { sendAnswers } from '../metrics.js';

// The API's side of a send: start it (Update-with-Start, or an eager start answered by this
// process's own worker), read its live state, and pass on what happens to it from outside
// (cancel, retry, delivery statuses).

/**
 * What a request asks for, as a hash: a requestId used again with other parameters is refused
 * (IDEMPOTENCY_KEY_REUSED) rather than answered with the old send, as Stripe does.
 */
export function requestFingerprint(request: Omit<SendRequest, 'sendId' | 'fingerprint'>): string {
  const asked = {
    agentId: request.agentId, clientId: request.clientId, channel: request.channel, text: request.text ?? null,
    attachmentId: request.attachmentId ?? null, template: request.template ?? null, subject: request.subject ?? null,
    bcc: request.bcc ?? null, disposition: request.disposition ?? null,
    // Only a scheduled send adds its time, so the hashes of sends made before R25 still match.
    ...(request.sendAt ? { sendAt: request.sendAt } : {}),
    ...(request.takeOverThreadId ? { takeOverThreadId: request.takeOverThreadId } : {}),
    ...(request.fallback?.length ? { fallback: request.fallback } : {}),
  };
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex');
}

export type StartOutcome = { kind: 'answered'; answer: SendAnswer } | { kind: 'finished' };

/** The send was not confirmed within the answer deadline; it may still be under way (R21: ask again). */
export class SendNotConfirmedError extends Error {
  constructor(readonly sendId: string, cause: unknown) {
    super(`send ${sendId} was not confirmed in time`, { cause });
    this.name = 'SendNotConfirmedError';
  }
}

export type ActionResult = { ok: true; outcome: ActionOutcome } | { ok: false; reason: string };

/**
 * A worker in the API's own process (embedded mode): a client on the worker's connection (eager
 * start hands the first workflow task only to a worker on the starter's connection) and where its
 * activities tell their answers (src/sends/localAnswers.ts).
 */
export interface WorkerHere {
  client: Client;
  answers: LocalAnswers;
}

/** What is left of the answer deadline for the update path when no answer was heard here. */
const UPDATE_RESERVE_MS = 1_000;

export class SendClient {
  private here: WorkerHere | null = null;

  constructor(private readonly client: Client, private readonly config: Config) {}

  /** Sends start eagerly on `worker` from now on; null: through the server (Update-with-Start). */
  answerHere(worker: WorkerHere | null): void {
    this.here = worker;
  }

  /** The worker sends start on now (tests). */
  get workerHere(): WorkerHere | null {
    return this.here;
  }

  timing(): SendTiming {
    const s = this.config.sends;
    return {
      statusTimeoutMs: s.statusTimeoutSeconds * 1000,
      retryWaitMs: s.retryWaitSeconds * 1000,
      deliveryAttempts: s.deliveryAttempts,
      deliveryInitialIntervalMs: s.retryInitialMs,
      paceRecheckMs: s.paceRecheckMs,
    };
  }

  /**
   * R21: the workflow id is the send id. A running send answers the update again with its first
   * answer; a finished one cannot be started twice (REJECT_DUPLICATE) and is read from the
   * database by the caller. The caller waits at most SEND_ANSWER_TIMEOUT_SECONDS: a send that is
   * not confirmed by then (no worker, an overloaded server) throws SendNotConfirmedError, and the
   * same requestId finds it later without sending twice.
   */
  async start(request: SendRequest): Promise<StartOutcome> {
    const deadline = Date.now() + this.config.sends.answerTimeoutMs;
    const here = this.here;
    if (here) {
      const answered = await this.startHere(here, request, deadline);
      if (answered) {
        sendAnswers.inc({ path: 'here' });
        return answered;
      }
    }
    // Asking again inside the deadline is safe: the workflow id makes the call idempotent.
    for (;;) {
      try {
        const outcome = await this.client.withDeadline(deadline, () => this.startOnce(request));
        sendAnswers.inc({ path: 'update' });
        return outcome;
      } catch (err) {
        if (Date.now() >= deadline || !(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) {
          throw Date.now() >= deadline ? new SendNotConfirmedError(request.sendId, err) : err;
        }
      }
    }
  }

  /**
   * The send started eagerly on the worker here, answered by its activity; null when the update
   * path is to answer: the send existed already (an ask again), the server gave its first task
   * to the task queue rather than to this worker (no free slot), nothing was heard in time, or
   * the start failed (the update path asks again and says why).
   */
  private async startHere(here: WorkerHere, request: SendRequest, deadline: number): Promise<StartOutcome | null> {
    const expected = here.answers.expect(request.sendId);
    try {
      const handle = await here.client.withDeadline(deadline, () => here.client.workflow.start(OUTBOUND_SEND_WORKFLOW, {
        ...this.startOptions(request), workflowIdConflictPolicy: 'FAIL', requestEagerStart: true,
      }));
      if (!handle.eagerlyStarted) return null;
      const answer = await expected.within(deadline - UPDATE_RESERVE_MS - Date.now());
      return answer ? { kind: 'answered', answer } : null;
    } catch {
      return null;
    } finally {
      expected.cancel();
    }
  }

  private startOptions(request: SendRequest) {
    const input: OutboundSendInput = { request, timing: this.timing() };
    return {
      workflowId: request.sendId,
      taskQueue: this.config.temporal.taskQueue,
      args: [input] as [OutboundSendInput],
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: [
        { key: SA_AGENT, value: request.agentId ?? '' },
        { key: SA_CLIENT, value: request.clientId },
        { key: SA_CHANNEL, value: request.channel },
        // The state is written when the send ends (the workflow's PATCH.stateWhenEnded).
      ],
    };
  }

  private async startOnce(request: SendRequest): Promise<StartOutcome> {
    const startWorkflowOperation = new WithStartWorkflowOperation(OUTBOUND_SEND_WORKFLOW, {
      ...this.startOptions(request),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      const answer = await this.client.workflow.executeUpdateWithStart(acceptedUpdate, { startWorkflowOperation });
      return { kind: 'answered', answer };
    } catch (err) {
      if (isFinished(err)) return { kind: 'finished' };
      throw err;
    }
  }

  /** The live state, or null once the workflow has finished (the database then has it all). */
  async state(sendId: string): Promise<SendSnapshot | null> {
    try {
      return await this.client.workflow.getHandle(sendId).query(stateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /** The workflow's own event history, for supervisors (R24). */
  async historyOf(sendId: string) {
    return this.client.workflow.getHandle(sendId).fetchHistory();
  }

  /** Cancels before the channel has the message; refused (with the reason) when it cannot. */
  cancel(sendId: string, byAgentId: string | null): Promise<ActionResult> {
    return this.act(sendId, cancelUpdate, { byAgentId });
  }

  /** A new attempt after a failure that may pass; refused (with the reason) when none waits. */
  retry(sendId: string, byAgentId: string | null): Promise<ActionResult> {
    return this.act(sendId, retryUpdate, { byAgentId });
  }

  private async act(sendId: string, update: typeof cancelUpdate, by: ActorInput): Promise<ActionResult> {
    try {
      return { ok: true, outcome: await this.client.workflow.getHandle(sendId).executeUpdate(update, { args: [by] }) };
    } catch (err) {
      // The workflow's validator said no, or the send has finished (its workflow is closed).
      if (err instanceof WorkflowUpdateFailedError) return { ok: false, reason: err.cause instanceof Error ? err.cause.message : err.message };
      if (err instanceof WorkflowNotFoundError || isFinished(err)) return { ok: false, reason: 'The send has finished.' };
      throw err;
    }
  }

  /** The client wrote in: sends still in flight keep the thread open for the reply (R12). */
  async clientWroteIn(sendIds: readonly string[]): Promise<void> {
    const at = new Date().toISOString();
    await Promise.all(sendIds.map((id) => this.client.workflow.getHandle(id).signal(clientWroteInSignal, { at }).catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    })));
  }

  /** False when the send has finished: a late status then changes nothing (R19). */
  async deliveryStatus(sendId: string, event: DeliveryStatusEvent): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(sendId).signal(deliveryStatusSignal, event);
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}

function isFinished(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return true;
    const msg = e instanceof Error ? e.message : '';
    if (/already (started|completed)|workflow execution already/i.test(msg)) return true;
  }
  return false;
}
