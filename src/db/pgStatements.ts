import pg from 'pg';
import { withMethods } from './withMethods.js';

// How drizzle's statements reach PostgreSQL. Each statement text is given a name, so node-postgres
// prepares it once per connection (Parse) and from then on only binds and executes it: the server
// parses and plans it once per connection instead of at every run. Herald runs a fixed set of
// texts; a text is named only while fewer than MAX_NAMED have been (a list whose length
// varies makes a text per length), so what each connection keeps, and each server process with
// it, stays bounded.

const MAX_NAMED = 500;

type QueryConfig = { text: string; name?: string };

export function namedStatements(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string>();
  const nameFor = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `herald_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  /**
   * The query with a name, when it is drizzle's kind (a config object with a text and no name) and
   * its values are ones node-postgres cannot fail to convert: when a conversion throws, it closes
   * the named statement yet still counts it as prepared on that connection, and every later run of
   * the text there would fail.
   */
  const named = (query: unknown, values: unknown): unknown => {
    if (!query || typeof query !== 'object' || typeof (query as QueryConfig).text !== 'string' || (query as QueryConfig).name) return query;
    if (Array.isArray(values) && !values.every(plainValue)) return query;
    const name = nameFor((query as QueryConfig).text);
    return name ? { ...query, name } : query;
  };
  /** A connection whose statements get names. */
  const withNames = (client: pg.PoolClient): pg.PoolClient => withMethods(client, {
    query: (query: unknown, ...rest: unknown[]) => client.query(named(query, rest[0]) as string, ...(rest as [unknown[]])),
  });
  // The pool's own statements, and the connections it hands out (drizzle's transactions).
  return withMethods(pool, {
    query: (query: unknown, ...rest: unknown[]) => pool.query(named(query, rest[0]) as string, ...(rest as [unknown[]])),
    // With a callback (node-postgres's other form) the connection is handed over as it is.
    connect: (...args: unknown[]) => (args.length > 0 ? (pool.connect as (...a: unknown[]) => unknown)(...args) : pool.connect().then(withNames)),
  });
}

/** A value node-postgres converts without calling anything of the caller's: a primitive, a Date, bytes, or an array of these. */
function plainValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.every(plainValue);
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || value instanceof Date || Buffer.isBuffer(value);
}
