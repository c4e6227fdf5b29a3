import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/connection.js';
import { afterCursor, cursorTime, encodeCursor, type Cursor } from '../db/cursor.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents, type WebhookDeliveryState } from '../db/schema.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventWireType } from './eventTypes.js';
import { recordWebhookEvent } from './outbox.js';
import { newWebhookSecret } from './signature.js';

// R34: webhook endpoints and what was delivered to them, as the API reads and changes them.

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

/** Who sees which endpoints (src/domain/access.ts decides): every one of the stand, or one creator's. */
export interface EndpointScope { standId: string; createdById: string | null }

export async function createEndpoint(db: Db, input: { standId: string; createdById: string; url: string; description: string | null; events: WebhookEventWireType[] }): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const secret = newWebhookSecret();
  const [endpoint] = await db.insert(webhookEndpoints).values({ ...input, secret }).returning();
  return { endpoint: endpoint!, secret };
}

export async function listEndpoints(db: Db, scope: EndpointScope): Promise<WebhookEndpointRow[]> {
  return db.select().from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.standId, scope.standId), scope.createdById ? eq(webhookEndpoints.createdById, scope.createdById) : undefined))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

export async function getEndpoint(db: DbOrTx, id: string): Promise<WebhookEndpointRow | null> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row ?? null;
}

/** Enabled again: its failure clock starts over; deliveries left pending go out again. */
export async function enableEndpoint(db: Db, id: string): Promise<WebhookEndpointRow> {
  const [row] = await db.update(webhookEndpoints)
    .set({ enabled: true, disabledAt: null, disabledReason: null, failingSince: null, updatedAt: new Date() })
    .where(eq(webhookEndpoints.id, id)).returning();
  return row!;
}

export async function disableEndpoint(db: DbOrTx, id: string, reason: 'FAILING' | 'BY_USER'): Promise<WebhookEndpointRow> {
  const [row] = await db.update(webhookEndpoints)
    .set({ enabled: false, disabledAt: new Date(), disabledReason: reason, updatedAt: new Date() })
    .where(eq(webhookEndpoints.id, id)).returning();
  return row!;
}

/**
 * An endpoint that failed for the whole failure period: disabled, and the stand's other endpoints
 * that listen are told (webhook_endpoint.disabled), in the transaction that records the last failure.
 */
export async function disableFailingEndpoint(tx: DbOrTx, endpoint: WebhookEndpointRow): Promise<WebhookEndpointRow> {
  const row = await disableEndpoint(tx, endpoint.id, 'FAILING');
  await recordWebhookEvent(tx, row.standId, {
    type: WEBHOOK_EVENT_TYPES.WEBHOOK_ENDPOINT_DISABLED,
    orderingKey: row.id,
    data: { endpoint: { id: row.id, url: row.url, disabledAt: row.disabledAt!.toISOString(), reason: 'FAILING', failingSince: row.failingSince?.toISOString() ?? null } },
  });
  return row;
}

/** Gone with its deliveries and their attempts; the events stay (other endpoints may have them). */
export async function deleteEndpoint(db: Db, id: string): Promise<void> {
  await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
}

export interface DeliveryWithEvent { delivery: WebhookDeliveryRow; event: WebhookEventRow; cursor: string }

/** An endpoint's deliveries, newest first, one page after `after`. */
export async function listDeliveries(
  db: Db,
  endpointId: string,
  options: { first: number; after: Cursor | null; state?: WebhookDeliveryState | null; type?: WebhookEventWireType | null },
): Promise<{ rows: DeliveryWithEvent[]; hasNextPage: boolean }> {
  const rows = await db.select({ delivery: webhookDeliveries, event: webhookEvents, cursorAt: cursorTime(webhookDeliveries.createdAt) })
    .from(webhookDeliveries).innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(
      eq(webhookDeliveries.endpointId, endpointId),
      options.state ? eq(webhookDeliveries.state, options.state) : undefined,
      options.type ? eq(webhookEvents.type, options.type) : undefined,
      options.after ? afterCursor(webhookDeliveries.createdAt, webhookDeliveries.id, options.after) : undefined,
    ))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(options.first + 1);
  return {
    rows: rows.slice(0, options.first).map((r) => ({ delivery: r.delivery, event: r.event, cursor: encodeCursor({ at: r.cursorAt, id: r.delivery.id }) })),
    hasNextPage: rows.length > options.first,
  };
}

/** Every attempt of these deliveries, oldest first, in one statement. */
export async function attemptsOf(db: Db, deliveryIds: readonly string[]): Promise<Map<string, WebhookAttemptRow[]>> {
  const byDelivery = new Map<string, WebhookAttemptRow[]>(deliveryIds.map((id) => [id, []]));
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, [...deliveryIds])).orderBy(asc(webhookAttempts.at));
  for (const row of rows) byDelivery.get(row.deliveryId)!.push(row);
  return byDelivery;
}

export async function getDelivery(db: Db, id: string): Promise<{ delivery: WebhookDeliveryRow; event: WebhookEventRow; endpoint: WebhookEndpointRow } | null> {
  const [row] = await db.select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints }).from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, id));
  return row ?? null;
}

/**
 * The same event (same id) to the same endpoint once more: the delivery is due now and retried for
 * another retry period, its attempts so far kept. Until it is done, later events with its ordering
 * key wait behind it, as they would have the first time.
 */
export async function redeliver(db: Db, deliveryId: string, retryForSeconds: number): Promise<WebhookDeliveryRow> {
  const [row] = await db.update(webhookDeliveries).set({
    state: 'PENDING', nextAttemptAt: sql`now()`, retryUntil: sql`now() + make_interval(secs => ${retryForSeconds})`, deliveredAt: null, updatedAt: new Date(),
  }).where(eq(webhookDeliveries.id, deliveryId)).returning();
  return row!;
}
