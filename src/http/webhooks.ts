import type { FastifyInstance } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';
import { changesMessage, mayChangeAMessage } from '../domain/deliveryStatus.js';
import { WebhookRefusal, type InboundWebhook, type StatusWebhook, type WebhookRequest } from '../channels/webhook.js';
import type { Db } from '../db/connection.js';
import { recordInbound } from '../db/inbound.js';
import { findPartOwner } from '../db/messages.js';
import { ensureStand } from '../db/stand.js';
import { logger } from '../log.js';
import type { SendClient } from '../sends/client.js';
import { inSpan, SpanKind } from '../tracing.js';

// Every channel's webhooks, mounted: a status goes to the send that owns the part (its workflow
// applies it forward-only, R19); a message the client wrote is recorded and tells the sends still
// in flight (R7, R12). Answers: 200 once handled (an unknown id too, so the provider stops
// retrying), 401 unauthorized, 400 malformed: nothing changes on a refusal. The body reaches the
// reader as the exact bytes received, which is what a signature covers.

export interface WebhookDeps {
  db: Db;
  sends: SendClient;
}

export interface ChannelWebhooks {
  status: StatusWebhook[];
  inbound: InboundWebhook[];
}

/** Observes what each callback came to (metrics). */
export type WebhookObserver = (path: string, outcome: string) => void;

/** A status for a part Herald sent; the answer says what became of it. */
export async function applyStatus(deps: WebhookDeps, webhook: StatusWebhook, request: WebhookRequest): Promise<Record<string, string>> {
  const reading = webhook.read(request);
  if (reading.kind === 'ignored') return { status: 'ignored', reason: reading.reason };
  // SENT, for every part of every message: the delivery wrote it already, or is about to.
  if (!mayChangeAMessage(reading.event)) return { status: 'nothing changed: SENT is written when the channel takes the message' };
  const owner = await findPartOwner(deps.db, reading.providerRequestId);
  if (!owner?.sendId || (reading.channel && owner.channel !== reading.channel)) {
    logger.warn({ providerRequestId: reading.providerRequestId, status: reading.event.status }, 'status callback for an unknown id');
    return { status: 'unknown id' };
  }
  // Nothing to tell the send (SENT after deliver wrote it, a duplicate, a late status): no signal.
  if (!changesMessage(reading.event, owner.messageStatus)) return { status: `nothing changed: message is ${owner.messageStatus}` };
  const applied = await deps.sends.deliveryStatus(owner.sendId, reading.event);
  return { status: applied ? 'accepted' : 'send finished; nothing changed' };
}

async function recordInboundCallback(deps: WebhookDeps, webhook: InboundWebhook, request: WebhookRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const input = webhook.read(request);
  const result = await recordInbound(deps.db, await ensureStand(deps.db), input);
  if (!result.ok) return { status: 400, body: { error: result.errors.map((e) => e.message).join(' '), codes: result.errors.map((e) => e.code) } };
  await deps.sends.clientWroteIn(result.inFlightSendIds);
  return { status: 200, body: { status: 'recorded', messageId: result.messageId, threadId: result.threadId } };
}

export async function mountWebhooks(
  app: FastifyInstance,
  deps: WebhookDeps,
  webhooks: ChannelWebhooks,
  limits: { rateLimit: RateLimitOptions | false },
  observe: WebhookObserver = () => undefined,
): Promise<void> {
  await app.register(async (scope) => {
    // Signatures cover the bytes as sent: the body stays a Buffer until the channel's reader parses it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const handle = (path: string, answer: (request: WebhookRequest) => Promise<{ status: number; body: unknown }>) => {
      // Providers check a callback URL with GET or HEAD before they register it.
      scope.get(path, { config: limits }, async () => ({ status: 'ok' }));
      scope.post(path, { config: limits }, async (request, reply) => {
        const webhookRequest = { headers: request.headers, body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0) };
        try {
          const { status, body } = await inSpan(`POST ${path}`, { kind: SpanKind.SERVER, parent: request.headers, attributes: { 'http.route': path } }, () => answer(webhookRequest));
          observe(path, status === 200 ? String((body as { status?: unknown }).status ?? 'ok') : `refused ${status}`);
          return reply.status(status).send(body);
        } catch (err) {
          if (!(err instanceof WebhookRefusal)) {
            observe(path, 'failed');
            throw err;
          }
          observe(path, `refused ${err.status}`);
          return reply.status(err.status).send({ error: err.message });
        }
      });
    };
    for (const webhook of webhooks.status) handle(webhook.path, async (request) => ({ status: 200, body: await applyStatus(deps, webhook, request) }));
    for (const webhook of webhooks.inbound) handle(webhook.path, (request) => recordInboundCallback(deps, webhook, request));
  });
}
