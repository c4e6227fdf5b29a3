import type http from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext, type Services } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { doorProblems, inputErrors } from '../graphql/inputDoor.js';
import { armorRules } from '../graphql/limits.js';
import { bearerToken, viewerForToken } from '../auth/tokens.js';

// Subscriptions over graphql-ws on the GraphQL port (ws /graphql). The token comes in
// connection_init ({ "authorization": "Bearer <token>" }); without a valid one the socket is
// closed with 4401 before any subscription starts.

export function attachSubscriptions(server: http.Server, schema: GraphQLSchema, services: Services): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const cleanup = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams as { authorization?: unknown; Authorization?: unknown } | undefined;
        const header = params?.authorization ?? params?.Authorization;
        const viewer = await viewerForToken(services.db, bearerToken(typeof header === 'string' ? header : null));
        if (!viewer) return false;
        (ctx.extra as { viewerId?: string }).viewerId = viewer.id;
        (ctx.extra as { viewer?: unknown }).viewer = viewer;
        return true;
      },
      // The same door as HTTP: a refused argument never reaches a resolver.
      onSubscribe: (_ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch {
          return undefined; // graphql-ws answers the syntax error itself
        }
        const invalid = validate(schema, document, [...specifiedRules, ...armorRules()]);
        if (invalid.length > 0) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'INVALID_INPUT' } }));
        const problems = doorProblems(schema, document, payload.variables ?? undefined, payload.operationName);
        return problems.length > 0 ? inputErrors(problems) : undefined;
      },
      // A fresh context (and loaders) per event, so each one reads the rows as they are now.
      context: (ctx) => createContext(services, (ctx.extra as { viewer?: Parameters<typeof createContext>[1] }).viewer ?? null),
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
