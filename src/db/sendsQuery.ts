import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './client.js';
import { clients, sends } from './schema.js';
import type { SendRow } from './sends.js';
import type { Channel, SendState } from '../domain/enums.js';

// R24: the supervisors' list of sends, newest first, one keyset page at a time on
// (created_at, id), so each filter walks its own `sends_*_created` index backwards.

export interface SendFilterValues {
  agentId?: string | null;
  clientId?: string | null;
  channel?: Channel | null;
  state?: SendState | null;
  /** created_at >= from */
  from?: Date | null;
  /** created_at < to */
  to?: Date | null;
}

/** Whose sends the caller may see (the same rule as `send(id)`). */
export type SendScope =
  | { kind: 'stand'; standId: string } // supervisors and admins: every send to a client of their stand
  | { kind: 'agent'; agentId: string } // agents: made by them or as them
  | { kind: 'requester'; requesterId: string }; // integrators: the ones they requested

/**
 * The position after which a page starts. `at` keeps PostgreSQL's microseconds: a JS Date has
 * only milliseconds, and two sends within one millisecond would otherwise fall between pages.
 */
export interface SendCursor { at: string; id: string }

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeSendCursor(cursor: SendCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeSendCursor(cursor: string): SendCursor | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0) return null;
  const at = text.slice(0, bar);
  const id = text.slice(bar + 1);
  if (!id || !ISO_MICROS.test(at) || Number.isNaN(new Date(at).getTime())) return null;
  return { at, id };
}

/** created_at as UTC ISO-8601 with microseconds, the cursor's own precision. */
const createdAtMicros = sql<string>`to_char(${sends.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function scopeCondition(scope: SendScope): SQL | undefined {
  switch (scope.kind) {
    case 'stand':
      return sql`exists (select 1 from ${clients} where ${clients.id} = ${sends.clientId} and ${clients.standId} = ${scope.standId})`;
    case 'agent':
      return or(eq(sends.agentId, scope.agentId), eq(sends.requestedById, scope.agentId));
    case 'requester':
      return eq(sends.requestedById, scope.requesterId);
  }
}

/**
 * The page's query, unexecuted (tests EXPLAIN it): one row more than `first`, to tell whether
 * another page follows. Ids are expected to be valid UUIDs already.
 */
export function sendsPageQuery(db: DbOrTx, params: { scope: SendScope; filter: SendFilterValues; first: number; after: SendCursor | null }) {
  const { scope, filter, first, after } = params;
  return db
    .select({ send: sends, cursorAt: createdAtMicros })
    .from(sends)
    .where(and(
      scopeCondition(scope),
      filter.agentId ? eq(sends.agentId, filter.agentId) : undefined,
      filter.clientId ? eq(sends.clientId, filter.clientId) : undefined,
      filter.channel ? eq(sends.channel, filter.channel) : undefined,
      filter.state ? eq(sends.state, filter.state) : undefined,
      filter.from ? gte(sends.createdAt, filter.from) : undefined,
      filter.to ? lt(sends.createdAt, filter.to) : undefined,
      // A row comparison: PostgreSQL uses it as an index bound on (…, created_at, id).
      after ? sql`(${sends.createdAt}, ${sends.id}) < (${after.at}::timestamptz, ${after.id})` : undefined,
    ))
    .orderBy(desc(sends.createdAt), desc(sends.id))
    .limit(first + 1);
}

export async function listSends(
  db: DbOrTx,
  params: { scope: SendScope; filter: SendFilterValues; first: number; after: SendCursor | null },
): Promise<{ rows: Array<{ send: SendRow; cursor: string }>; hasNextPage: boolean }> {
  const rows = await sendsPageQuery(db, params);
  return {
    rows: rows.slice(0, params.first).map((r) => ({ send: r.send, cursor: encodeSendCursor({ at: r.cursorAt, id: r.send.id }) })),
    hasNextPage: rows.length > params.first,
  };
}
