import type { DeliveryFailureCode, MessageStatus } from './enums.js';
import { canMoveTo, isFinal } from './messageStatus.js';

/**
 * A delivery status a channel reported (an edna callback, a signed gateway callback), already in
 * Herald's terms: the channel webhooks make it, the send's workflow applies it (R19).
 */
export interface DeliveryStatusEvent {
  /** Which part of which attempt it is about (absent in histories recorded before parts existed). */
  providerRequestId?: string;
  status: MessageStatus;
  at: string;
  providerCode: string | null;
  failureCode: DeliveryFailureCode | null;
  /** The channel says the fault may pass (edna `error-system`): wait for a retry instead of failing. */
  transient: boolean;
  comment: string | null;
}

/**
 * Whether a reported status can change anything for a message now at `current` (R19): a status
 * that does not move it forward (a duplicate, a late one) and is not a fault that may pass changes
 * nothing, so the webhook answers without waking the send. Nor does SENT: the send's own delivery
 * writes SENT when the channel takes the message, and its workflow reads statuses only after that,
 * so a SENT report that outruns the delivery's write (the channel calls back before it answers)
 * would cost a signal, a workflow task and a settle that all end in "no change".
 */
export function changesMessage(event: Pick<DeliveryStatusEvent, 'status' | 'transient'>, current: MessageStatus): boolean {
  if (isFinal(current)) return false;
  if (event.transient) return true;
  return mayChangeAMessage(event) && canMoveTo(current, event.status);
}

/** False for a report that changes no message whatever its status (SENT), so it needs no lookup. */
export function mayChangeAMessage(event: Pick<DeliveryStatusEvent, 'status' | 'transient'>): boolean {
  return event.transient || event.status !== 'SENT';
}
