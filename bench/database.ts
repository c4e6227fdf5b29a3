import pg from 'pg';

// A database of its own on a PostgreSQL server, for one run of the bench or a chaos run.

export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops it (its connections forced closed). */
  drop(): Promise<void>;
}

/** Creates `<prefix>_<now>` on the server at `serverUrl`. */
export async function freshDatabase(serverUrl: string, prefix: string): Promise<FreshDatabase> {
  const name = `${prefix}_${Date.now()}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  return {
    name,
    url: Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString(),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}
