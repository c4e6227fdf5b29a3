import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { Channel, TemplateRequirement } from '../domain/enums.js';
import type { UserError } from '../domain/errors.js';
import type { SendRequest } from '../domain/send.js';
import { renderTemplate } from '../domain/templates.js';
import { checkSendAndFallback, checkSendRequest, fallbackStepRequest, type CheckMoment } from './activities/validate.js';

// R27: what a send would put in front of the client, and what sendMessage would answer now,
// from the same checks the send itself runs; nothing is written and no thread is reserved.

export interface MessagePreview {
  channel: Channel;
  header: string | null;
  body: string | null;
  footer: string | null;
  subject: string | null;
  bcc: string[];
  attachment: { id: string; fileName: string; mimeType: string; size: number } | null;
  /** The channel's template requirement for this client (at sendAt when scheduled); null when the channel cannot be judged. */
  templateRequirement: TemplateRequirement | null;
  sendAt: Date | null;
  /** R33: when the stand's quiet hours around the send's moment end; null outside them. An agent's own send is not delayed; a scheduled one waits. */
  quietHoursUntil?: Date | null;
  userErrors: UserError[];
  /** R26: each fallback step, previewed the same way (its own errors are also in the send's, under fallback.<i>). */
  fallback: MessagePreview[];
}

export async function previewSend(deps: { db: Db; config: Config }, request: SendRequest): Promise<MessagePreview> {
  const sendAt = request.sendAt ? new Date(request.sendAt) : null;
  // Judged as sendMessage judges it: a scheduled send at its time, where a thread active now does not refuse it.
  const moment = sendAt ? { at: sendAt, activeThreadRefuses: false } : {};
  const [preview, whole] = await Promise.all([previewOne(deps, request, moment), checkSendAndFallback(deps, request, moment)]);
  const fallback = await Promise.all((request.fallback ?? []).map((step) => previewOne(deps, fallbackStepRequest(request, step), { ...moment, activeThreadRefuses: false })));
  return { ...preview, userErrors: whole.errors, fallback };
}

async function previewOne(deps: { db: Db; config: Config }, request: SendRequest, moment: CheckMoment): Promise<MessagePreview> {
  const sendAt = request.sendAt ? new Date(request.sendAt) : null;
  const verdict = await checkSendRequest(deps, request, moment);
  const facts = verdict.facts;
  const rendered = facts?.template && request.template ? renderTemplate(facts.template, request.template.variables) : null;
  const file = facts?.attachment ?? null;
  return {
    channel: request.channel,
    header: rendered?.header ?? null,
    body: rendered ? rendered.body : request.text ?? null,
    footer: rendered?.footer ?? null,
    subject: request.subject ?? null,
    bcc: request.bcc ?? [],
    attachment: file ? { id: file.id, fileName: file.fileName, mimeType: file.mimeType, size: file.size } : null,
    templateRequirement: facts?.option.templateRequirement ?? null,
    sendAt,
    userErrors: verdict.errors,
    fallback: [],
  };
}
