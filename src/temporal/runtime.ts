import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { logger } from '../log.js';

let installed = false;

const TO_PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

export interface RuntimeOptions {
  /** The SDK's own level (TEMPORAL_LOG_LEVEL): it logs every worker state change at INFO. */
  level?: LogLevel;
  /** Where the SDK serves its worker metrics in Prometheus format (TEMPORAL_METRICS_PORT), if anywhere. */
  metricsBindAddress?: string;
}

/**
 * The Temporal SDK's logger (the worker, and workflows through their sink) writes through Herald's
 * logger, with the SDK's own fields (workflowId, activityType, …) as log fields. Must run before
 * anything touches the core runtime (the dev server, a connection, a worker).
 */
export function installTemporalRuntime(options: RuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  const level = options.level ?? ((process.env.TEMPORAL_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel);
  try {
    Runtime.install({
      // Herald stops its parts itself, in order (the dev server last): the SDK's own signal
      // handling would end the process first and leave the dev server behind.
      shutdownSignals: [],
      logger: new DefaultLogger(level, (entry) => {
        const fields = { sdk: 'temporal', ...(entry.meta ?? {}) };
        logger[TO_PINO[entry.level]](fields, entry.message);
      }),
      ...(options.metricsBindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsBindAddress } } } } : {}),
    });
  } catch {
    // The host (a test harness, an embedding application) installed its own runtime: keep it.
  }
}
