import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { isUniqueViolation, openDatabase } from '../../src/db/connection.js';
import { agents, stands } from '../../src/db/schema.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

// Statements are prepared once per text (src/db/pgliteStatements.ts on PGlite,
// src/db/pgStatements.ts on PostgreSQL). What that must not change: every text answers what it
// asks, beyond the number of statements kept too; a refused statement fails as the database
// refused it and leaves its text usable; a transaction still rolls back whole.

let database: TestDatabase;
beforeAll(async () => { database = await openTestDatabase(); });
afterAll(async () => { await database?.drop(); });

const rowsOf = (result: unknown): Array<Record<string, unknown>> => ((result as { rows?: unknown[] }).rows ?? result) as Array<Record<string, unknown>>;

describe('prepared statements', () => {
  it('more distinct texts than are kept each answer their own, and the first ones again after the last', async () => {
    const { db } = database;
    const ask = async (k: number) => rowsOf(await db.execute(sql`select ${k}::int + ${sql.raw(String(k))} as n`))[0]!.n;
    // 1,100 texts: past the 500 PGlite keeps prepared and the 500 texts PostgreSQL connections name.
    for (let k = 0; k < 1100; k++) expect(await ask(k)).toBe(2 * k);
    for (let k = 0; k < 10; k++) expect(await ask(k)).toBe(2 * k);
  });

  it('a value the database refuses fails that statement only; the same text then runs with a good one', async () => {
    const { db } = database;
    const byId = (id: string) => db.execute(sql`select count(*)::int as n from agents where id = ${id}::uuid`);
    await expect(byId('not-a-uuid')).rejects.toThrow();
    expect(rowsOf(await byId('00000000-0000-0000-0000-000000000000'))[0]!.n).toBe(0);
  });

  it('a value the driver cannot convert fails that run only; the same text then runs with a good one', async () => {
    // On PostgreSQL through a pool of one connection, so the next run gets the connection the failed one had.
    const own = database.url ? await openDatabase({ url: database.url }, { poolSize: 1 }) : null;
    const { db } = own ?? database;
    const unconvertible = { toPostgres() { throw new Error('no conversion'); }, toString() { throw new Error('no conversion'); } };
    const ask = (value: unknown) => db.execute(sql`select ${value}::text as v`);
    try {
      // In a transaction: its connection goes back to the pool after the rollback, not closed.
      await expect(db.transaction((tx) => tx.execute(sql`select ${unconvertible}::text as v`))).rejects.toThrow();
      expect(rowsOf(await ask('fine'))[0]!.v).toBe('fine');
      await expect(ask(unconvertible)).rejects.toThrow();
      expect(rowsOf(await ask('fine'))[0]!.v).toBe('fine');
    } finally {
      await own?.close();
    }
  });

  it('a unique violation inside a transaction is reported as one and rolls the whole transaction back', async () => {
    const { db } = database;
    const login = `statements-${Date.now()}`;
    const before = rowsOf(await db.execute(sql`select count(*)::int as n from agents`))[0]!.n as number;
    const [stand] = await db.insert(stands).values({ name: 'Statements' }).returning({ id: stands.id });
    const agent = { standId: stand!.id, login, name: 'Statements', role: 'AGENT' as const };
    const failed = await db.transaction(async (tx) => {
      await tx.insert(agents).values(agent);
      await tx.insert(agents).values({ ...agent, name: 'Again' });
    }).then(() => null, (err: unknown) => err);
    expect(isUniqueViolation(failed)).toBe(true);
    expect(rowsOf(await db.execute(sql`select count(*)::int as n from agents`))[0]!.n).toBe(before);
    // The statement texts of the failed transaction run again.
    await db.insert(agents).values(agent);
    expect(rowsOf(await db.execute(sql`select count(*)::int as n from agents`))[0]!.n).toBe(before + 1);
  });
});
