import type { WebhookSettings } from '../config.js';
import type { Db } from '../db/connection.js';
import { startWebhookDispatcher } from './dispatcher.js';
import { watchWebhookListeners } from './listeners.js';

// R34 in a process: record webhook events for the changes it makes (the API, a worker), and in a
// worker also deliver them.

/** For any process that changes sends, messages or threads: their webhook events are recorded. The function stops it. */
export function recordWebhookEvents(db: Db, settings: WebhookSettings): Promise<() => void> {
  return watchWebhookListeners(db, settings);
}

/** For a worker: its changes are recorded and the outbox delivered, until stop(). */
export async function startWebhookDelivery(db: Db, settings: WebhookSettings): Promise<{ stop(): Promise<void> }> {
  const unwatch = await watchWebhookListeners(db, settings);
  const dispatcher = startWebhookDispatcher(db, settings);
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= dispatcher.stop().finally(unwatch)),
  };
}
