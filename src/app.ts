import path from 'node:path';
import { sql } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { seedDemo } from './db/seed.js';
import { ensureStand } from './db/stand.js';
import { heraldSchema } from './graphql/schema.js';
import type { Services } from './graphql/context.js';
import { createHttpServer, type HeraldHttpServer } from './http/server.js';
import { ednaWebhookRoutes } from './http/webhooks.js';
import { attachSubscriptions } from './http/subscriptions.js';
import { listenForEvents } from './events/bus.js';
import { attachmentRoutes } from './http/attachments.js';
import { SendGateway } from './temporal/sends.js';
import { TemplateSync } from './temporal/templateSync.js';
import { startWorker, type HeraldWorker } from './temporal/worker.js';
import { startEdnaSandbox, type EdnaSandbox } from '../sandbox/edna/server.js';
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
    db: db.db, config, events, sends: new SendGateway(temporal.client, config), templateSync: new TemplateSync(temporal.client, config),
  };
  const schema = await heraldSchema();
  const http = await createHttpServer({
    services,
    schema,
    routes: [...ednaWebhookRoutes(services), ...attachmentRoutes(services)],
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

export { startWorker, type HeraldWorker };
