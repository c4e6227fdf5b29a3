import { and, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from './client.js';
import { threadEvents, threads } from './schema.js';
import type { ThreadEventKind, ThreadStatus } from '../domain/enums.js';

export async function recordThreadEvent(
  tx: DbOrTx,
  threadId: string,
  kind: ThreadEventKind,
  details: { agentId?: string | null; targetId?: string | null; comment?: string | null } = {},
): Promise<void> {
  await tx.insert(threadEvents).values({ threadId, kind, agentId: details.agentId ?? null, targetId: details.targetId ?? null, comment: details.comment ?? null });
}

/** Closes a thread that is still open; a closed one stays as it was. Returns whether it closed it. */
export async function closeThread(tx: DbOrTx, threadId: string, reason: string | null, byAgentId: string | null, comment?: string | null): Promise<boolean> {
  const closed = await tx
    .update(threads)
    .set({ status: 'CLOSED', closedAt: new Date(), closeReason: reason })
    .where(and(eq(threads.id, threadId), ne(threads.status, 'CLOSED')))
    .returning({ id: threads.id });
  if (closed.length === 0) return false;
  await recordThreadEvent(tx, threadId, 'CLOSED', { agentId: byAgentId, comment: comment ?? reason });
  return true;
}

export async function updateOpenThread(
  tx: DbOrTx,
  threadId: string,
  set: { status: Exclude<ThreadStatus, 'CLOSED'>; assigneeId: string | null; queueTargetId: string | null; transferComment?: string | null },
): Promise<boolean> {
  const rows = await tx.update(threads).set(set).where(and(eq(threads.id, threadId), ne(threads.status, 'CLOSED'))).returning({ id: threads.id });
  return rows.length > 0;
}
