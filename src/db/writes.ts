import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { publishAll, publishWritesRows, type PublishedEvent } from './events.js';

// Writes that belong together (a send's thread, its message and its record) go to the database
// as one statement: each statement is a round of its own (a trip to PostgreSQL, a call into
// PGlite on the process's one thread), and one statement is as atomic as a transaction around
// several, without its BEGIN and COMMIT. Each module owns its write: the rows it inserts or
// changes, as named parts of a WITH, and the events that announce them.

/**
 * A module's write as part of a statement: `ctes` are WITH entries (`name as (...)`, names unique
 * in the statement), which run whether or not anything reads them; `events` are published once
 * the statement has run.
 */
export interface Write {
  ctes: SQL;
  events: PublishedEvent[];
}

/**
 * Runs the writes as one statement, then publishes their events in order. Where a publish writes
 * rows of its own (R34: the webhook outbox), they must commit with the change they report, so the
 * statement and its events then go in one transaction.
 */
export async function writeAll(db: DbOrTx, writes: readonly Write[]): Promise<void> {
  if (writes.length === 0) return;
  const run = async (on: DbOrTx) => {
    await on.execute(sql`with ${sql.join(writes.map((w) => w.ctes), sql`, `)} select 1`);
    await publishAll(on, writes.flatMap((w) => w.events));
  };
  if (publishWritesRows() && !(db instanceof PgTransaction)) return db.transaction(run);
  await run(db);
}
