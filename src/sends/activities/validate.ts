import { configuredChannels } from '../../config.js';
import { getTransferTargets } from '../../db/agents.js';
import { loadSendFacts } from '../../db/sendFacts.js';
import { getAttachments, type AttachmentRow } from '../../db/attachments.js';
import { createSendRecord } from '../../db/sends.js';
import { recordProgress } from './progress.js';
import { loadTemplateSpec, type LoadedTemplate } from '../../db/templates.js';
import { clientChannelOption, type ClientChannelOption } from '../../domain/clientChannels.js';
import { userError, type UserError } from '../../domain/errors.js';
import type { SendRequest } from '../../domain/send.js';
import { checkSend } from '../../domain/sendRules.js';
import { checkTakeOver } from '../../domain/takeOver.js';
import { checkFallbackChain, type FallbackStep } from '../../domain/fallback.js';
import { capabilitiesOf } from '../../domain/channels.js';
import { isUuid } from '../../domain/ids.js';
import type { ActivityDeps } from './deps.js';

export interface Validation {
  errors: UserError[];
  conflictThreadId: string | null;
}

/**
 * Step 1 of a send begun before acceptSend (old histories): record the send, then check it.
 */
export function validateSendActivity(deps: ActivityDeps) {
  return async function validateSend(request: SendRequest): Promise<Validation> {
    await createSendRecord(deps.db, request);
    const verdict = await checkSendRequest(deps, request);
    if (verdict.errors.length > 0) return reject(deps, request, verdict.errors, verdict.activeThreadId);
    await recordProgress(deps.db, request.sendId, { state: 'RESERVING', step: { name: 'validate', state: 'PASSED' } });
    return { errors: [], conflictThreadId: null };
  };
}

export interface Verdict {
  errors: UserError[];
  /** The client's active thread, if any (for ACTIVE_THREAD_EXISTS). */
  activeThreadId: string | null;
  /** What was judged, for a preview (R27): the channel as the client has it, the template and file named. */
  facts?: { option: ClientChannelOption; template: LoadedTemplate | null; attachment: AttachmentRow | null };
}

/** How a send is judged other than now and in full (R25: a scheduled send). */
export interface CheckMoment {
  /** The moment the session window is judged at (default now). */
  at?: Date;
  /** False when scheduling: a thread active now may be closed by the time the send is due. */
  activeThreadRefuses?: boolean;
  /** False when a scheduled send falls due: the agent decided when they scheduled it, in a status that allowed it. */
  agentStatusCounts?: boolean;
}

/** Gathers the facts a send is judged by and applies the rules (R1–R16); writes nothing. */
export async function checkSendRequest(deps: Pick<ActivityDeps, 'db' | 'config'>, request: SendRequest, moment: CheckMoment = {}): Promise<Verdict> {
  const { db } = deps;
  const loaded = await loadSendFacts(db, request);
  if (!loaded) return { errors: [userError('NOT_FOUND', 'No such client.', ['clientId'])], activeThreadId: null };
  // R28: a send into the open thread nobody holds is not refused by it.
  const takeOver = request.takeOverThreadId ? checkTakeOver(request.takeOverThreadId, request, loaded.activeThread) : null;
  if (takeOver) return { errors: [takeOver], activeThreadId: loaded.activeThread?.id ?? null };
  const stand = loaded.standChannel;
  if (!stand) return { errors: [userError('CHANNEL_DISABLED', `${request.channel} is not set up for this stand.`, ['channel'])], activeThreadId: null };
  const agent = loaded.agent;
  const facts = moment.activeThreadRefuses === false || request.takeOverThreadId ? { ...loaded.facts, hasActiveThread: false } : loaded.facts;
  const option = clientChannelOption(stand, facts, loaded.approvedTextTemplates, moment.at ?? new Date(), configuredChannels(deps.config));
  const target = request.disposition?.target;
  const [template, attachment, transferTarget] = await Promise.all([
    request.template ? (isUuid(request.template.templateId) ? loadTemplateSpec(db, request.template.templateId) : Promise.resolve(null)).then((t) => (t?.row.usable ? t : null)) : Promise.resolve(undefined),
    request.attachmentId ? (isUuid(request.attachmentId) ? getAttachments(db, [request.attachmentId]) : Promise.resolve([])).then((r) => r[0] ?? null) : Promise.resolve(undefined),
    target ? (isUuid(target.id) ? getTransferTargets(db, [target.id]) : Promise.resolve([])).then((r) => r.find((t) => t.standId === loaded.client.standId) ?? null) : Promise.resolve(undefined),
  ]);
  const errors = checkSend(request, {
    channel: request.channel,
    agent: agent ? { status: moment.agentStatusCounts === false ? 'ACTIVE' : agent.status, login: agent.login } : null,
    option,
    strictTemplates: stand.strictTemplates,
    ...(template !== undefined ? { template } : {}),
    ...(attachment !== undefined ? { attachment } : {}),
    ...(transferTarget !== undefined ? { transferTarget } : {}),
  });
  return {
    errors: moment.at ? errors.map((e) => (e.code === 'TEMPLATE_REQUIRED' ? { ...e, message: `By ${moment.at!.toISOString()} the ${request.channel} session window is closed: only a template can be sent then.` } : e)) : errors,
    activeThreadId: loaded.activeThread?.id ?? null,
    facts: { option, template: template ?? null, attachment: attachment ?? null },
  };
}

async function reject(deps: ActivityDeps, request: SendRequest, errors: UserError[], activeThreadId: string | null): Promise<Validation> {
  const conflict = errors.some((e) => e.code === 'ACTIVE_THREAD_EXISTS');
  await recordProgress(deps.db, request.sendId, {
    state: conflict ? 'CONFLICT' : 'REJECTED',
    errors,
    step: { name: 'validate', state: conflict ? 'CONFLICT' : 'REJECTED', detail: errors.map((e) => e.code).join(', ') },
  });
  return { errors, conflictThreadId: conflict ? activeThreadId : null };
}


/** The request as one step of its fallback chain sends it (R26): the step's channel and content, the send's disposition where the channel keeps threads. */
export function fallbackStepRequest(request: SendRequest, step: FallbackStep): SendRequest {
  return {
    ...request,
    channel: step.channel,
    text: step.text ?? null,
    attachmentId: step.attachmentId ?? null,
    template: step.template ?? null,
    subject: step.subject ?? null,
    bcc: step.bcc ?? null,
    disposition: capabilitiesOf(step.channel).opensThread ? request.disposition ?? null : null,
    fallback: null,
    takeOverThreadId: null,
  };
}

/**
 * The send and every step of its fallback chain, judged before anything is sent (R26): a step the
 * rules refuse now is refused with the send, its errors under fallback.<i>. A step goes into the
 * thread the send reserves, so the client's active thread does not refuse it.
 */
export async function checkSendAndFallback(deps: Pick<ActivityDeps, 'db' | 'config'>, request: SendRequest, moment: CheckMoment = {}): Promise<Verdict> {
  const verdict = await checkSendRequest(deps, request, moment);
  const steps = request.fallback ?? [];
  if (verdict.errors.length > 0 || steps.length === 0) return verdict;
  const shape = checkFallbackChain(request.channel, steps);
  if (shape.length > 0) return { ...verdict, errors: shape };
  const stepVerdicts = await Promise.all(steps.map((step) => checkSendRequest(deps, fallbackStepRequest(request, step), { ...moment, activeThreadRefuses: false })));
  const errors = stepVerdicts.flatMap((v, i) => v.errors.map((e) => ({ ...e, field: ['fallback', String(i), ...(e.field ?? [])] })));
  return { ...verdict, errors };
}
