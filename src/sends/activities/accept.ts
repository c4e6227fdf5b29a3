import { createSendRecord, findDecision, sendRecording } from '../../db/sends.js';
import type { SendState } from '../../domain/enums.js';
import type { UserError } from '../../domain/errors.js';
import type { SendRequest } from '../../domain/send.js';
import { observeSendState } from '../../metrics.js';
import type { ActivityDeps } from './deps.js';
import { conflictStep, reserve, reservedStep } from './reserve.js';
import { checkSendAndFallback } from './validate.js';

/** What the caller of sendMessage is answered: reserved, or refused with the reasons. */
export type Acceptance =
  | { ok: true; messageId: string; threadId: string | null }
  | { ok: false; state: Extract<SendState, 'REJECTED' | 'CONFLICT'>; errors: UserError[]; conflictThreadId: string | null };

const PASSED = { name: 'validate', state: 'PASSED' as const };

/**
 * Steps 1 and 2 in one (a local activity: the answer needs no round trip through the Temporal
 * server): check the send against the rules (R1–R16), then reserve its thread and message and
 * write the send's record, in one transaction (R6, R7, R11). Running it again finds the decision
 * the first run made.
 */
export function acceptSendActivity(deps: ActivityDeps) {
  return async function acceptSend(request: SendRequest): Promise<Acceptance> {
    const decided = await decisionMade(deps, request.sendId);
    if (decided) return decided;

    // A scheduled send falling due (R25) was the agent's decision when they made it, in a status that allowed it.
    const verdict = await checkSendAndFallback(deps, request, request.sendAt ? { agentStatusCounts: false } : {});
    if (verdict.errors.length > 0) {
      const conflict = verdict.errors.some((e) => e.code === 'ACTIVE_THREAD_EXISTS');
      const state = conflict ? 'CONFLICT' : 'REJECTED';
      const codes = verdict.errors.map((e) => e.code).join(', ');
      await createSendRecord(deps.db, request, {
        state, errors: verdict.errors, steps: [{ name: 'validate', state, detail: conflict && verdict.activeThreadId ? `${codes}: thread ${verdict.activeThreadId}` : codes }],
      });
      observeSendState(request.channel, state);
      return { ok: false, state, errors: verdict.errors, conflictThreadId: conflict ? verdict.activeThreadId : null };
    }

    const reservation = await reserve(deps, request, {
      reserved: (tx, { messageId, threadId }) => sendRecording(tx, request, { state: 'DELIVERING', messageId, threadId, steps: [PASSED, reservedStep(threadId)] }),
      conflict: async (errors, activeThreadId) => {
        await createSendRecord(deps.db, request, { state: 'CONFLICT', errors, steps: [PASSED, conflictStep(activeThreadId)] });
        observeSendState(request.channel, 'CONFLICT');
      },
    });
    if (reservation.ok) return reservation;
    return { ok: false, state: 'CONFLICT', errors: reservation.errors, conflictThreadId: reservation.conflictThreadId };
  };
}

/** A decision already recorded for this send (this activity ran before and its answer was lost). */
async function decisionMade(deps: ActivityDeps, sendId: string): Promise<Acceptance | null> {
  const row = await findDecision(deps.db, sendId);
  if (!row) return null;
  if (row.reservation) return { ok: true, ...row.reservation };
  if (row.state === 'REJECTED' || row.state === 'CONFLICT') {
    const conflictThreadId = row.state === 'CONFLICT' ? /thread ([0-9a-f-]{36})/.exec(row.steps.at(-1)?.detail ?? '')?.[1] ?? null : null;
    return { ok: false, state: row.state, errors: row.errors, conflictThreadId };
  }
  return null;
}
