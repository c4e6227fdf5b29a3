import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Viewer, ViewerLookup } from '../auth/tokens.js';
import { bearerToken } from '../auth/tokens.js';
import type { HttpLimits } from '../config.js';
import { createContext, type Context, type Services } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { inputDoorPlugin } from '../graphql/inputDoor.js';
import { armorRules } from '../graphql/limits.js';
import { logger, type Logger } from '../log.js';
import { inSpan, SpanKind } from '../tracing.js';
import { DEMO_TOKENS } from '../demo.js';
import { createGraphiql } from './graphiql/index.js';

// The one HTTP port, on Fastify: GraphQL (POST and GET /graphql; ws /graphql is attached to the
// same server by subscriptions.ts), health and readiness, and the routes the other modules add
// (webhooks, uploads and files, metrics). Every door has a limit: body size, header and request
// timeouts, idle connections, and requests per token and per address (README, "Limits and security").

declare module 'fastify' {
  interface FastifyRequest {
    /** Whoever the bearer token belongs to; null without a valid one. */
    viewer: Viewer | null;
  }
}

export type RouteGroup = 'authenticated' | 'providers' | 'open';

export interface HttpServerOptions {
  services: Services;
  schema: GraphQLSchema;
  limits: HttpLimits;
  viewers: ViewerLookup;
  /** Exact origins allowed to call from a browser (CORS_ORIGINS); empty: same origin only. */
  corsOrigins: readonly string[] | '*';
  /** What /readyz checks: every dependency must answer. */
  readiness: Record<string, () => Promise<unknown>>;
  /** Adds the other modules' routes; `limitsFor` gives the rate limit of a group of routes. */
  routes?: (app: FastifyInstance, limitsFor: (group: RouteGroup) => { rateLimit: RateLimitOptions | false }) => Promise<void> | void;
  /** Observes each GraphQL operation (metrics). */
  apolloPlugins?: ConstructorParameters<typeof ApolloServer<Context>>[0]['plugins'];
}

export interface HeraldHttpServer {
  app: FastifyInstance;
  server: http.Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The answer a refused request gets, shaped for its route: GraphQL errors on /graphql, JSON elsewhere. */
function refusal(request: FastifyRequest, status: number, code: string, message: string) {
  return request.url.startsWith('/graphql') ? { errors: [{ message, extensions: { code } }] } : { code, error: message };
}

export async function createHttpServer(options: HttpServerOptions): Promise<HeraldHttpServer> {
  const { limits } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // A caller's own request id is kept (and echoed) so its lines and Herald's can be matched.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: limits.bodyLimitBytes,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and whole-request timeouts only every connectionsCheckingInterval
    // (30 s by default): checked every second, a slow sender is cut off when its time is up.
    serverFactory: (handler) => {
      const server = http.createServer({
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: limits.headersTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: 1_000,
      }, handler);
      // A connection with nothing going on (none ever sent a request, say) is closed.
      server.setTimeout(limits.idleTimeoutMs);
      return server;
    },
    return503OnClosing: true,
    // A hop count trusts that many proxies in front of Herald.
    trustProxy: typeof options.services.config.trustProxy === 'number'
      ? ((hops: number) => (_address: string, hop: number) => hop < hops)(options.services.config.trustProxy)
      : options.services.config.trustProxy,
  });
  app.decorateRequest('viewer', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const header = request.headers.authorization;
    request.viewer = header ? await options.viewers(bearerToken(header)) : null;
  });

  await app.register(cors, {
    origin: options.corsOrigins === '*' ? true : options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
    credentials: false,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (request, context) => Object.assign(new Error('rate limited'), {
      statusCode: 429,
      refusal: refusal(request, 429, 'RATE_LIMITED', `Too many requests: at most ${context.max} a minute. Try again in ${context.after}.`),
    }),
  });
  const limitsFor = (group: RouteGroup): { rateLimit: RateLimitOptions | false } => {
    if (group === 'open') return { rateLimit: false };
    if (group === 'providers') return { rateLimit: { timeWindow: 60_000, max: limits.providerRequestsPerMinute, keyGenerator: (r) => `ip:${r.ip}` } };
    // A valid token has its own budget; requests without one (a guessed token too) share their
    // address's much smaller one, so guessing tokens is slow.
    return {
      rateLimit: {
        timeWindow: 60_000,
        keyGenerator: (r) => (r.viewer ? `token:${r.viewer.id}` : `anonymous:${r.ip}`),
        max: (_r, key) => (key.startsWith('token:') ? limits.tokenRequestsPerMinute : limits.anonymousRequestsPerMinute),
      },
    };
  };

  app.setErrorHandler((error: Error & { statusCode?: number; refusal?: unknown; code?: string }, request, reply) => {
    if (error.refusal) return reply.status(error.statusCode ?? 400).send(error.refusal);
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send(refusal(request, 500, 'SYSTEM_ERROR', 'Something went wrong on our side; nothing was changed by the failed part. Try again.'));
    }
    // Fastify's own refusals (a body over the limit, JSON that does not parse, a timeout): 4xx with their sentence.
    const code = status === 408 ? 'SYSTEM_ERROR' : status === 429 ? 'RATE_LIMITED' : 'INVALID_INPUT';
    return reply.status(status).send(refusal(request, status, code, status === 400 && error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'The request body is not valid JSON.' : error.message));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ code: 'NOT_FOUND', error: 'not found' }));

  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    formatError,
    introspection: options.services.config.graphql.introspection,
    validationRules: armorRules(),
    allowBatchedHttpRequests: false,
    // Apollo's own landing page loads from a CDN: never offered (GraphiQL above is Herald's, offline).
    plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginLandingPageDisabled(), inputDoorPlugin(), ...(options.apolloPlugins ?? [])],
  });
  await apollo.start();
  // GraphiQL (src/http/graphiql): GET /graphql from a browser is the page; its files under /graphiql/.
  const { config } = options.services;
  const graphiql = config.graphql.graphiql
    ? createGraphiql({
      endpointPath: '/graphql',
      demo: config.demo ? { token: DEMO_TOKENS[0]!.token } : null,
      schema: config.graphql.introspection ? options.schema : null,
    })
    : null;
  if (graphiql) {
    // Built in the background now, so the first page is quick; a failure is tried again on the first request.
    graphiql.prepare().then(
      (built) => logger.debug(built, 'GraphiQL built'),
      (err: unknown) => logger.warn({ err }, 'GraphiQL could not be built; trying again on the first request'),
    );
    // One page load is about 30 files: they count against no request budget.
    app.get(`${graphiql.assetPrefix}*`, { config: limitsFor('open') }, async (request, reply) => {
      const found = await graphiql.asset(request.url, request.headers['accept-encoding']);
      if (!found) return reply.status(404).send({ code: 'NOT_FOUND', error: 'not found' });
      return reply.headers(found.headers ?? {}).type(found.contentType).send(found.body);
    });
  }
  const graphql = fastifyApolloHandler(apollo, { context: async (request) => createContext(options.services, request.viewer, request.log as Logger) }) as unknown as
    (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    config: limitsFor('authenticated'),
    bodyLimit: limits.graphqlBodyLimitBytes,
    // An operation that runs longer than GRAPHQL_TIMEOUT_SECONDS is answered then; its database
    // statements stop at the database's own statement timeout.
    handler(request, reply) {
      if (graphiql?.wantsPage(request.method, request.headers.accept)) {
        return graphiql.page().then((page) => reply.headers(page.headers ?? {}).type(page.contentType).send(page.body));
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<unknown>((resolve) => {
        timer = setTimeout(() => {
          reply.status(503);
          resolve(refusal(request, 503, 'SYSTEM_ERROR', `The request took longer than ${limits.graphqlTimeoutMs / 1000} s and was given up; ask again or ask for less.`));
        }, limits.graphqlTimeoutMs);
      });
      const work = inSpan(`${request.method} /graphql`, { kind: SpanKind.SERVER, parent: request.headers, attributes: { 'http.request.method': request.method, 'http.route': '/graphql' } },
        () => graphql.call(this, request, reply));
      return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    },
  });

  app.get('/healthz', { config: limitsFor('open') }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: limitsFor('open') }, async (_request, reply: FastifyReply) => {
    const checks = await Promise.all(Object.entries(options.readiness).map(async ([name, check]) => {
      try {
        await check();
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : String(err)] as const;
      }
    }));
    const ready = checks.every(([, state]) => state === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(checks) });
  });
  await options.routes?.(app, limitsFor);
  await app.ready();

  return {
    app,
    server: app.server,
    async listen(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async close() {
      await app.close();
    },
  };
}
