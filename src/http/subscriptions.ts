import type http from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, type Viewer, type ViewerLookup } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { createContext, type Services } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { doorProblems, inputErrors } from '../graphql/inputDoor.js';
import { armorRules } from '../graphql/limits.js';
import { logger } from '../log.js';

// Subscriptions over graphql-ws on the GraphQL port (ws /graphql). The token comes in
// connection_init ({ "authorization": "Bearer <token>" }); without a valid one the socket is
// closed with 4401 before any subscription starts. The same door as HTTP: a message no larger
// than an HTTP body, the same validation and limits, and caps on subscriptions per connection
// and connections per token.

type Extra = {
  socket: WebSocket;
  viewer?: Viewer;
  /** The ids of the subscriptions running on this connection. */
  subscriptions: Set<string>;
};

export interface SubscriptionObserver {
  connected(delta: 1 | -1): void;
  subscribed(delta: 1 | -1): void;
}

export function attachSubscriptions(
  server: http.Server,
  schema: GraphQLSchema,
  services: Services,
  settings: { config: Config; viewers: ViewerLookup; observe?: SubscriptionObserver },
): { close(): Promise<void> } {
  const { config, viewers, observe } = settings;
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: config.http.bodyLimitBytes });
  const perToken = new Map<string, number>();
  const cleanup = useServer<Record<string, unknown>, Extra & Record<PropertyKey, unknown>>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams as { authorization?: unknown; Authorization?: unknown } | undefined;
        const header = params?.authorization ?? params?.Authorization;
        const viewer = await viewers(bearerToken(typeof header === 'string' ? header : null));
        if (!viewer) {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized: send a valid token as { "authorization": "Bearer <token>" } in connection_init');
          return false;
        }
        const open = perToken.get(viewer.id) ?? 0;
        if (open >= config.websocket.maxConnectionsPerToken) {
          ctx.extra.socket.close(CloseCode.Forbidden, `Too many connections for this token (at most ${config.websocket.maxConnectionsPerToken})`);
          return false;
        }
        perToken.set(viewer.id, open + 1);
        ctx.extra.viewer = viewer;
        ctx.extra.subscriptions = new Set();
        observe?.connected(1);
        return true;
      },
      onDisconnect: (ctx) => {
        const viewer = ctx.extra.viewer;
        if (!viewer) return;
        const left = (perToken.get(viewer.id) ?? 1) - 1;
        if (left <= 0) perToken.delete(viewer.id);
        else perToken.set(viewer.id, left);
        observe?.connected(-1);
        for (const _ of ctx.extra.subscriptions ?? []) observe?.subscribed(-1);
        ctx.extra.subscriptions?.clear();
      },
      onSubscribe: (ctx, id, payload) => {
        const running = (ctx.extra.subscriptions ??= new Set());
        if (running.size >= config.websocket.maxSubscriptionsPerConnection) {
          return [new GraphQLError(`At most ${config.websocket.maxSubscriptionsPerConnection} subscriptions per connection; open another connection or complete one.`, { extensions: { code: 'RATE_LIMITED' } })];
        }
        let document;
        try {
          document = parse(payload.query);
        } catch {
          return undefined; // graphql-ws answers the syntax error itself
        }
        const invalid = validate(schema, document, [...specifiedRules, ...armorRules()]);
        if (invalid.length > 0) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'INVALID_INPUT' } }));
        const problems = doorProblems(schema, document, payload.variables ?? undefined, payload.operationName);
        if (problems.length > 0) return inputErrors(problems);
        running.add(id);
        observe?.subscribed(1);
        return undefined;
      },
      onComplete: (ctx, id) => {
        if (ctx.extra.subscriptions?.delete(id)) observe?.subscribed(-1);
      },
      // A fresh context (and loaders) per event, so each one reads the rows as they are now.
      context: (ctx) => createContext(services, ctx.extra.viewer ?? null, logger.child({ subscription: true, agentId: ctx.extra.viewer?.id })),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => {
        const formatted = formatError(e.toJSON(), e);
        return Object.assign(e, { message: formatted.message, extensions: formatted.extensions });
      }),
    },
    wss,
  );
  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
