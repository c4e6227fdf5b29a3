import type { Channel } from '../../domain/enums.js';
import { FAILURE_MESSAGES, failureCodeForEdna } from './codes.js';
import { PermanentDeliveryError, TransientDeliveryError } from '../transport.js';

// The edna Pulse client for WhatsApp and Viber, as edna-reference.md ("Herald's side") binds it:
// X-API-KEY, our id as the idempotency key, 5xx and network faults transient (the activity's
// retry policy backs off), 4xx permanent with edna's code kept.

export interface EdnaSettings {
  baseUrl: string;
  apiKey: string;
  whatsappSender: string;
  viberSender: string;
  whatsappCascadeId: number;
  viberCascadeId: number;
  timeoutMs?: number;
}

export interface FreeFormMessage {
  requestId: string;
  channel: Channel;
  phone: string; // digits
  text: string | null;
  attachment: { url: string; name: string; size: number; contentType: 'IMAGE' | 'DOCUMENT' | 'VIDEO' | 'AUDIO' } | null;
}

export interface TemplateMessage {
  messageId: string;
  channel: Channel;
  phone: string;
  templateId: number;
  textVariables: string[];
  headerVariables: string[];
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

const contentKey = (channel: Channel) => {
  if (channel === 'WHATSAPP') return 'whatsappContent';
  if (channel === 'VIBER') return 'viberContent';
  throw new Error(`edna carries WhatsApp and Viber, not ${channel}`);
};

export class EdnaClient {
  constructor(private readonly settings: EdnaSettings) {}

  async sendFreeForm(message: FreeFormMessage): Promise<void> {
    const cascadeId = message.channel === 'WHATSAPP' ? this.settings.whatsappCascadeId : this.settings.viberCascadeId;
    const body = {
      requestId: message.requestId,
      cascadeId,
      subscriberFilter: { address: message.phone, type: 'PHONE' },
      content: {
        [contentKey(message.channel)]: message.attachment
          ? { contentType: message.attachment.contentType, text: message.text ?? undefined, attachment: { url: message.attachment.url, name: message.attachment.name, size: message.attachment.size } }
          : { contentType: 'TEXT', text: message.text },
      },
    };
    await this.post('/api/cascade/schedule', body);
  }

  async sendTemplate(message: TemplateMessage): Promise<void> {
    const path = `/api/v1/out-messages/${message.channel === 'WHATSAPP' ? 'whatsapp' : 'viber'}/template`;
    await this.post(path, {
      messageId: message.messageId,
      sender: message.channel === 'WHATSAPP' ? this.settings.whatsappSender : this.settings.viberSender,
      phone: message.phone,
      templateId: message.templateId,
      textVariables: message.textVariables,
      headerVariables: message.headerVariables,
    });
  }

  async listTemplates(channel: Channel): Promise<EdnaTemplate[]> {
    const response = await this.request('GET', `/api/v1/templates?channelType=${channel}`);
    return (await response.json()) as EdnaTemplate[];
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await this.request('POST', path, body);
    await response.arrayBuffer();
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.baseUrl}${path}`, {
        method,
        headers: { 'X-API-KEY': this.settings.apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new TransientDeliveryError(null, `edna did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (response.ok) return response;
    const text = await response.text();
    const code = ednaErrorCode(text);
    // Our id is unique per attempt, so edna knowing it means an earlier try got through.
    if (response.status === 400 && code === 'requestId-is-not-unique') return new Response('{}', { status: 200 });
    if (response.status >= 500 || response.status === 429) {
      throw new TransientDeliveryError(code, `edna answered ${response.status}${code ? ` (${code})` : ''}`);
    }
    if (response.status === 401 || response.status === 403) {
      // A wrong key is our fault, not the message's: retrying after the operator fixes it may pass.
      throw new TransientDeliveryError(code ?? 'unauthorized', `edna refused our API key (${response.status}); check EDNA_API_KEY`);
    }
    const failureCode = failureCodeForEdna(code) ?? 'PROVIDER_REJECTED';
    throw new PermanentDeliveryError(failureCode, code ?? `http-${response.status}`, `${FAILURE_MESSAGES[failureCode]} edna: ${code ?? response.status}${detail(text)}`);
  }
}

function ednaErrorCode(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { title?: unknown; code?: unknown; detail?: unknown };
    for (const value of [parsed.title, parsed.code]) if (typeof value === 'string' && /^[a-z][a-zA-Z-]+$/.test(value)) return value;
    return null;
  } catch {
    return null;
  }
}

function detail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown };
    return typeof parsed.detail === 'string' ? ` (${parsed.detail})` : '';
  } catch {
    return '';
  }
}
