import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import { createContext, type Context, type Services } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { inputDoorPlugin } from '../graphql/inputDoor.js';
import { armorRules } from '../graphql/limits.js';
import { bearerToken, viewerForToken } from '../auth/tokens.js';
import { HttpError, readBody, sendJson } from './io.js';

// One HTTP port: GraphQL, health, and the REST routes (webhooks, uploads) that later parts add.

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
export interface Route { method: string; path: string | RegExp; handler: RouteHandler }

export interface HttpServerOptions {
  services: Services;
  schema: GraphQLSchema;
  routes: Route[];
  /** What /readyz checks: every dependency must answer. */
  readiness: Record<string, () => Promise<unknown>>;
}

export interface HeraldHttpServer {
  server: http.Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export async function createHttpServer(options: HttpServerOptions): Promise<HeraldHttpServer> {
  const server = http.createServer();
  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    formatError,
    introspection: options.services.config.graphql.introspection,
    validationRules: armorRules(),
    allowBatchedHttpRequests: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server }), inputDoorPlugin()],
  });
  await apollo.start();

  const graphql: RouteHandler = async (req, res, url) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const raw = req.method === 'POST' ? await readBody(req) : '';
    let body: unknown = raw;
    if (raw && (headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'The request body is not valid JSON.');
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => {
        const viewer = await viewerForToken(options.services.db, bearerToken(req.headers.authorization));
        return createContext(options.services, viewer);
      },
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const routes: Route[] = [
    { method: 'GET', path: '/healthz', handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_req, res) => {
        const checks = await Promise.all(
          Object.entries(options.readiness).map(async ([name, check]) => {
            try {
              await check();
              return [name, 'ok'] as const;
            } catch (err) {
              return [name, err instanceof Error ? err.message : String(err)] as const;
            }
          }),
        );
        const ready = checks.every(([, state]) => state === 'ok');
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(checks) });
      },
    },
    { method: 'POST', path: '/graphql', handler: graphql },
    { method: 'GET', path: '/graphql', handler: graphql },
    ...options.routes,
  ];

  const matches = (r: Route, pathname: string) => (typeof r.path === 'string' ? r.path === pathname : r.path.test(pathname));

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://herald.local');
    const candidates = routes.filter((r) => matches(r, url.pathname));
    if (candidates.length === 0) return sendJson(res, 404, { error: 'not found' });
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = candidates.find((r) => r.method === method);
    if (!route) {
      res.setHeader('allow', candidates.map((r) => r.method).join(', '));
      return sendJson(res, 405, { error: `use ${candidates.map((r) => r.method).join(' or ')}` });
    }
    route.handler(req, res, url).catch((err: unknown) => {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      console.error(`[http] ${req.method} ${url.pathname} failed:`, err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  return {
    server,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: () => apollo.stop(),
  };
}
