import type { Channel, ThreadStatus } from './enums.js';
import { userError, type UserError } from './errors.js';

// R28: a send may go into the client's open thread instead of being refused by it, when nobody
// holds that thread: NEW in a group, skill or department queue, or with a bot. A thread assigned
// to an agent is theirs and is never taken over.

export interface OpenThreadFacts { id: string; channel: Channel; status: ThreadStatus; assigneeId: string | null }

/** Whether the thread blocking a send can be taken over (shown as `conflict { canTakeOver }`). */
export function canTakeOver(thread: Pick<OpenThreadFacts, 'status' | 'assigneeId'>): boolean {
  return thread.status !== 'CLOSED' && thread.assigneeId === null;
}

/**
 * A send that names `takeOverThreadId`: null when it may go into that thread, else why not. The
 * check is repeated, atomically, when the thread is claimed (of two agents exactly one wins).
 */
export function checkTakeOver(
  takeOverThreadId: string,
  send: { channel: Channel; agentId: string | null },
  activeThread: OpenThreadFacts | null,
): UserError | null {
  const field = ['takeOverThreadId'];
  if (!send.agentId) return userError('INVALID_INPUT', 'Taking over a thread needs an agent to take it: send as one (onBehalfOfAgentId).', field);
  if (!activeThread || activeThread.id !== takeOverThreadId) return userError('NOT_FOUND', "That is not this client's open thread.", field);
  if (activeThread.channel !== send.channel) return userError('INVALID_INPUT', `The thread is on ${activeThread.channel}: take it over on its own channel.`, field);
  if (!canTakeOver(activeThread)) return userError('ACTIVE_THREAD_EXISTS', 'The thread is assigned to an agent; it cannot be taken over.', field);
  return null;
}
