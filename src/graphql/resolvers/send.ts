import { randomUUID } from 'node:crypto';
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { getAgents } from '../../db/agents.js';
import { getSend, type SendRow } from '../../db/sends.js';
import { userError, type UserError } from '../../domain/errors.js';
import { sendIdFor, type SendRequest } from '../../domain/send.js';
import type { ActionResult } from '../../sends/client.js';
import { STAFF } from '../auth.js';
import type { Context } from '../context.js';
import { isUuid } from '../../domain/ids.js';
import { OutboundSendType, SendMessageInput, SendMessagePayload, SendStepType } from '../sendTypes.js';
import { AgentType, ClientType, MessageType, ThreadType } from '../types.js';
import { loadClient } from './client.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SUPERVISING = new Set(['SUPERVISOR', 'ADMIN']);

const refuse = (error: UserError): SendMessagePayload => ({ send: null, userErrors: [error], conflict: null });

/** Agents see the sends they made or that were made as them; supervisors and admins see all. */
function visible(ctx: Context, send: SendRow | null): SendRow | null {
  const viewer = ctx.viewer;
  if (!send || !viewer) return null;
  if (SUPERVISING.has(viewer.role) || send.requestedById === viewer.id || send.agentId === viewer.id) return send;
  return null;
}

async function payloadFor(ctx: Context, send: SendRow, userErrors: UserError[], conflictThreadId: string | null): Promise<SendMessagePayload> {
  const conflict = conflictThreadId ? await conflictOf(ctx, send.clientId, conflictThreadId) : null;
  return { send, userErrors, conflict };
}

async function conflictOf(ctx: Context, clientId: string, threadId: string) {
  const [thread, client] = await Promise.all([ctx.loaders.thread.load(threadId), ctx.loaders.client.load(clientId)]);
  if (!thread || !client) return null;
  ctx.loaders.activeThread.clear(clientId);
  const alternatives = (await ctx.loaders.clientChannelOptions(client)).filter((c) => c.available);
  return { activeThread: thread, alternatives };
}

/**
 * cancelSend and retrySend: the workflow refuses at once what cannot apply (its update validator)
 * and answers once it has acted, so the answer shows the send as it is now.
 */
async function act(ctx: Context, id: string, action: (sendId: string, byAgentId: string | null) => Promise<ActionResult>): Promise<SendMessagePayload> {
  const send = visible(ctx, await getSend(ctx.db, id));
  if (!send) return refuse(userError('NOT_FOUND', 'No such send.', ['id']));
  const result = await action(send.id, ctx.viewer!.id);
  const after = (await getSend(ctx.db, send.id))!;
  const userErrors = result.ok ? [] : [userError('INVALID_INPUT', result.reason === 'The send has finished.' ? `The send has finished (${after.state}).` : result.reason, ['id'])];
  return { send: after, userErrors, conflict: null };
}

@Resolver(() => OutboundSendType)
export class SendResolver {
  @Authorized(...STAFF)
  @Mutation(() => SendMessagePayload)
  async sendMessage(@Ctx() ctx: Context, @Arg('input', () => SendMessageInput) input: SendMessageInput): Promise<SendMessagePayload> {
    const viewer = ctx.viewer!;
    // R23: agents act only as themselves; integrators act for an agent, or for nobody.
    let agentId: string | null = viewer.id;
    if (input.onBehalfOfAgentId) {
      if (viewer.role !== 'INTEGRATOR') {
        if (input.onBehalfOfAgentId !== viewer.id) return refuse(userError('FORBIDDEN', 'Only an integrator sends on behalf of an agent; agents send as themselves.', ['onBehalfOfAgentId']));
      } else {
        const [agent] = isUuid(input.onBehalfOfAgentId) ? await getAgents(ctx.db, [input.onBehalfOfAgentId]) : [];
        if (!agent || agent.standId !== viewer.standId) return refuse(userError('NOT_FOUND', 'No agent has that id.', ['onBehalfOfAgentId']));
        agentId = agent.id;
      }
    } else if (viewer.role === 'INTEGRATOR') {
      agentId = null;
    }
    const requestId = input.requestId ?? randomUUID();
    if (!REQUEST_ID.test(requestId)) return refuse(userError('INVALID_INPUT', 'A requestId is 1 to 128 letters, digits, dots, colons, underscores or dashes.', ['requestId']));
    const client = await loadClient(ctx, input.clientId);
    if (!client) return refuse(userError('NOT_FOUND', 'No such client.', ['clientId']));

    const sendId = sendIdFor(requestId);
    const request: SendRequest = {
      sendId,
      requestId,
      requestedById: viewer.id,
      agentId,
      clientId: client.id,
      channel: input.channel,
      text: input.text ?? null,
      attachmentId: input.attachmentId ?? null,
      template: input.template ? { templateId: input.template.templateId, variables: input.template.variables ?? [] } : null,
      subject: input.subject ?? null,
      bcc: input.bcc ?? null,
      disposition: input.disposition
        ? { kind: input.disposition.kind, target: input.disposition.target ?? null, comment: input.disposition.comment ?? null }
        : null,
    };
    let outcome;
    try {
      outcome = await ctx.sends.start(request);
    } catch (err) {
      console.error(`[send] ${sendId} could not be started or answered:`, err);
      // The send may be under way: the same requestId finds it and never sends twice (R21).
      return refuse(userError('SYSTEM_ERROR', `Herald could not confirm the send in time. Ask again with requestId "${requestId}": it will not be sent twice.`, ['requestId']));
    }
    const send = await getSend(ctx.db, sendId);
    if (!send) {
      // Only a send whose very first record failed has no row; its answer says why.
      if (outcome.kind === 'answered' && outcome.answer.errors.length > 0) return { send: null, userErrors: outcome.answer.errors, conflict: null };
      throw new Error(`send ${sendId} has no record after it was ${outcome.kind}`);
    }
    if (!visible(ctx, send)) return refuse(userError('FORBIDDEN', 'That requestId belongs to another caller\'s send.', ['requestId']));
    // The workflow's answer is the truth as of now; the record may still be catching up with it.
    if (outcome.kind === 'answered') return payloadFor(ctx, send, outcome.answer.errors, outcome.answer.conflictThreadId);
    return payloadFor(ctx, send, send.errors, null);
  }

  @Authorized(...STAFF)
  @Mutation(() => SendMessagePayload, { description: 'before the channel accepted it' })
  async cancelSend(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SendMessagePayload> {
    return act(ctx, id, (sendId, byAgentId) => ctx.sends.cancel(sendId, byAgentId));
  }

  @Authorized(...STAFF)
  @Mutation(() => SendMessagePayload, { description: 'after a failure that may pass; same message, new attempt' })
  async retrySend(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SendMessagePayload> {
    return act(ctx, id, (sendId, byAgentId) => ctx.sends.retry(sendId, byAgentId));
  }

  @Authorized()
  @Query(() => OutboundSendType, { nullable: true })
  async send(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return visible(ctx, await getSend(ctx.db, id));
  }

  @FieldResolver(() => AgentType, { nullable: true })
  agent(@Root() send: SendRow, @Ctx() ctx: Context) {
    return send.agentId ? ctx.loaders.agent.load(send.agentId) : null;
  }

  @FieldResolver(() => ClientType)
  client(@Root() send: SendRow, @Ctx() ctx: Context) {
    return ctx.loaders.client.load(send.clientId);
  }

  @FieldResolver(() => MessageType, { nullable: true })
  message(@Root() send: SendRow, @Ctx() ctx: Context) {
    return send.messageId ? ctx.loaders.message.load(send.messageId) : null;
  }

  @FieldResolver(() => ThreadType, { nullable: true })
  thread(@Root() send: SendRow, @Ctx() ctx: Context) {
    return send.threadId ? ctx.loaders.thread.load(send.threadId) : null;
  }

  @FieldResolver(() => [SendStepType])
  steps(@Root() send: SendRow): SendStepType[] {
    return send.steps.map((s) => ({ name: s.name, state: s.state, at: new Date(s.at), detail: s.detail ?? null }));
  }
}
