import type { AgentStatus, Channel, TransferTargetKind } from './enums.js';
import { maySend } from './agentStatus.js';
import { attachmentKindFor, capabilitiesOf } from './channels.js';
import type { ClientChannelOption } from './clientChannels.js';
import { checkConsent } from './consent.js';
import { checkEmails } from './email.js';
import { userError, type UserError } from './errors.js';
import type { DispositionRequest, SendContent } from './send.js';
import { checkTemplate, type TemplateSpec } from './templates.js';

// The rules a send must pass before anything is reserved or sent: R1, R2–R6 (through the channel
// option that `client.channels` shows), R8–R12, R14, R32 (no MARKETING template to a client opted out). Pure: the activity gathers the facts.

export interface SendFacts {
  channel: Channel;
  agent: { status: AgentStatus; login: string } | null;
  option: ClientChannelOption;
  strictTemplates: boolean;
  /** Set when the content names an attachment: null if no such upload exists. */
  attachment?: { mimeType: string; size: number } | null;
  /** Set when the content names a template: null if no usable template has that id. Its category (the provider's text) decides R32. */
  template?: (TemplateSpec & { category?: string | null }) | null;
  /** Set when the disposition names a target: null if no such target exists. */
  transferTarget?: { kind: TransferTargetKind } | null;
}

const UNAVAILABLE_TO_ERROR = {
  CHANNEL_DISABLED: ['CHANNEL_DISABLED', (c: Channel) => `${c} is not enabled for this stand.`],
  CHANNEL_NOT_CONFIGURED: ['CHANNEL_NOT_CONFIGURED', (c: Channel) => `${c} is not connected on this Herald (no transport is configured for it); choose another channel or ask an administrator to connect it.`],
  CLIENT_BLOCKED: ['CLIENT_BLOCKED', () => 'This client is blocked: nothing can be sent to them.'],
  CLIENT_BLOCKED_ON_CHANNEL: ['CLIENT_BLOCKED_ON_CHANNEL', (c: Channel) => `This client is blocked on ${c}; choose another channel.`],
  NO_ADDRESS: ['NO_ADDRESS_FOR_CHANNEL', (c: Channel) => `This client has no address for ${c}.`],
  ACTIVE_THREAD_EXISTS: ['ACTIVE_THREAD_EXISTS', () => 'This client has an active thread; go to it, or send an email instead.'],
  NO_APPROVED_TEMPLATES: ['NO_APPROVED_TEMPLATES', (c: Channel) => `Only a template can be sent on ${c} now, and none is approved.`],
} as const;

export function checkAgent(agent: SendFacts['agent']): UserError[] {
  if (!agent || maySend(agent.status)) return [];
  return [userError('AGENT_STATUS_NOT_ALLOWED', `${agent.login} is ${agent.status}; sending needs ACTIVE, OUT or ACTIVE_FINISHING.`)];
}

export function checkChannel(option: ClientChannelOption, channel: Channel): UserError[] {
  if (!option.unavailableReason) return [];
  const [code, message] = UNAVAILABLE_TO_ERROR[option.unavailableReason];
  return [userError(code, message(channel), ['channel'])];
}

export function checkContent(content: SendContent, facts: SendFacts): UserError[] {
  const caps = capabilitiesOf(facts.channel);
  const errors: UserError[] = [];
  const text = content.text ?? '';
  const hasText = text.trim() !== '';
  const hasAttachment = !!content.attachmentId;

  if (content.template) {
    if (!caps.templatesSupported) errors.push(userError('TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', `${facts.channel} has no templates; write the message instead.`, ['template']));
    if (hasText || hasAttachment) errors.push(userError('INVALID_COMBINATION', 'A template is sent alone: remove the text and the attachment.', ['template']));
    if (caps.templatesSupported && !hasText && !hasAttachment) {
      if (!facts.template) errors.push(userError('TEMPLATE_NOT_FOUND', 'No approved template has that id; sync the catalog or choose another.', ['template', 'templateId']));
      else {
        errors.push(...checkTemplate(facts.template, content.template.variables, facts.channel, facts.option.templateRequirement));
        errors.push(...checkConsent(content, facts.template, facts.option.optedOut, facts.channel));
      }
    }
  } else {
    if (!hasText && !hasAttachment) errors.push(userError('EMPTY_MESSAGE', 'Write a text, attach a file, or choose a template.', ['text']));
    if (hasText && facts.option.templateRequirement === 'MANDATORY' && facts.strictTemplates) {
      errors.push(userError('TEMPLATE_REQUIRED', `Outside the ${facts.channel} session window only a template can be sent.`, ['text']));
    }
  }
  if (text.length > caps.textMax) {
    errors.push(userError('TEXT_TOO_LONG', `${facts.channel} takes at most ${caps.textMax} characters; this text has ${text.length}.`, ['text']));
  }
  if (hasAttachment) {
    if (caps.attachments.length === 0) errors.push(userError('ATTACHMENT_NOT_ALLOWED', `${facts.channel} takes no attachments.`, ['attachmentId']));
    else if (facts.attachment === null) errors.push(userError('NOT_FOUND', 'No such attachment; upload the file with POST /attachments first.', ['attachmentId']));
    else if (facts.attachment) errors.push(...checkAttachment(facts.channel, facts.attachment));
  }
  if (content.subject && facts.channel !== 'EMAIL') errors.push(userError('INVALID_INPUT', 'A subject is for EMAIL only.', ['subject']));
  if (content.bcc && content.bcc.length > 0) {
    if (!caps.bccAllowed) errors.push(userError('BCC_NOT_ALLOWED', `Only EMAIL takes BCC recipients, not ${facts.channel}.`, ['bcc']));
    else errors.push(...checkEmails(content.bcc, 'bcc'));
  }
  return errors;
}

export function checkDisposition(disposition: DispositionRequest | null | undefined, facts: SendFacts): UserError[] {
  const caps = capabilitiesOf(facts.channel);
  if (!caps.opensThread) {
    return disposition ? [userError('DISPOSITION_NOT_APPLICABLE', `${facts.channel} is sent closed and opens no thread; leave the disposition out.`, ['disposition'])] : [];
  }
  if (!disposition) return [userError('DISPOSITION_REQUIRED', 'Say what happens to the thread: CLOSE, ASSIGN_TO_ME or TRANSFER.', ['disposition'])];
  switch (disposition.kind) {
    case 'CLOSE':
    case 'ASSIGN_TO_ME':
      if (disposition.target) return [userError('DISPOSITION_INVALID', `${disposition.kind} takes no target; a target is for TRANSFER.`, ['disposition', 'target'])];
      if (disposition.kind === 'ASSIGN_TO_ME' && !facts.agent) {
        return [userError('DISPOSITION_INVALID', 'ASSIGN_TO_ME needs an agent: send on behalf of one (onBehalfOfAgentId).', ['disposition', 'kind'])];
      }
      return [];
    case 'TRANSFER':
      if (!disposition.target) return [userError('DISPOSITION_INVALID', 'TRANSFER needs a target: an agent, group, skill, bot or department.', ['disposition', 'target'])];
      if (!facts.transferTarget || facts.transferTarget.kind !== disposition.target.kind) {
        return [userError('TRANSFER_TARGET_NOT_FOUND', `No ${disposition.target.kind} with the id ${disposition.target.id}.`, ['disposition', 'target', 'id'])];
      }
      return [];
  }
}

/** Every error at once, so a person fixes the form in one go; an unusable channel stands alone. */
export function checkSend(content: SendContent & { disposition?: DispositionRequest | null }, facts: SendFacts): UserError[] {
  const agent = checkAgent(facts.agent);
  const channel = checkChannel(facts.option, facts.channel);
  if (agent.length > 0 || channel.length > 0) return [...agent, ...channel];
  return [...checkContent(content, facts), ...checkDisposition(content.disposition, facts)];
}

const MB = 1024 * 1024;
const megabytes = (bytes: number) => `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;

/** R9: the file's real type (detected on upload) and size against the channel's table. */
export function checkAttachment(channel: Channel, file: { mimeType: string; size: number }): UserError[] {
  const kind = attachmentKindFor(channel, file.mimeType);
  if (!kind) return [userError('ATTACHMENT_FORMAT', `${channel} does not take ${file.mimeType} files.`, ['attachmentId'])];
  if (file.size > kind.maxBytes) {
    return [userError('ATTACHMENT_TOO_LARGE', `${channel} takes ${kind.kind.toLowerCase()} files up to ${megabytes(kind.maxBytes)}; this one is ${megabytes(file.size)}.`, ['attachmentId'])];
  }
  return [];
}
