import { takeChannelCapacity, type Pace } from '../../db/channelLimits.js';
import { getClients } from '../../db/clients.js';
import { createSendRecord, getSend } from '../../db/sends.js';
import { addMessage } from '../../db/messages.js';
import type { UserError } from '../../domain/errors.js';
import type { SendRequest } from '../../domain/send.js';
import { observeSendState } from '../../metrics.js';
import type { ActivityDeps } from './deps.js';
import { outboundMessage } from './reserve.js';
import { checkSendAndFallback } from './validate.js';

/** What the caller of a scheduled sendMessage is answered: scheduled, or refused with the reasons. */
export type Scheduling = { ok: true; messageId: string } | { ok: false; errors: UserError[] };

/**
 * R25, when a send is scheduled: refuse now what could never succeed (the session window judged
 * at sendAt; a thread active now may be closed by then, so it does not refuse), then write the
 * send SCHEDULED and its message, SCHEDULED, into the client's history, in one transaction.
 * Running it again finds what the first run decided.
 */
export function scheduleSendActivity(deps: ActivityDeps) {
  return async function scheduleSend(request: SendRequest): Promise<Scheduling> {
    const existing = await getSend(deps.db, request.sendId);
    if (existing?.state === 'SCHEDULED' && existing.messageId) return { ok: true, messageId: existing.messageId };
    if (existing?.state === 'REJECTED') return { ok: false, errors: existing.errors };

    const sendAt = new Date(request.sendAt!);
    const verdict = await checkSendAndFallback(deps, request, { at: sendAt, activeThreadRefuses: false });
    if (verdict.errors.length > 0) {
      const errors = verdict.errors;
      await createSendRecord(deps.db, request, { state: 'REJECTED', errors, steps: [{ name: 'schedule', state: 'REJECTED', detail: errors.map((e) => e.code).join(', ') }] });
      observeSendState(request.channel, 'REJECTED');
      return { ok: false, errors };
    }

    const values = await outboundMessage(deps, request);
    const messageId = await deps.db.transaction(async (tx) => {
      const id = await addMessage(tx, { ...values, threadId: null, status: 'SCHEDULED' });
      await createSendRecord(tx, request, {
        state: 'SCHEDULED', messageId: id, steps: [{ name: 'validate', state: 'PASSED' }, { name: 'schedule', state: 'SCHEDULED', detail: `due ${sendAt.toISOString()}` }],
      });
      return id;
    });
    return { ok: true, messageId };
  };
}

/**
 * R31, R33: a scheduled send that falls due goes when the stand's quiet hours are over and its
 * channel's limits take it (the same limits campaigns share); otherwise it is told until when to wait.
 */
export function paceDueSendActivity(deps: ActivityDeps) {
  return async function paceDueSend(request: SendRequest): Promise<Pace> {
    const [client] = await getClients(deps.db, [request.clientId]);
    if (!client) return { granted: 1, wait: null };
    return takeChannelCapacity(deps.db, { standId: client.standId, channel: request.channel, recipients: [request.clientId], at: new Date() });
  };
}
