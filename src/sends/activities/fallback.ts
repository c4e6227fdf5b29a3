import { and, eq } from 'drizzle-orm';
import { addMessage } from '../../db/messages.js';
import { messages } from '../../db/schema.js';
import { capabilitiesOf } from '../../domain/channels.js';
import type { SendRequest } from '../../domain/send.js';
import type { ActivityDeps } from './deps.js';
import { recordProgress } from './progress.js';
import { outboundMessage } from './reserve.js';
import { fallbackStepRequest } from './validate.js';

export interface FallbackStart {
  request: SendRequest;
  /** 1 for the first fallback step. */
  step: number;
  /** The thread the send reserved; a step on a channel without threads (email) goes in none. */
  threadId: string | null;
  /** Why the step before handed over, for the send's steps. */
  reason: string;
}

/**
 * R26: the next step of a fallback chain becomes a message of its own, PENDING, linked to the
 * send, in the send's one thread (none for email), and the send's current message. Running it
 * again finds the message it made.
 */
export function startFallbackStepActivity(deps: ActivityDeps) {
  return async function startFallbackStep(input: FallbackStart): Promise<{ messageId: string }> {
    const { request, step } = input;
    const stepRequest = fallbackStepRequest(request, request.fallback![step - 1]!);
    const values = await outboundMessage(deps, stepRequest);
    const threadId = capabilitiesOf(stepRequest.channel).opensThread ? input.threadId : null;
    return deps.db.transaction(async (tx) => {
      const [existing] = await tx.select({ id: messages.id }).from(messages).where(and(eq(messages.sendId, request.sendId), eq(messages.fallbackStep, step)));
      if (existing) return { messageId: existing.id };
      const messageId = await addMessage(tx, { ...values, fallbackStep: step, threadId, status: 'PENDING' });
      await recordProgress(tx, request.sendId, {
        state: 'DELIVERING', messageId, step: { name: 'fallback', state: 'STARTED', detail: `${stepRequest.channel} (step ${step}) after ${input.reason}` },
      });
      return { messageId };
    });
  };
}
