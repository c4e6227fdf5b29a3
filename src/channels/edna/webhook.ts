import { timingSafeEqual } from 'node:crypto';
import { FAILURE_MESSAGES } from '../../domain/deliveryFailures.js';
import { TRANSIENT_EDNA_ERRORS, failureCodeForEdna, messageStatusForEdna } from './codes.js';
import { storableDate } from '../../domain/input.js';
import type { Channel } from '../../domain/enums.js';
import type { DeliveryStatusEvent } from '../../domain/deliveryStatus.js';
import type { InboundInput } from '../../domain/inbound.js';
import { WebhookRefusal, jsonBody, type InboundWebhook, type StatusWebhook, type WebhookRequest } from '../webhook.js';

// edna → Herald: its status and inbound callbacks in Herald's terms. Each is refused 401 without
// the secret and 400 when malformed (nothing changed); src/http/webhooks.ts acts on what is read.

function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface EdnaStatusCallback {
  requestId?: string | null;
  messageId?: string | number | null;
  status?: string;
  statusAt?: string | null;
  error?: string | null;
  comment?: string | null;
}

export function parseStatusCallback(body: unknown): { providerRequestId: string; event: DeliveryStatusEvent } | { ignore: string } {
  if (!body || typeof body !== 'object') throw new WebhookRefusal(400, 'The body must be a JSON object.');
  const cb = body as EdnaStatusCallback;
  const id = typeof cb.requestId === 'string' && cb.requestId ? cb.requestId : cb.messageId !== null && cb.messageId !== undefined ? String(cb.messageId) : null;
  if (!id) throw new WebhookRefusal(400, 'The callback names neither requestId nor messageId.');
  if (typeof cb.status !== 'string') throw new WebhookRefusal(400, 'The callback has no status.');
  const status = messageStatusForEdna(cb.status);
  if (status === undefined) throw new WebhookRefusal(400, `"${cb.status}" is not an edna status.`);
  if (status === null) return { ignore: `${cb.status} changes nothing for the client` };
  // edna's own time when it is one Herald can store; otherwise the time it reached us.
  const at = (storableDate(cb.statusAt) ?? new Date()).toISOString();
  const failed = status === 'UNDELIVERED' || status === 'FAILED';
  const failureCode = failed ? (failureCodeForEdna(cb.error) ?? 'PROVIDER_ERROR') : null;
  return {
    providerRequestId: id,
    event: {
      providerRequestId: id,
      status,
      at,
      providerCode: cb.error ?? null,
      failureCode,
      transient: failed && !!cb.error && TRANSIENT_EDNA_ERRORS.has(cb.error),
      comment: failureCode ? `${FAILURE_MESSAGES[failureCode]}${cb.error ? ` (edna: ${cb.error})` : ''}` : (cb.comment ?? null),
    },
  };
}

interface EdnaInbound {
  channelType?: string;
  subscriber?: { identifier?: string };
  userInfo?: { userName?: string | null; firstName?: string | null; lastName?: string | null } | null;
  messageContent?: { type?: string; text?: string | null; attachment?: unknown } | null;
  receivedAt?: string | null;
}

const EDNA_INBOUND_CHANNELS: Record<string, Channel> = { WHATSAPP: 'WHATSAPP', VIBER: 'VIBER' };

export function parseInbound(body: unknown): InboundInput {
  if (!body || typeof body !== 'object') throw new WebhookRefusal(400, 'The body must be a JSON object.');
  const m = body as EdnaInbound;
  const channel = EDNA_INBOUND_CHANNELS[m.channelType ?? ''];
  if (!channel) throw new WebhookRefusal(400, `"${m.channelType}" is not a channel edna carries.`);
  const address = m.subscriber?.identifier;
  if (typeof address !== 'string' || !address) throw new WebhookRefusal(400, 'subscriber.identifier is missing.');
  const at = storableDate(m.receivedAt) ?? new Date();
  const name = [m.userInfo?.firstName, m.userInfo?.lastName].filter(Boolean).join(' ') || m.userInfo?.userName || null;
  return { channel, address, text: m.messageContent?.text ?? null, name, receivedAt: at };
}

export interface EdnaWebhookSettings {
  /** edna sends the secret in this header (EDNA_WEBHOOK_HEADER). */
  webhookHeader: string;
  webhookSecret: string;
}

/** edna's two callbacks: delivery statuses and messages the client wrote. Both carry the secret. */
export function ednaWebhooks(settings: EdnaWebhookSettings): { status: StatusWebhook; inbound: InboundWebhook } {
  const authorize = (request: WebhookRequest) => {
    if (!secretMatches(request.headers[settings.webhookHeader.toLowerCase()], settings.webhookSecret)) {
      throw new WebhookRefusal(401, `missing or wrong ${settings.webhookHeader}`);
    }
  };
  return {
    status: {
      path: '/webhooks/edna/status',
      read(request) {
        authorize(request);
        const parsed = parseStatusCallback(jsonBody(request.body));
        return 'ignore' in parsed ? { kind: 'ignored', reason: parsed.ignore } : { kind: 'status', ...parsed };
      },
    },
    inbound: {
      path: '/webhooks/edna/inbound',
      read(request) {
        authorize(request);
        return parseInbound(jsonBody(request.body));
      },
    },
  };
}
