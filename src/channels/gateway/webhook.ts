import type { Config } from '../../config.js';
import { FAILURE_MESSAGES } from '../../domain/deliveryFailures.js';
import { CHANNEL_HEADER, SIGNATURE_HEADER, signatureMatches } from './signature.js';
import { GATEWAY_CHANNELS, type GatewayChannel } from '../../domain/channels.js';
import { DELIVERY_FAILURE_CODES, type DeliveryFailureCode, type MessageStatus } from '../../domain/enums.js';
import { EARLIEST_YEAR, LATEST_YEAR, storableDate } from '../../domain/input.js';
import type { DeliveryStatusEvent } from '../../domain/deliveryStatus.js';
import { WebhookRefusal, jsonBody, type StatusWebhook } from '../webhook.js';

// Channel gateway → Herald: POST /webhooks/channel/status, signed like the sends
// (`X-Herald-Signature: sha256=<hex HMAC-SHA256(channel secret, raw body)>`). The signature is
// checked on the bytes read, before anything is parsed: 401 without a valid one (nothing changes),
// 400 when malformed, 200 once handled (an unknown id included, so the gateway stops retrying).

const STATUSES: ReadonlySet<MessageStatus> = new Set(['SENT', 'DELIVERED', 'READ', 'UNDELIVERED', 'FAILED']);
const isFailureCode = (v: unknown): v is DeliveryFailureCode => typeof v === 'string' && (DELIVERY_FAILURE_CODES as readonly string[]).includes(v);

export interface GatewayStatusCallback {
  /** Herald's id the send carried (its Idempotency-Key). */
  messageId: string;
  channel?: GatewayChannel;
  status: 'SENT' | 'DELIVERED' | 'READ' | 'UNDELIVERED' | 'FAILED';
  at?: string;
  /** With UNDELIVERED / FAILED: a DeliveryFailureCode (PROVIDER_ERROR: a fault that may pass). */
  error?: string | null;
  description?: string | null;
}

/** The channel whose secret signed the body; null when none did. */
export function signingChannel(config: Pick<Config, 'gateway'>, body: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): GatewayChannel | null {
  const signature = headers[SIGNATURE_HEADER.toLowerCase()];
  const named = headers[CHANNEL_HEADER.toLowerCase()];
  const candidates = typeof named === 'string' ? GATEWAY_CHANNELS.filter((c) => c === named) : GATEWAY_CHANNELS;
  return candidates.find((c) => {
    const endpoint = config.gateway[c];
    return !!endpoint && signatureMatches(endpoint.secret, body, signature);
  }) ?? null;
}

export function parseGatewayStatus(body: unknown, channel: GatewayChannel): { providerRequestId: string; event: DeliveryStatusEvent } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new WebhookRefusal(400, 'The body must be a JSON object.');
  const cb = body as Partial<Record<keyof GatewayStatusCallback, unknown>>;
  if (typeof cb.messageId !== 'string' || cb.messageId === '') throw new WebhookRefusal(400, 'messageId is missing.');
  if (cb.channel !== undefined && cb.channel !== channel) throw new WebhookRefusal(400, `The body names ${String(cb.channel)} but is signed with the ${channel} secret.`);
  if (typeof cb.status !== 'string' || !STATUSES.has(cb.status as MessageStatus)) {
    throw new WebhookRefusal(400, `status must be one of ${[...STATUSES].join(', ')}.`);
  }
  if (cb.at !== undefined && !storableDate(cb.at)) throw new WebhookRefusal(400, `at must be an ISO date-time between the years ${EARLIEST_YEAR} and ${LATEST_YEAR}.`);
  if (cb.error !== undefined && cb.error !== null && typeof cb.error !== 'string') throw new WebhookRefusal(400, 'error must be a string.');
  const status = cb.status as MessageStatus;
  const failed = status === 'UNDELIVERED' || status === 'FAILED';
  const error = typeof cb.error === 'string' && cb.error !== '' ? cb.error : null;
  const failureCode: DeliveryFailureCode | null = failed ? (isFailureCode(error) ? error : error ? 'PROVIDER_REJECTED' : 'PROVIDER_ERROR') : null;
  const description = typeof cb.description === 'string' && cb.description !== '' ? cb.description : null;
  return {
    providerRequestId: cb.messageId,
    event: {
      providerRequestId: cb.messageId,
      status,
      at: cb.at ? new Date(cb.at as string).toISOString() : new Date().toISOString(),
      providerCode: error,
      failureCode,
      // The gateway's own fault may pass: the send waits for a retry instead of failing (R20).
      transient: failed && error === 'PROVIDER_ERROR',
      comment: failureCode ? `${FAILURE_MESSAGES[failureCode]}${description ? ` (${description})` : ''}` : description,
    },
  };
}

/** POST /webhooks/channel/status: the signature first, on the bytes as read; then the body. */
export function gatewayStatusWebhook(config: Pick<Config, 'gateway'>): StatusWebhook {
  return {
    path: '/webhooks/channel/status',
    read(request) {
      const channel = signingChannel(config, request.body, request.headers);
      if (!channel) throw new WebhookRefusal(401, `missing or wrong ${SIGNATURE_HEADER}`);
      return { kind: 'status', channel, ...parseGatewayStatus(jsonBody(request.body), channel) };
    },
  };
}
