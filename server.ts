import 'reflect-metadata';
import { loadConfigOrExit, type Config } from './src/config.js';
import { DEMO_TOKENS } from './src/demo.js';
import { configureLogging, logger } from './src/log.js';
import { initTracing } from './src/tracing.js';
import { stopStep } from './src/shutdown.js';

// The API process. With TEMPORAL_ADDRESS and DATABASE_URL both set it is only the API (run
// worker.ts beside it). Otherwise it is embedded Herald in one process (src/embedded.ts): the
// Temporal dev server, PGlite, a sandbox for every channel with no real provider, the worker and
// the API, all stopped together on Ctrl-C.

const config = loadConfigOrExit();
configureLogging(config.logging);
initTracing(config.tracing);
const startedAt = Date.now();
const apiOnly = Boolean(config.temporal.address && config.databaseUrl);

let stop: () => Promise<void> = async () => undefined;
let stopping = false;
/** Ctrl-C during start-up: the parts started so far stop before the process exits. */
const startUp = new AbortController();
let starting: Promise<void> = Promise.resolve();
/**
 * Stops every part in reverse, each within a bound, then exits. A signal that arrives meanwhile
 * changes nothing: the Temporal SDK sends SIGINT to its dev server's process group, which is ours,
 * and exiting on it would leave the dev server behind.
 */
async function shutdown(reason: string, code: number): Promise<void> {
  if (stopping) {
    logger.debug({ reason }, 'already stopping');
    return;
  }
  stopping = true;
  logger.info({ reason }, 'stopping Herald');
  startUp.abort(new StartUpInterrupted(reason));
  await starting.catch(() => undefined);
  await stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

class StartUpInterrupted extends Error {
  constructor(reason: string) {
    super(`start-up interrupted (${reason})`);
  }
}

starting = apiOnly ? startApiOnly(config) : startEmbeddedHerald(config);
try {
  await starting;
} catch (err) {
  if (err instanceof StartUpInterrupted) await new Promise(() => undefined); // shutdown() exits
  logger.fatal({ err }, `Herald could not start: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown('start-up failed', 1);
}

async function startApiOnly(config: Config): Promise<void> {
  const { bootstrapData, connectTemporal, openConfiguredDatabase, startApiServer } = await import('./src/app.js');
  const database = await openConfiguredDatabase(config);
  stop = () => stopStep('database', () => database.close());
  await bootstrapData(database.db, config);
  const temporal = await connectTemporal(config.temporal.address!, config);
  const api = await startApiServer(config, database, temporal);
  stop = async () => {
    await stopStep('api', () => api.close());
    await stopStep('temporal', () => temporal.close());
    await stopStep('database', () => database.close());
  };
  await scheduleTemplateSync(api.services.templateSync);
  logger.info({ port: api.port, host: config.host, temporal: temporal.address, startupSeconds: Number(seconds()) }, 'Herald API is up (run worker.ts beside it)');
}

async function startEmbeddedHerald(base: Config): Promise<void> {
  const { startEmbedded } = await import('./src/embedded.js');
  const { installTemporalRuntime } = await import('./src/temporal/runtime.js');
  if (base.temporal.metricsPort) installTemporalRuntime({ metricsBindAddress: `127.0.0.1:${base.temporal.metricsPort}` });
  const herald = await startEmbedded(base, { log: (line) => logger.info(line), signal: startUp.signal });
  stop = () => herald.close();
  await scheduleTemplateSync(herald.api.services.templateSync);
  const { config, sandboxes } = herald;
  // The banner is for the person at the terminal; everything else goes through the logger.
  console.log(`Herald is up in ${seconds()} s`);
  console.log(`  GraphQL      http://127.0.0.1:${herald.api.port}/graphql`);
  console.log(`  Temporal     ${herald.temporal.address}${herald.devServer?.uiUrl ? `  (web UI ${herald.devServer.uiUrl})` : ''}`);
  console.log(`  Database     ${herald.database.driver === 'pglite' ? `PGlite in ${config.dataDir}/pgdata` : 'PostgreSQL'}`);
  console.log(`  Worker       in this process`);
  console.log(`  edna         ${sandboxes.edna ? `sandbox at ${sandboxes.edna.url} (inspect ${sandboxes.edna.url}/sandbox/accepted)` : config.edna.baseUrl}`);
  console.log(`  Email        ${config.mail.smtpUrl ? 'SMTP' : `file outbox in ${config.dataDir}/outbox`}`);
  if (sandboxes.telegram) console.log(`  Telegram     sandbox at ${sandboxes.telegram.url} (inspect ${sandboxes.telegram.url}/sandbox/accepted)`);
  else if (config.telegram.botToken) console.log(`  Telegram     Bot API at ${config.telegram.apiUrl}`);
  if (sandboxes.gateway) console.log(`  Gateway      sandbox at ${sandboxes.gateway.url} (inspect ${sandboxes.gateway.url}/sandbox/accepted)`);
  if (config.demo) {
    console.log(`  Demo tokens  ${herald.seeded ? '(seeded now)' : ''}`);
    for (const t of DEMO_TOKENS) console.log(`    ${t.token.padEnd(18)} ${t.login} (${t.role})`);
    console.log(`  Try: curl -s localhost:${herald.api.port}/graphql -H 'authorization: Bearer demo-agent-1' -H 'content-type: application/json' -d '{"query":"{ me { login status } }"}'`);
  }
}

async function scheduleTemplateSync(templateSync: { ensureSchedule(): Promise<void> }): Promise<void> {
  await templateSync.ensureSchedule().catch((err: unknown) =>
    logger.error({ err }, 'the template sync schedule was not created (templates sync on demand only)'));
}

function seconds(): string {
  return ((Date.now() - startedAt) / 1000).toFixed(1);
}
