import type { Channel, DispositionKind, TransferTargetKind } from './enums.js';
import type { FallbackStep } from './fallback.js';

// What a caller asks Herald to send, as the workflow carries it (plain data: it is serialized
// into the workflow history).

export interface SendContent {
  text?: string | null;
  attachmentId?: string | null;
  template?: { templateId: string; variables: Array<{ key: string; value: string }> } | null;
  subject?: string | null;
  bcc?: string[] | null;
}

export interface DispositionRequest {
  kind: DispositionKind;
  target?: { kind: TransferTargetKind; id: string } | null;
  comment?: string | null;
}

export interface SendRequest extends SendContent {
  sendId: string;
  requestId: string;
  /** Who called the API: the agent itself, or an integrator (R23). */
  requestedById: string;
  /** The agent the message is sent as; null for an integrator sending as nobody. */
  agentId: string | null;
  clientId: string;
  channel: Channel;
  disposition?: DispositionRequest | null;
  /** R26: the channels to try next, in order, each with its own content. */
  fallback?: FallbackStep[] | null;
  /** R28: go into this open, unassigned thread of the client (the agent takes it over) instead of opening one. */
  takeOverThreadId?: string | null;
  /** R25: send at this time (ISO) instead of now; the workflow waits on a durable timer. */
  sendAt?: string | null;
  /** A hash of what was asked (sends/client.ts), kept to refuse the same requestId with other parameters. */
  fingerprint?: string;
}

/** An idempotency key as callers may choose it (sendMessage's and startCampaign's requestId). */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_RULE = 'A requestId is 1 to 128 letters, digits, dots, colons, underscores or dashes.';

/** A send's id (its workflow id): the caller's requestId, scoped to the caller (R21). */
export const sendIdFor = (requestedById: string, requestId: string) => `send:${requestedById}:${requestId}`;
