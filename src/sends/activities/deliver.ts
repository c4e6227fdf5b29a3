import { logger } from '../../log.js';
import { noteProviderThrottle } from '../../db/channelLimits.js';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { PermanentDeliveryError, TransientDeliveryError, type OutgoingPart } from '../../channels/transport.js';
import { attachmentUrl, getAttachment, readAttachmentChunks, type AttachmentRow } from '../../db/attachments.js';
import { loadMessageToDeliver } from '../../db/sendFacts.js';
import { clientWroteInSince, markPartTaken, moveMessageStatus, partsTaken, recordAttemptParts, type MessageRow } from '../../db/messages.js';
import type { SendStepRecord } from '../../db/schema.js';
import { getSend, type SendRow } from '../../db/sends.js';
import type { Tx } from '../../db/connection.js';
import type { SendState } from '../../domain/enums.js';
import { disposeThreadIn, type DisposeInput } from './dispose.js';
import { recordProgress } from './progress.js';
import { observeSendLatency } from '../../metrics.js';
import { sendLogger } from '../../log.js';
import { loadTemplateSpec, type LoadedTemplate } from '../../db/templates.js';
import { attachmentKindFor, capabilitiesOf } from '../../domain/channels.js';
import { channelAddress } from '../../domain/clientChannels.js';
import type { Channel } from '../../domain/enums.js';
import { renderTemplate } from '../../domain/templates.js';
import type { ActivityDeps } from './deps.js';
import { PERMANENT_DELIVERY_FAILURE, TRANSIENT_DELIVERY_FAILURE, type PermanentFailureDetails, type TransientFailureDetails } from '../contract.js';

export interface DeliverInput {
  sendId: string;
  messageId: string;
  /** 1 for the first attempt; a person's retry (retrySend) starts the next one. */
  attempt: number;
  /**
   * What the send does once the channel has the message, written in the same activity (no round
   * trip through the Temporal server): the thread's disposition (the first time only) and the
   * state the send waits in. Absent in sends begun before this was so (old histories).
   */
  then?: AfterDelivery;
}

export interface AfterDelivery {
  dispose: Omit<DisposeInput, 'sendId'> | null;
  state: SendState;
  step: Omit<SendStepRecord, 'at'>;
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

/** R31: the longest a provider's "slow down" holds campaigns and scheduled sends. */
const MAX_THROTTLE_MS = 60 * 60 * 1000;

/** Step 3: hand the message to its channel. SENT once the channel has taken every part. */
export function deliverMessageActivity(deps: ActivityDeps) {
  return async function deliverMessage(input: DeliverInput): Promise<{ providerRequestId: string; parts: DeliveredPart[] }> {
    const loaded = await loadMessageToDeliver(deps.db, input.messageId);
    if (!loaded) throw ApplicationFailure.nonRetryable(`message ${input.messageId} does not exist`, 'MissingMessage');
    const { message } = loaded;
    const address = channelAddress(message.channel, loaded.facts);
    if (!address) throw permanent(`The client has no ${message.channel} address.`);
    const attachment = message.attachmentId ? await getAttachment(deps.db, message.attachmentId) : null;
    if (message.attachmentId && !attachment) throw permanent('The attachment no longer exists.');
    const template = message.templateId ? await loadTemplateSpec(deps.db, message.templateId) : null;
    if (message.templateId && !template) throw permanent(`template ${message.templateId} no longer exists`);

    const parts = planParts(message).map((kind, i) => ({ kind, providerRequestId: providerRequestId(message.id, input.attempt, i) }));
    // Recorded before anything is sent: a callback may overtake this activity's own completion.
    // A new attempt starts clean (its predecessor's failure stays in the status history).
    await recordAttemptParts(deps.db, message.id, input.attempt, parts, { clearFailure: hasFailure(message) });
    // A retry of this attempt skips the parts the channel took already: Telegram has no
    // idempotency key, and a client must not get the first part twice (R21). The first try of
    // the activity has no predecessor that could have taken one.
    const taken = firstTry() ? new Set<string>() : await partsTaken(deps.db, message.id, parts.map((p) => p.providerRequestId));

    const transport = deps.transports[capabilitiesOf(message.channel).transport];
    const notes: string[] = input.attempt > 1 ? [`attempt ${input.attempt}`] : [];
    try {
      for (const part of parts) {
        if (taken.has(part.providerRequestId)) continue;
        const receipt = await transport.deliver(outgoingPart(deps, message, part, address, attachment, template));
        notes.push(...receipt.notes);
        await markPartTaken(deps.db, part.providerRequestId);
      }
    } catch (err) {
      if (err instanceof TransientDeliveryError && (err.failureCode === 'RATE_LIMITED' || err.retryAfterMs !== undefined)) {
        // R31: the provider asked to slow down: campaigns and scheduled sends on this channel hold
        // meanwhile (an hour at most, whatever it names). Noting it never replaces the provider's answer.
        const waitMs = Math.min(Math.max(err.retryAfterMs ?? 1000, 0), MAX_THROTTLE_MS);
        await noteProviderThrottle(deps.db, { clientId: message.clientId, channel: message.channel, until: new Date(Date.now() + waitMs) })
          .catch((noteErr: unknown) => logger.warn({ err: noteErr, messageId: message.id }, 'could not note the provider\'s rate limit'));
      }
      throw asActivityFailure(err);
    }

    const noReceipts = noReceiptsNote(message.channel);
    if (noReceipts) notes.push(noReceipts);
    if (parts.length > 1) notes.push(`sent as ${parts.length} messages: ${parts.map((p) => p.kind.toLowerCase()).join(', then ')}`);
    const took = `${message.channel} took ${parts.map((p) => p.providerRequestId).join(', ')}`;
    // SENT, the disposition and the state the send waits in: one transaction. The channel's
    // taking each part is already written (markPartTaken), so should this fail, the retry sends
    // nothing again and writes it all then.
    const sent = await deps.db.transaction(async (tx) => {
      const row = await getSend(tx, input.sendId);
      if (!row) return null;
      const steps: Array<Omit<SendStepRecord, 'at'>> = [];
      // A retry after this was written (its answer lost) writes it once.
      const written = row.steps.some((st) => st.name === 'deliver' && st.state === 'ACCEPTED' && st.detail === took);
      if (!written) {
        await moveMessageStatus(tx, message.id, { status: 'SENT', note: notes.length > 0 ? notes.join('; ') : null });
        steps.push({ name: 'deliver', state: 'ACCEPTED', detail: took });
      }
      const after = input.then ? await afterDelivery(tx, row, message, input.then) : { steps: [] };
      steps.push(...after.steps);
      if (steps.length === 0 && !after.state) return null;
      const progressed = await recordProgress(tx, input.sendId, { ...(after.state ? { state: after.state } : {}), steps });
      return written ? null : progressed;
    });
    if (sent && input.attempt === 1) observeSendLatency(sent.channel, 'SENT', sent.createdAt);
    sendLogger(input.sendId).info({ channel: message.channel, messageId: message.id, attempt: input.attempt, parts: parts.map((p) => p.providerRequestId) }, 'the channel took the message');
    return { providerRequestId: parts[0]!.providerRequestId, parts };
  };
}

/** A failure the message still shows from an earlier attempt. */
function hasFailure(message: MessageRow): boolean {
  return message.failureCode !== null || message.failureProviderCode !== null || message.failureMessage !== null;
}

/** Whether this is the activity's first try; outside an activity, false (the lookup is made). */
function firstTry(): boolean {
  try {
    return Context.current().info.attempt === 1;
  } catch {
    return false;
  }
}

/**
 * Step 4 and the state the send waits in, for the transaction that records SENT: what is still to
 * be written. CLOSE leaves the thread open when the client wrote in since the send began (R12),
 * which the messages table knows as well as a signal.
 */
async function afterDelivery(tx: Tx, row: SendRow, message: MessageRow, then: AfterDelivery): Promise<{ state?: SendState; steps: Array<Omit<SendStepRecord, 'at'>> }> {
  const steps: Array<Omit<SendStepRecord, 'at'>> = [];
  if (then.dispose && !row.steps.some((st) => st.name === 'dispose')) {
    const clientWroteIn = then.dispose.clientWroteIn || (await clientWroteInSince(tx, message.clientId, row.createdAt));
    const outcome = await disposeThreadIn(tx, { ...then.dispose, clientWroteIn });
    steps.push({ name: 'dispose', state: then.dispose.disposition.kind, detail: outcome });
  }
  if (row.state === then.state) return { steps };
  steps.push(then.step);
  return { state: then.state, steps };
}

/** One part as the transport takes it: only what that part carries (R8: a file, its caption, a template). */
function outgoingPart(
  deps: ActivityDeps, message: MessageRow, part: DeliveredPart, address: string, attachment: AttachmentRow | null, template: LoadedTemplate | null,
): OutgoingPart {
  const withFile = part.kind === 'ATTACHMENT' || part.kind === 'ALL';
  let file: OutgoingPart['attachment'] = null;
  if (withFile && attachment) {
    // R9 again at the door: a file the channel does not take is refused, never sent.
    const kind = attachmentKindFor(message.channel, attachment.mimeType);
    if (!kind) throw permanent(`${message.channel} does not take ${attachment.mimeType} files`);
    file = {
      url: attachmentUrl(deps.config.publicBaseUrl, attachment), name: attachment.fileName, mimeType: attachment.mimeType, size: attachment.size, kind: kind.kind,
      open: () => Readable.from(readAttachmentChunks(deps.db, attachment.id)),
    };
  }
  let rendered: OutgoingPart['template'] = null;
  if (part.kind === 'TEMPLATE' && template) {
    const r = renderTemplate(template, message.templateVariables ?? []);
    rendered = { externalId: template.row.externalId, textVariables: r.textVariables, headerVariables: r.headerVariables };
  }
  return {
    id: part.providerRequestId,
    channel: message.channel,
    address,
    text: part.kind === 'ATTACHMENT' || part.kind === 'TEMPLATE' ? null : message.text,
    attachment: file,
    template: rendered,
    email: message.channel === 'EMAIL' ? { subject: message.subject ?? '', bcc: message.bcc } : null,
  };
}

/**
 * A channel's refusal for good becomes a non-retryable failure the workflow reads (R20). A fault
 * that may pass carries what the message shows should it outlast the retries (R29: RATE_LIMITED
 * when the channel kept asking to slow down), and one with a wait the channel named (Telegram's
 * retry_after, a Retry-After) is retried after exactly that wait instead of the policy's backoff.
 */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof PermanentDeliveryError) {
    return ApplicationFailure.nonRetryable(err.message, PERMANENT_DELIVERY_FAILURE, {
      failureCode: err.failureCode, providerCode: err.providerCode, message: err.message,
    } satisfies PermanentFailureDetails);
  }
  if (err instanceof TransientDeliveryError) {
    return ApplicationFailure.create({
      message: err.message,
      type: TRANSIENT_DELIVERY_FAILURE,
      details: [{ failureCode: err.failureCode, providerCode: err.providerCode } satisfies TransientFailureDetails],
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(1, err.retryAfterMs) } : {}),
    });
  }
  return err;
}
