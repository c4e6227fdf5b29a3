import { createHmac, timingSafeEqual } from 'node:crypto';

// The channel gateway's signature, both ways (Herald → gateway sends, gateway → Herald statuses):
// `X-Herald-Signature: sha256=<lowercase hex of HMAC-SHA256(channel secret, raw body bytes)>`.
// The body is signed exactly as it travels; a receiver verifies the bytes it read, before parsing.

export const SIGNATURE_HEADER = 'X-Herald-Signature';
export const CHANNEL_HEADER = 'X-Herald-Channel';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Timing-safe: compares the HMACs, never the strings, so a mismatch tells nothing about where. */
export function signatureMatches(secret: string, body: string | Buffer, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(given.trim());
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const actual = Buffer.from(match[1]!, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
