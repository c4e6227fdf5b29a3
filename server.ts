import 'reflect-metadata';
import { bootstrapData, connectTemporal, openConfiguredDatabase, resolveChannelSandboxes, resolveEdna, startApiServer, startWorker } from './src/app.js';
import { loadConfigOrExit } from './src/config.js';
import { DEMO_TOKENS } from './src/db/seed.js';

// The API process. With TEMPORAL_ADDRESS and DATABASE_URL both set it is only the API (run
// worker.ts beside it). Otherwise it is embedded Herald in one process: the Temporal dev server
// (without TEMPORAL_ADDRESS), PGlite (without DATABASE_URL), the edna sandbox (without
// EDNA_BASE_URL), the Telegram and channel gateway sandboxes (without TELEGRAM_BOT_TOKEN /
// CHANNEL_<NAME>_URL), the worker and the API, all stopped together on Ctrl-C.

const config = loadConfigOrExit();
const started = Date.now();
const db = await openConfiguredDatabase(config);
const { seeded } = await bootstrapData(db, config);
const temporal = await connectTemporal(config).catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await db.close();
  process.exit(1);
});
const api = await startApiServer(config, db, temporal);
const inProcessWorker = !config.temporal.address || !config.databaseUrl;
const edna = inProcessWorker ? await resolveEdna(config, api.port) : null;
const channelSandboxes = inProcessWorker ? await resolveChannelSandboxes(config, api.port) : null;
const worker = edna
  ? await startWorker({ config, db: db.db, temporalAddress: temporal.address, ednaBaseUrl: edna.baseUrl })
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

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Herald…`);
  const step = (name: string, fn: () => Promise<unknown>) => fn().catch((e: unknown) => console.error(`${name}:`, e));
  await step('api', () => api.close());
  if (worker) await step('worker', () => worker.shutdown());
  if (edna?.sandbox) await step('sandbox', () => edna.sandbox!.close());
  if (channelSandboxes) await step('channel sandboxes', () => channelSandboxes.close());
  await step('temporal', () => temporal.close());
  await step('db', () => db.close());
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
