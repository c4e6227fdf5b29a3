import 'reflect-metadata';
import fs from 'node:fs';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth.js';
import { AgentResolver } from './resolvers/agent.js';
import { ClientResolver } from './resolvers/client.js';
import { SendResolver } from './resolvers/send.js';
import { StandResolver } from './resolvers/stand.js';
import { TemplateQueryResolver } from './resolvers/template.js';
import { AttachmentResolver, MessageResolver, TemplateResolver, ThreadResolver } from './resolvers/thread.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

export const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

let built: Promise<GraphQLSchema> | undefined;

export function heraldSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [AgentResolver, ClientResolver, SendResolver, StandResolver, TemplateQueryResolver, ThreadResolver, MessageResolver, TemplateResolver, AttachmentResolver],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }, { type: Object, scalar: JSONScalar }],
    validate: false,
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
