import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import { clients, messages, sends } from './schema.js';
import type { SendRow } from './sends.js';
import { afterCursor, cursorTime, encodeCursor, type Cursor } from './cursor.js';
import type { Channel, DeliveryFailureCode, SendState } from '../domain/enums.js';

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
  /** R29: the send's message shows a failure with this code. */
  failureCode?: DeliveryFailureCode | null;
}

/** Whose sends the caller may see (the same rule as `send(id)`). */
export type SendScope =
  | { kind: 'stand'; standId: string } // supervisors and admins: every send to a client of their stand
  | { kind: 'agent'; agentId: string } // agents: made by them or as them
  | { kind: 'requester'; requesterId: string }; // integrators: the ones they requested

export type SendCursor = Cursor;

const createdAtMicros = cursorTime(sends.createdAt);

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
 * R29: the failure the send's message shows now (the client's history shows the same). The
 * message is looked up by its primary key, so the list still walks a sends_* index.
 */
function failureCondition(code: DeliveryFailureCode): SQL {
  return sql`exists (select 1 from ${messages} where ${messages.id} = ${sends.messageId} and ${messages.failureCode} = ${code})`;
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
      filter.failureCode ? failureCondition(filter.failureCode) : undefined,
      after ? afterCursor(sends.createdAt, sends.id, after) : undefined,
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
    rows: rows.slice(0, params.first).map((r) => ({ send: r.send, cursor: encodeCursor({ at: r.cursorAt, id: r.send.id }) })),
    hasNextPage: rows.length > params.first,
  };
}
