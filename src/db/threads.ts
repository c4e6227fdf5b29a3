import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import { threadEvents, threads } from './schema.js';
import type { Channel, ThreadEventKind, ThreadStatus } from '../domain/enums.js';
import { publish, publishAll } from './events.js';
import { writeAll, type Write } from './writes.js';

type ThreadEventDetails = { agentId?: string | null; targetId?: string | null; comment?: string | null };

export async function recordThreadEvent(tx: DbOrTx, threadId: string, kind: ThreadEventKind, details: ThreadEventDetails = {}): Promise<void> {
  await tx.insert(threadEvents).values({ threadId, kind, agentId: details.agentId ?? null, targetId: details.targetId ?? null, comment: details.comment ?? null });
}

/**
 * A change to a thread (an insert or update returning the thread's `id`) and its line in the
 * thread's events, in one statement: on a send's path each statement costs its own round (a parse
 * and plan on PGlite, a trip to PostgreSQL). The rows the change returned, as the database names
 * their columns; none when it changed nothing, and then nothing is logged either.
 */
async function changeWithEvent<Row>(tx: DbOrTx, change: SQLWrapper, kind: ThreadEventKind, details: ThreadEventDetails = {}): Promise<Row[]> {
  const result = await tx.execute(sql`with ${withEvent('changed', change, kind, details)} select * from changed`);
  return (result as unknown as { rows: Row[] }).rows;
}

/** The WITH entries of a change and its event line: `name` (the change) and `name_logged`. */
function withEvent(name: string, change: SQLWrapper, kind: ThreadEventKind, details: ThreadEventDetails): SQL {
  const changed = sql.identifier(name);
  return sql`${changed} as (${change.getSQL()}),
    ${sql.identifier(`${name}_logged`)} as (insert into ${threadEvents} (thread_id, kind, agent_id, target_id, comment)
      select id, ${kind}, ${details.agentId ?? null}::uuid, ${details.targetId ?? null}::uuid, ${details.comment ?? null}::text from ${changed})`;
}

export interface OpenThreadInput {
  clientId: string;
  channel: Channel;
  status: Exclude<ThreadStatus, 'CLOSED'>;
  assigneeId?: string | null;
  openedBy?: string | null;
}

/**
 * Opens the client's one active thread (R6/R7). The partial unique index makes a second open
 * thread fail with a unique violation, which the caller turns into ACTIVE_THREAD_EXISTS.
 */
export async function openThread(tx: DbOrTx, input: OpenThreadInput): Promise<string> {
  const id = randomUUID();
  await writeAll(tx, [threadOpening(tx, { ...input, id })]);
  return id;
}

/** openThread's write, the thread's id chosen by the caller, for a statement that writes more (a send's reservation). */
export function threadOpening(tx: DbOrTx, input: OpenThreadInput & { id: string }): Write {
  const opening = tx.insert(threads)
    .values({ id: input.id, clientId: input.clientId, channel: input.channel, status: input.status, assigneeId: input.assigneeId ?? null })
    .returning({ id: threads.id });
  return {
    ctes: withEvent('thread_opened', opening, 'OPENED', { agentId: input.openedBy ?? null }),
    events: [
      { type: 'client', clientId: input.clientId, kind: 'THREAD_OPENED', threadId: input.id, messageId: null },
      ...(input.assigneeId ? [{ type: 'queue' as const, agentId: input.assigneeId, threadId: input.id }] : []),
    ],
  };
}

/** Closes a thread that is still open; a closed one stays as it was. Returns whether it closed it. */
export async function closeThread(tx: DbOrTx, threadId: string, reason: string | null, byAgentId: string | null, comment?: string | null): Promise<boolean> {
  const [row] = await changeWithEvent<{ id: string; client_id: string; assignee_id: string | null }>(
    tx,
    tx.update(threads)
      .set({ status: 'CLOSED', closedAt: new Date(), closeReason: reason })
      .where(and(eq(threads.id, threadId), ne(threads.status, 'CLOSED')))
      .returning({ id: threads.id, clientId: threads.clientId, assigneeId: threads.assigneeId }),
    'CLOSED',
    { agentId: byAgentId, comment: comment ?? reason },
  );
  if (!row) return false;
  await publishAll(tx, [
    { type: 'client', clientId: row.client_id, kind: 'THREAD_CLOSED', threadId, messageId: null },
    ...(row.assignee_id ? [{ type: 'queue' as const, agentId: row.assignee_id, threadId }] : []),
  ]);
  return true;
}

/**
 * R28: the agent takes over the client's open thread that nobody holds. The guard is in the
 * statement itself, so of two agents taking it over at once exactly one gets it; false for the other.
 */
export async function claimUnassignedThread(tx: DbOrTx, input: { threadId: string; clientId: string; agentId: string }): Promise<boolean> {
  const [row] = await tx.update(threads)
    .set({ status: 'ASSIGNED', assigneeId: input.agentId, queueTargetId: null })
    .where(and(eq(threads.id, input.threadId), eq(threads.clientId, input.clientId), ne(threads.status, 'CLOSED'), isNull(threads.assigneeId)))
    .returning({ id: threads.id });
  if (!row) return false;
  await recordThreadEvent(tx, input.threadId, 'ASSIGNED', { agentId: input.agentId, comment: 'taken over by a send' });
  await publish(tx, { type: 'client', clientId: input.clientId, kind: 'THREAD_UPDATED', threadId: input.threadId, messageId: null });
  await publish(tx, { type: 'queue', agentId: input.agentId, threadId: input.threadId });
  return true;
}

export async function updateOpenThread(
  tx: DbOrTx,
  threadId: string,
  set: { status: Exclude<ThreadStatus, 'CLOSED'>; assigneeId: string | null; queueTargetId: string | null; transferComment?: string | null },
): Promise<boolean> {
  const [before] = await tx.select({ assigneeId: threads.assigneeId }).from(threads).where(eq(threads.id, threadId));
  const rows = await tx.update(threads).set(set).where(and(eq(threads.id, threadId), ne(threads.status, 'CLOSED'))).returning({ clientId: threads.clientId });
  const row = rows[0];
  if (!row) return false;
  await publish(tx, { type: 'client', clientId: row.clientId, kind: 'THREAD_UPDATED', threadId, messageId: null });
  // Both queues change: the one it left and the one it joined.
  for (const agentId of new Set([before?.assigneeId, set.assigneeId])) {
    if (agentId) await publish(tx, { type: 'queue', agentId, threadId });
  }
  return true;
}

export async function getThreads(db: DbOrTx, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.select().from(threads).where(inArray(threads.id, [...ids]));
}
