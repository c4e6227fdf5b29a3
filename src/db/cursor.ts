import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

// Keyset pagination, newest first, on (created_at, id). The cursor keeps PostgreSQL's
// microseconds: a JS Date has only milliseconds, and rows made within one millisecond would
// otherwise fall between pages.

export interface Cursor { at: string; id: string }

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Null for a string this server did not hand out. `isId` says what the list's ids look like: a
 * forged cursor whose id the column cannot hold (not a UUID) is refused here, not by the database.
 */
export function decodeCursor(cursor: string, isId: (id: string) => boolean): Cursor | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0) return null;
  const at = text.slice(0, bar);
  const id = text.slice(bar + 1);
  if (!id || !isId(id) || !ISO_MICROS.test(at) || Number.isNaN(new Date(at).getTime())) return null;
  return { at, id };
}

/** created_at as UTC ISO-8601 with microseconds, the cursor's own precision. */
export function cursorTime(createdAt: AnyColumn): SQL<string> {
  return sql<string>`to_char(${createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows after the cursor; a row comparison, which PostgreSQL uses as an index bound on (…, created_at, id). */
export function afterCursor(createdAt: AnyColumn, id: AnyColumn, cursor: Cursor): SQL {
  return sql`(${createdAt}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id})`;
}
