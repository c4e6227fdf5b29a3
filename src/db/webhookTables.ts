import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

// R34's tables (outbound webhooks); schema.ts re-exports them. An event is written in the same
// transaction as the change it reports (a transactional outbox), with one delivery per endpoint
// that listens; the dispatcher (src/webhooks/dispatcher.ts) works through the deliveries.
// Imported by schema.ts, so only drizzle is imported here (never schema.ts itself).

/** A URL of the integrator's that Herald POSTs events to, signed with the endpoint's secret. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  standId: uuid('stand_id').notNull(),
  url: text('url').notNull(),
  description: text('description'),
  /** The wire names of the event types it receives ('send.state_changed', ...). */
  events: text('events').array().notNull(),
  /** The HMAC key; kept as is because every delivery is signed with it (shown to people once). */
  secret: text('secret').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** Who made it: an integrator sees only its own endpoints. */
  createdById: uuid('created_by_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** Since when every attempt has failed (null: the last attempt succeeded, or none failed). */
  failingSince: timestamp('failing_since', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  /** FAILING (Herald, after the failure period) or BY_USER. */
  disabledReason: text('disabled_reason').$type<'FAILING' | 'BY_USER'>(),
}, (t) => [index('webhook_endpoints_stand').on(t.standId, t.createdAt, t.id)]);

/** One fact to tell: its id is what receivers dedupe on, the same on every delivery and redelivery. */
export const webhookEvents = pgTable('webhook_events', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Order of recording: deliveries with one ordering key go out in this order. */
  seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
  standId: uuid('stand_id').notNull(),
  type: text('type').notNull(),
  /** The send's id, the client's id (inbound messages, threads), the campaign's id. */
  orderingKey: text('ordering_key').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('webhook_events_key').on(t.orderingKey, t.type, t.seq)]);

export type WebhookDeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED';

/** An event on its way to one endpoint. */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  eventId: uuid('event_id').notNull().references(() => webhookEvents.id),
  /** The event's ordering key and seq, kept here so the order check is one index lookup. */
  orderingKey: text('ordering_key').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  state: text('state').$type<WebhookDeliveryState>().notNull().default('PENDING'),
  attemptCount: integer('attempt_count').notNull().default(0),
  /** When it is due; while a dispatcher holds it, when its hold runs out (a crashed dispatcher's comes back). */
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  /** Past this a failed attempt is the last (24 hours after it was recorded, or redelivered). */
  retryUntil: timestamp('retry_until', { withTimezone: true }).notNull(),
  lastStatusCode: integer('last_status_code'),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('webhook_deliveries_endpoint_event').on(t.endpointId, t.eventId),
  index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.state} = 'PENDING'`),
  index('webhook_deliveries_order').on(t.endpointId, t.orderingKey, t.seq).where(sql`${t.state} = 'PENDING'`),
  index('webhook_deliveries_endpoint_created').on(t.endpointId, t.createdAt, t.id),
]);

/** Every POST of a delivery and what came back. */
export const webhookAttempts = pgTable('webhook_attempts', {
  id: uuid('id').primaryKey().defaultRandom(),
  deliveryId: uuid('delivery_id').notNull().references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  durationMs: integer('duration_ms').notNull(),
  /** Null when no answer came (refused connection, timeout). */
  statusCode: integer('status_code'),
  /** The answer's first bytes (truncated). */
  responseBody: text('response_body'),
  error: text('error'),
}, (t) => [index('webhook_attempts_delivery').on(t.deliveryId, t.at)]);
