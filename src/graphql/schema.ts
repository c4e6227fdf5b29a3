import 'reflect-metadata';
import fs from 'node:fs';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth.js';
import { ActivityResolver } from './resolvers/activity.js';
import { AgentResolver } from './resolvers/agent.js';
import { ClientResolver } from './resolvers/client.js';
import { SendResolver } from './resolvers/send.js';
import { SupervisionResolver } from './resolvers/supervision.js';
import { StandResolver } from './resolvers/stand.js';
import { TemplateQueryResolver } from './resolvers/template.js';
import { AttachmentResolver, MessageResolver, TemplateResolver, ThreadResolver } from './resolvers/thread.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

export const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

let built: Promise<GraphQLSchema> | undefined;

export function heraldSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [ActivityResolver, AgentResolver, ClientResolver, SendResolver, SupervisionResolver, StandResolver, TemplateQueryResolver, ThreadResolver, MessageResolver, TemplateResolver, AttachmentResolver],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }, { type: Object, scalar: JSONScalar }],
    validate: false,
    // Every subscription subscribes to the event bus itself (`subscribe:`); type-graphql still wants
    // a PubSub, and this one says so if anything ever reaches for it.
    pubSub: {
      publish() { throw new Error('Herald publishes through PostgreSQL NOTIFY (src/events/bus.ts), not type-graphql\'s PubSub'); },
      subscribe() { throw new Error('Herald subscriptions name their own source (src/events/bus.ts)'); },
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
