import type { GatewayEndpoint } from '../../config.js';
import type { GatewayChannel } from '../../domain/channels.js';
import { DELIVERY_FAILURE_CODES, type DeliveryFailureCode } from '../../domain/enums.js';
import { FAILURE_MESSAGES } from '../edna/codes.js';
import { PermanentDeliveryError, TransientDeliveryError } from '../transport.js';
import { CHANNEL_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody } from './signature.js';

// Web chat, mobile app and Apple Business Messages through Herald's channel gateway: a JSON POST
// to the channel's URL (CHANNEL_<NAME>_URL), signed with the channel's secret (signature.ts), our
// id in Idempotency-Key so a retried POST is not delivered twice. 2xx (or 409: the gateway has
// that key already) means taken; 429 and 5xx may pass (429 after its Retry-After); 401 is a wrong
// secret on our side; any other 4xx refuses the message for good, with the gateway's `error`
// (a DeliveryFailureCode) kept. Statuses come back on POST /webhooks/channel/status.

export interface GatewayMessage {
  /** Herald's id for this part; the idempotency key, and what status callbacks name. */
  messageId: string;
  channel: GatewayChannel;
  /** The client's id on the channel. */
  recipient: string;
  text: string | null;
  attachment: { url: string; name: string; mimeType: string; size: number } | null;
}

/** What the gateway receives (the README documents it). */
export interface GatewayPayload {
  messageId: string;
  channel: GatewayChannel;
  recipient: string;
  text: string | null;
  attachment: GatewayMessage['attachment'];
}

const isFailureCode = (v: unknown): v is DeliveryFailureCode => typeof v === 'string' && (DELIVERY_FAILURE_CODES as readonly string[]).includes(v);

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header.trim()) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class GatewayClient {
  constructor(private readonly endpoints: Readonly<Record<GatewayChannel, GatewayEndpoint | undefined>>, private readonly timeoutMs = 15_000) {}

  async send(message: GatewayMessage): Promise<void> {
    const endpoint = this.endpoints[message.channel];
    if (!endpoint) throw new PermanentDeliveryError('PROVIDER_REJECTED', null, `${message.channel} has no gateway configured (CHANNEL_${message.channel}_URL).`);
    const payload: GatewayPayload = {
      messageId: message.messageId, channel: message.channel, recipient: message.recipient, text: message.text, attachment: message.attachment,
    };
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [IDEMPOTENCY_HEADER]: message.messageId,
          [CHANNEL_HEADER]: message.channel,
          [SIGNATURE_HEADER]: signBody(endpoint.secret, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new TransientDeliveryError(null, `The ${message.channel} gateway did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await response.text();
    if (response.ok || response.status === 409) return;
    let answer: { error?: unknown; message?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // not JSON: judged by the status alone
    }
    const code = typeof answer.error === 'string' ? answer.error : null;
    const detail = typeof answer.message === 'string' ? ` (${answer.message})` : '';
    if (response.status === 429) {
      throw new TransientDeliveryError(code ?? 'http-429', `The ${message.channel} gateway asks to slow down${detail}`, retryAfterMs(response.headers.get('retry-after')));
    }
    if (response.status >= 500) throw new TransientDeliveryError(code ?? `http-${response.status}`, `The ${message.channel} gateway answered ${response.status}${detail}`);
    if (response.status === 401) {
      throw new TransientDeliveryError(code ?? 'http-401', `The ${message.channel} gateway refused our signature; check CHANNEL_${message.channel}_SECRET`);
    }
    const failureCode = isFailureCode(code) ? code : 'PROVIDER_REJECTED';
    throw new PermanentDeliveryError(failureCode, code ?? `http-${response.status}`, `${FAILURE_MESSAGES[failureCode]} ${message.channel} gateway: ${code ?? response.status}${detail}`);
  }
}
