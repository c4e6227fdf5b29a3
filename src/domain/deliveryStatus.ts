import type { DeliveryFailureCode, MessageStatus } from './enums.js';

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
