import { sql } from 'drizzle-orm';
import { Client, Connection, type ClientOptions } from '@temporalio/client';
import { cachedViewerLookup } from './auth/tokens.js';
import { CampaignClient } from './campaigns/client.js';
import { createCampaignActivities, type CampaignActivities } from './campaigns/activities.js';
import { createChannels } from './channels/index.js';
import { ednaWebhooks } from './channels/edna/webhook.js';
import { gatewayStatusWebhook } from './channels/gateway/webhook.js';
import type { Config } from './config.js';
import { openDatabase, type Database, type Db } from './db/connection.js';
import { sweepUnfinishedUploads } from './db/attachments.js';
import { listenForEvents } from './db/events.js';
import { logger } from './log.js';
import { seedDemo } from './demo.js';
import { ensureStand } from './db/stand.js';
import { heraldSchema } from './graphql/schema.js';
import { metricsPlugin } from './graphql/metricsPlugin.js';
import { observeDatabasePool, registry, subscriptionsActive, webhookCallbacks, websocketConnections } from './metrics.js';
import type { Services } from './graphql/context.js';
import { mountAttachments } from './http/attachments.js';
import { createHttpServer, type HeraldHttpServer } from './http/server.js';
import { attachSubscriptions } from './http/subscriptions.js';
import { mountWebhooks } from './http/webhooks.js';
import { failFastOnStatementErrors } from './sends/activities/failures.js';
import { createSendActivities, type SendActivities } from './sends/activities/index.js';
import { SendClient, type WorkerHere } from './sends/client.js';
import { LocalAnswers, answeringLocally } from './sends/localAnswers.js';
import { startWorker, type HeraldWorker } from './temporal/worker.js';
import { createTemplateActivities, type TemplateActivities } from './templates/activities.js';
import { TemplateSync } from './templates/sync.js';
import { recordWebhookEvents, startWebhookDelivery } from './webhooks/delivery.js';
import { tracing } from './tracing.js';

// How Herald's production parts are put together: the database, the connection to Temporal, the
// API and the worker. server.ts and worker.ts start from here, and so does embedded mode
// (src/embedded.ts), which adds the dev server and the sandboxes around the same parts.

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir }, { namedStatements: config.databaseNamedStatements });
}

/** The stand always exists; the demo data only where asked for (embedded mode by default). */
export async function bootstrapData(db: Db, config: Config): Promise<{ standId: string; seeded: boolean }> {
  const standId = await ensureStand(db, config.demo ? 'Demo stand' : 'Main stand');
  const seeded = config.demo ? await seedDemo(db, standId) : false;
  return { standId, seeded };
}

export interface TemporalHandle {
  address: string;
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

export async function connectTemporal(address: string, config: Config): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address });
  return { address, connection, client: temporalClient(connection, config), close: () => connection.close() };
}

/** A Temporal client on `connection`, with the trace interceptors when tracing is on. */
export function temporalClient(connection: ClientOptions['connection'], config: Config): Client {
  const interceptors = tracing()?.clientInterceptors;
  return new Client({ connection, namespace: config.temporal.namespace, ...(interceptors ? { interceptors } : {}) });
}

export interface ApiServer {
  http: HeraldHttpServer;
  port: number;
  services: Services;
  close(): Promise<void>;
}

export async function startApiServer(config: Config, database: Database, temporal: TemporalHandle, port = config.port): Promise<ApiServer> {
  const events = await listenForEvents(database);
  const services: Services = {
    db: database.db, config, events, sends: new SendClient(temporal.client, config), campaigns: new CampaignClient(temporal.client, config), templateSync: new TemplateSync(temporal.client, config),
  };
  const schema = await heraldSchema();
  const viewers = cachedViewerLookup(database.db);
  services.forgetTokens = viewers.forget;
  const edna = ednaWebhooks(config.edna);
  const http = await createHttpServer({
    services,
    schema,
    limits: config.http,
    viewers,
    corsOrigins: config.corsOrigins,
    readiness: {
      database: () => database.db.execute(sql`select 1`),
      temporal: () => temporal.connection.workflowService.getSystemInfo({}),
    },
    routes: async (app, limitsFor) => {
      await mountWebhooks(app, services, { status: [edna.status, gatewayStatusWebhook(config)], inbound: [edna.inbound] }, limitsFor('providers'),
        (webhook, outcome) => webhookCallbacks.inc({ webhook, outcome }));
      await mountAttachments(app, services, limitsFor);
      app.get('/metrics', { config: limitsFor('open') }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
    },
    apolloPlugins: [metricsPlugin()],
  });
  observeDatabasePool(database, 'api');
  // R34: changes made here (inbound messages, threads) are recorded for webhook endpoints too.
  const stopRecordingWebhooks = await recordWebhookEvents(database.db, config.webhooks);
  const subscriptions = attachSubscriptions(http.server, schema, services, {
    config,
    viewers,
    observe: { connected: (delta) => websocketConnections.inc(delta), subscribed: (delta) => subscriptionsActive.inc(delta) },
  });
  // Uploads a stopped server left half-stored: removed now and then every hour.
  const sweep = () => void sweepUnfinishedUploads(database.db).then((n) => { if (n > 0) logger.info({ removed: n }, 'unfinished uploads removed'); })
    .catch((err: unknown) => logger.warn({ err }, 'sweeping unfinished uploads failed'));
  sweep();
  const sweeper = setInterval(sweep, 60 * 60 * 1000);
  sweeper.unref();
  const actualPort = await http.listen(port, config.host);
  return {
    http,
    port: actualPort,
    services,
    async close() {
      clearInterval(sweeper);
      await subscriptions.close();
      await http.close();
      await events.close();
      stopRecordingWebhooks();
    },
  };
}

/** Every activity the worker runs: the send's, the template catalog's and the campaigns'. */
export type HeraldActivities = SendActivities & TemplateActivities & CampaignActivities;

export interface HeraldWorkerOptions {
  /** A prebuilt workflow bundle (tests build one per run); otherwise bundled from source. */
  workflowBundlePath?: string;
  /** Tests replace an activity to stop a worker at a chosen step. */
  overrideActivities?: (activities: HeraldActivities) => Partial<HeraldActivities>;
  /** Where the API in this process waits for the answers this worker's activities decide. */
  answers?: LocalAnswers;
}

/** A worker Herald started, and how a SendClient in its process starts sends eagerly on it. */
export type StartedWorker = HeraldWorker & { here: WorkerHere };

export async function startHeraldWorker(config: Config, db: Db, temporalAddress: string, options: HeraldWorkerOptions = {}): Promise<StartedWorker> {
  const channels = createChannels(config);
  // Campaigns start their sends as the API does, eagerly on this very worker (over its
  // connection, answered by its activities); an activity runs only once the worker exists.
  const answers = options.answers ?? new LocalAnswers();
  let ready!: (client: SendClient) => void;
  const campaignSends = new Promise<SendClient>((resolve) => (ready = resolve));
  const sends = () => campaignSends;
  const activities: HeraldActivities = {
    ...createSendActivities({ db, config, transports: channels.transports }),
    ...createTemplateActivities({ db, edna: channels.edna }),
    ...createCampaignActivities({ db, config, sends }),
  };
  const overridden = options.overrideActivities ? { ...activities, ...options.overrideActivities(activities) } : activities;
  const worker = await startWorker({
    address: temporalAddress,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
    workflowTaskSlots: config.temporal.workflowTaskSlots,
    // Overrides (tests) are wrapped too: a statement error fails an activity fast however it was
    // built, and the answer an activity decides is heard by the API in this process.
    activities: answeringLocally(failFastOnStatementErrors(overridden), answers),
    ...(options.workflowBundlePath ? { workflowBundlePath: options.workflowBundlePath } : {}),
    onStopped: () => channels.close(),
  });
  const here: WorkerHere = { client: temporalClient(worker.connection, config), answers };
  const campaignSendClient = new SendClient(here.client, config);
  campaignSendClient.answerHere(here);
  ready(campaignSendClient);
  // R34: the webhook dispatcher runs beside the worker and stops when it stops, however it is stopped.
  const webhooks = await startWebhookDelivery(db, config.webhooks);
  const running = worker.running.finally(() => webhooks.stop());
  return { ...worker, here, running, shutdown: async () => { await worker.shutdown(); await webhooks.stop(); } };
}

export type { HeraldWorker };
