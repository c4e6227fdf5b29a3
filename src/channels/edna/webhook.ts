import { timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/connection.js';
import { messageParts, messages } from '../../db/schema.js';
import { FAILURE_MESSAGES, TRANSIENT_EDNA_ERRORS, failureCodeForEdna, messageStatusForEdna } from './codes.js';
import type { SendClient } from '../../sends/client.js';
import { recordInbound } from '../../db/inbound.js';
import { ensureStand } from '../../db/stand.js';
import type { Channel } from '../../domain/enums.js';
import type { DeliveryStatusEvent } from '../../domain/deliveryStatus.js';
import { HttpError, readJson, sendJson } from '../../http/io.js';
import type { Route } from '../../http/server.js';

// edna → Herald. Each call is answered 200 once handled, 401 without the secret, 400 when
// malformed (nothing changed). The workflow owns the message: the webhook only signals it.

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
  if (!body || typeof body !== 'object') throw new HttpError(400, 'The body must be a JSON object.');
  const cb = body as EdnaStatusCallback;
  const id = typeof cb.requestId === 'string' && cb.requestId ? cb.requestId : cb.messageId !== null && cb.messageId !== undefined ? String(cb.messageId) : null;
  if (!id) throw new HttpError(400, 'The callback names neither requestId nor messageId.');
  if (typeof cb.status !== 'string') throw new HttpError(400, 'The callback has no status.');
  const status = messageStatusForEdna(cb.status);
  if (status === undefined) throw new HttpError(400, `"${cb.status}" is not an edna status.`);
  if (status === null) return { ignore: `${cb.status} changes nothing for the client` };
  const at = cb.statusAt && !Number.isNaN(Date.parse(cb.statusAt)) ? new Date(cb.statusAt).toISOString() : new Date().toISOString();
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

export function parseInbound(body: unknown): { channel: Channel; address: string; text: string | null; name: string | null; receivedAt: Date } {
  if (!body || typeof body !== 'object') throw new HttpError(400, 'The body must be a JSON object.');
  const m = body as EdnaInbound;
  const channel = EDNA_INBOUND_CHANNELS[m.channelType ?? ''];
  if (!channel) throw new HttpError(400, `"${m.channelType}" is not a channel edna carries.`);
  const address = m.subscriber?.identifier;
  if (typeof address !== 'string' || !address) throw new HttpError(400, 'subscriber.identifier is missing.');
  const at = m.receivedAt && !Number.isNaN(Date.parse(m.receivedAt)) ? new Date(m.receivedAt) : new Date();
  const name = [m.userInfo?.firstName, m.userInfo?.lastName].filter(Boolean).join(' ') || m.userInfo?.userName || null;
  return { channel, address, text: m.messageContent?.text ?? null, name, receivedAt: at };
}

/**
 * Hands a status to the send that owns the part (found by the id the channel knows it by); the
 * workflow applies it forward-only (R19). `channel`: only a message of that channel matches.
 */
export async function signalDeliveryStatus(
  deps: { db: Db; sends: SendClient },
  providerRequestId: string,
  event: DeliveryStatusEvent,
  channel?: Channel,
): Promise<'accepted' | 'unknown id' | 'send finished; nothing changed'> {
  const [message] = await deps.db
    .select({ id: messages.id, sendId: messages.sendId, channel: messages.channel })
    .from(messageParts)
    .innerJoin(messages, eq(messages.id, messageParts.messageId))
    .where(eq(messageParts.providerRequestId, providerRequestId));
  if (!message?.sendId || (channel && message.channel !== channel)) {
    console.warn(`[webhook] status ${event.status} for unknown id ${providerRequestId}`);
    return 'unknown id';
  }
  return (await deps.sends.deliveryStatus(message.sendId, event)) ? 'accepted' : 'send finished; nothing changed';
}

export function ednaWebhookRoutes(deps: { db: Db; config: Config; sends: SendClient }): Route[] {
  const authorized = (headers: Record<string, string | string[] | undefined>) =>
    secretMatches(headers[deps.config.edna.webhookHeader.toLowerCase()], deps.config.edna.webhookSecret);

  return [
    // edna checks a callback URL with HEAD before it registers it.
    { method: 'GET', path: '/webhooks/edna/status', handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'POST',
      path: '/webhooks/edna/status',
      handler: async (req, res) => {
        if (!authorized(req.headers)) return sendJson(res, 401, { error: `missing or wrong ${deps.config.edna.webhookHeader}` });
        const parsed = parseStatusCallback(await readJson(req));
        if ('ignore' in parsed) return sendJson(res, 200, { status: 'ignored', reason: parsed.ignore });
        sendJson(res, 200, { status: await signalDeliveryStatus(deps, parsed.providerRequestId, parsed.event) });
      },
    },
    { method: 'GET', path: '/webhooks/edna/inbound', handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'POST',
      path: '/webhooks/edna/inbound',
      handler: async (req, res) => {
        if (!authorized(req.headers)) return sendJson(res, 401, { error: `missing or wrong ${deps.config.edna.webhookHeader}` });
        const input = parseInbound(await readJson(req));
        const result = await recordInbound(deps.db, await ensureStand(deps.db), input);
        if (!result.ok) return sendJson(res, 400, { error: result.errors.map((e) => e.message).join(' '), codes: result.errors.map((e) => e.code) });
        await deps.sends.clientWroteIn(result.inFlightSendIds);
        sendJson(res, 200, { status: 'recorded', messageId: result.messageId, threadId: result.threadId });
      },
    },
  ];
}
