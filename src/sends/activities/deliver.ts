import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/activity';
import type { FreeFormMessage } from '../../channels/edna/client.js';
import { DEFAULT_SUBJECT } from '../../channels/email/mailer.js';
import { PermanentDeliveryError, TransientDeliveryError } from '../../channels/transport.js';
import { getAttachment, readAttachmentChunks } from '../../db/attachments.js';
import { loadClientFacts } from '../../db/clients.js';
import { moveMessageStatus, type AttachmentRow, type MessageRow } from '../../db/messages.js';
import { messageParts, messages } from '../../db/schema.js';
import { recordSendProgress } from '../../db/sends.js';
import { loadTemplateSpec } from '../../db/templates.js';
import { attachmentKindFor, capabilitiesOf, isGatewayChannel } from '../../domain/channels.js';
import { channelAddress } from '../../domain/clientChannels.js';
import type { Channel } from '../../domain/enums.js';
import { renderTemplate } from '../../domain/templates.js';
import type { ActivityDeps } from './deps.js';
import { PERMANENT_DELIVERY_FAILURE, TRANSIENT_DELIVERY_FAILURE, type PermanentFailureDetails } from '../contract.js';

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

const permanent = (message: string) =>
  ApplicationFailure.nonRetryable(message, PERMANENT_DELIVERY_FAILURE, { failureCode: 'PROVIDER_REJECTED', providerCode: null, message } satisfies PermanentFailureDetails);

/**
 * What goes to the provider, in order: text with an attachment is two messages where the channel
 * has no caption, or the text is longer than its captions may be (Telegram: 1024).
 */
export function planParts(message: Pick<MessageRow, 'channel' | 'templateId' | 'attachmentId' | 'text'>): Array<DeliveredPart['kind']> {
  if (message.templateId) return ['TEMPLATE'];
  if (!message.attachmentId) return ['TEXT'];
  const caps = capabilitiesOf(message.channel);
  if (!message.text || (caps.captionWithAttachment && message.text.length <= caps.captionMax)) return [message.text ? 'ALL' : 'ATTACHMENT'];
  return ['ATTACHMENT', 'TEXT'];
}

/** SENT is the last status a channel without receipts can give: the history says so (R19). */
export function noReceiptsNote(channel: Channel): string | null {
  const caps = capabilitiesOf(channel);
  return caps.deliveryReceipts ? null : `${caps.label} gives no delivery receipts: SENT is the last status`;
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

  /** R9 again at the door: a file the channel does not take is refused, never sent. */
  function attachmentKindOrRefuse(message: MessageRow, attachment: AttachmentRow) {
    const kind = attachmentKindFor(message.channel, attachment.mimeType);
    if (!kind) throw permanent(`${message.channel} does not take ${attachment.mimeType} files`);
    return kind.kind;
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

    // A retry of this attempt skips the parts the channel took already: Telegram has no
    // idempotency key, and a client must not get the first part twice (R21).
    const done = new Set((await deps.db.select({ id: messageParts.providerRequestId }).from(messageParts)
      .where(and(eq(messageParts.messageId, message.id), inArray(messageParts.providerRequestId, parts.map((p) => p.providerRequestId)), eq(messageParts.status, 'SENT'))))
      .map((r) => r.id));

    let note: string | null = input.attempt > 1 ? `attempt ${input.attempt}` : null;
    const transport = capabilitiesOf(message.channel).transport;
    try {
      for (const part of parts) {
        if (done.has(part.providerRequestId)) continue;
        if (transport === 'EDNA') {
          await sendOverEdna(message, address.replace(/\D+/g, ''), part.kind, part.providerRequestId, attachment);
        } else if (transport === 'SMTP') {
          const receipt = await deps.mailer.send({
            messageId: part.providerRequestId, to: address, bcc: message.bcc, subject: message.subject?.trim() || DEFAULT_SUBJECT, text: message.text ?? '',
            attachments: attachment ? [{ filename: attachment.fileName, contentType: attachment.mimeType, content: Readable.from(readAttachmentChunks(deps.db, attachment.id)) }] : [],
          });
          // The client has the mail, so it is not sent again; the refused copies are shown instead.
          if (receipt.rejected.length > 0) note = [note, `the mail server refused ${receipt.rejected.join(', ')}`].filter(Boolean).join('; ');
        } else if (transport === 'TELEGRAM_BOT_API') {
          if (!deps.telegram) throw permanent('Telegram is not connected on this Herald (TELEGRAM_BOT_TOKEN).');
          const file = part.kind !== 'TEXT' && attachment ? { url: fileUrl(attachment), kind: attachmentKindOrRefuse(message, attachment) } : null;
          await deps.telegram.send({ address, text: part.kind === 'ATTACHMENT' ? null : message.text, attachment: file });
        } else if (isGatewayChannel(message.channel)) {
          if (attachment && part.kind !== 'TEXT') attachmentKindOrRefuse(message, attachment);
          await deps.gateway.send({
            messageId: part.providerRequestId, channel: message.channel, recipient: address,
            text: part.kind === 'ATTACHMENT' ? null : message.text,
            attachment: part.kind !== 'TEXT' && attachment ? { url: fileUrl(attachment), name: attachment.fileName, mimeType: attachment.mimeType, size: attachment.size } : null,
          });
        } else {
          throw permanent(`${message.channel} has no transport configured.`);
        }
        await deps.db.update(messageParts).set({ status: 'SENT' }).where(eq(messageParts.providerRequestId, part.providerRequestId));
      }
    } catch (err) {
      if (err instanceof PermanentDeliveryError) {
        throw ApplicationFailure.nonRetryable(err.message, PERMANENT_DELIVERY_FAILURE, {
          failureCode: err.failureCode, providerCode: err.providerCode, message: err.message,
        } satisfies PermanentFailureDetails);
      }
      // The channel named when to come back (Telegram's retry_after, a gateway's Retry-After):
      // the activity's next try waits that long instead of the policy's backoff (R20).
      if (err instanceof TransientDeliveryError && err.retryAfterMs !== undefined) {
        throw ApplicationFailure.create({
          message: err.message, type: TRANSIENT_DELIVERY_FAILURE, details: [{ providerCode: err.providerCode }], nextRetryDelay: Math.max(1, err.retryAfterMs),
        });
      }
      throw err;
    }

    const noReceipts = noReceiptsNote(message.channel);
    if (noReceipts) note = [note, noReceipts].filter(Boolean).join('; ');
    if (parts.length > 1) note = [note, `sent as ${parts.length} messages: ${parts.map((p) => p.kind.toLowerCase()).join(', then ')}`].filter(Boolean).join('; ');
    await deps.db.transaction(async (tx) => {
      await moveMessageStatus(tx, message.id, { status: 'SENT', note });
      await recordSendProgress(tx, input.sendId, { step: { name: 'deliver', state: 'ACCEPTED', detail: `${message.channel} took ${parts.map((p) => p.providerRequestId).join(', ')}` } });
    });
    return { providerRequestId: parts[0]!.providerRequestId, parts };
  };
}
