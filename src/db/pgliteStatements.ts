import { PGlite, messages, parse, protocol, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';
import { withMethods } from './withMethods.js';

// How drizzle's statements reach PGlite. PGlite's own query() makes six calls into its WASM
// Postgres for every statement (parse, describe, bind, describe, execute, sync), and Postgres
// parses and plans the text each time. Herald runs a fixed set of statement texts, so each text
// is parsed and described once as a named prepared statement, and every later run is one call
// (bind, execute, sync). Measured on one statement of the send path (a join by provider id): 398
// µs of CPU through query(), 55 µs prepared with a describe at every run, 42 µs without.
//
// Only the path changes: the same locks are taken as query() takes them (a statement outside a
// transaction waits for any transaction to end), results are parsed by PGlite's own reader with
// the client's parsers, and a database error is thrown as PGlite throws it.

type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];

/** Prepared statements kept at once; the least recently used is closed beyond this. */
const MAX_STATEMENTS = 500;

interface Prepared {
  name: string;
  paramTypes: number[];
  /** The columns it answers with (as Postgres described them once), or null for none. */
  columns: BackendMessage | null;
}

/** The PGlite internals this relies on: public methods the type declarations mark as internal. */
interface PGliteLocks {
  _checkReady(): Promise<void>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * `client` as drizzle should see it: statements prepared once per text, and no per-statement type
 * parsers (`parsers` are set on the client once: drizzle would otherwise hand its own with every
 * statement, and PGlite merges them into its ~320 each time).
 */
export function preparedStatements(client: PGlite, parsers: NonNullable<QueryOptions['parsers']>): PGlite {
  Object.assign(client.parsers, parsers);
  const locks = client as unknown as PGliteLocks;
  const { serialize } = protocol;
  const statements = new Map<string, Prepared>();
  let named = 0;

  /** The statement for `text`, prepared now if it is new (and the oldest closed when there are too many). */
  async function statementFor(text: string, options: QueryOptions | undefined): Promise<Prepared> {
    const known = statements.get(text);
    if (known) {
      // Most recently used last: a Map keeps insertion order.
      statements.delete(text);
      statements.set(text, known);
      return known;
    }
    const name = `herald_${++named}`;
    const described = await client.execProtocolStream(
      Buffer.concat([serialize.parse({ name, text, types: options?.paramTypes }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    );
    const prepared = { name, paramTypes: parse.parseDescribeStatementResults(described), columns: described.find((m) => m.name === 'rowDescription') ?? null };
    statements.set(text, prepared);
    if (statements.size > MAX_STATEMENTS) {
      const [oldestText, oldest] = statements.entries().next().value as [string, Prepared];
      statements.delete(oldestText);
      await client.execProtocolStream(Buffer.concat([serialize.close({ type: 'S', name: oldest.name }), serialize.sync()]), { syncToFs: false });
    }
    return prepared;
  }

  /** One statement, its lock held by the caller's context. */
  async function run<T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return locks._runExclusiveQuery(async () => {
      try {
        const { name, paramTypes, columns } = await statementFor(text, options);
        const values = params.map((param, i) => {
          if (param === null || param === undefined) return null;
          const serializer = options?.serializers?.[paramTypes[i]!] ?? client.serializers[paramTypes[i]!];
          return serializer ? serializer(param) : String(param);
        });
        const messages = await client.execProtocolStream(
          Buffer.concat([serialize.bind({ statement: name, values: values as string[] }), serialize.execute({}), serialize.sync()]),
          { syncToFs: false },
        );
        // The columns as described when it was prepared (a prepared statement's never change: a
        // change of the tables under it that would change them is an error from Postgres instead),
        // and the client's parsers only: drizzle's own per-statement ones are set on the client already.
        return parse.parseResults(columns ? [columns, ...messages] : messages, client.parsers, options?.rowMode ? { rowMode: options.rowMode } : undefined)[0] as Results<T>;
      } catch (err) {
        // As PGlite's query() reports it: the statement, its values and options beside the database's error.
        if (err instanceof messages.DatabaseError) Object.assign(err, { query: text, params, queryOptions: options });
        throw err;
      }
    });
  }

  /** A transaction as drizzle sees it: its statements prepared, under the transaction's lock. */
  const inTransaction = (tx: Transaction): Transaction => withMethods(tx, {
    query: <T>(text: string, params?: unknown[], options?: QueryOptions) => {
      if (tx.closed) throw new Error('Transaction is closed');
      return run<T>(text, params, options);
    },
  });

  return withMethods(client, {
    query: async <T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> => {
      // A file attached to a statement (COPY) goes PGlite's own way.
      if (options?.blob) return client.query<T>(text, params, options);
      // As query() does: wait for the client to be ready and for any transaction to end.
      await locks._checkReady();
      return locks._runExclusiveTransaction(async () => {
        const result = await run<T>(text, params, options);
        await client.syncToFs();
        return result;
      });
    },
    transaction: <T>(body: (tx: Transaction) => Promise<T>) => client.transaction((tx) => body(inTransaction(tx))),
  });
}
