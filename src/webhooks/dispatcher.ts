import { and, asc, eq, inArray, isNotNull, lt, lte, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { WebhookSettings } from '../config.js';
import type { Db } from '../db/connection.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from '../db/schema.js';
import { logger } from '../log.js';
import { webhookDeliveryAttempts, webhookDeliveryDuration, webhookEndpointsDisabled } from '../metrics.js';
import { disableFailingEndpoint } from './endpoints.js';
import { anyoneListening } from './listeners.js';
import { eventBody } from './eventTypes.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

// R34: the worker's webhook dispatcher. It takes due deliveries from the outbox (several workers
// share them: FOR UPDATE SKIP LOCKED, and a hold that runs out if a worker dies mid-POST), POSTs
// each signed event, records the attempt, and on a failure tries again later with exponential
// backoff and jitter until the delivery's retry period is over. A delivery waits while an earlier
// one to the same endpoint with the same ordering key (a send, a client, a campaign) is pending,
// so a receiver sees a send's events in order even across its outages. An endpoint whose attempts
// have all failed for WEBHOOK_DISABLE_AFTER_SECONDS is disabled, with a webhook_endpoint.disabled
// event. A DB outbox rather than a workflow per event: an event is one row written with its
// change, and ordering per key is one index lookup instead of a workflow per send and endpoint.

/** Deliveries one pass takes (and POSTs at once); at most one per endpoint and ordering key. */
const BATCH = 16;
/** What is kept of an answer's body. */
const ANSWER_BYTES = 2048;
/** A held delivery comes back this long after its POST's deadline (the dispatcher died mid-POST). */
const HOLD_MARGIN_MS = 60_000;

export interface WebhookDispatcher {
  /** Stops taking deliveries and waits for the POSTs under way. */
  stop(): Promise<void>;
}

interface Claimed {
  deliveryId: string;
  attemptCount: number;
  retryUntil: Date;
  endpointId: string;
  url: string;
  secret: string;
  event: { id: string; type: string; createdAt: Date; data: Record<string, unknown> };
}

export function startWebhookDispatcher(db: Db, settings: WebhookSettings): WebhookDispatcher {
  const log = logger.child({ component: 'webhooks' });
  const stopped = new AbortController();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      let taken = 0;
      try {
        if (anyoneListening()) taken = await dispatchOnce(db, settings, log);
      } catch (err) {
        log.warn({ err }, 'a webhook dispatch pass failed; trying again');
      }
      if (taken === 0) await sleep(settings.pollMs, stopped.signal);
    }
  })();
  return {
    async stop() {
      stopped.abort();
      await loop;
    },
  };
}

/** One pass: claim what is due, POST it all, record each outcome. How many were taken. */
export async function dispatchOnce(db: Db, settings: WebhookSettings, log = logger): Promise<number> {
  const claimed = await claimDue(db, settings);
  await Promise.all(claimed.map((c) => deliver(db, settings, c, log)));
  return claimed.length;
}

async function claimDue(db: Db, settings: WebhookSettings): Promise<Claimed[]> {
  const earlier = alias(webhookDeliveries, 'earlier');
  return db.transaction(async (tx) => {
    const due = await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(and(
        eq(webhookDeliveries.state, 'PENDING'),
        lte(webhookDeliveries.nextAttemptAt, sql`now()`),
        eq(webhookEndpoints.enabled, true),
        // In order per key: nothing earlier for this endpoint and key is still on its way.
        notExists(tx.select({ one: sql`1` }).from(earlier).where(and(
          eq(earlier.endpointId, webhookDeliveries.endpointId), eq(earlier.orderingKey, webhookDeliveries.orderingKey),
          eq(earlier.state, 'PENDING'), lt(earlier.seq, webhookDeliveries.seq),
        ))),
      ))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(BATCH)
      .for('update', { of: webhookDeliveries, skipLocked: true });
    if (due.length === 0) return [];
    const ids = due.map((d) => d.id);
    // Held until the POST's deadline has long passed: another dispatcher leaves it alone meanwhile.
    await tx.update(webhookDeliveries).set({ nextAttemptAt: new Date(Date.now() + settings.timeoutMs + HOLD_MARGIN_MS) }).where(inArray(webhookDeliveries.id, ids));
    const rows = await tx.select({ delivery: webhookDeliveries, endpoint: webhookEndpoints, event: webhookEvents }).from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .where(inArray(webhookDeliveries.id, ids));
    return rows.map(({ delivery, endpoint, event }) => ({
      deliveryId: delivery.id, attemptCount: delivery.attemptCount, retryUntil: delivery.retryUntil,
      endpointId: endpoint.id, url: endpoint.url, secret: endpoint.secret,
      event: { id: event.id, type: event.type, createdAt: event.createdAt, data: event.data },
    }));
  });
}

interface Answer { statusCode: number | null; body: string | null; error: string | null }

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  try {
    // A redirect is not followed (a 3xx is an answer that failed): the endpoint's URL is the one signed up.
    const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return { statusCode: response.status, body: await firstBytes(response, ANSWER_BYTES), error: null };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { statusCode: null, body: null, error: `${err instanceof Error ? err.message : String(err)}${cause}`.slice(0, 500) };
  }
}

/** At most `max` bytes of the answer: a receiver's body is shown to people, never held whole. */
async function firstBytes(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** The wait before attempt n + 1: doubling from the first wait up to the longest, give or take a fifth. */
export function backoffMs(attempts: number, settings: Pick<WebhookSettings, 'retryInitialMs' | 'retryMaxMs'>, random = Math.random): number {
  const base = Math.min(settings.retryMaxMs, settings.retryInitialMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

async function deliver(db: Db, settings: WebhookSettings, c: Claimed, log: typeof logger): Promise<void> {
  const body = eventBody(c.event);
  const attempt = c.attemptCount + 1;
  const startedAt = new Date();
  const answer = await post(c.url, body, {
    'content-type': 'application/json',
    'user-agent': 'Herald-Webhooks/1',
    [SIGNATURE_HEADER]: signatureHeader(c.secret, body),
    'Herald-Event-Id': c.event.id,
    'Herald-Event-Type': c.event.type,
    'Herald-Delivery-Id': c.deliveryId,
    'Herald-Delivery-Attempt': String(attempt),
  }, settings.timeoutMs);
  const durationMs = Date.now() - startedAt.getTime();
  webhookDeliveryDuration.observe(durationMs / 1000);
  const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;

  const outcome = await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({ deliveryId: c.deliveryId, at: startedAt, durationMs, statusCode: answer.statusCode, responseBody: answer.body, error: answer.error });
    const pending = and(eq(webhookDeliveries.id, c.deliveryId), eq(webhookDeliveries.state, 'PENDING'));
    if (ok) {
      await tx.update(webhookDeliveries).set({ state: 'DELIVERED', attemptCount: attempt, lastStatusCode: answer.statusCode, deliveredAt: new Date(), updatedAt: new Date() }).where(pending);
      await tx.update(webhookEndpoints).set({ failingSince: null }).where(and(eq(webhookEndpoints.id, c.endpointId), isNotNull(webhookEndpoints.failingSince)));
      return { kind: 'delivered' as const };
    }
    const giveUp = Date.now() >= c.retryUntil.getTime();
    await tx.update(webhookDeliveries).set({
      state: giveUp ? 'FAILED' : 'PENDING', attemptCount: attempt, lastStatusCode: answer.statusCode,
      nextAttemptAt: new Date(Date.now() + backoffMs(attempt, settings)), updatedAt: new Date(),
    }).where(pending);
    // The failure clock starts at the first failure after a success; it stops at the next success.
    const [endpoint] = await tx.update(webhookEndpoints).set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${startedAt.toISOString()}::timestamptz)` })
      .where(eq(webhookEndpoints.id, c.endpointId)).returning();
    const failingFor = endpoint?.failingSince ? Date.now() - endpoint.failingSince.getTime() : 0;
    const disabled = !!endpoint?.enabled && failingFor >= settings.disableAfterSeconds * 1000 ? await disableFailingEndpoint(tx, endpoint) : null;
    return { kind: giveUp ? 'failed' as const : 'retry' as const, disabled };
  });

  webhookDeliveryAttempts.inc({ outcome: outcome.kind });
  const fields = { deliveryId: c.deliveryId, eventId: c.event.id, type: c.event.type, endpointId: c.endpointId, attempt, statusCode: answer.statusCode, error: answer.error };
  if (outcome.kind === 'delivered') log.debug(fields, 'webhook delivered');
  else if (outcome.kind === 'failed') log.warn(fields, 'webhook delivery given up: its retry period is over');
  else log.info(fields, 'webhook attempt failed; trying again later');
  if (outcome.kind !== 'delivered' && outcome.disabled) {
    webhookEndpointsDisabled.inc();
    log.warn({ endpointId: c.endpointId, url: c.url, failingSince: outcome.disabled.failingSince }, 'webhook endpoint disabled: every attempt failed for the whole failure period');
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
