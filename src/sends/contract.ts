import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryFailureCode, MessageStatus, SendState } from '../domain/enums.js';
import type { UserError } from '../domain/errors.js';

// The outboundSend workflow's surface, shared by the workflow, the API and the webhooks.

/** What the `accepted` update answers once validation and reservation are done. */
export interface SendAnswer {
  state: SendState;
  errors: UserError[];
  messageId: string | null;
  threadId: string | null;
  /** With ACTIVE_THREAD_EXISTS: the thread that holds the client. */
  conflictThreadId: string | null;
}

export interface SendSnapshot extends SendAnswer {
  messageStatus: MessageStatus | null;
  /** Cancel is honoured only before the channel has the message (R21: never half-sent). */
  cancellable: boolean;
  /** A cancel was accepted and is being carried out. */
  cancelRequested?: boolean;
  /** A failure that may pass: the send waits for retrySend. */
  awaitingRetry: boolean;
  attempt: number;
}

/** A delivery status from the channel (edna callback), already mapped to Herald's terms. */
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

export const acceptedUpdate = defineUpdate<SendAnswer>('accepted');
export const stateQuery = defineQuery<SendSnapshot>('state');
export const deliveryStatusSignal = defineSignal<[DeliveryStatusEvent]>('deliveryStatus');
export const cancelSignal = defineSignal<[{ byAgentId: string | null }]>('cancel');
export const retrySignal = defineSignal<[{ byAgentId: string | null }]>('retry');
export const clientWroteInSignal = defineSignal<[{ at: string }]>('clientWroteIn');

export const OUTBOUND_SEND_WORKFLOW = 'outboundSend';

/** The failure type of a step that can never succeed as it stands (a statement the database refuses). */
export const DATA_ERROR = 'HeraldDataError';
