import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { ApiServer, HeraldActivities, HeraldWorker, TemporalHandle } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { freePort, startEmbedded } from '../../src/embedded.js';
import type { EdnaSandbox } from '../../sandbox/edna/server.js';
import type { GatewaySandbox } from '../../sandbox/gateway/server.js';
import type { TelegramSandbox } from '../../sandbox/telegram/server.js';
import type { GatewayChannel } from '../../src/domain/channels.js';
import { openTestDatabase, type TestDatabase } from './database.js';

// A real Herald for a test file, wired exactly as embedded mode wires it (src/embedded.ts): its
// own database and task queue, the run's Temporal dev server, the edna, Telegram and channel
// gateway sandboxes over HTTP, a worker, and the HTTP API on a free port, driven over HTTP
// exactly as a client would.

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
  edna: EdnaSandbox;
  /** Null when started with `channels: { telegram: false }` (Telegram then is not configured). */
  telegram: TelegramSandbox | null;
  /** Null when started with `channels: { gateway: false }`. */
  gateway: GatewaySandbox | null;
  worker: HeraldWorker | null;
  baseUrl: string;
  gql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Starts (another) worker on this Herald's task queue, optionally with some activities replaced. */
  startWorker(override?: (activities: HeraldActivities) => Partial<HeraldActivities>): Promise<HeraldWorker>;
  close(): Promise<void>;
}

export interface TestHeraldOptions {
  env?: Record<string, string>;
  /** Start a worker with the API (default true). */
  worker?: boolean;
  sandbox?: { delaysMs?: { sent?: number; delivered?: number; read?: number }; failFirstTries?: number };
  /** Bundle the workflows when the worker starts (with the interceptors tracing adds) instead of using the run's prebuilt bundle. */
  bundleAtStart?: boolean;
  /** Which channel sandboxes to start (default both); one left out leaves its channels not configured. */
  channels?: { telegram?: boolean; gateway?: boolean; /** the gateway channels the sandbox plays (default all) */ gatewayChannels?: GatewayChannel[] };
}

export async function startTestHerald(options: TestHeraldOptions = {}): Promise<TestHerald> {
  const db = await openTestDatabase();
  const config = loadConfig({
    PORT: String(await freePort()),
    SANDBOX_PORT: '0',
    DATA_DIR: path.join(os.tmpdir(), `herald-test-${process.pid}`),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `herald-test-${randomBytes(4).toString('hex')}`,
    HERALD_DEMO: 'true',
    SEND_DELIVERY_ATTEMPTS: '3',
    SEND_RETRY_INITIAL_MS: '100',
    SEND_STATUS_TIMEOUT_SECONDS: '60',
    SEND_RETRY_WAIT_SECONDS: '60',
    ...options.env,
  });
  const failFirstTries = options.sandbox?.failFirstTries ?? 2;
  const herald = await startEmbedded(config, {
    database: db,
    worker: options.worker !== false,
    ...(options.bundleAtStart ? {} : { workflowBundlePath: inject('workflowBundle') }),
    sandboxes: {
      edna: { delaysMs: options.sandbox?.delaysMs ?? { sent: 30, delivered: 60, read: 90 }, failFirstTries },
      telegram: options.channels?.telegram === false ? false : { failFirstTries, retryAfterSeconds: 1 },
      gateway: options.channels?.gateway === false ? false : {
        delaysMs: { delivered: options.sandbox?.delaysMs?.delivered ?? 60, read: options.sandbox?.delaysMs?.read ?? 90 },
        failFirstTries,
        retryAfterSeconds: 1,
        ...(options.channels?.gatewayChannels ? { channels: options.channels.gatewayChannels } : {}),
      },
    },
  });
  const { edna, telegram, gateway } = herald.sandboxes;
  if (!edna) throw new Error('the test Herald expects the edna sandbox (no EDNA_BASE_URL)');
  return {
    db, config: herald.config, standId: herald.standId, temporal: herald.temporal, api: herald.api, edna, telegram, gateway,
    worker: herald.worker, baseUrl: herald.baseUrl,
    startWorker: herald.startWorker,
    async gql(token, query, variables) {
      const res = await fetch(`${herald.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResult;
      return { ...body, status: res.status };
    },
    async close() {
      await herald.close();
      await db.drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
