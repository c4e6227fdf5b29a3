import type { MessageStatus } from './enums.js';

// R19: a message only moves forward. PENDING < SENT < DELIVERED < READ, and the final failures
// end it from wherever it is; nothing leaves a final status.
const RANK: Record<MessageStatus, number> = {
  PENDING: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  UNDELIVERED: 4,
  FAILED: 4,
  EXPIRED: 4,
  CANCELLED: 4,
};

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['READ', 'UNDELIVERED', 'FAILED', 'EXPIRED', 'CANCELLED']);

export function isFinal(status: MessageStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** Progress of a delivered message; failures rank above all, as they end it. */
export function statusRank(status: MessageStatus): number {
  return RANK[status];
}

export function canMoveTo(from: MessageStatus, to: MessageStatus): boolean {
  if (isFinal(from)) return false;
  return RANK[to] > RANK[from];
}
