import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import {
  bootstrapData, connectTemporal, startApiServer, startWorker, type ApiServer, type HeraldWorker, type TemporalHandle,
} from '../../src/app.js';
import type { Activities } from '../../src/sends/activities/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startEdnaSandbox, type EdnaSandbox } from '../../sandbox/edna/server.js';
import { startGatewaySandbox, type GatewaySandbox } from '../../sandbox/gateway/server.js';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram/server.js';
import { SANDBOX_BOT_TOKEN, sandboxGatewaySecret } from '../../src/app.js';
import { GATEWAY_CHANNELS } from '../../src/domain/channels.js';
import { openTestDatabase, type TestDatabase } from './database.js';

// A real Herald for a test file: its own database and task queue, the run's Temporal dev server,
// the edna, Telegram and channel gateway sandboxes over HTTP, a worker, and the HTTP API on a
// free port, driven over HTTP exactly as a client would.

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
  startWorker(override?: (activities: Activities) => Partial<Activities>): Promise<HeraldWorker>;
  close(): Promise<void>;
}

export interface TestHeraldOptions {
  env?: Record<string, string>;
  /** Start a worker with the API (default true). */
  worker?: boolean;
  sandbox?: { delaysMs?: { sent?: number; delivered?: number; read?: number }; failFirstTries?: number };
  /** Which channel sandboxes to start (default both); one left out leaves its channels not configured. */
  channels?: { telegram?: boolean; gateway?: boolean };
}

export async function startTestHerald(options: TestHeraldOptions = {}): Promise<TestHerald> {
  const db = await openTestDatabase();
  const config = loadConfig({
    PORT: '0',
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
  const { standId } = await bootstrapData(db, config);
  const temporal = await connectTemporal(config);
  const api = await startApiServer(config, db, temporal, 0);
  const baseUrl = `http://127.0.0.1:${api.port}`;
  // The port is known only now; file URLs handed to edna must point at it.
  if (!options.env?.PUBLIC_BASE_URL) config.publicBaseUrl = baseUrl;
  const edna = await startEdnaSandbox({
    apiKey: config.edna.apiKey,
    webhookSecret: config.edna.webhookSecret,
    webhookHeader: config.edna.webhookHeader,
    statusCallbackUrl: `${baseUrl}/webhooks/edna/status`,
    inMessageCallbackUrl: `${baseUrl}/webhooks/edna/inbound`,
    delaysMs: options.sandbox?.delaysMs ?? { sent: 30, delivered: 60, read: 90 },
    failFirstTries: options.sandbox?.failFirstTries ?? 2,
  });
  // Like embedded mode: the sandboxes' URLs and secrets go into the config the API and the worker read.
  const telegram = options.channels?.telegram === false || options.env?.TELEGRAM_BOT_TOKEN
    ? null
    : await startTelegramSandbox({ botToken: SANDBOX_BOT_TOKEN, failFirstTries: options.sandbox?.failFirstTries ?? 2, retryAfterSeconds: 1 });
  if (telegram) config.telegram = { apiUrl: telegram.url, botToken: SANDBOX_BOT_TOKEN };
  const gateway = options.channels?.gateway === false
    ? null
    : await startGatewaySandbox({
        secrets: Object.fromEntries(GATEWAY_CHANNELS.map((c) => [c, sandboxGatewaySecret(c)])),
        statusCallbackUrl: `${baseUrl}/webhooks/channel/status`,
        delaysMs: { delivered: options.sandbox?.delaysMs?.delivered ?? 60, read: options.sandbox?.delaysMs?.read ?? 90 },
        failFirstTries: options.sandbox?.failFirstTries ?? 2,
        retryAfterSeconds: 1,
      });
  if (gateway) for (const c of GATEWAY_CHANNELS) config.gateway[c] = { url: gateway.urlFor(c), secret: sandboxGatewaySecret(c) };
  const workers: HeraldWorker[] = [];
  const launch = async (override?: (activities: Activities) => Partial<Activities>) => {
    const w = await startWorker({ config, db: db.db, temporalAddress: temporal.address, ednaBaseUrl: edna.url, workflowBundlePath: inject('workflowBundle'), ...(override ? { overrideActivities: override } : {}) });
    workers.push(w);
    return w;
  };
  const worker = options.worker === false ? null : await launch();
  return {
    db, config, standId, temporal, api, edna, telegram, gateway, worker, baseUrl,
    startWorker: launch,
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
      await Promise.all(workers.map((w) => w.shutdown().catch(() => undefined)));
      await api.close();
      await edna.close();
      await telegram?.close();
      await gateway?.close();
      await temporal.close();
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
