import 'reflect-metadata';
import { openConfiguredDatabase, startHeraldWorker } from './src/app.js';
import { loadConfigOrExit } from './src/config.js';
import { stopStep } from './src/shutdown.js';
import { configureLogging, logger } from './src/log.js';

// The worker process of the production shape: runs the outboundSend workflows and their
// activities against a shared PostgreSQL and a Temporal cluster. Any number may run.

const config = loadConfigOrExit();
configureLogging(config.logging);
if (!config.temporal.address || !config.databaseUrl || !config.edna.baseUrl) {
  console.error('worker.ts runs beside server.ts and needs TEMPORAL_ADDRESS, DATABASE_URL and EDNA_BASE_URL. For everything in one process, use `npm start`.');
  process.exit(1);
}
const db = await openConfiguredDatabase(config);
const worker = await startHeraldWorker(config, db.db, config.temporal.address);
logger.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address }, 'Herald worker polling');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'finishing running activities, then stopping');
  await stopStep('worker', () => worker.shutdown(), 30_000);
  await stopStep('db', () => db.close());
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
