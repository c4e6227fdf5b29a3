import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { bootstrapData, connectTemporal, startApiServer, type ApiServer, type TemporalHandle } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openTestDatabase, type TestDatabase } from './database.js';

// A real Herald for a test file: its own database, the run's Temporal dev server, and the HTTP
// API on a free port, driven over HTTP exactly as a client would.

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string[] } }>;
}

export interface TestHerald {
  db: TestDatabase;
  config: Config;
  standId: string;
  temporal: TemporalHandle;
  api: ApiServer;
  baseUrl: string;
  gql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

export async function startTestHerald(env: Record<string, string> = {}): Promise<TestHerald> {
  const db = await openTestDatabase();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: path.join(os.tmpdir(), `herald-test-${process.pid}`),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    HERALD_DEMO: 'true',
    ...env,
  });
  const { standId } = await bootstrapData(db, config);
  const temporal = await connectTemporal(config);
  const api = await startApiServer(config, db, temporal, 0);
  const baseUrl = `http://127.0.0.1:${api.port}`;
  return {
    db,
    config,
    standId,
    temporal,
    api,
    baseUrl,
    async gql(token, query, variables) {
      const res = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResult;
      return { ...body, status: res.status };
    },
    async close() {
      await api.close();
      await temporal.close();
      await db.drop();
    },
  };
}
