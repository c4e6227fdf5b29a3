// R34: the events Herald POSTs to webhook endpoints. Each has a GraphQL enum name (what an
// endpoint subscribes to) and a wire name (the `type` of the JSON it receives), as Stripe names
// its events. The one list: the outbox, the dispatcher, the schema and the README follow it.

export const WEBHOOK_EVENT_TYPES = {
  /** A send moved to another state (VALIDATING, AWAITING_STATUS, COMPLETED, FAILED, ...). */
  SEND_STATE_CHANGED: 'send.state_changed',
  /** An outbound message has a new status (PENDING, SENT, DELIVERED, READ, FAILED, ...) or a problem noted. */
  MESSAGE_STATUS_CHANGED: 'message.status_changed',
  /** A client wrote in. */
  MESSAGE_RECEIVED: 'message.received',
  THREAD_OPENED: 'thread.opened',
  /** Assigned, transferred, taken over. */
  THREAD_UPDATED: 'thread.updated',
  THREAD_CLOSED: 'thread.closed',
  /** A campaign's progress (recorded by the campaigns, R30). */
  CAMPAIGN_UPDATED: 'campaign.updated',
  /** Another endpoint of the stand failed for the whole failure period and was disabled. */
  WEBHOOK_ENDPOINT_DISABLED: 'webhook_endpoint.disabled',
} as const;

export type WebhookEventTypeName = keyof typeof WEBHOOK_EVENT_TYPES;
export type WebhookEventWireType = (typeof WEBHOOK_EVENT_TYPES)[WebhookEventTypeName];

export const WEBHOOK_EVENT_TYPE_NAMES = Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventTypeName[];

const BY_WIRE = new Map<string, WebhookEventTypeName>(WEBHOOK_EVENT_TYPE_NAMES.map((name) => [WEBHOOK_EVENT_TYPES[name], name]));

/** The enum name of a wire type; null for one no version of Herald knows (never written, but rows outlive code). */
export function eventTypeName(wire: string): WebhookEventTypeName | null {
  return BY_WIRE.get(wire) ?? null;
}

/** The body every attempt of an event sends: the same bytes, the same id (receivers dedupe on it). */
export function eventBody(event: { id: string; type: string; createdAt: Date; data: unknown }): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });
}
