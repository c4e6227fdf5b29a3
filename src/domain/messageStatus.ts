import { MESSAGE_STATUSES, type MessageStatus } from './enums.js';

// The one source of the message status sets. R19: a message only moves forward. SCHEDULED (R25) <
// PENDING < SENT <
// DELIVERED < READ, and the final failures end it from wherever it is; nothing leaves a final status.
const RANK: Record<MessageStatus, number> = {
  SCHEDULED: -1,
  PENDING: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  UNDELIVERED: 4,
  FAILED: 4,
  EXPIRED: 4,
  CANCELLED: 4,
};

/** The statuses that end a message in a failure: the thread it reserved is released (R20). */
export const FAILURE_STATUSES: ReadonlySet<MessageStatus> = new Set(['UNDELIVERED', 'FAILED', 'EXPIRED', 'CANCELLED']);
/** Nothing moves a message on from these. */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['READ', ...FAILURE_STATUSES]);

export function isFinal(status: MessageStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export function endsInFailure(status: MessageStatus): boolean {
  return FAILURE_STATUSES.has(status);
}

/** Progress of a delivered message; failures rank above all, as they end it. */
export function statusRank(status: MessageStatus): number {
  return RANK[status];
}

export function canMoveTo(from: MessageStatus, to: MessageStatus): boolean {
  if (isFinal(from)) return false;
  // A scheduled message (R25) goes out as PENDING, or ends without going out.
  if (from === 'SCHEDULED') return to === 'PENDING' || endsInFailure(to);
  return RANK[to] > RANK[from];
}

/** The statuses a message may move to `to` from (R19), for a statement that checks it itself. */
export function statusesMovableTo(to: MessageStatus): MessageStatus[] {
  return MESSAGE_STATUSES.filter((from) => canMoveTo(from, to));
}
