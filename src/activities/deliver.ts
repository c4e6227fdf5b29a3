import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/activity';
import { PermanentDeliveryError } from '../channels/errors.js';
import { loadClientFacts } from '../db/clients.js';
import { moveMessageStatus } from '../db/messages.js';
import { messages } from '../db/schema.js';
import { recordSendProgress } from '../db/sends.js';
import { channelAddress } from '../domain/clientChannels.js';
import { DEFAULT_SUBJECT } from '../channels/email.js';
import type { Channel } from '../domain/enums.js';
import { renderTemplate } from '../domain/templates.js';
import { loadTemplateSpec } from '../db/templates.js';
import type { ActivityDeps } from './deps.js';

export interface DeliverInput {
  sendId: string;
  messageId: string;
  /** 1 for the first attempt; a person's retry (retrySend) starts the next one. */
  attempt: number;
}

export const PERMANENT_DELIVERY_FAILURE = 'PermanentDeliveryFailure';

export interface PermanentFailureDetails {
  failureCode: PermanentDeliveryError['failureCode'];
  providerCode: string | null;
  message: string;
}

/**
 * The id the provider knows an attempt by. Retries of one attempt reuse it, so edna's duplicate
 * check stops a second delivery (R21); a new attempt gets a new one, so edna does not drop it as a
 * duplicate. It is a UUID because edna's template endpoint takes only UUIDs.
 */
export function providerRequestId(messageId: string, attempt: number): string {
  if (attempt === 1) return messageId;
  const hex = createHash('sha256').update(`${messageId}:${attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const EDNA_CHANNELS: ReadonlySet<Channel> = new Set(['WHATSAPP', 'VIBER']);

/** Step 3: hand the message to its channel. SENT once the channel has taken it. */
export function deliverMessageActivity(deps: ActivityDeps) {
  return async function deliverMessage(input: DeliverInput): Promise<{ providerRequestId: string }> {
    const [message] = await deps.db.select().from(messages).where(eq(messages.id, input.messageId));
    if (!message) throw ApplicationFailure.nonRetryable(`message ${input.messageId} does not exist`, 'MissingMessage');
    const loaded = await loadClientFacts(deps.db, message.clientId);
    const address = loaded ? channelAddress(message.channel, loaded.facts) : null;
    if (!address) throw ApplicationFailure.nonRetryable(`the client has no ${message.channel} address any more`, PERMANENT_DELIVERY_FAILURE, {
      failureCode: 'PROVIDER_REJECTED', providerCode: null, message: `The client has no ${message.channel} address.`,
    } satisfies PermanentFailureDetails);
    const requestId = providerRequestId(message.id, input.attempt);
    await deps.db.update(messages).set({ providerRequestId: requestId, failureCode: null, failureProviderCode: null, failureMessage: null }).where(eq(messages.id, message.id));

    let note: string | null = input.attempt > 1 ? `attempt ${input.attempt}` : null;
    try {
      if (EDNA_CHANNELS.has(message.channel) && message.templateId) {
        const template = await loadTemplateSpec(deps.db, message.templateId);
        if (!template) throw new Error(`template ${message.templateId} vanished`);
        const rendered = renderTemplate(template, message.templateVariables ?? []);
        await deps.edna.sendTemplate({
          messageId: requestId, channel: message.channel, phone: address.replace(/\D+/g, ''),
          templateId: Number(template.row.externalId), textVariables: rendered.textVariables, headerVariables: rendered.headerVariables,
        });
      } else if (EDNA_CHANNELS.has(message.channel)) {
        await deps.edna.sendFreeForm({ requestId, channel: message.channel, phone: address.replace(/\D+/g, ''), text: message.text, attachment: null });
      } else if (message.channel === 'EMAIL') {
        const receipt = await deps.mailer.send({ messageId: requestId, to: address, bcc: message.bcc, subject: message.subject?.trim() || DEFAULT_SUBJECT, text: message.text ?? '', attachments: [] });
        // The client has the mail, so it is not sent again; the refused copies are shown instead.
        if (receipt.rejected.length > 0) note = [note, `the mail server refused ${receipt.rejected.join(', ')}`].filter(Boolean).join('; ');
      } else {
        throw ApplicationFailure.nonRetryable(`no transport is configured for ${message.channel}`, PERMANENT_DELIVERY_FAILURE, {
          failureCode: 'PROVIDER_REJECTED', providerCode: null, message: `${message.channel} has no transport configured.`,
        } satisfies PermanentFailureDetails);
      }
    } catch (err) {
      if (err instanceof PermanentDeliveryError) {
        throw ApplicationFailure.nonRetryable(err.message, PERMANENT_DELIVERY_FAILURE, {
          failureCode: err.failureCode, providerCode: err.providerCode, message: err.message,
        } satisfies PermanentFailureDetails);
      }
      throw err;
    }

    await deps.db.transaction(async (tx) => {
      await moveMessageStatus(tx, message.id, { status: 'SENT', note });
      await recordSendProgress(tx, input.sendId, { step: { name: 'deliver', state: 'ACCEPTED', detail: `${message.channel} took it as ${requestId}` } });
    });
    return { providerRequestId: requestId };
  };
}
