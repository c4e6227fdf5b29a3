import { Field, ID, InterfaceType } from 'type-graphql';

// The Relay `Node` interface: anything with an id can be fetched again with node(id:). Herald's ids
// are UUIDs (sends: their workflow id), unique across types, so node(id:) finds the type by looking.

export const NODE_TYPE = Symbol('herald.nodeType');

/** A row handed to node(id:), marked with the GraphQL type it is. */
export function asNode<T extends object>(typeName: string, row: T): T & { [NODE_TYPE]: string } {
  return Object.assign(Object.create(Object.getPrototypeOf(row) as object) as T, row, { [NODE_TYPE]: typeName });
}

@InterfaceType('Node', { resolveType: (value: { [NODE_TYPE]?: string }) => value[NODE_TYPE] })
export abstract class NodeInterface {
  @Field(() => ID) id!: string;
}
