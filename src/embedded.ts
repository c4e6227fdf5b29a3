import net from 'node:net';
import path from 'node:path';
import {
  bootstrapData, connectTemporal, openConfiguredDatabase, startApiServer, startHeraldWorker,
  type ApiServer, type HeraldActivities, type HeraldWorker, type StartedWorker, type TemporalHandle,
} from './app.js';
import { freezeConfig, type Config } from './config.js';
import type { Database } from './db/connection.js';
import { GATEWAY_CHANNELS, type GatewayChannel } from './domain/channels.js';
import { SEARCH_ATTRIBUTES } from './sends/contract.js';
import { LocalAnswers } from './sends/localAnswers.js';
import { startDevServer, type DevServer } from './temporal/devServer.js';
import { stopStep } from './shutdown.js';
import { startEdnaSandbox, type EdnaSandbox, type EdnaSandboxOptions } from '../sandbox/edna/server.js';
import { gatewayPath, startGatewaySandbox, type GatewaySandbox, type GatewaySandboxOptions } from '../sandbox/gateway/server.js';
import { startTelegramSandbox, type TelegramSandbox, type TelegramSandboxOptions } from '../sandbox/telegram/server.js';

// Embedded Herald: every part in one process, the one wiring that `npm start`, the tests and the
// benchmark use. Around the production parts (src/app.ts) it starts what a laptop lacks: the
// Temporal dev server without TEMPORAL_ADDRESS, PGlite without DATABASE_URL, and a sandbox for
// every channel that has no real provider configured. Each part's address is decided before
// anything starts, so the configuration is complete, and frozen, before the first part reads it.

export const SANDBOX_BOT_TOKEN = '123456:sandbox-bot-token';
/** The secret the gateway sandbox signs with for a channel (>= 16 characters). */
export const sandboxGatewaySecret = (channel: GatewayChannel) => `sandbox-${channel.toLowerCase().replace(/_/g, '-')}-secret`;

export interface EmbeddedOptions {
  /** An open database (tests bring one per file); otherwise DATABASE_URL, or PGlite under DATA_DIR. */
  database?: Database;
  /** Start a worker in this process (default true). */
  worker?: boolean;
  workflowBundlePath?: string;
  /** Per sandbox: options for it, or false to leave its channels unconfigured. Ignored where a real provider is configured. */
  sandboxes?: {
    edna?: Partial<EdnaSandboxOptions>;
    telegram?: Partial<TelegramSandboxOptions> | false;
    /** `channels`: the gateway channels it plays (default every one without CHANNEL_<NAME>_URL). */
    gateway?: (Partial<GatewaySandboxOptions> & { channels?: readonly GatewayChannel[] }) | false;
  };
  /** Progress lines (provisioning the Temporal CLI, say). */
  log?: (line: string) => void;
  /** Aborted (Ctrl-C during start-up): what has started stops, and start-up fails with the signal's reason. */
  signal?: AbortSignal;
}

export interface Embedded {
  /** The configuration every part runs with: the sandboxes' addresses filled in, frozen. */
  config: Config;
  database: Database;
  standId: string;
  seeded: boolean;
  temporal: TemporalHandle;
  devServer: DevServer | null;
  api: ApiServer;
  baseUrl: string;
  sandboxes: { edna: EdnaSandbox | null; telegram: TelegramSandbox | null; gateway: GatewaySandbox | null };
  /** The in-process worker, when one was started. */
  worker: HeraldWorker | null;
  /** Starts (another) worker, optionally with some activities replaced (tests). */
  startWorker(override?: (activities: HeraldActivities) => Partial<HeraldActivities>): Promise<HeraldWorker>;
  close(): Promise<void>;
}

const withoutChannels = ({ channels: _channels, ...rest }: Partial<GatewaySandboxOptions> & { channels?: unknown }) => rest;

/** A port nobody listens on now, for a part that must be addressed before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startEmbedded(base: Config, options: EmbeddedOptions = {}): Promise<Embedded> {
  // What has started, stopped in reverse on close or on a failure half-way through start-up.
  const started: Array<[string, () => Promise<unknown>]> = [];
  const stopAll = async () => {
    for (const [name, stop] of started.reverse()) await stopStep(name, stop);
  };
  async function start<T>(name: string, begin: () => Promise<T>, stop?: (value: T) => Promise<unknown>): Promise<T> {
    try {
      options.signal?.throwIfAborted();
      const value = await begin();
      if (stop) started.push([name, () => stop(value)]);
      options.signal?.throwIfAborted();
      return value;
    } catch (err) {
      await stopAll();
      if (options.signal?.aborted) throw options.signal.reason;
      throw new Error(`${name} did not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  const apiPort = base.port === 0 ? await freePort() : base.port;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const database = options.database ?? (await start('database', () => openConfiguredDatabase(base), (d) => d.close()));
  const { standId, seeded } = await start('data', () => bootstrapData(database.db, base));
  const devServer = base.temporal.address
    ? null
    : await start('Temporal dev server', () => startDevServer({
      cliPath: base.temporal.cliPath,
      toolsDir: path.join(base.dataDir, 'tools'),
      namespace: base.temporal.namespace,
      dbFile: path.join(base.dataDir, 'temporal', 'temporal.db'),
      port: base.temporal.devPort,
      uiPort: base.temporal.uiPort,
      memoryLimit: base.temporal.devMemoryLimit,
      searchAttributes: SEARCH_ATTRIBUTES,
      log: options.log,
    }), (d) => d.stop());
  const temporal = await start('Temporal connection', () => connectTemporal(devServer?.address ?? base.temporal.address!, base), (t) => t.close());

  // Sandboxes for the channels with no real provider, on SANDBOX_PORT, +1 and +2 (0: free ports).
  const sandboxPort = (offset: number) => (base.sandboxPort === 0 ? 0 : base.sandboxPort + offset);
  const sandboxOptions = options.sandboxes ?? {};
  const edna = base.edna.baseUrl ? null : await start('edna sandbox', () => startEdnaSandbox({
    port: sandboxPort(0),
    apiKey: base.edna.apiKey,
    webhookSecret: base.edna.webhookSecret,
    webhookHeader: base.edna.webhookHeader,
    statusCallbackUrl: `${apiUrl}/webhooks/edna/status`,
    inMessageCallbackUrl: `${apiUrl}/webhooks/edna/inbound`,
    ...sandboxOptions.edna,
  }), (s) => s.close());
  const telegram = base.telegram.botToken || sandboxOptions.telegram === false ? null : await start('Telegram sandbox', () => startTelegramSandbox({
    port: sandboxPort(1), botToken: SANDBOX_BOT_TOKEN, ...(sandboxOptions.telegram || {}),
  }), (s) => s.close());
  const gatewayPlays = sandboxOptions.gateway === false ? [] : sandboxOptions.gateway?.channels ?? GATEWAY_CHANNELS;
  const gatewayChannels = GATEWAY_CHANNELS.filter((c) => !base.gateway[c] && gatewayPlays.includes(c));
  const gateway = gatewayChannels.length === 0 ? null : await start('gateway sandbox', () => startGatewaySandbox({
    port: sandboxPort(2),
    secrets: Object.fromEntries(gatewayChannels.map((c) => [c, sandboxGatewaySecret(c)])),
    statusCallbackUrl: `${apiUrl}/webhooks/channel/status`,
    ...(sandboxOptions.gateway ? withoutChannels(sandboxOptions.gateway) : {}),
  }), (s) => s.close());

  const config = freezeConfig({
    ...base,
    port: apiPort,
    publicBaseUrl: base.publicBaseUrl.endsWith(':0') ? apiUrl : base.publicBaseUrl,
    temporal: { ...base.temporal, address: temporal.address },
    edna: { ...base.edna, baseUrl: base.edna.baseUrl ?? edna!.url },
    telegram: telegram ? { apiUrl: telegram.url, botToken: SANDBOX_BOT_TOKEN } : base.telegram,
    gateway: Object.fromEntries(GATEWAY_CHANNELS.map((c) => [c, base.gateway[c] ?? (gateway && gatewayChannels.includes(c)
      ? { url: `${gateway.url}${gatewayPath(c)}`, secret: sandboxGatewaySecret(c) }
      : undefined)])) as Config['gateway'],
  });

  const api = await start('API', () => startApiServer(config, database, temporal, apiPort), (a) => a.close());
  const workers: HeraldWorker[] = [];
  // The API starts each send eagerly on the worker in this process that started last and still
  // runs, and hears its answer from that worker's activity (src/sends/localAnswers.ts).
  const answers = new LocalAnswers();
  const runningWorkers: StartedWorker[] = [];
  const answerOnLatestWorker = () => api.services.sends.answerHere(runningWorkers.at(-1)?.here ?? null);
  const startWorker = async (override?: (activities: HeraldActivities) => Partial<HeraldActivities>) => {
    const w = await startHeraldWorker(config, database.db, temporal.address, {
      ...(options.workflowBundlePath ? { workflowBundlePath: options.workflowBundlePath } : {}),
      ...(override ? { overrideActivities: override } : {}),
      answers,
    });
    workers.push(w);
    runningWorkers.push(w);
    answerOnLatestWorker();
    // Stopping, it takes no new eager starts: those go through the server again.
    const shutdown = w.shutdown;
    const stopped = () => {
      if (runningWorkers.includes(w)) runningWorkers.splice(runningWorkers.indexOf(w), 1);
      answerOnLatestWorker();
    };
    void w.running.finally(stopped).catch(() => undefined);
    return { ...w, shutdown: async () => { stopped(); await shutdown(); } };
  };
  started.push(['workers', () => Promise.all(workers.map((w) => w.shutdown()))]);
  const worker = options.worker === false ? null : await start('worker', () => startWorker());

  return {
    config, database, standId, seeded, temporal, devServer, api, baseUrl: apiUrl,
    sandboxes: { edna, telegram, gateway },
    worker,
    startWorker,
    close: stopAll,
  };
}
