import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Database, Db, DbOrTx } from './connection.js';
import { logger } from '../log.js';

// Changes travel as ids through PostgreSQL NOTIFY, so a subscriber on any server instance hears a
// change made by any worker; the subscriber reads the rows, so no event is the only copy of a
// fact. Inside a transaction NOTIFY is sent at commit. PGlite (embedded mode) lives in this
// process, so its changes are handed to this process's listeners at commit, without a NOTIFY.

export const EVENTS_CHANNEL = 'herald_events';

export const CLIENT_ACTIVITY_KINDS = ['THREAD_OPENED', 'THREAD_CLOSED', 'THREAD_UPDATED', 'MESSAGE_ADDED', 'MESSAGE_STATUS', 'CONSENT_CHANGED'] as const;
export type ClientActivityKind = (typeof CLIENT_ACTIVITY_KINDS)[number];

export type HeraldEvent =
  | { type: 'send'; sendId: string; at: string }
  | { type: 'client'; clientId: string; kind: ClientActivityKind; threadId: string | null; messageId: string | null; at: string }
  | { type: 'queue'; agentId: string; threadId: string; at: string }
  | { type: 'campaign'; campaignId: string; at: string };

type Distribute<T> = T extends unknown ? Omit<T, 'at'> : never;
export type PublishedEvent = Distribute<HeraldEvent>;

/**
 * What else a change is written as, in the same transaction (R34: the webhook outbox, installed by
 * src/webhooks/listeners.ts, so this layer does not import the one above it). It must cost next
 * to nothing when nobody listens: every send publishes several times.
 */
export type PublishTap = (db: DbOrTx, event: PublishedEvent) => Promise<void>;
let tap: PublishTap | null = null;
let tapWrites: () => boolean = () => false;

/** `writes`: whether the tap writes anything now (an endpoint exists); a tap that says nothing always may. */
export function tapPublish(next: PublishTap | null, writes: () => boolean = () => true): void {
  tap = next;
  tapWrites = next ? writes : () => false;
}

/**
 * Whether a publish writes rows of its own now (R34: the webhook outbox), which must commit with
 * the change they report: a change made in one statement outside a transaction needs one then.
 */
export function publishWritesRows(): boolean {
  return tap !== null && tapWrites();
}

export async function publish(db: DbOrTx, event: PublishedEvent): Promise<void> {
  await publishAll(db, [event]);
}

/**
 * Several events of one change, in order. Outside a transaction on PostgreSQL they go in one
 * NOTIFY statement (a status move publishes two: each statement is a round of its own).
 */
export async function publishAll(db: DbOrTx, events: readonly PublishedEvent[]): Promise<void> {
  const at = new Date().toISOString();
  const payloads = events.map((event) => JSON.stringify({ ...event, at }));
  const announcedAtEnd = pending.get(db);
  const inProcess = announcedAtEnd ? undefined : heardIn.get(db);
  if (announcedAtEnd) announcedAtEnd.push(...payloads);
  else if (inProcess) announce(inProcess, payloads);
  else await notify(db, payloads);
  if (tap) for (const event of events) await tap(db, event);
}

/** What each open transaction has published and not yet announced. */
const pending = new WeakMap<DbOrTx, string[]>();

type Hearing = Set<(payload: string) => void>;

/**
 * PGlite runs inside this process, so its NOTIFY reaches this process's listeners and nobody
 * else: they are handed what a transaction published once it has committed (what NOTIFY does),
 * without the statement (four per send). Keyed by the PGlite instance; a second API instance on
 * the same PGlite (tests, the bench) hears it too.
 */
const hearers = new WeakMap<object, Hearing>();
/** The databases whose announcements stay in this process, and who hears them. */
const heardIn = new WeakMap<DbOrTx, Hearing>();

function hearersOf(instance: object): Hearing {
  let set = hearers.get(instance);
  if (!set) hearers.set(instance, (set = new Set()));
  return set;
}

function announce(hearing: Hearing, payloads: readonly string[]): void {
  for (const payload of payloads) {
    for (const hear of hearing) {
      // A listener's fault is its own: the change it hears about has committed.
      try {
        hear(payload);
      } catch (err) {
        logger.warn({ err }, 'an event listener failed');
      }
    }
  }
}

async function notify(db: DbOrTx, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  await db.execute(sql`select ${sql.join(payloads.map((p) => sql`pg_notify(${EVENTS_CHANNEL}, ${p})`), sql`, `)}`);
}

/**
 * Every transaction on `db` announces what it published in one statement at its end, in order:
 * a send's transactions publish two or three events each, and on PGlite every statement pays its
 * own parse and plan. Nothing is heard earlier than before (NOTIFY is delivered at commit), and a
 * transaction that rolls back announces nothing, as before.
 */
export function announceAtTransactionEnd(db: Db, inProcess?: { instance: object }): Db {
  const transaction = db.transaction.bind(db);
  const hearing = inProcess ? hearersOf(inProcess.instance) : null;
  if (hearing) heardIn.set(db, hearing);
  db.transaction = (async (run, config) => {
    const payloads: string[] = [];
    const result = await transaction(async (tx) => {
      pending.set(tx, payloads);
      const ran = await run(tx);
      pending.delete(tx);
      // NOTIFY in the transaction is delivered at its commit; in-process listeners are handed the payloads after it.
      if (!hearing) await notify(tx, payloads);
      return ran;
    }, config);
    if (hearing) announce(hearing, payloads);
    return result;
  }) as Db['transaction'];
  return db;
}

type Listener = (event: HeraldEvent) => void;

export interface EventBus {
  /** Every event, until the returned function is called. */
  on(listener: Listener): () => void;
  /** The events that pass `filter`, as an async iterator for a GraphQL subscription. */
  iterate<T extends HeraldEvent>(filter: (e: HeraldEvent) => e is T): AsyncIterableIterator<T>;
  iterate(filter: (e: HeraldEvent) => boolean): AsyncIterableIterator<HeraldEvent>;
  close(): Promise<void>;
}

export async function listenForEvents(database: Database): Promise<EventBus> {
  const listeners = new Set<Listener>();
  const dispatch = (payload: string | undefined) => {
    if (!payload) return;
    let event: HeraldEvent;
    try {
      event = JSON.parse(payload) as HeraldEvent;
    } catch {
      return;
    }
    for (const l of listeners) l(event);
  };

  let stop: () => Promise<void>;
  if (database.raw.kind === 'pglite') {
    // Most announcements come in-process (announceAtTransactionEnd); a NOTIFY still arrives from
    // a publish inside a savepoint's transaction, which commits with the one around it.
    const hearing = hearersOf(database.raw.client);
    const unlisten = await database.raw.client.listen(EVENTS_CHANNEL, dispatch);
    hearing.add(dispatch);
    stop = async () => {
      hearing.delete(dispatch);
      await unlisten();
    };
  } else {
    // LISTEN needs a connection of its own that stays open; a pooled one would be handed back.
    // When PostgreSQL restarts the connection is lost: it is opened again with a growing pause,
    // and subscribers catch up by reading the rows (no event is the only copy of a fact).
    const { default: pgModule } = await import('pg');
    const url = database.raw.url;
    let client: pg.Client | null = null;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    const open = async (attempt: number): Promise<void> => {
      const next = new pgModule.Client({ connectionString: url });
      next.on('notification', (msg) => { if (msg.channel === EVENTS_CHANNEL) dispatch(msg.payload); });
      next.on('error', (err) => logger.warn({ err }, 'the LISTEN connection failed; opening it again'));
      next.on('end', () => {
        if (closed || client !== next) return;
        client = null;
        retry = setTimeout(() => void open(1), 500);
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${EVENTS_CHANNEL}`);
        if (closed) return void (await next.end());
        client = next;
        if (attempt > 1) logger.info({ attempt }, 'LISTEN connection open again');
      } catch (err) {
        await next.end().catch(() => undefined);
        if (attempt === 0) throw err; // the first open fails start-up, as a bad DATABASE_URL should
        logger.warn({ err, attempt }, 'LISTEN connection not open yet');
        if (!closed) retry = setTimeout(() => void open(attempt + 1), Math.min(10_000, 250 * 2 ** attempt));
      }
    };
    await open(0);
    stop = async () => {
      closed = true;
      clearTimeout(retry);
      await client?.end();
    };
  }

  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    iterate(filter: (e: HeraldEvent) => boolean): AsyncIterableIterator<HeraldEvent> {
      const queue: HeraldEvent[] = [];
      let wake: (() => void) | null = null;
      let done = false;
      const off = this.on((e) => {
        if (!filter(e)) return;
        queue.push(e);
        wake?.();
      });
      const finish = () => {
        done = true;
        off();
        wake?.();
      };
      return {
        [Symbol.asyncIterator]() { return this; },
        async next(): Promise<IteratorResult<HeraldEvent>> {
          while (queue.length === 0 && !done) await new Promise<void>((r) => { wake = r; });
          wake = null;
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          return { value: undefined, done: true };
        },
        async return(): Promise<IteratorResult<HeraldEvent>> {
          finish();
          return { value: undefined, done: true };
        },
      };
    },
    async close() {
      listeners.clear();
      await stop();
    },
  } as EventBus;
}
