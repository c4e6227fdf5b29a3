import client from 'prom-client';
import type { Database } from './db/connection.js';
import type { Channel, SendState } from './domain/enums.js';

// Prometheus metrics of this process (prom-client): the API's GraphQL operations, webhook
// callbacks, WebSocket connections and subscriptions, database pool use; the worker's sends by
// channel and final state, and the time from accepted to SENT and to DELIVERED. Each process
// serves its own: the API on GET /metrics of its port, a separate worker on METRICS_PORT; in
// embedded mode one /metrics shows both. The Temporal SDK's worker metrics come from its own
// exporter on TEMPORAL_METRICS_PORT (src/temporal/runtime.ts). Labels are bounded by the schema
// and the enums, never by what a client sends.

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'herald_' });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export const graphqlOperations = new client.Counter({
  name: 'herald_graphql_operations_total',
  help: 'GraphQL operations by type, first root field and outcome (ok, user_errors, errors)',
  labelNames: ['type', 'field', 'outcome'] as const,
  registers: [registry],
});

export const graphqlDuration = new client.Histogram({
  name: 'herald_graphql_operation_duration_seconds',
  help: 'GraphQL operation duration by type, first root field and outcome',
  labelNames: ['type', 'field', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const sendsFinished = new client.Counter({
  name: 'herald_sends_total',
  help: 'Sends that reached a final state, by channel and state',
  labelNames: ['channel', 'state'] as const,
  registers: [registry],
});

export const sendLatency = new client.Histogram({
  name: 'herald_send_latency_seconds',
  help: 'From the send being accepted to its message reaching SENT or DELIVERED, by channel',
  labelNames: ['channel', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** How sendMessage got its answer: `here` (the worker in this process, eager start) or `update` (the workflow's update through the server). */
export const sendAnswers = new client.Counter({
  name: 'herald_send_answers_total',
  help: 'sendMessage answers by path: here (the worker in the API process, eager start) or update (through the Temporal server)',
  labelNames: ['path'] as const,
  registers: [registry],
});

export const webhookCallbacks = new client.Counter({
  name: 'herald_webhook_callbacks_total',
  help: 'Provider callbacks by webhook path and outcome',
  labelNames: ['webhook', 'outcome'] as const,
  registers: [registry],
});

/** R34: every POST to a webhook endpoint: delivered, retry (failed, tried again later), failed (given up). */
export const webhookDeliveryAttempts = new client.Counter({
  name: 'herald_webhook_delivery_attempts_total',
  help: 'Outbound webhook POSTs by outcome (delivered, retry, failed: the last attempt of a delivery given up)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveryDuration = new client.Histogram({
  name: 'herald_webhook_delivery_duration_seconds',
  help: 'How long an outbound webhook POST took, answered or not',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const webhookEndpointsDisabled = new client.Counter({
  name: 'herald_webhook_endpoints_disabled_total',
  help: 'Webhook endpoints disabled after failing for the whole failure period',
  registers: [registry],
});

export const websocketConnections = new client.Gauge({ name: 'herald_websocket_connections', help: 'Open graphql-ws connections', registers: [registry] });
export const subscriptionsActive = new client.Gauge({ name: 'herald_subscriptions_active', help: 'Running GraphQL subscriptions', registers: [registry] });

/** Final send states only: the counter counts each send once. */
const FINAL: ReadonlySet<SendState> = new Set(['COMPLETED', 'FAILED', 'REJECTED', 'CONFLICT', 'CANCELLED']);

export function observeSendState(channel: Channel, state: SendState): void {
  if (FINAL.has(state)) sendsFinished.inc({ channel, state });
}

export function observeSendLatency(channel: Channel, status: 'SENT' | 'DELIVERED', acceptedAt: Date, at = new Date()): void {
  sendLatency.observe({ channel, status }, Math.max(0, (at.getTime() - acceptedAt.getTime()) / 1000));
}

const pools = new Map<string, Database>();

new client.Gauge({
  name: 'herald_db_pool_connections',
  help: 'Database connections by process role and state (total, idle, waiting); PGlite has one',
  labelNames: ['role', 'state'] as const,
  registers: [registry],
  collect() {
    for (const [role, db] of pools) {
      if (db.raw.kind === 'pg') {
        this.set({ role, state: 'total' }, db.raw.pool.totalCount);
        this.set({ role, state: 'idle' }, db.raw.pool.idleCount);
        this.set({ role, state: 'waiting' }, db.raw.pool.waitingCount);
      } else {
        this.set({ role, state: 'total' }, 1);
      }
    }
  },
});

/** Reports this database's pool at each scrape, under its role (api, worker). */
export function observeDatabasePool(database: Database, role: 'api' | 'worker'): void {
  pools.set(role, database);
}
