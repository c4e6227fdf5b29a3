import type { Channel } from '../../domain/enums.js';
import { FAILURE_MESSAGES } from '../../domain/deliveryFailures.js';
import { callProvider, rateLimited, type ProviderAnswer } from '../http.js';
import { PermanentDeliveryError, TAKEN, TransientDeliveryError, type ChannelTransport, type OutgoingPart, type PartReceipt } from '../transport.js';
import { failureCodeForEdna } from './codes.js';

// The edna Pulse client for WhatsApp and Viber, as docs/edna.md ("Herald's side") binds it:
// X-API-KEY, our id as the idempotency key, 5xx and network faults transient (the activity's
// retry policy backs off), 429 transient after its Retry-After (RATE_LIMITED once the retries are
// spent, R29), 4xx permanent with edna's code kept.

export interface EdnaSettings {
  baseUrl: string;
  apiKey: string;
  whatsappSender: string;
  viberSender: string;
  whatsappCascadeId: number;
  viberCascadeId: number;
  timeoutMs?: number;
}

export interface EdnaTemplate {
  id: number;
  name: string;
  language?: string | null;
  category?: string | null;
  status: string;
  channelType: string;
  content: {
    header?: { text?: string | null } | null;
    text: string;
    footer?: { text?: string | null } | null;
    attachment?: unknown;
    buttons?: unknown[] | null;
  };
  variables?: Array<{ key: string; type: string; label?: string | null; options?: string[] | null }>;
}

/** edna limits an attachment's name to 70 characters (attachmentName-is-too-long). */
const MAX_ATTACHMENT_NAME = 70;

const contentKey = (channel: Channel) => {
  if (channel === 'WHATSAPP') return 'whatsappContent';
  if (channel === 'VIBER') return 'viberContent';
  throw new PermanentDeliveryError('PROVIDER_REJECTED', null, `edna carries WhatsApp and Viber, not ${channel}.`);
};

export class EdnaClient implements ChannelTransport {
  constructor(private readonly settings: EdnaSettings) {}

  /** A template part goes to the template endpoint; anything else is a one-stage cascade. */
  async deliver(part: OutgoingPart): Promise<PartReceipt> {
    const phone = part.address.replace(/\D+/g, '');
    if (part.template) {
      await this.post(`/api/v1/out-messages/${part.channel === 'WHATSAPP' ? 'whatsapp' : 'viber'}/template`, {
        messageId: part.id,
        sender: part.channel === 'WHATSAPP' ? this.settings.whatsappSender : this.settings.viberSender,
        phone,
        templateId: Number(part.template.externalId),
        textVariables: part.template.textVariables,
        headerVariables: part.template.headerVariables,
      });
      return TAKEN;
    }
    const attachment = part.attachment;
    await this.post('/api/cascade/schedule', {
      requestId: part.id,
      cascadeId: part.channel === 'WHATSAPP' ? this.settings.whatsappCascadeId : this.settings.viberCascadeId,
      subscriberFilter: { address: phone, type: 'PHONE' },
      content: {
        [contentKey(part.channel)]: attachment
          ? { contentType: attachment.kind, text: part.text ?? undefined, attachment: { url: attachment.url, name: attachment.name.slice(0, MAX_ATTACHMENT_NAME), size: attachment.size } }
          : { contentType: 'TEXT', text: part.text },
      },
    });
    return TAKEN;
  }

  async listTemplates(channel: Channel): Promise<EdnaTemplate[]> {
    return this.refusedOrOk(await this.call('GET', `/api/v1/templates?channelType=${channel}`)).json<EdnaTemplate[]>() ?? [];
  }

  private async post(path: string, body: unknown): Promise<void> {
    this.refusedOrOk(await this.call('POST', path, body));
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ProviderAnswer> {
    return callProvider('edna', `${this.settings.baseUrl}${path}`, {
      method, headers: { 'X-API-KEY': this.settings.apiKey }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), timeoutMs: this.settings.timeoutMs,
    });
  }

  private refusedOrOk(answer: ProviderAnswer): ProviderAnswer {
    if (answer.ok) return answer;
    const body = answer.json<{ title?: unknown; code?: unknown; detail?: unknown }>();
    const code = [body?.title, body?.code].find((v): v is string => typeof v === 'string' && /^[a-z][a-zA-Z-]+$/.test(v)) ?? null;
    // Our id is unique per attempt, so edna knowing it means an earlier try got through.
    if (answer.status === 400 && code === 'requestId-is-not-unique') return answer;
    const named = code ? ` (${code})` : '';
    if (answer.status === 429) throw rateLimited(answer, code, `edna asks to slow down${named}`);
    if (answer.status >= 500) throw new TransientDeliveryError(code, `edna answered ${answer.status}${named}`);
    if (answer.status === 401 || answer.status === 403) {
      // A wrong key is our fault, not the message's: retrying after the operator fixes it may pass.
      throw new TransientDeliveryError(code ?? 'unauthorized', `edna refused our API key (${answer.status}); check EDNA_API_KEY`);
    }
    const failureCode = failureCodeForEdna(code) ?? 'PROVIDER_REJECTED';
    const detail = typeof body?.detail === 'string' ? ` (${body.detail})` : '';
    throw new PermanentDeliveryError(failureCode, code ?? `http-${answer.status}`, `${FAILURE_MESSAGES[failureCode]} edna: ${code ?? answer.status}${detail}`);
  }
}
