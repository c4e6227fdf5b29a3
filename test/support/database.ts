import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';

// Each test file gets a database of its own: a fresh PostgreSQL database when DATABASE_URL is
// set (CI runs the suite both ways), otherwise a PGlite loaded from the run's migrated template.

export interface TestDatabase extends Database {
  url: string | null;
  drop(): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const template = inject('pgliteTemplate');
    const from = template ? new Blob([fs.readFileSync(template)]) : undefined;
    const database = await openDatabase({ memory: true, ...(from ? { from } : {}) });
    return { ...database, url: null, drop: () => database.close() };
  }
  const name = `herald_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    ...database,
    url: url.toString(),
    async drop() {
      await database.close();
      const again = new pg.Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}
