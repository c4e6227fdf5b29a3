import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import { userError } from '../../domain/errors.js';
import { toGraphQLError } from '../errors.js';
import { pageOf, type Page } from './connection.js';

/**
 * A page of a list already read whole for its parent (a thread's messages, an agent's queue:
 * batched by a DataLoader, bounded by their nature), in the list's order, after a cursor that
 * names the last item seen by its time and id.
 */
export function keysetPage<T extends { id: string }>(rows: readonly T[], timeOf: (row: T) => Date, first: number, after: string | null | undefined): Page<T> {
  let start = 0;
  if (after) {
    // The list is in memory: any id is only looked for in it.
    const cursor = decodeCursor(after, () => true);
    const index = cursor ? rows.findIndex((r) => r.id === cursor.id) : -1;
    if (index < 0) throw toGraphQLError(userError('INVALID_INPUT', 'That cursor was not handed out by this list; start again without `after`.', ['after']));
    start = index + 1;
  }
  const slice = rows.slice(start, start + first);
  const edges = slice.map((node) => ({ cursor: encodeCursor({ at: timeOf(node).toISOString(), id: node.id }), node }));
  return pageOf(edges, start + first < rows.length, after);
}
