import path from 'node:path';
import { sql } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connection.js';
import { seedDemo } from './db/seed.js';
import { ensureStand } from './db/stand.js';
import { heraldSchema } from './graphql/schema.js';
import type { Services } from './graphql/context.js';
import { createHttpServer, type HeraldHttpServer } from './http/server.js';
import { ednaWebhookRoutes } from './channels/edna/webhook.js';
import { channelStatusRoutes } from './channels/gateway/webhook.js';
import { attachSubscriptions } from './http/subscriptions.js';
import { listenForEvents } from './db/events.js';
import { attachmentRoutes } from './http/attachments.js';
import { SendClient } from './sends/client.js';
import { TemplateSync } from './templates/sync.js';
import { startWorker, type HeraldWorker } from './temporal/worker.js';
import { startEdnaSandbox, type EdnaSandbox } from '../sandbox/edna/server.js';
import { startGatewaySandbox, type GatewaySandbox } from '../sandbox/gateway/server.js';
import { startTelegramSandbox, type TelegramSandbox } from '../sandbox/telegram/server.js';
import { GATEWAY_CHANNELS, type GatewayChannel } from './domain/channels.js';
import { startDevServer, type DevServer } from './temporal/devServer.js';

// How the parts of Herald are put together. server.ts, worker.ts and the tests all start from
// here, so embedded mode and production run the same code with other drivers.

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
}

export interface TemporalHandle {
  address: string;
  uiUrl: string | null;
  connection: Connection;
  client: Client;
  devServer: DevServer | null;
  close(): Promise<void>;
}

export async function connectTemporal(config: Config): Promise<TemporalHandle> {
  const devServer = config.temporal.address
    ? null
    : await startDevServer({
        cliPath: config.temporal.cliPath,
        toolsDir: path.join(config.dataDir, 'tools'),
        log: (line) => console.log(line),
        namespace: config.temporal.namespace,
        dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
      });
  const address = devServer?.address ?? config.temporal.address!;
  const connection = await Connection.connect({ address });
  return {
    address,
    uiUrl: devServer?.uiUrl ?? null,
    connection,
    client: new Client({ connection, namespace: config.temporal.namespace }),
    devServer,
    async close() {
      await connection.close();
      await devServer?.stop();
    },
  };
}

/** The stand always exists; the demo data only where asked for (embedded mode by default). */
export async function bootstrapData(db: Database, config: Config): Promise<{ standId: string; seeded: boolean }> {
  const standId = await ensureStand(db.db, config.demo ? 'Demo stand' : 'Main stand');
  const seeded = config.demo ? await seedDemo(db.db, standId) : false;
  return { standId, seeded };
}

export interface ApiServer {
  http: HeraldHttpServer;
  port: number;
  services: Services;
  close(): Promise<void>;
}

export async function startApiServer(config: Config, db: Database, temporal: TemporalHandle, port = config.port): Promise<ApiServer> {
  const events = await listenForEvents(db);
  const services: Services = {
    db: db.db, config, events, sends: new SendClient(temporal.client, config), templateSync: new TemplateSync(temporal.client, config),
  };
  const schema = await heraldSchema();
  const http = await createHttpServer({
    services,
    schema,
    routes: [...ednaWebhookRoutes(services), ...channelStatusRoutes(services), ...attachmentRoutes(services)],
    readiness: {
      database: () => db.db.execute(sql`select 1`),
      temporal: () => temporal.connection.workflowService.getSystemInfo({}),
    },
  });
  const subscriptions = attachSubscriptions(http.server, schema, services);
  const actualPort = await http.listen(port);
  return {
    http,
    port: actualPort,
    services,
    async close() {
      await subscriptions.close();
      await http.close();
      await events.close();
    },
  };
}

/**
 * Without EDNA_BASE_URL, Herald talks to the built-in edna sandbox, which calls our webhooks
 * back on the API port. Returns where edna is and the sandbox, if one was started.
 */
export async function resolveEdna(config: Config, apiPort: number): Promise<{ baseUrl: string; sandbox: EdnaSandbox | null }> {
  if (config.edna.baseUrl) return { baseUrl: config.edna.baseUrl, sandbox: null };
  const sandbox = await startEdnaSandbox({
    port: config.sandboxPort,
    apiKey: config.edna.apiKey,
    webhookSecret: config.edna.webhookSecret,
    webhookHeader: config.edna.webhookHeader,
    statusCallbackUrl: `http://127.0.0.1:${apiPort}/webhooks/edna/status`,
    inMessageCallbackUrl: `http://127.0.0.1:${apiPort}/webhooks/edna/inbound`,
  });
  return { baseUrl: sandbox.url, sandbox };
}

export const SANDBOX_BOT_TOKEN = '123456:sandbox-bot-token';
/** The secret the embedded gateway sandbox signs with for a channel (>= 16 characters). */
export const sandboxGatewaySecret = (channel: GatewayChannel) => `sandbox-${channel.toLowerCase().replace(/_/g, '-')}-secret`;

export interface ChannelSandboxes {
  telegram: TelegramSandbox | null;
  gateway: GatewaySandbox | null;
  /** The gateway channels the sandbox plays. */
  gatewayChannels: GatewayChannel[];
  close(): Promise<void>;
}

/**
 * Embedded mode reaches every channel: without TELEGRAM_BOT_TOKEN the Telegram sandbox plays the
 * Bot API (on SANDBOX_PORT + 1), and a gateway channel without CHANNEL_<NAME>_URL goes to the
 * gateway sandbox (on SANDBOX_PORT + 2), which posts signed statuses back to the API port. The
 * sandboxes' URLs and secrets are written into `config`, which the API and the worker read, so
 * `client.channels`, validation and delivery all see the same channels configured.
 */
export async function resolveChannelSandboxes(config: Config, apiPort: number): Promise<ChannelSandboxes> {
  const portFor = (offset: number) => (config.sandboxPort === 0 ? 0 : config.sandboxPort + offset);
  let telegram: TelegramSandbox | null = null;
  if (!config.telegram.botToken) {
    telegram = await startTelegramSandbox({ port: portFor(1), botToken: SANDBOX_BOT_TOKEN });
    config.telegram = { apiUrl: telegram.url, botToken: SANDBOX_BOT_TOKEN };
  }
  const gatewayChannels = GATEWAY_CHANNELS.filter((c) => !config.gateway[c]);
  let gateway: GatewaySandbox | null = null;
  if (gatewayChannels.length > 0) {
    try {
      gateway = await startGatewaySandbox({
        port: portFor(2),
        secrets: Object.fromEntries(gatewayChannels.map((c) => [c, sandboxGatewaySecret(c)])),
        statusCallbackUrl: `http://127.0.0.1:${apiPort}/webhooks/channel/status`,
      });
    } catch (err) {
      await telegram?.close();
      throw err;
    }
    for (const c of gatewayChannels) config.gateway[c] = { url: gateway.urlFor(c), secret: sandboxGatewaySecret(c) };
  }
  return {
    telegram,
    gateway,
    gatewayChannels,
    async close() {
      await Promise.all([telegram?.close(), gateway?.close()]);
    },
  };
}

export { startWorker, type HeraldWorker };
