import 'reflect-metadata';
import { bootstrapData, connectTemporal, openConfiguredDatabase, startApiServer } from './src/app.js';
import { loadConfigOrExit } from './src/config.js';
import { DEMO_TOKENS } from './src/db/seed.js';

// The API process. Without TEMPORAL_ADDRESS it is all of embedded Herald in one process: the
// Temporal dev server, PGlite (without DATABASE_URL) and the server, stopped together on Ctrl-C.

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

console.log(`Herald is up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`  GraphQL      http://127.0.0.1:${api.port}/graphql`);
console.log(`  Temporal     ${temporal.address}${temporal.uiUrl ? `  (web UI ${temporal.uiUrl})` : ''}`);
console.log(`  Database     ${db.driver === 'pglite' ? `PGlite in ${config.dataDir}/pgdata` : 'PostgreSQL'}`);
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
  await api.close().catch((e: unknown) => console.error('api:', e));
  await temporal.close().catch((e: unknown) => console.error('temporal:', e));
  await db.close().catch((e: unknown) => console.error('db:', e));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
