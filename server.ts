import 'reflect-metadata';
import { bootstrapData, connectTemporal, openConfiguredDatabase, resolveChannelSandboxes, resolveEdna, startApiServer, startWorker } from './src/app.js';
import { loadConfigOrExit } from './src/config.js';
import { stopStep } from './src/shutdown.js';
import { DEMO_TOKENS } from './src/db/seed.js';

// The API process. With TEMPORAL_ADDRESS and DATABASE_URL both set it is only the API (run
// worker.ts beside it). Otherwise it is embedded Herald in one process: the Temporal dev server
// (without TEMPORAL_ADDRESS), PGlite (without DATABASE_URL), the edna sandbox (without
// EDNA_BASE_URL), the Telegram and channel gateway sandboxes (without TELEGRAM_BOT_TOKEN /
// CHANNEL_<NAME>_URL), the worker and the API, all stopped together on Ctrl-C.

const config = loadConfigOrExit();
const started = Date.now();

// What has started, stopped in reverse on Ctrl-C, SIGTERM, or a failure half-way through start-up
// (a dev server already running must not be left behind).
const running: Array<[string, () => Promise<unknown>]> = [];
let stopping = false;
async function stopAll(reason: string, code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log(`\n${reason}: stopping Herald…`);
    for (const [name, stop] of running.reverse()) await stopStep(name, stop);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll('SIGINT', 0));
process.on('SIGTERM', () => void stopAll('SIGTERM', 0));

async function start<T>(name: string, begin: () => Promise<T>, stop: (value: T) => Promise<unknown>): Promise<T> {
  try {
    const value = await begin();
    running.push([name, () => stop(value)]);
    return value;
  } catch (err) {
    console.error(`Herald could not start (${name}): ${err instanceof Error ? err.message : String(err)}`);
    return stopAll('start-up failed', 1);
  }
}

const db = await start('database', () => openConfiguredDatabase(config), (d) => d.close());
const { seeded } = await start('data', () => bootstrapData(db, config), async () => undefined);
const temporal = await start('temporal', () => connectTemporal(config), (t) => t.close());
const api = await start('api', () => startApiServer(config, db, temporal), (a) => a.close());
const inProcessWorker = !config.temporal.address || !config.databaseUrl;
const edna = inProcessWorker ? await start('edna sandbox', () => resolveEdna(config, api.port), (e) => e.sandbox?.close() ?? Promise.resolve()) : null;
const channelSandboxes = inProcessWorker ? await start('channel sandboxes', () => resolveChannelSandboxes(config, api.port), (c) => c.close()) : null;
const worker = edna
  ? await start('worker', () => startWorker({ config, db: db.db, temporalAddress: temporal.address, ednaBaseUrl: edna.baseUrl }), (w) => w.shutdown())
  : null;
await api.services.templateSync.ensureSchedule().catch((err: unknown) =>
  console.error(`Template sync schedule not created (templates sync on demand only): ${err instanceof Error ? err.message : err}`));

console.log(`Herald is up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`  GraphQL      http://127.0.0.1:${api.port}/graphql`);
console.log(`  Temporal     ${temporal.address}${temporal.uiUrl ? `  (web UI ${temporal.uiUrl})` : ''}`);
console.log(`  Database     ${db.driver === 'pglite' ? `PGlite in ${config.dataDir}/pgdata` : 'PostgreSQL'}`);
console.log(`  Worker       ${worker ? 'in this process' : 'separate (worker.ts)'}`);
if (edna) console.log(`  edna         ${edna.sandbox ? `sandbox at ${edna.baseUrl} (inspect ${edna.baseUrl}/sandbox/accepted)` : edna.baseUrl}`);
console.log(`  Email        ${config.mail.smtpUrl ? 'SMTP' : `file outbox in ${config.dataDir}/outbox`}`);
if (channelSandboxes?.telegram) console.log(`  Telegram     sandbox at ${channelSandboxes.telegram.url} (inspect ${channelSandboxes.telegram.url}/sandbox/accepted)`);
else if (config.telegram.botToken) console.log(`  Telegram     Bot API at ${config.telegram.apiUrl}`);
if (channelSandboxes?.gateway) console.log(`  Gateway      sandbox at ${channelSandboxes.gateway.url} for ${channelSandboxes.gatewayChannels.join(', ')} (inspect ${channelSandboxes.gateway.url}/sandbox/accepted)`);
if (config.demo) {
  console.log(`  Demo tokens  ${seeded ? '(seeded now)' : ''}`);
  for (const t of DEMO_TOKENS) console.log(`    ${t.token.padEnd(18)} ${t.login} (${t.role})`);
  console.log(`  Try: curl -s localhost:${api.port}/graphql -H 'authorization: Bearer demo-agent-1' -H 'content-type: application/json' -d '{"query":"{ me { login status } }"}'`);
}
