import type { ScenarioName } from './scenarios.js';
import type { SandboxChannel } from './templates.js';

// What the edna sandbox keeps for inspection (`received()`, `accepted()`, `callbacks()` and
// GET /sandbox/...), and where it posts callbacks. reset() empties the records.

export interface ReceivedRequest {
  at: string;
  path: string;
  body: unknown;
  /** The HTTP status answered. */
  status: number;
  /** The error code (`title`) answered, if any. */
  code?: string;
}

export interface AcceptedMessage {
  /** Our requestId (cascade) or messageId (template). */
  id: string;
  kind: 'cascade' | 'template';
  channel: SandboxChannel;
  phone: string;
  body: unknown;
  at: string;
  /** The messageId the sandbox answered with (cascade: a number; template: our messageId). */
  providerMessageId: number | string;
  /** Cascade TEXT: the text; template: the body rendered with textVariables; otherwise null. */
  text: string | null;
  templateId: number | null;
  scenario: ScenarioName;
}

export interface SentCallback {
  at: string;
  kind: 'status' | 'inbound';
  url: string;
  body: unknown;
  /** 1 for the first post of a callback, 2.. for retries. */
  attempt: number;
  responseStatus?: number;
  error?: string;
}

export interface InboundMessage {
  channel: SandboxChannel;
  phone: string;
  text: string;
  userName?: string;
}

export interface EdnaRecords {
  /** Sends only (cascade and template), whatever was answered. */
  received: ReceivedRequest[];
  accepted: AcceptedMessage[];
  callbacks: SentCallback[];
}

/** Set by POST /api/callback/set (or the options, or setCallbackUrls); read when a callback goes out. */
export interface CallbackRegistration {
  statusCallbackUrl: string | undefined;
  inMessageCallbackUrl: string | undefined;
  /** Echoed in every status callback. */
  subjectId: number | string;
}
