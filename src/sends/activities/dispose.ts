import { getAgents, getTransferTargets } from '../../db/agents.js';
import { recordProgress } from './progress.js';
import { closeThread, recordThreadEvent, updateOpenThread } from '../../db/threads.js';
import type { Tx } from '../../db/connection.js';
import type { DispositionRequest } from '../../domain/send.js';
import type { ActivityDeps } from './deps.js';

export interface DisposeInput {
  sendId: string;
  threadId: string;
  agentId: string | null;
  disposition: DispositionRequest;
  /** The client wrote in meanwhile: closing now would close the thread under them. */
  clientWroteIn: boolean;
}

/** Step 4 of a send begun before deliverMessage disposed itself (old histories). */
export function disposeThreadActivity(deps: ActivityDeps) {
  return async function disposeThread(input: DisposeInput): Promise<{ outcome: string }> {
    const outcome = await deps.db.transaction((tx) => disposeThreadIn(tx, input));
    await recordProgress(deps.db, input.sendId, { step: { name: 'dispose', state: input.disposition.kind, detail: outcome } });
    return { outcome };
  };
}

/** Step 4 (R12): what happens to the thread once the channel has the message; what came of it. */
export async function disposeThreadIn(tx: Tx, input: Omit<DisposeInput, 'sendId'>): Promise<string> {
  const { disposition } = input;
  switch (disposition.kind) {
    case 'CLOSE':
      if (input.clientWroteIn) {
        await recordThreadEvent(tx, input.threadId, 'COMMENTED', { agentId: input.agentId, comment: 'left open: the client wrote in while the message was being sent' });
        return 'left open for the client\'s reply';
      }
      await closeThread(tx, input.threadId, 'closed on send', input.agentId, disposition.comment);
      return 'closed';
    case 'ASSIGN_TO_ME': {
      await updateOpenThread(tx, input.threadId, { status: 'WAITING', assigneeId: input.agentId, queueTargetId: null });
      await recordThreadEvent(tx, input.threadId, 'ASSIGNED', { agentId: input.agentId, comment: disposition.comment });
      const [agent] = await getAgents(tx, input.agentId ? [input.agentId] : []);
      return `assigned to ${agent?.login ?? 'the sender'} (WAITING)`;
    }
    case 'TRANSFER': {
      const [target] = await getTransferTargets(tx, disposition.target ? [disposition.target.id] : []);
      if (!target) throw new Error(`transfer target ${disposition.target?.id} vanished after validation`);
      const toAgent = target.kind === 'AGENT' && target.agentId;
      await updateOpenThread(tx, input.threadId, {
        status: toAgent ? 'ASSIGNED' : 'NEW',
        assigneeId: toAgent ? target.agentId : null,
        queueTargetId: target.id,
        transferComment: disposition.comment ?? null,
      });
      await recordThreadEvent(tx, input.threadId, 'TRANSFERRED', { agentId: input.agentId, targetId: target.id, comment: disposition.comment });
      return `transferred to ${target.kind} ${target.name}`;
    }
  }
}
