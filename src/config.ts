import path from 'node:path';
import { z } from 'zod';
import { CHANNEL_CAPABILITIES, GATEWAY_CHANNELS, type GatewayChannel } from './domain/channels.js';
import type { Channel } from './domain/enums.js';

// Every setting comes from the environment (edna-reference.md, "Herald's side"). A bad value stops
// the process with one message that names each bad variable, before anything starts.

const url = z.string().url();
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), url.optional());
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const port = z.coerce.number().int().min(0).max(65535);
const positiveSeconds = z.coerce.number().positive();
const secret = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional());
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  PORT: port.default(4000),
  DATA_DIR: z.string().min(1).default('.data'),
  PUBLIC_BASE_URL: optionalUrl,
  DATABASE_URL: optionalUrl,
  /** false behind a pooler that cannot keep a prepared statement (PgBouncer in transaction mode before 1.21). */
  DATABASE_NAMED_STATEMENTS: bool.optional(),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('herald'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  /** Soft memory limit of the embedded dev server's Go runtime (GOMEMLIMIT); empty: none. */
  TEMPORAL_DEV_MEMORY_LIMIT: z.string().regex(/^(\d+(B|KiB|MiB|GiB)?)?$/, 'a size such as 256MiB').default('512MiB'),
  TEMPORAL_UI_PORT: port.default(8233),
  EDNA_BASE_URL: optionalUrl,
  EDNA_API_KEY: z.string().min(1).default('sandbox-api-key'),
  EDNA_WHATSAPP_SENDER: z.string().min(1).default('HERALD_WA'),
  EDNA_VIBER_SENDER: z.string().min(1).default('HERALD_VIBER'),
  EDNA_WHATSAPP_CASCADE_ID: z.coerce.number().int().positive().default(1),
  EDNA_VIBER_CASCADE_ID: z.coerce.number().int().positive().default(2),
  EDNA_WEBHOOK_SECRET: z.string().min(1).default('sandbox-webhook-secret'),
  EDNA_WEBHOOK_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name').default('X-API-KEY'),
  SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional()),
  MAIL_FROM: z.string().min(3).default('Herald <herald@localhost>'),
  /** Seeds the demo stand, agents and tokens on first start; on by default only in embedded mode. */
  HERALD_DEMO: bool.optional(),
  SEND_STATUS_TIMEOUT_SECONDS: positiveSeconds.default(24 * 60 * 60),
  SEND_RETRY_WAIT_SECONDS: positiveSeconds.default(60 * 60),
  SEND_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(6),
  SEND_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(1000),
  /** How long sendMessage waits for the send to be validated and reserved before it answers SYSTEM_ERROR. */
  SEND_ANSWER_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(5),
  /** R31, R33: a campaign or scheduled send held by quiet hours or a limit asks again at least this often, so a changed setting applies within it. */
  PACE_RECHECK_SECONDS: positiveSeconds.default(60),
  /** Telegram Bot API; without a bot token Telegram is not configured (embedded mode: the sandbox). */
  TELEGRAM_API_URL: optionalUrl,
  TELEGRAM_BOT_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^[A-Za-z0-9:_-]+$/, 'must be a bot token (digits:letters)').optional()),
  /** The signed channel gateway, one URL and secret per channel; without both the channel is not configured. */
  CHANNEL_WEB_CHAT_URL: optionalUrl,
  CHANNEL_WEB_CHAT_SECRET: secret,
  CHANNEL_MOBILE_APP_URL: optionalUrl,
  CHANNEL_MOBILE_APP_SECRET: secret,
  CHANNEL_APPLE_BUSINESS_MESSAGES_URL: optionalUrl,
  CHANNEL_APPLE_BUSINESS_MESSAGES_SECRET: secret,
  /** Where the embedded edna sandbox listens (embedded mode without EDNA_BASE_URL). */
  SANDBOX_PORT: port.default(4010),
  TEMPLATE_SYNC_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Where the API listens: 127.0.0.1 in embedded mode, 0.0.0.0 when only the API runs (a container). */
  HOST: z.string().min(1).optional(),
  /** Behind a load balancer: trust its X-Forwarded-For (true, a hop count, or addresses) so limits count clients, not the balancer. */
  TRUST_PROXY: z.string().default('false'),
  /** Browser origins allowed to call the API: a comma-separated list, or *; empty: same origin only. */
  CORS_ORIGINS: z.string().default(''),
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** POST /graphql only: room for a campaign's 100,000 recipients in one call (about 5 MB of client ids), R30. */
  GRAPHQL_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(120),
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(10),
  HTTP_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(60),
  GRAPHQL_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
  RATE_LIMIT_PER_TOKEN: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_ANONYMOUS: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_PROVIDERS: z.coerce.number().int().min(1).default(12_000),
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(50),
  WS_MAX_CONNECTIONS_PER_TOKEN: z.coerce.number().int().min(1).default(20),
  /** How long a token made by createAgent or createToken lasts, unless the call says otherwise. */
  TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** A separate worker process serves its metrics (sends, latencies) on this port; 0: none. */
  METRICS_PORT: port.default(9465),
  /** The Temporal SDK's own worker metrics in Prometheus format; absent: not served. */
  TEMPORAL_METRICS_PORT: port.optional(),
  /** Workflows a worker keeps in memory between their tasks; one evicted replays its history when it is next needed. */
  // 250: 10,000 waiting sends hold a worker at 0.65 GB instead of 1.06 GB (npm run bench, P3), with
  // no loss of throughput at 32 concurrent sends: an evicted send replays its short history when
  // its next status arrives.
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(250),
  /** Workflow tasks a worker runs at once (at most TEMPORAL_MAX_CACHED_WORKFLOWS). */
  // 200, not the SDK's 40: a send's first task holds a slot while its local activity waits for
  // the database, and eager start (embedded mode) needs a free slot. With 40, 32 clients sending
  // at once found one for 25 % of their sends and the rest went through the server's update; with
  // 200 for all of them: P1 0.63–0.70x -> 0.86–0.90x the bare shape, closed-loop p99 4.2–6.5 ->
  // 1.9–2.0 s (npm run bench's P1, PGlite, two rounds each on one stack).
  TEMPORAL_WORKFLOW_TASK_SLOTS: z.coerce.number().int().min(2).max(10_000).default(200),
  /** R34 outbound webhooks: one POST's deadline, the retry backoff, how long a delivery is retried, when a failing endpoint is disabled. */
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(10),
  WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(10_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(60 * 60 * 1000),
  WEBHOOK_RETRY_FOR_SECONDS: positiveSeconds.default(24 * 60 * 60),
  WEBHOOK_DISABLE_AFTER_SECONDS: positiveSeconds.default(3 * 24 * 60 * 60),
  /** How often an idle dispatcher looks for due deliveries, and how often a process re-reads whether any endpoint exists. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  WEBHOOK_ENDPOINTS_REFRESH_SECONDS: positiveSeconds.default(5),
  /** OpenTelemetry: the OTLP/HTTP collector's base URL; tracing is off without it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** production: introspection and GraphiQL off unless switched on. */
  NODE_ENV: z.string().optional(),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHIQL: bool.optional(),
});

export interface Config {
  port: number;
  dataDir: string;
  publicBaseUrl: string;
  /** Absent: PGlite under dataDir (embedded). */
  databaseUrl: string | undefined;
  /** PostgreSQL: each statement text prepared once per connection (src/db/pgStatements.ts). */
  databaseNamedStatements: boolean;
  temporal: {
    /** Absent: a dev server started from the CLI (embedded). */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    cliPath: string | undefined;
    devPort: number;
    devMemoryLimit: string;
    uiPort: number;
    /** Where the SDK serves its worker metrics; absent: nowhere. */
    metricsPort: number | undefined;
    /** The worker's sticky cache: sends kept in memory between their tasks (TEMPORAL_MAX_CACHED_WORKFLOWS). */
    maxCachedWorkflows: number;
    /** Workflow tasks the worker runs at once (TEMPORAL_WORKFLOW_TASK_SLOTS; no more than the cache holds). */
    workflowTaskSlots: number;
  };
  /** A separate worker's own metrics port (0: none). */
  metricsPort: number;
  edna: {
    /** Absent: the built-in sandbox. */
    baseUrl: string | undefined;
    apiKey: string;
    whatsappSender: string;
    viberSender: string;
    whatsappCascadeId: number;
    viberCascadeId: number;
    webhookSecret: string;
    webhookHeader: string;
  };
  mail: {
    /** Absent: a file outbox under dataDir. */
    smtpUrl: string | undefined;
    from: string;
  };
  telegram: {
    /** Bot API base URL, without /bot<token>. */
    apiUrl: string;
    /** Absent: Telegram is not configured (embedded mode fills in the sandbox's). */
    botToken: string | undefined;
  };
  /** Per gateway channel: where to POST and the HMAC-SHA256 secret; absent: not configured. */
  gateway: Record<GatewayChannel, GatewayEndpoint | undefined>;
  demo: boolean;
  sends: { statusTimeoutSeconds: number; retryWaitSeconds: number; deliveryAttempts: number; retryInitialMs: number; answerTimeoutMs: number; paceRecheckMs: number };
  sandboxPort: number;
  templateSyncMinutes: number;
  production: boolean;
  /** Where the API listens. */
  host: string;
  corsOrigins: readonly string[] | '*';
  /** Fastify's trustProxy: false, true, a hop count or a list of addresses. */
  trustProxy: boolean | number | string[];
  http: HttpLimits;
  websocket: { maxSubscriptionsPerConnection: number; maxConnectionsPerToken: number };
  tokenTtlDays: number;
  logging: { level: string | undefined; format: 'json' | 'pretty' | undefined };
  tracing: { endpoint: string | undefined; serviceName: string | undefined };
  /** R34: outbound webhooks (src/webhooks/). */
  webhooks: WebhookSettings;
  graphql: {
    /** Schema introspection (GRAPHQL_INTROSPECTION); off by default in production. */
    introspection: boolean;
    /** GraphiQL on GET /graphql (GRAPHIQL); off by default in production. */
    graphiql: boolean;
  };
}

/** Every limit of the HTTP door (README, "Limits and security"). */
export interface HttpLimits {
  bodyLimitBytes: number;
  graphqlBodyLimitBytes: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  graphqlTimeoutMs: number;
  tokenRequestsPerMinute: number;
  anonymousRequestsPerMinute: number;
  providerRequestsPerMinute: number;
}

export interface WebhookSettings {
  timeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** A delivery whose attempts keep failing is given up this long after it was recorded (or redelivered). */
  retryForSeconds: number;
  /** An endpoint whose every attempt has failed for this long is disabled. */
  disableAfterSeconds: number;
  pollMs: number;
  endpointsRefreshSeconds: number;
}

export interface GatewayEndpoint {
  url: string;
  secret: string;
}

export const DEFAULT_TELEGRAM_API_URL = 'https://api.telegram.org';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Herald cannot start: bad configuration.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings that only make sense together: checked on the raw values, so every problem shows at once. */
function pairProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (env[name] ?? '') !== '';
  const problems: string[] = [];
  if (set('TELEGRAM_API_URL') && !set('TELEGRAM_BOT_TOKEN')) problems.push('TELEGRAM_BOT_TOKEN="": is required when TELEGRAM_API_URL is set');
  for (const channel of GATEWAY_CHANNELS) {
    const url = `CHANNEL_${channel}_URL`;
    const secret = `CHANNEL_${channel}_SECRET`;
    if (set(url) && !set(secret)) problems.push(`${secret}="": is required when ${url} is set`);
    if (set(secret) && !set(url)) problems.push(`${url}="": is required when ${secret} is set`);
  }
  return problems;
}

/** Deep-frozen: every part reads the same settings, and none can change them under another. */
export function freezeConfig(config: Config): Config {
  const freeze = (value: unknown): void => {
    if (!value || typeof value !== 'object' || Object.isFrozen(value)) return;
    Object.freeze(value);
    for (const inner of Object.values(value)) freeze(inner);
  };
  const copy = structuredClone(config);
  freeze(copy);
  return copy;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const pairs = pairProblems(env);
  if (!parsed.success || pairs.length > 0) {
    const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new ConfigError([...problems, ...pairs]);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const gateway = {} as Record<GatewayChannel, GatewayEndpoint | undefined>;
  for (const channel of GATEWAY_CHANNELS) {
    const url = e[`CHANNEL_${channel}_URL`];
    const secret = e[`CHANNEL_${channel}_SECRET`];
    gateway[channel] = url && secret ? { url, secret } : undefined;
  }
  return freezeConfig({
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    databaseNamedStatements: e.DATABASE_NAMED_STATEMENTS ?? true,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_DEV_PORT,
      devMemoryLimit: e.TEMPORAL_DEV_MEMORY_LIMIT,
      uiPort: e.TEMPORAL_UI_PORT,
      metricsPort: e.TEMPORAL_METRICS_PORT,
      maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS,
      // The SDK allows no more slots than cached workflows (it would warn and cut them itself).
      workflowTaskSlots: e.TEMPORAL_MAX_CACHED_WORKFLOWS > 0 ? Math.max(2, Math.min(e.TEMPORAL_WORKFLOW_TASK_SLOTS, e.TEMPORAL_MAX_CACHED_WORKFLOWS)) : e.TEMPORAL_WORKFLOW_TASK_SLOTS,
    },
    metricsPort: e.METRICS_PORT,
    edna: {
      baseUrl: e.EDNA_BASE_URL?.replace(/\/+$/, ''),
      apiKey: e.EDNA_API_KEY,
      whatsappSender: e.EDNA_WHATSAPP_SENDER,
      viberSender: e.EDNA_VIBER_SENDER,
      whatsappCascadeId: e.EDNA_WHATSAPP_CASCADE_ID,
      viberCascadeId: e.EDNA_VIBER_CASCADE_ID,
      webhookSecret: e.EDNA_WEBHOOK_SECRET,
      webhookHeader: e.EDNA_WEBHOOK_HEADER,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    telegram: { apiUrl: (e.TELEGRAM_API_URL ?? DEFAULT_TELEGRAM_API_URL).replace(/\/+$/, ''), botToken: e.TELEGRAM_BOT_TOKEN },
    gateway,
    demo: e.HERALD_DEMO ?? e.DATABASE_URL === undefined,
    sends: {
      statusTimeoutSeconds: e.SEND_STATUS_TIMEOUT_SECONDS,
      retryWaitSeconds: e.SEND_RETRY_WAIT_SECONDS,
      deliveryAttempts: e.SEND_DELIVERY_ATTEMPTS,
      retryInitialMs: e.SEND_RETRY_INITIAL_MS,
      answerTimeoutMs: e.SEND_ANSWER_TIMEOUT_SECONDS * 1000,
      paceRecheckMs: e.PACE_RECHECK_SECONDS * 1000,
    },
    sandboxPort: e.SANDBOX_PORT,
    templateSyncMinutes: e.TEMPLATE_SYNC_MINUTES,
    production,
    host: e.HOST ?? (e.TEMPORAL_ADDRESS && e.DATABASE_URL ? '0.0.0.0' : '127.0.0.1'),
    trustProxy: /^(true|false)$/.test(e.TRUST_PROXY) ? e.TRUST_PROXY === 'true' : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY.split(',').map((a) => a.trim()).filter(Boolean),
    corsOrigins: e.CORS_ORIGINS.trim() === '*' ? '*' : e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    http: {
      bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES,
      graphqlBodyLimitBytes: e.GRAPHQL_BODY_LIMIT_BYTES,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: 5_000,
      graphqlTimeoutMs: e.GRAPHQL_TIMEOUT_SECONDS * 1000,
      tokenRequestsPerMinute: e.RATE_LIMIT_PER_TOKEN,
      anonymousRequestsPerMinute: e.RATE_LIMIT_ANONYMOUS,
      providerRequestsPerMinute: e.RATE_LIMIT_PROVIDERS,
    },
    tokenTtlDays: e.TOKEN_TTL_DAYS,
    websocket: { maxSubscriptionsPerConnection: e.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION, maxConnectionsPerToken: e.WS_MAX_CONNECTIONS_PER_TOKEN },
    logging: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    tracing: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
      retryInitialMs: e.WEBHOOK_RETRY_INITIAL_MS,
      retryMaxMs: Math.max(e.WEBHOOK_RETRY_MAX_MS, e.WEBHOOK_RETRY_INITIAL_MS),
      retryForSeconds: e.WEBHOOK_RETRY_FOR_SECONDS,
      disableAfterSeconds: e.WEBHOOK_DISABLE_AFTER_SECONDS,
      pollMs: e.WEBHOOK_POLL_MS,
      endpointsRefreshSeconds: e.WEBHOOK_ENDPOINTS_REFRESH_SECONDS,
    },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? !production,
      graphiql: e.GRAPHIQL ?? !production,
    },
  });
}

/**
 * The channels this Herald can deliver over: the one place availability (`client.channels`) and
 * send-time validation learn it. WhatsApp and Viber always go to edna (or its sandbox), email to
 * SMTP (or the file outbox); Telegram needs a bot token, a gateway channel its URL and secret.
 */
export function configuredChannels(config: Pick<Config, 'telegram' | 'gateway'>): ReadonlySet<Channel> {
  const configured = new Set<Channel>();
  for (const caps of Object.values(CHANNEL_CAPABILITIES)) {
    const ok = caps.transport === 'EDNA' || caps.transport === 'SMTP'
      || (caps.transport === 'TELEGRAM_BOT_API' && !!config.telegram.botToken)
      || (caps.transport === 'GATEWAY' && !!config.gateway[caps.channel as GatewayChannel]);
    if (ok) configured.add(caps.channel);
  }
  return configured;
}

/** For entry points: print the one message and stop, instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
