import type { DeliveryFailureCode } from '../domain/enums.js';

/**
 * The channel refused the message for good (a 4xx, an unknown recipient): retrying cannot help.
 * Anything else a channel throws is taken as transient and retried with backoff (R20).
 */
export class PermanentDeliveryError extends Error {
  constructor(readonly failureCode: DeliveryFailureCode, readonly providerCode: string | null, message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export class TransientDeliveryError extends Error {
  constructor(readonly providerCode: string | null, message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'TransientDeliveryError';
  }
}
