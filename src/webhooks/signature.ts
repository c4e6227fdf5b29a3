import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// R34: every POST is signed as Stripe signs its webhooks, so a receiver knows it came from Herald
// and was not replayed later: `Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
// keyed with the endpoint's secret. The README's verification snippet is verifySignature below.
// (What Herald receives from providers is checked elsewhere, src/channels/*/webhook.ts: another
// direction, other secrets.)

export const SIGNATURE_HEADER = 'Herald-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** A new endpoint secret: 32 random bytes, prefixed so a leaked one is recognisable. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signatureHeader(secret: string, body: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** True when `header` signs `body` with `secret` and its time is within the tolerance of now. */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, nowSeconds = Date.now() / 1000): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
