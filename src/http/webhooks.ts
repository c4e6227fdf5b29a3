import type { IncomingMessage } from 'node:http';
import { WebhookRefusal, type InboundWebhook, type StatusWebhook, type WebhookRequest } from '../channels/webhook.js';
import type { Db } from '../db/connection.js';
import { recordInbound } from '../db/inbound.js';
import { findPartOwner } from '../db/messages.js';
import { ensureStand } from '../db/stand.js';
import type { SendClient } from '../sends/client.js';
import { readRawBody, sendJson } from './io.js';
import type { Route, RouteHandler } from './server.js';

// Every channel's webhooks, mounted: a status goes to the send that owns the part (its workflow
// applies it forward-only, R19); a message the client wrote is recorded and tells the sends still
// in flight (R7, R12). Answers: 200 once handled (an unknown id too, so the provider stops
// retrying), 401 unauthorized, 400 malformed: nothing changes on a refusal.

export interface WebhookDeps {
  db: Db;
  sends: SendClient;
}

export interface ChannelWebhooks {
  status: StatusWebhook[];
  inbound: InboundWebhook[];
}

async function readRequest(req: IncomingMessage): Promise<WebhookRequest> {
  return { headers: req.headers, body: await readRawBody(req) };
}

function refusing(handler: RouteHandler): RouteHandler {
  return async (req, res, url) => {
    try {
      await handler(req, res, url);
    } catch (err) {
      if (!(err instanceof WebhookRefusal)) throw err;
      sendJson(res, err.status, { error: err.message });
    }
  };
}

/** A status for a part Herald sent; the answer says what became of it. */
export async function applyStatus(deps: WebhookDeps, webhook: StatusWebhook, request: WebhookRequest): Promise<Record<string, string>> {
  const reading = webhook.read(request);
  if (reading.kind === 'ignored') return { status: 'ignored', reason: reading.reason };
  const owner = await findPartOwner(deps.db, reading.providerRequestId);
  if (!owner?.sendId || (reading.channel && owner.channel !== reading.channel)) {
    console.warn(`[webhook] status ${reading.event.status} for unknown id ${reading.providerRequestId}`);
    return { status: 'unknown id' };
  }
  return { status: (await deps.sends.deliveryStatus(owner.sendId, reading.event)) ? 'accepted' : 'send finished; nothing changed' };
}

export function webhookRoutes(deps: WebhookDeps, webhooks: ChannelWebhooks): Route[] {
  // Providers check a callback URL with GET or HEAD before they register it.
  const alive: RouteHandler = async (_req, res) => sendJson(res, 200, { status: 'ok' });
  return [
    ...webhooks.status.flatMap((webhook): Route[] => [
      { method: 'GET', path: webhook.path, handler: alive },
      { method: 'POST', path: webhook.path, handler: refusing(async (req, res) => sendJson(res, 200, await applyStatus(deps, webhook, await readRequest(req)))) },
    ]),
    ...webhooks.inbound.flatMap((webhook): Route[] => [
      { method: 'GET', path: webhook.path, handler: alive },
      {
        method: 'POST',
        path: webhook.path,
        handler: refusing(async (req, res) => {
          const input = webhook.read(await readRequest(req));
          const result = await recordInbound(deps.db, await ensureStand(deps.db), input);
          if (!result.ok) return sendJson(res, 400, { error: result.errors.map((e) => e.message).join(' '), codes: result.errors.map((e) => e.code) });
          await deps.sends.clientWroteIn(result.inFlightSendIds);
          sendJson(res, 200, { status: 'recorded', messageId: result.messageId, threadId: result.threadId });
        }),
      },
    ]),
  ];
}
