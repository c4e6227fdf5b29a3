import 'reflect-metadata';
import fs from 'node:fs';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AgentResolver } from './agents/resolver.js';
import { authChecker } from './auth.js';
import { CampaignResolver } from './campaigns/resolver.js';
import { ClientResolver } from './clients/resolver.js';
import { ConsentResolver } from './consent/resolver.js';
import { NodeResolver } from './common/nodeResolver.js';
import { InboundResolver } from './inbound/resolver.js';
import { SendResolver } from './sends/resolver.js';
import { StandResolver } from './stand/resolver.js';
import { TemplateResolver } from './templates/resolver.js';
import { WebhookResolver } from './webhooks/resolver.js';
import { AttachmentResolver, MessageResolver, ThreadResolver } from './threads/resolver.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

// The schema, built from one resolver per aggregate (src/graphql/<aggregate>/{types,resolver}.ts).

export const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

let built: Promise<GraphQLSchema> | undefined;

export function heraldSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      AgentResolver, CampaignResolver, ClientResolver, ConsentResolver, InboundResolver, NodeResolver, SendResolver, StandResolver, TemplateResolver,
      ThreadResolver, MessageResolver, AttachmentResolver, WebhookResolver,
    ],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }, { type: Object, scalar: JSONScalar }],
    validate: false,
    // Every subscription subscribes to the event bus itself (`subscribe:`); type-graphql still wants
    // a PubSub, and this one says so if anything ever reaches for it.
    pubSub: {
      publish() { throw new Error('Herald publishes through PostgreSQL NOTIFY (src/db/events.ts), not type-graphql\'s PubSub'); },
      subscribe() { throw new Error('Herald subscriptions name their own source (src/db/events.ts)'); },
    },
  });
  return built;
}

/** The SDL the server serves, in a stable order, as committed in `schema.graphql`. */
export function printHeraldSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export async function writeSchemaFile(): Promise<void> {
  fs.writeFileSync(SCHEMA_FILE, printHeraldSchema(await heraldSchema()));
}
