import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryStatusEvent } from '../domain/deliveryStatus.js';
import type { DeliveryFailureCode, MessageStatus, SendState } from '../domain/enums.js';
import type { UserError } from '../domain/errors.js';
import type { SendRequest } from '../domain/send.js';

// The send workflow's contract (outboundSendV3; outboundSend and outboundSendV2 before it), in one place (like `shared.ts` in the Temporal samples):
// what starts it, what it answers, the messages it takes (updates, signals, queries), the search
// attributes it keeps, and the names of the failures that cross the activity boundary. The
// workflow, the API's client, the activities and the webhooks all read it from here.

/** The workflow type a send starts as (sends started as `outboundSend` or `outboundSendV2` still finish and replay). */
export const OUTBOUND_SEND_WORKFLOW = 'outboundSendV3';

export interface SendTiming {
  /** How long to wait for a final delivery status before the message EXPIRES. */
  statusTimeoutMs: number;
  /** How long a failure that may pass waits for a person's retrySend. */
  retryWaitMs: number;
  /** Automatic delivery retries (transient faults) before a person is asked. */
  deliveryAttempts: number;
  deliveryInitialIntervalMs: number;
  /** R31, R33: the longest a due send held by quiet hours or a limit waits before asking again (absent in older histories: until the time it was told). */
  paceRecheckMs?: number;
}

export interface OutboundSendInput {
  request: SendRequest;
  timing: SendTiming;
}

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

export type { DeliveryStatusEvent };

/** Who asked (an agent's id; null for a caller that is not an agent). */
export interface ActorInput { byAgentId: string | null }

/** What cancel and retry answer once the workflow has acted. */
export interface ActionOutcome { state: SendState; messageStatus: MessageStatus | null; attempt: number }

/** Answers once validated and reserved (or refused): the caller of sendMessage waits on it. */
export const acceptedUpdate = defineUpdate<SendAnswer>('accepted');
/** Refused at once unless the channel does not have the message yet; answered once cancelled. */
export const cancelUpdate = defineUpdate<ActionOutcome, [ActorInput]>('cancelSend');
/** Refused at once unless the send waits for a retry; answered once the new attempt started. */
export const retryUpdate = defineUpdate<ActionOutcome, [ActorInput]>('retrySend');
export const stateQuery = defineQuery<SendSnapshot>('state');
export const deliveryStatusSignal = defineSignal<[DeliveryStatusEvent]>('deliveryStatus');
export const clientWroteInSignal = defineSignal<[{ at: string }]>('clientWroteIn');
/** @deprecated by cancelUpdate; still handled, since recorded histories carry it. */
export const cancelSignal = defineSignal<[ActorInput]>('cancel');
/** @deprecated by retryUpdate; still handled, since recorded histories carry it. */
export const retrySignal = defineSignal<[ActorInput]>('retry');

// Search attributes, registered on the dev server and in docker-compose, so the Temporal UI can
// filter sends the way `sends(filter)` does (R24).
export const SA_AGENT = defineSearchAttributeKey('HeraldAgentId', 'KEYWORD');
export const SA_CLIENT = defineSearchAttributeKey('HeraldClientId', 'KEYWORD');
export const SA_CHANNEL = defineSearchAttributeKey('HeraldChannel', 'KEYWORD');
export const SA_STATE = defineSearchAttributeKey('HeraldSendState', 'KEYWORD');
export const SEARCH_ATTRIBUTES = [SA_AGENT, SA_CLIENT, SA_CHANNEL, SA_STATE];

// Failures that cross from the activities to the workflow, by type name.
/** The channel refused the message for good; details: PermanentFailureDetails. Not retried. */
export const PERMANENT_DELIVERY_FAILURE = 'PermanentDeliveryFailure';
/** A fault that may pass; details: TransientFailureDetails, and the wait the channel asked for. Retried. */
export const TRANSIENT_DELIVERY_FAILURE = 'TransientDeliveryFailure';
/** A step that can never succeed as it stands (a statement the database refuses). Not retried. */
export const DATA_ERROR = 'HeraldDataError';

export interface PermanentFailureDetails {
  failureCode: DeliveryFailureCode;
  providerCode: string | null;
  message: string;
}

/** What the message shows while the send waits for a person's retry, once the automatic ones are spent (R29). */
export interface TransientFailureDetails {
  failureCode: DeliveryFailureCode;
  providerCode: string | null;
}
