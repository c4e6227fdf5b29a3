import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { tapPublish } from '../db/events.js';
import { webhookEndpoints } from '../db/schema.js';
import { logger } from '../log.js';
import { recordChange, setRetryPeriod } from './outbox.js';

// Whether anybody listens, per process: publish() (every change of a send, message or thread)
// asks this before writing webhook events, so with no endpoint a change costs no statement more
// (issue 11: send speed). The answer is re-read every few seconds from each database this process
// works on, and turned on at once when an endpoint is made or enabled here; an endpoint made by
// another instance is heard within WEBHOOK_ENDPOINTS_REFRESH_SECONDS.

const watched = new Map<Db, number>();
let listening = false;
/** Bumped when this process adds an endpoint, so a refresh that began before it cannot undo it. */
let generation = 0;
let timer: NodeJS.Timeout | undefined;

export function anyoneListening(): boolean {
  return listening;
}

/** An endpoint was made or enabled in this process: events start with the next change. */
export function endpointAdded(): void {
  generation += 1;
  listening = true;
}

/** An endpoint was disabled or deleted here: ask the databases again now. */
export function endpointRemoved(): void {
  void refresh();
}

async function refresh(): Promise<void> {
  const started = generation;
  let any = false;
  try {
    for (const db of watched.keys()) {
      const [row] = await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true)).limit(1);
      if (row) { any = true; break; }
    }
  } catch (err) {
    // A database that cannot answer now keeps the last answer (better a few extra statements than lost events).
    logger.warn({ err }, 'could not read whether any webhook endpoint exists');
    return;
  }
  if (any || generation === started) listening = any;
}

/**
 * Start recording webhook events for changes made through `db` (the API and the worker each call
 * this for their database); the returned function stops it for this caller.
 */
export async function watchWebhookListeners(db: Db, settings: { endpointsRefreshSeconds: number; retryForSeconds: number }): Promise<() => void> {
  watched.set(db, (watched.get(db) ?? 0) + 1);
  setRetryPeriod(settings.retryForSeconds);
  tapPublish((tx, event) => (listening ? recordChange(tx, event) : Promise.resolve()), () => listening);
  if (!timer) {
    timer = setInterval(() => void refresh(), settings.endpointsRefreshSeconds * 1000);
    timer.unref();
  }
  await refresh();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    const count = (watched.get(db) ?? 1) - 1;
    if (count > 0) watched.set(db, count);
    else watched.delete(db);
    if (watched.size === 0) {
      clearInterval(timer);
      timer = undefined;
      listening = false;
      tapPublish(null);
    }
  };
}
