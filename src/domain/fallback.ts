import { capabilitiesOf } from './channels.js';
import type { Channel, DeliveryFailureCode, MessageStatus } from './enums.js';
import { userError, type UserError } from './errors.js';
import type { SendContent } from './send.js';

// R26: a send may name other channels to reach the client on when its own fails in a way another
// channel can help with, or does not reach DELIVERED in time. Pure, so the API and the workflow
// judge a chain the same way.

export const MAX_FALLBACK_STEPS = 3;
export const MIN_AFTER_SECONDS = 1;
export const MAX_AFTER_SECONDS = 7 * 24 * 3600;

/** One step of the chain: a channel with its own content, tried when the step before it gave up. */
export interface FallbackStep extends SendContent {
  channel: Channel;
  /** How long the step before gets to reach DELIVERED before this one goes; absent: until it ends. */
  afterSeconds?: number | null;
}

/** The failures that say "not on this channel" rather than "not at all": another channel may reach the client. */
const ANOTHER_CHANNEL_HELPS: ReadonlySet<DeliveryFailureCode> = new Set([
  'NOT_CHANNEL_USER', 'BLOCKED_BY_USER', 'TEMPLATE_MISMATCH', 'OUTSIDE_SESSION_WINDOW', 'EXPIRED',
]);

/** Whether a message that ended so moves the send on to its next step. */
export function movesOn(status: MessageStatus, failureCode: DeliveryFailureCode | null | undefined): boolean {
  if (status === 'EXPIRED') return true;
  return (status === 'UNDELIVERED' || status === 'FAILED') && failureCode != null && ANOTHER_CHANNEL_HELPS.has(failureCode);
}

/**
 * The chain's shape, before its steps are judged by the send rules: at most three steps, each on a
 * channel not used before in the chain, a sane wait, and every step but the last on a channel that
 * reports delivery (otherwise nothing could ever say it failed or arrived).
 */
export function checkFallbackChain(primary: Channel, steps: readonly FallbackStep[]): UserError[] {
  if (steps.length === 0) return [];
  if (steps.length > MAX_FALLBACK_STEPS) return [userError('INVALID_INPUT', `A send falls back at most ${MAX_FALLBACK_STEPS} times; this one names ${steps.length} steps.`, ['fallback'])];
  const errors: UserError[] = [];
  const chain = [primary, ...steps.map((s) => s.channel)];
  steps.forEach((step, i) => {
    const field = ['fallback', String(i)];
    if (chain.indexOf(step.channel) <= i) errors.push(userError('INVALID_INPUT', `${step.channel} is already a step of this send.`, [...field, 'channel']));
    if (step.afterSeconds != null && (!Number.isInteger(step.afterSeconds) || step.afterSeconds < MIN_AFTER_SECONDS || step.afterSeconds > MAX_AFTER_SECONDS)) {
      errors.push(userError('INVALID_INPUT', `afterSeconds is ${MIN_AFTER_SECONDS} to ${MAX_AFTER_SECONDS} (7 days).`, [...field, 'afterSeconds']));
    }
    const before = chain[i]!;
    if (!capabilitiesOf(before).deliveryReceipts) {
      errors.push(userError('INVALID_INPUT', `${before} reports no delivery, so nothing can tell when to fall back from it; put it last.`, [...field, 'channel']));
    }
  });
  return errors;
}
