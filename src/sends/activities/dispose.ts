import { getAgents, getTransferTargets } from '../../db/agents.js';
import { recordProgress } from './progress.js';
import { closeThread, recordThreadEvent, updateOpenThread } from '../../db/threads.js';
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

/** Step 4 (R12): what happens to the thread once the channel has the message. */
export function disposeThreadActivity(deps: ActivityDeps) {
  return async function disposeThread(input: DisposeInput): Promise<{ outcome: string }> {
    const { disposition } = input;
    const outcome = await deps.db.transaction(async (tx) => {
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
    });
    await recordProgress(deps.db, input.sendId, { step: { name: 'dispose', state: disposition.kind, detail: outcome } });
    return { outcome };
  };
}
