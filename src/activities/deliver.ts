import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/activity';
import type { FreeFormMessage } from '../channels/edna.js';
import { DEFAULT_SUBJECT } from '../channels/email.js';
import { PermanentDeliveryError } from '../channels/errors.js';
import { getAttachment, readAttachmentChunks } from '../db/attachmentStore.js';
import { loadClientFacts } from '../db/clients.js';
import { moveMessageStatus, type AttachmentRow, type MessageRow } from '../db/messages.js';
import { messageParts, messages } from '../db/schema.js';
import { recordSendProgress } from '../db/sends.js';
import { loadTemplateSpec } from '../db/templates.js';
import { attachmentKindFor, capabilitiesOf } from '../domain/channels.js';
import { channelAddress } from '../domain/clientChannels.js';
import type { Channel } from '../domain/enums.js';
import { renderTemplate } from '../domain/templates.js';
import type { ActivityDeps } from './deps.js';

export interface DeliverInput {
  sendId: string;
  messageId: string;
  /** 1 for the first attempt; a person's retry (retrySend) starts the next one. */
  attempt: number;
}

export interface DeliveredPart {
  providerRequestId: string;
  kind: 'TEXT' | 'ATTACHMENT' | 'TEMPLATE' | 'ALL';
}

export const PERMANENT_DELIVERY_FAILURE = 'PermanentDeliveryFailure';

export interface PermanentFailureDetails {
  failureCode: PermanentDeliveryError['failureCode'];
  providerCode: string | null;
  message: string;
}

/**
 * The id the provider knows a part of an attempt by. Retries of one attempt reuse it, so edna's
 * duplicate check stops a second delivery (R21); a new attempt gets new ones, so edna does not
 * drop it as a duplicate. UUIDs, because edna's template endpoint takes only UUIDs.
 */
export function providerRequestId(messageId: string, attempt: number, part = 0): string {
  if (attempt === 1 && part === 0) return messageId;
  const hex = createHash('sha256').update(`${messageId}:${attempt}:${part}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const EDNA_CHANNELS: ReadonlySet<Channel> = new Set(['WHATSAPP', 'VIBER']);

const permanent = (message: string) =>
  ApplicationFailure.nonRetryable(message, PERMANENT_DELIVERY_FAILURE, { failureCode: 'PROVIDER_REJECTED', providerCode: null, message } satisfies PermanentFailureDetails);

/** What goes to the provider, in order: text with an attachment is two messages where the channel has no caption. */
function planParts(message: MessageRow): Array<DeliveredPart['kind']> {
  if (message.templateId) return ['TEMPLATE'];
  if (!message.attachmentId) return ['TEXT'];
  if (!message.text || capabilitiesOf(message.channel).captionWithAttachment) return [message.text ? 'ALL' : 'ATTACHMENT'];
  return ['ATTACHMENT', 'TEXT'];
}

/** Step 3: hand the message to its channel. SENT once the channel has taken every part. */
export function deliverMessageActivity(deps: ActivityDeps) {
  const fileUrl = (a: AttachmentRow) => `${deps.config.publicBaseUrl}/files/${a.accessToken}/${encodeURIComponent(a.fileName)}`;

  async function sendOverEdna(message: MessageRow, phone: string, kind: DeliveredPart['kind'], requestId: string, attachment: AttachmentRow | null) {
    if (kind === 'TEMPLATE') {
      const template = await loadTemplateSpec(deps.db, message.templateId!);
      if (!template) throw permanent(`template ${message.templateId} no longer exists`);
      const rendered = renderTemplate(template, message.templateVariables ?? []);
      await deps.edna.sendTemplate({
        messageId: requestId, channel: message.channel, phone, templateId: Number(template.row.externalId),
        textVariables: rendered.textVariables, headerVariables: rendered.headerVariables,
      });
      return;
    }
    let file: FreeFormMessage['attachment'] = null;
    if (kind !== 'TEXT' && attachment) {
      const attachmentKind = attachmentKindFor(message.channel, attachment.mimeType);
      if (!attachmentKind) throw permanent(`${message.channel} does not take ${attachment.mimeType} files`);
      file = { url: fileUrl(attachment), name: attachment.fileName.slice(0, 70), size: attachment.size, contentType: attachmentKind.kind };
    }
    await deps.edna.sendFreeForm({ requestId, channel: message.channel, phone, text: kind === 'ATTACHMENT' ? null : message.text, attachment: file });
  }

  return async function deliverMessage(input: DeliverInput): Promise<{ providerRequestId: string; parts: DeliveredPart[] }> {
    const [message] = await deps.db.select().from(messages).where(eq(messages.id, input.messageId));
    if (!message) throw ApplicationFailure.nonRetryable(`message ${input.messageId} does not exist`, 'MissingMessage');
    const loaded = await loadClientFacts(deps.db, message.clientId);
    const address = loaded ? channelAddress(message.channel, loaded.facts) : null;
    if (!address) throw permanent(`The client has no ${message.channel} address.`);
    const attachment = message.attachmentId ? await getAttachment(deps.db, message.attachmentId) : null;
    if (message.attachmentId && !attachment) throw permanent('The attachment no longer exists.');

    const parts = planParts(message).map((kind, i) => ({ kind, providerRequestId: providerRequestId(message.id, input.attempt, i) }));
    // Recorded before anything is sent: a callback may overtake this activity's own completion.
    await deps.db.insert(messageParts).values(parts.map((p, i) => ({
      messageId: message.id, seq: (input.attempt - 1) * 10 + i, kind: p.kind, providerRequestId: p.providerRequestId, status: 'PENDING' as const,
    }))).onConflictDoNothing();
    await deps.db.update(messages).set({ failureCode: null, failureProviderCode: null, failureMessage: null }).where(eq(messages.id, message.id));

    let note: string | null = input.attempt > 1 ? `attempt ${input.attempt}` : null;
    try {
      for (const part of parts) {
        if (EDNA_CHANNELS.has(message.channel)) {
          await sendOverEdna(message, address.replace(/\D+/g, ''), part.kind, part.providerRequestId, attachment);
        } else if (message.channel === 'EMAIL') {
          const receipt = await deps.mailer.send({
            messageId: part.providerRequestId, to: address, bcc: message.bcc, subject: message.subject?.trim() || DEFAULT_SUBJECT, text: message.text ?? '',
            attachments: attachment ? [{ filename: attachment.fileName, contentType: attachment.mimeType, content: Readable.from(readAttachmentChunks(deps.db, attachment.id)) }] : [],
          });
          // The client has the mail, so it is not sent again; the refused copies are shown instead.
          if (receipt.rejected.length > 0) note = [note, `the mail server refused ${receipt.rejected.join(', ')}`].filter(Boolean).join('; ');
        } else {
          throw permanent(`${message.channel} has no transport configured.`);
        }
      }
    } catch (err) {
      if (err instanceof PermanentDeliveryError) {
        throw ApplicationFailure.nonRetryable(err.message, PERMANENT_DELIVERY_FAILURE, {
          failureCode: err.failureCode, providerCode: err.providerCode, message: err.message,
        } satisfies PermanentFailureDetails);
      }
      throw err;
    }

    if (parts.length > 1) note = [note, `sent as ${parts.length} messages: ${parts.map((p) => p.kind.toLowerCase()).join(', then ')}`].filter(Boolean).join('; ');
    await deps.db.transaction(async (tx) => {
      await moveMessageStatus(tx, message.id, { status: 'SENT', note });
      await recordSendProgress(tx, input.sendId, { step: { name: 'deliver', state: 'ACCEPTED', detail: `${message.channel} took ${parts.map((p) => p.providerRequestId).join(', ')}` } });
    });
    return { providerRequestId: parts[0]!.providerRequestId, parts };
  };
}
