import type { GatewayEndpoint } from '../../config.js';
import { isGatewayChannel, type GatewayChannel } from '../../domain/channels.js';
import { DELIVERY_FAILURE_CODES, type DeliveryFailureCode } from '../../domain/enums.js';
import { FAILURE_MESSAGES } from '../../domain/deliveryFailures.js';
import { callProvider, rateLimited } from '../http.js';
import { PermanentDeliveryError, TAKEN, TransientDeliveryError, type ChannelTransport, type OutgoingPart, type PartReceipt } from '../transport.js';
import { CHANNEL_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody } from './signature.js';

// Web chat, mobile app and Apple Business Messages through Herald's channel gateway: a JSON POST
// to the channel's URL (CHANNEL_<NAME>_URL), signed with the channel's secret (signature.ts), our
// id in Idempotency-Key so a retried POST is not delivered twice. 2xx (or 409: the gateway has
// that key already) means taken; 429 and 5xx may pass (429 after its Retry-After, RATE_LIMITED
// once the retries are spent, R29); 401 is a wrong secret on our side; any other 4xx refuses the
// message for good, with the gateway's `error` (a DeliveryFailureCode, R29's included) kept.
// Statuses come back on POST /webhooks/channel/status.

/** What the gateway receives (the README documents it). */
export interface GatewayPayload {
  /** Herald's id for this part; the idempotency key, and what status callbacks name. */
  messageId: string;
  channel: GatewayChannel;
  /** The client's id on the channel. */
  recipient: string;
  text: string | null;
  attachment: { url: string; name: string; mimeType: string; size: number } | null;
}

const isFailureCode = (v: unknown): v is DeliveryFailureCode => typeof v === 'string' && (DELIVERY_FAILURE_CODES as readonly string[]).includes(v);

export class GatewayClient implements ChannelTransport {
  constructor(private readonly endpoints: Readonly<Record<GatewayChannel, GatewayEndpoint | undefined>>, private readonly timeoutMs?: number) {}

  async deliver(part: OutgoingPart): Promise<PartReceipt> {
    if (!isGatewayChannel(part.channel)) throw new PermanentDeliveryError('PROVIDER_REJECTED', null, `${part.channel} does not go through the channel gateway.`);
    const channel = part.channel;
    const endpoint = this.endpoints[channel];
    if (!endpoint) throw new PermanentDeliveryError('PROVIDER_REJECTED', null, `${channel} has no gateway configured (CHANNEL_${channel}_URL).`);
    const a = part.attachment;
    const payload: GatewayPayload = {
      messageId: part.id, channel, recipient: part.address, text: part.text,
      attachment: a ? { url: a.url, name: a.name, mimeType: a.mimeType, size: a.size } : null,
    };
    const body = JSON.stringify(payload);
    const answer = await callProvider(`The ${channel} gateway`, endpoint.url, {
      headers: { [IDEMPOTENCY_HEADER]: part.id, [CHANNEL_HEADER]: channel, [SIGNATURE_HEADER]: signBody(endpoint.secret, body) },
      body,
      timeoutMs: this.timeoutMs,
    });
    if (answer.ok || answer.status === 409) return TAKEN;
    const refusal = answer.json<{ error?: unknown; message?: unknown }>() ?? {};
    const code = typeof refusal.error === 'string' ? refusal.error : null;
    const detail = typeof refusal.message === 'string' ? ` (${refusal.message})` : '';
    if (answer.status === 429) throw rateLimited(answer, code ?? 'http-429', `The ${channel} gateway asks to slow down${detail}`);
    if (answer.status >= 500) throw new TransientDeliveryError(code ?? `http-${answer.status}`, `The ${channel} gateway answered ${answer.status}${detail}`);
    if (answer.status === 401) {
      throw new TransientDeliveryError(code ?? 'http-401', `The ${channel} gateway refused our signature; check CHANNEL_${channel}_SECRET`);
    }
    const failureCode = isFailureCode(code) ? code : 'PROVIDER_REJECTED';
    throw new PermanentDeliveryError(failureCode, code ?? `http-${answer.status}`, `${FAILURE_MESSAGES[failureCode]} ${channel} gateway: ${code ?? answer.status}${detail}`);
  }
}
