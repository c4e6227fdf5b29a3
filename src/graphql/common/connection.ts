import { Field, ObjectType, type ClassType } from 'type-graphql';

// Relay connections for every list that can grow: edges with cursors, and a PageInfo. Herald pages
// forward (first/after); hasPreviousPage says whether a page came before this one.

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean, { description: 'true when this page was asked for after a cursor' }) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfoType;
}

/** `<name>Edge` and `<name>Connection` for a node type. */
export function connectionType(name: string, node: () => ClassType): ClassType {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(node) node!: unknown;
  }
  @ObjectType(`${name}Connection`)
  class Connection {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfoType) pageInfo!: PageInfoType;
  }
  Object.defineProperty(Connection, 'name', { value: `${name}Connection` });
  return Connection;
}

/** A page from rows already cut to size, with whether more follow. */
export function pageOf<T>(rows: ReadonlyArray<{ cursor: string; node: T }>, hasNextPage: boolean, after: string | null | undefined): Page<T> {
  return {
    edges: [...rows],
    pageInfo: { hasNextPage, hasPreviousPage: !!after, startCursor: rows[0]?.cursor ?? null, endCursor: rows.at(-1)?.cursor ?? null },
  };
}

/** Offset cursors for a list that is ranked rather than keyed (search results). */
export const offsetCursor = {
  encode: (offset: number) => Buffer.from(`offset:${offset}`, 'utf8').toString('base64url'),
  decode(cursor: string): number | null {
    const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    return match ? Number(match[1]) : null;
  },
};
