import http from 'node:http';
import 'reflect-metadata';
import { openConfiguredDatabase, startHeraldWorker } from './src/app.js';
import { loadConfigOrExit } from './src/config.js';
import { stopStep } from './src/shutdown.js';
import { configureLogging, logger } from './src/log.js';
import { initTracing } from './src/tracing.js';
import { observeDatabasePool, registry } from './src/metrics.js';
import { installTemporalRuntime } from './src/temporal/runtime.js';

// The worker process of the production shape: runs the outboundSend workflows and their
// activities against a shared PostgreSQL and a Temporal cluster. Any number may run.

const config = loadConfigOrExit();
configureLogging(config.logging);
initTracing(config.tracing);
if (!config.temporal.address || !config.databaseUrl || !config.edna.baseUrl) {
  console.error('worker.ts runs beside server.ts and needs TEMPORAL_ADDRESS, DATABASE_URL and EDNA_BASE_URL. For everything in one process, use `npm start`.');
  process.exit(1);
}
// The SDK's worker metrics, on all interfaces (Prometheus scrapes a container by its name), where asked for.
installTemporalRuntime(config.temporal.metricsPort ? { metricsBindAddress: `0.0.0.0:${config.temporal.metricsPort}` } : {});
const db = await openConfiguredDatabase(config);
observeDatabasePool(db, 'worker');
const worker = await startHeraldWorker(config, db.db, config.temporal.address);
const metrics = config.metricsPort ? await serveMetrics(config.metricsPort) : null;
logger.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address }, 'Herald worker polling');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'finishing running activities, then stopping');
  await stopStep('worker', () => worker.shutdown(), 30_000);
  if (metrics) await stopStep('metrics', () => new Promise((resolve) => metrics.close(resolve)));
  await stopStep('db', () => db.close());
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

/** The worker's own metrics (sends, latencies, pool) for Prometheus, on all interfaces. */
async function serveMetrics(port: number) {
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  logger.info({ port }, 'worker metrics at /metrics');
  return server;
}
