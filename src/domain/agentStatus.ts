import type { AgentStatus } from './enums.js';

// R1: Active, Out ("Active, doesn't receive threads") and Active-finishing may send.
const MAY_SEND: ReadonlySet<AgentStatus> = new Set(['ACTIVE', 'OUT', 'ACTIVE_FINISHING']);

export function maySend(status: AgentStatus): boolean {
  return MAY_SEND.has(status);
}

/** A break needs its reason (lunch, short, technical, training, meeting); other statuses carry none. */
export function statusReasonFor(status: AgentStatus, reason: string | null | undefined): string | null {
  return status === 'BREAK' ? (reason?.trim() || null) : null;
}
