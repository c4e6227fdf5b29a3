import pino from 'pino';
import pretty from 'pino-pretty';

// One logger for the whole process: Herald's own lines, each HTTP request (Fastify's child with
// its request id), each send (a child with its sendId and workflow id), and the Temporal SDK's
// worker and workflow lines (src/temporal/runtime.ts forwards them here). JSON lines in
// production and wherever stdout is not a terminal; readable lines on a terminal.
// LOG_LEVEL (default info), LOG_FORMAT (json | pretty).

export type Logger = pino.Logger;

export interface LoggingOptions {
  level?: string;
  format?: 'json' | 'pretty';
  /** Where JSON lines go (default stdout; tests read them). */
  destination?: pino.DestinationStream;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function build(options: LoggingOptions = {}): Logger {
  const requested = (options.level ?? process.env.LOG_LEVEL ?? 'info').toLowerCase();
  const level = LEVELS.has(requested) ? requested : 'info';
  const format = options.format ?? (process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'pretty'
    ? process.env.LOG_FORMAT
    : process.stdout.isTTY && process.env.NODE_ENV !== 'production' ? 'pretty' : 'json');
  const base = { level, base: { service: 'herald' }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: pino.stdSerializers.err } };
  if (format === 'pretty') return pino(base, pretty({ colorize: true, sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }));
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** The process's logger; a module that logs imports it (ESM keeps the binding current after configureLogging). */
export let logger: Logger = build();

/** Called once at start with the validated settings. */
export function configureLogging(options: LoggingOptions): Logger {
  logger = build(options);
  return logger;
}

/** A send's lines carry its id (the workflow id) wherever they are written. */
export function sendLogger(sendId: string, extra: Record<string, unknown> = {}): Logger {
  return logger.child({ sendId, workflowId: sendId, ...extra });
}
