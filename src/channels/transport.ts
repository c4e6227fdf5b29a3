import type { Readable } from 'node:stream';
import type { AttachmentKind } from '../domain/channels.js';
import type { Channel, DeliveryFailureCode } from '../domain/enums.js';

// One interface for every way Herald reaches a client: a transport takes one part of a message
// (what the provider receives as one message) and resolves once the provider has it, or throws
// one of the two errors below. The send's deliver activity picks the transport from the channel
// table (src/domain/channels.ts) and never branches on it.

export interface OutgoingAttachment {
  /** Where the provider fetches the file (PUBLIC_BASE_URL/files/<token>/<name>). */
  url: string;
  name: string;
  mimeType: string;
  size: number;
  /** What the channel calls it (R9): decides photo or document, edna's contentType. */
  kind: AttachmentKind['kind'];
  /** The bytes, streamed from the store (email attaches them; the others send the URL). */
  open(): Readable;
}

export interface OutgoingTemplate {
  /** The provider's template id. */
  externalId: string;
  textVariables: string[];
  headerVariables: string[];
}

export interface OutgoingPart {
  /** The provider's idempotency key for this part of this attempt; what status callbacks name. */
  id: string;
  channel: Channel;
  /** The client's address on the channel: phone digits, an email address, a messenger id. */
  address: string;
  text: string | null;
  attachment: OutgoingAttachment | null;
  template: OutgoingTemplate | null;
  /** EMAIL only. */
  email: { subject: string; bcc: string[] } | null;
}

export interface PartReceipt {
  /** What the provider said beside taking it, for the status history (a BCC copy refused, say). */
  notes: string[];
}

export interface ChannelTransport {
  deliver(part: OutgoingPart): Promise<PartReceipt>;
}

export const TAKEN: PartReceipt = Object.freeze({ notes: [] }) as PartReceipt;

/**
 * The channel refused the message for good (a 4xx, an unknown recipient): retrying cannot help.
 * Anything else a channel throws is taken as transient and retried with backoff (R20).
 */
export class PermanentDeliveryError extends Error {
  constructor(readonly failureCode: DeliveryFailureCode, readonly providerCode: string | null, message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export interface TransientFault {
  /** The wait the provider asked for (429 Retry-After, Telegram's retry_after). */
  retryAfterMs?: number;
  /**
   * What the message shows once the automatic retries are spent and the send waits for a person
   * (R29): RATE_LIMITED when the provider kept asking to slow down; PROVIDER_ERROR otherwise.
   */
  failureCode?: DeliveryFailureCode;
}

export class TransientDeliveryError extends Error {
  readonly retryAfterMs: number | undefined;
  readonly failureCode: DeliveryFailureCode;

  constructor(readonly providerCode: string | null, message: string, fault: TransientFault = {}) {
    super(message);
    this.name = 'TransientDeliveryError';
    this.retryAfterMs = fault.retryAfterMs;
    this.failureCode = fault.failureCode ?? 'PROVIDER_ERROR';
  }
}

/** A channel with no transport configured: every part is refused for good, saying which setting is missing. */
export function notConfigured(what: string): ChannelTransport {
  return {
    async deliver(part) {
      throw new PermanentDeliveryError('PROVIDER_REJECTED', null, `${part.channel} is not connected on this Herald (${what}).`);
    },
  };
}
