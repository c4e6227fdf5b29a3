import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types } from '@electric-sql/pglite';
import pg from 'pg';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import * as schema from './schema.js';
import { logger } from '../log.js';
import { announceAtTransactionEnd } from './events.js';
import { preparedStatements } from './pgliteStatements.js';
import { namedStatements } from './pgStatements.js';

// One database API over two drivers: node-postgres in production, PGlite embedded. Everything
// above this file sees `Db` and never knows which one it got.

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  driver: 'pg' | 'pglite';
  /** The driver's own client, for LISTEN/NOTIFY. */
  raw: { kind: 'pg'; pool: pg.Pool; url: string } | { kind: 'pglite'; client: PGlite };
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** `memory` may start from a dump of an already migrated database (tests load one per file). */
export type DatabaseLocation = { url: string } | { dataDir: string } | { memory: true; from?: Blob };

/**
 * Several API instances and workers may start together on one database: the migrations run under
 * an advisory lock, so one runs them and the others find them done.
 */
async function migrateOnce(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    try {
      await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

const MIGRATION_LOCK = 'herald:migrations';

export async function openDatabase(location: DatabaseLocation, options: { poolSize?: number; statementTimeoutMs?: number; namedStatements?: boolean } = {}): Promise<Database> {
  if ('url' in location) {
    // No statement runs longer than STATEMENT_TIMEOUT_MS: a request that is given up on stops its work too.
    const pool = new pg.Pool({ connectionString: location.url, max: options.poolSize ?? 20, statement_timeout: options.statementTimeoutMs ?? 30_000 });
    // An idle client that loses its server emits 'error'; without a handler that kills the process.
    pool.on('error', (err) => logger.warn({ err }, 'an idle PostgreSQL connection failed'));
    const db = announceAtTransactionEnd(drizzlePg({ client: options.namedStatements === false ? pool : namedStatements(pool), schema }) as unknown as Db);
    await migrateOnce(pool);
    return { db, driver: 'pg', raw: { kind: 'pg', pool, url: location.url }, close: () => pool.end() };
  }
  let client: PGlite;
  if ('dataDir' in location) {
    const dir = path.join(location.dataDir, 'pgdata');
    fs.mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir);
  } else {
    client = await PGlite.create(location.from ? { loadDataDir: location.from } : {});
  }
  await migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS });
  const db = announceAtTransactionEnd(drizzlePglite({ client: preparedStatements(client, DRIZZLE_PARSERS), schema }) as unknown as Db, { instance: client });
  return { db, driver: 'pglite', raw: { kind: 'pglite', client }, close: () => client.close() };
}

/** The types drizzle maps itself, so PGlite hands them over as text (drizzle-orm/pglite/session.js). */
const asText = (value: string) => value;
const DRIZZLE_PARSERS = {
  [types.TIMESTAMP]: asText, [types.TIMESTAMPTZ]: asText, [types.INTERVAL]: asText, [types.DATE]: asText,
  1231: asText, 1115: asText, 1185: asText, 1187: asText, 1182: asText, // numeric[], timestamp[], timestamptz[], interval[], date[]
};

/** PostgreSQL's unique_violation, whichever driver raised it and however drizzle wrapped it. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint: name } = e as { code?: string; constraint?: string };
    if (code === '23505') return constraint === undefined || name === constraint;
  }
  return false;
}
