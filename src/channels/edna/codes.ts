import type { DeliveryFailureCode, MessageStatus } from '../../domain/enums.js';

// edna's words mapped to Herald's (R19). Codes edna may add later fall back to PROVIDER_REJECTED
// and keep the edna code beside it, so nothing is lost.

const FAILURE_CODES: Record<string, DeliveryFailureCode> = {
  'not-template-match': 'TEMPLATE_MISMATCH',
  'matched-template-not-found': 'TEMPLATE_MISMATCH',
  'not-whatsapp-user': 'NOT_CHANNEL_USER',
  'not-viber-user': 'NOT_CHANNEL_USER',
  'user-blocked': 'BLOCKED_BY_USER',
  'error-system': 'PROVIDER_ERROR',
  // R29: the phone is not one edna can address.
  'error-address-format': 'INVALID_DESTINATION',
  'error-insufficient-balance': 'PROVIDER_ERROR',
  'error-subject-unknown': 'PROVIDER_REJECTED',
};

/** edna faults that may pass on their own: the send waits for a retry instead of failing. */
export const TRANSIENT_EDNA_ERRORS: ReadonlySet<string> = new Set(['error-system', 'error-insufficient-balance']);

export function failureCodeForEdna(code: string | null | undefined): DeliveryFailureCode | null {
  if (!code) return null;
  return FAILURE_CODES[code] ?? 'PROVIDER_REJECTED';
}

const STATUSES: Record<string, MessageStatus | null> = {
  SENT: 'SENT',
  DELIVERED: 'DELIVERED',
  READ: 'READ',
  UNDELIVERED: 'UNDELIVERED',
  FAILED: 'FAILED',
  EXPIRED: 'EXPIRED',
  CANCELLED: 'CANCELLED',
  // Still on edna's side: nothing new for the client's history.
  DELAYED: null,
  ENQUEUED: null,
};

/** undefined: not an edna status at all (a malformed callback). */
export function messageStatusForEdna(status: string): MessageStatus | null | undefined {
  return status in STATUSES ? STATUSES[status] : undefined;
}
