import type http from 'node:http';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signatureMatches } from '../../src/channels/gateway/signature.js';
import type { GatewayChannel } from '../../src/domain/channels.js';
import { parseJson } from '../shared/http.js';

// What the gateway refuses in a send before it looks at the recipient: a channel it does not
// serve, a bad signature, no Idempotency-Key, a body that is not a send of that channel.

export class GatewayError extends Error {
  constructor(readonly status: number, readonly error: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const invalid = (message: string) => new GatewayError(400, 'INVALID_REQUEST', message);

export interface GatewaySend {
  /** The Idempotency-Key, which is also the messageId. */
  key: string;
  recipient: string;
  text: string | null;
  attachment: unknown;
}

/** @param secret the channel's, if the gateway serves it */
export function checkSend(channel: GatewayChannel, secret: string | undefined, raw: Buffer, headers: http.IncomingHttpHeaders): GatewaySend {
  if (!secret) throw new GatewayError(404, 'CHANNEL_NOT_SERVED', `This gateway does not serve ${channel}`);
  if (!signatureMatches(secret, raw, headers[SIGNATURE_HEADER.toLowerCase()])) throw new GatewayError(401, 'BAD_SIGNATURE', `missing or wrong ${SIGNATURE_HEADER}`);
  const key = headers[IDEMPOTENCY_HEADER.toLowerCase()];
  if (typeof key !== 'string' || key === '') throw new GatewayError(400, 'IDEMPOTENCY_KEY_MISSING', `${IDEMPOTENCY_HEADER} is required`);
  const parsed = parseJson(raw);
  if (!parsed.ok) throw new GatewayError(400, 'INVALID_JSON', 'The body is not JSON');
  const body = parsed.value as Record<string, unknown>;
  if (body.messageId !== key) throw invalid(`messageId must equal ${IDEMPOTENCY_HEADER}`);
  if (body.channel !== channel) throw invalid(`channel must be ${channel}`);
  if (typeof body.recipient !== 'string' || body.recipient === '') throw invalid('recipient is required');
  const text = typeof body.text === 'string' && body.text !== '' ? body.text : null;
  if (!text && !body.attachment) throw invalid('text or attachment is required');
  return { key, recipient: body.recipient, text, attachment: body.attachment ?? null };
}
