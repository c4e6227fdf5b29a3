import { configuredChannels } from '../../config.js';
import { getAgents, getTransferTargets } from '../../db/agents.js';
import { loadClientFacts } from '../../db/clients.js';
import { getAttachments } from '../../db/attachments.js';
import { createSendRecord } from '../../db/sends.js';
import { recordProgress } from './progress.js';
import { findStandChannel, listStandChannels, toSettings } from '../../db/stand.js';
import { approvedTextTemplateCounts, loadTemplateSpec } from '../../db/templates.js';
import { clientChannelOption } from '../../domain/clientChannels.js';
import { userError, type UserError } from '../../domain/errors.js';
import type { SendRequest } from '../../domain/send.js';
import { checkSend } from '../../domain/sendRules.js';
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
}

/** Gathers the facts a send is judged by and applies the rules (R1–R16); writes nothing. */
export async function checkSendRequest(deps: ActivityDeps, request: SendRequest): Promise<Verdict> {
  const { db } = deps;
  const loaded = await loadClientFacts(db, request.clientId);
  if (!loaded) return { errors: [userError('NOT_FOUND', 'No such client.', ['clientId'])], activeThreadId: null };
  const [standChannels, agentRows, templateCounts] = await Promise.all([
    listStandChannels(db, loaded.client.standId),
    request.agentId ? getAgents(db, [request.agentId]) : Promise.resolve([]),
    approvedTextTemplateCounts(db),
  ]);
  const stand = findStandChannel(standChannels, request.channel);
  if (!stand) return { errors: [userError('CHANNEL_DISABLED', `${request.channel} is not set up for this stand.`, ['channel'])], activeThreadId: null };
  const agent = agentRows[0] ?? null;
  const option = clientChannelOption(toSettings(stand), loaded.facts, templateCounts.get(request.channel) ?? 0, new Date(), configuredChannels(deps.config));
  const target = request.disposition?.target;
  const [template, attachment, transferTarget] = await Promise.all([
    request.template ? (isUuid(request.template.templateId) ? loadTemplateSpec(db, request.template.templateId) : Promise.resolve(null)).then((t) => (t?.row.usable ? t : null)) : Promise.resolve(undefined),
    request.attachmentId ? (isUuid(request.attachmentId) ? getAttachments(db, [request.attachmentId]) : Promise.resolve([])).then((r) => r[0] ?? null) : Promise.resolve(undefined),
    target ? (isUuid(target.id) ? getTransferTargets(db, [target.id]) : Promise.resolve([])).then((r) => r.find((t) => t.standId === loaded.client.standId) ?? null) : Promise.resolve(undefined),
  ]);
  const errors = checkSend(request, {
    channel: request.channel,
    agent: agent ? { status: agent.status, login: agent.login } : null,
    option,
    strictTemplates: stand.strictTemplates,
    ...(template !== undefined ? { template } : {}),
    ...(attachment !== undefined ? { attachment } : {}),
    ...(transferTarget !== undefined ? { transferTarget } : {}),
  });
  return { errors, activeThreadId: loaded.activeThread?.id ?? null };
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

