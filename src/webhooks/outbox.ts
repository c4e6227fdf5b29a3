import { and, arrayContains, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/connection.js';
import type { PublishedEvent } from '../db/events.js';
import { campaigns, clients, messageStatusChanges, messages, sends, threads, webhookDeliveries, webhookEndpoints, webhookEvents } from '../db/schema.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventWireType } from './eventTypes.js';

// R34's transactional outbox: a webhook event is written in the transaction of the change it
// reports, with one delivery per enabled endpoint of the stand that listens to its type, so a
// crash loses none (the change and its event commit together or not at all). What each event
// carries is a snapshot read in that transaction: enough for a receiver to act without asking
// back (ids, state or status, failure code, times). src/webhooks/dispatcher.ts POSTs them.

export interface WebhookEventInput {
  type: WebhookEventWireType;
  /** Events with one key reach an endpoint in the order they were recorded: a send's id, a client's, a campaign's. */
  orderingKey: string;
  data: Record<string, unknown>;
}

/** How long a new delivery is retried, set by the dispatcher's configuration (WEBHOOK_RETRY_FOR_SECONDS). */
let retryForSeconds = 24 * 60 * 60;
export function setRetryPeriod(seconds: number): void {
  retryForSeconds = seconds;
}

/** The enabled endpoints of the stand that listen to `type`. */
async function listenersOf(tx: DbOrTx, standId: string, type: WebhookEventWireType): Promise<string[]> {
  const rows = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.standId, standId), eq(webhookEndpoints.enabled, true), arrayContains(webhookEndpoints.events, [type])));
  return rows.map((r) => r.id);
}

async function writeEvent(tx: DbOrTx, standId: string, event: WebhookEventInput, endpointIds: string[]): Promise<string> {
  const [row] = await tx.insert(webhookEvents).values({ standId, type: event.type, orderingKey: event.orderingKey, data: event.data })
    .returning({ id: webhookEvents.id, seq: webhookEvents.seq });
  await tx.insert(webhookDeliveries).values(endpointIds.map((endpointId) => ({
    endpointId, eventId: row!.id, orderingKey: event.orderingKey, seq: row!.seq, retryUntil: sql`now() + make_interval(secs => ${retryForSeconds})`,
  })));
  return row!.id;
}

/**
 * Records an event for every endpoint of the stand that listens to its type, in the caller's
 * transaction; the event's id, or null when nobody listens. For changes publish() does not
 * announce (a campaign's progress): `recordWebhookEvent(tx, standId, { type: 'campaign.updated', orderingKey: campaignId, data })`.
 */
export async function recordWebhookEvent(tx: DbOrTx, standId: string, event: WebhookEventInput): Promise<string | null> {
  const endpointIds = await listenersOf(tx, standId, event.type);
  if (endpointIds.length === 0) return null;
  return writeEvent(tx, standId, event, endpointIds);
}

/** publish()'s tap: the change it announces, as a webhook event (when somebody in this process may listen). */
export async function recordChange(tx: DbOrTx, event: PublishedEvent): Promise<void> {
  if (event.type === 'send') return recordSendChange(tx, event.sendId);
  if (event.type === 'campaign') return recordCampaignChange(tx, event.campaignId);
  // An agent's queue is a view for people, not an integration fact; other kinds record their own events.
  if (event.type !== 'client') return;
  if (event.kind === 'MESSAGE_ADDED' || event.kind === 'MESSAGE_STATUS') {
    if (event.messageId) await recordMessageChange(tx, event.messageId);
    return;
  }
  if (event.threadId && isThreadKind(event.kind)) await recordThreadChange(tx, event.threadId, event.kind);
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** send.state_changed: only when the state differs from the last one told (a step alone is not news). */
async function recordSendChange(tx: DbOrTx, sendId: string): Promise<void> {
  const [row] = await tx.select({ send: sends, standId: clients.standId, message: { id: messages.id, status: messages.status, failureCode: messages.failureCode, failureProviderCode: messages.failureProviderCode, failureMessage: messages.failureMessage } })
    .from(sends).innerJoin(clients, eq(clients.id, sends.clientId)).leftJoin(messages, eq(messages.id, sends.messageId))
    .where(eq(sends.id, sendId));
  if (!row) return;
  const type = WEBHOOK_EVENT_TYPES.SEND_STATE_CHANGED;
  const endpointIds = await listenersOf(tx, row.standId, type);
  if (endpointIds.length === 0) return;
  const last = await lastTold<{ state: string }>(tx, sendId, type, 'send');
  const { send, message } = row;
  if (last?.state === send.state) return;
  const lastStep = send.steps.at(-1) ?? null;
  await writeEvent(tx, row.standId, {
    type,
    orderingKey: sendId,
    data: {
      send: {
        id: send.id, requestId: send.requestId, state: send.state, previousState: last?.state ?? null, channel: send.channel,
        clientId: send.clientId, agentId: send.agentId, requestedById: send.requestedById, threadId: send.threadId,
        disposition: send.disposition, sendAt: iso(send.sendAt), createdAt: iso(send.createdAt), updatedAt: iso(send.updatedAt),
        errors: send.errors.map((e) => ({ code: e.code, field: e.field ?? null, message: e.message })),
        lastStep: lastStep ? { name: lastStep.name, state: lastStep.state, detail: lastStep.detail ?? null } : null,
        message: message ? { id: message.id, status: message.status, failure: failureOf(message) } : null,
      },
    },
  }, endpointIds);
}

/**
 * campaign.updated (R30): when the campaign's state or what holds it changes (started, waiting
 * for a limit or quiet hours, paused, completed, cancelled), not at every batch: a receiver that
 * wants the counts reads campaign(id).
 */
async function recordCampaignChange(tx: DbOrTx, campaignId: string): Promise<void> {
  const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (!c) return;
  const type = WEBHOOK_EVENT_TYPES.CAMPAIGN_UPDATED;
  const endpointIds = await listenersOf(tx, c.standId, type);
  if (endpointIds.length === 0) return;
  const last = await lastTold<{ state: string; waitingReason: string | null; recipientCount: number }>(tx, campaignId, type, 'campaign');
  if (last && last.state === c.state && last.waitingReason === c.waitingReason && last.recipientCount === c.recipientCount) return;
  await writeEvent(tx, c.standId, {
    type,
    orderingKey: campaignId,
    data: {
      campaign: {
        id: c.id, name: c.name, channel: c.channel, state: c.state, previousState: last?.state ?? null, waitingReason: c.waitingReason,
        waitingUntil: iso(c.waitingUntil), recipientCount: c.recipientCount, ratePerSecond: c.ratePerSecond, requestedById: c.requestedById,
        startAt: iso(c.startAt), createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt), finishedAt: iso(c.finishedAt),
      },
    },
  }, endpointIds);
}

/** What the last event of this type for this key told (its `data[subject]`), so a change that tells nothing new is not sent again. */
async function lastTold<T>(tx: DbOrTx, orderingKey: string, type: WebhookEventWireType, subject: string): Promise<T | null> {
  const [last] = await tx.select({ told: sql<T | null>`${webhookEvents.data}->${subject}::text` }).from(webhookEvents)
    .where(and(eq(webhookEvents.orderingKey, orderingKey), eq(webhookEvents.type, type))).orderBy(desc(webhookEvents.seq)).limit(1);
  return last?.told ?? null;
}

function failureOf(m: { failureCode: string | null; failureProviderCode: string | null; failureMessage: string | null }) {
  return m.failureCode ? { code: m.failureCode, providerCode: m.failureProviderCode, message: m.failureMessage } : null;
}

/** An inbound message is message.received (ordered with the client's threads); an outbound one's status, message.status_changed (ordered with its send). */
async function recordMessageChange(tx: DbOrTx, messageId: string): Promise<void> {
  const latest = tx.select({ at: messageStatusChanges.at, note: messageStatusChanges.note }).from(messageStatusChanges)
    .where(eq(messageStatusChanges.messageId, messages.id)).orderBy(desc(messageStatusChanges.at)).limit(1).as('latest');
  const [row] = await tx.select({ message: messages, standId: clients.standId, clientName: clients.name, clientExternalId: clients.externalId, statusAt: latest.at, note: latest.note })
    .from(messages).innerJoin(clients, eq(clients.id, messages.clientId)).leftJoinLateral(latest, sql`true`)
    .where(eq(messages.id, messageId));
  if (!row) return;
  const { message: m } = row;
  if (m.direction === 'INBOUND') {
    await recordWebhookEvent(tx, row.standId, {
      type: WEBHOOK_EVENT_TYPES.MESSAGE_RECEIVED,
      orderingKey: m.clientId,
      data: {
        message: {
          id: m.id, clientId: m.clientId, threadId: m.threadId, channel: m.channel, direction: m.direction, text: m.text, subject: m.subject,
          attachmentId: m.attachmentId, createdAt: iso(m.createdAt),
        },
        client: { id: m.clientId, name: row.clientName, externalId: row.clientExternalId },
      },
    });
    return;
  }
  await recordWebhookEvent(tx, row.standId, {
    type: WEBHOOK_EVENT_TYPES.MESSAGE_STATUS_CHANGED,
    orderingKey: m.sendId ?? m.clientId,
    data: {
      message: {
        id: m.id, sendId: m.sendId, fallbackStep: m.fallbackStep, clientId: m.clientId, threadId: m.threadId, channel: m.channel, direction: m.direction,
        status: m.status, statusAt: iso(row.statusAt ?? m.updatedAt), note: row.note ?? null, failure: failureOf(m), createdAt: iso(m.createdAt),
      },
    },
  });
}

const THREAD_EVENT = { THREAD_OPENED: WEBHOOK_EVENT_TYPES.THREAD_OPENED, THREAD_UPDATED: WEBHOOK_EVENT_TYPES.THREAD_UPDATED, THREAD_CLOSED: WEBHOOK_EVENT_TYPES.THREAD_CLOSED } as const;

function isThreadKind(kind: string): kind is keyof typeof THREAD_EVENT {
  return kind in THREAD_EVENT;
}

async function recordThreadChange(tx: DbOrTx, threadId: string, kind: keyof typeof THREAD_EVENT): Promise<void> {
  const [row] = await tx.select({ thread: threads, standId: clients.standId }).from(threads).innerJoin(clients, eq(clients.id, threads.clientId)).where(eq(threads.id, threadId));
  if (!row) return;
  const t = row.thread;
  await recordWebhookEvent(tx, row.standId, {
    type: THREAD_EVENT[kind],
    orderingKey: t.clientId,
    data: {
      thread: {
        id: t.id, clientId: t.clientId, channel: t.channel, status: t.status, assigneeId: t.assigneeId, queueTargetId: t.queueTargetId,
        transferComment: t.transferComment, closeReason: t.closeReason, openedAt: iso(t.openedAt), closedAt: iso(t.closedAt),
      },
    },
  });
}
