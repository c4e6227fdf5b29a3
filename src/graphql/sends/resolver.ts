import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { STAFF } from '../../auth/roles.js';
import { getAgents } from '../../db/agents.js';
import { decodeCursor } from '../../db/cursor.js';
import type { HeraldEvent } from '../../db/events.js';
import { findSendByRequest, getSend, type SendRow } from '../../db/sends.js';
import { listSends } from '../../db/sendsQuery.js';
import { canReadWorkflowHistory, sendScope, sendsAs } from '../../domain/access.js';
import { SEND_STEP_STATES, type SendStepState } from '../../domain/enums.js';
import { userError, UserErrorException, type UserError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { REQUEST_ID, REQUEST_ID_RULE, sendIdFor, type SendContent, type SendRequest } from '../../domain/send.js';
import { checkSendAt } from '../../domain/schedule.js';
import { quietUntil } from '../../domain/quietHours.js';
import { getQuietHours } from '../../db/stand.js';
import { canTakeOver } from '../../domain/takeOver.js';
import { requestFingerprint, type ActionResult } from '../../sends/client.js';
import { workflowEvents } from '../../sends/history.js';
import { previewSend, type MessagePreview } from '../../sends/preview.js';
import { callerOf, visibleClient, visibleSend } from '../access.js';
import { AgentType } from '../agents/types.js';
import { ClientType } from '../clients/types.js';
import { pageOf, type Page } from '../common/connection.js';
import type { Context } from '../context.js';
import { toGraphQLError } from '../errors.js';
import { events, fresh, startingWith } from '../realtime.js';
import { MessageType, ThreadType } from '../threads/types.js';
import {
  MessageContentInput, MessagePreviewType, OutboundSendConnectionType, OutboundSendType, SendFilterInput, SendMessageInput, SendMessagePayload, SendStepType, WorkflowEventType,
} from './types.js';

// Sends: started, cancelled and retried (R1–R21), read one at a time or listed for supervision
// (R24), followed live (sendUpdated). Who may see which send is the one rule of src/domain/access.ts.

const DEFAULT_PAGE = 50;
const STEP_STATES: ReadonlySet<string> = new Set(SEND_STEP_STATES);

type SendEvent = Extract<HeraldEvent, { type: 'send' }>;

const refuse = (error: UserError): SendMessagePayload => ({ send: null, userErrors: [error], conflict: null });

const reused = (requestId: string) =>
  userError('IDEMPOTENCY_KEY_REUSED', `The requestId "${requestId}" was used before for a different message; use a new requestId for a new send.`, ['requestId']);

async function payloadFor(ctx: Context, send: SendRow, userErrors: UserError[], conflictThreadId: string | null): Promise<SendMessagePayload> {
  const conflict = conflictThreadId ? await conflictOf(ctx, send.clientId, conflictThreadId) : null;
  return { send, userErrors, conflict } as SendMessagePayload;
}

async function conflictOf(ctx: Context, clientId: string, threadId: string) {
  const [thread, client] = await Promise.all([ctx.loaders.thread.load(threadId), ctx.loaders.client.load(clientId)]);
  if (!thread || !client) return null;
  ctx.loaders.activeThread.clear(clientId);
  const alternatives = (await ctx.loaders.clientChannelOptions(client)).filter((c) => c.available);
  return { activeThread: thread, alternatives, canTakeOver: canTakeOver(thread) };
}

/**
 * cancelSend and retrySend: the workflow refuses at once what cannot apply (its update validator)
 * and answers once it has acted, so the answer shows the send as it is now.
 */
async function act(ctx: Context, id: string, action: (sendId: string, byAgentId: string | null) => Promise<ActionResult>): Promise<SendMessagePayload> {
  const send = await visibleSend(ctx, await getSend(ctx.db, id));
  if (!send) return refuse(userError('NOT_FOUND', 'No such send.', ['id']));
  const result = await action(send.id, ctx.viewer!.id);
  const after = (await getSend(ctx.db, send.id))!;
  const userErrors = result.ok ? [] : [userError('INVALID_INPUT', result.reason === 'The send has finished.' ? `The send has finished (${after.state}).` : result.reason, ['id'])];
  return { send: after, userErrors, conflict: null } as SendMessagePayload;
}

/** R23: who the send goes out as; an error to answer with when the caller may not send that way. */
async function senderOf(ctx: Context, onBehalfOfAgentId: string | null | undefined): Promise<{ agentId: string | null } | UserError> {
  const caller = callerOf(ctx);
  const named = onBehalfOfAgentId ? ((isUuid(onBehalfOfAgentId) ? (await getAgents(ctx.db, [onBehalfOfAgentId]))[0] : undefined) ?? 'not found') : null;
  const decision = sendsAs(caller, named);
  if (decision.ok) return { agentId: decision.agentId };
  switch (decision.reason) {
    case 'ONLY_INTEGRATORS':
      return userError('FORBIDDEN', 'Only an integrator sends on behalf of an agent; agents send as themselves.', ['onBehalfOfAgentId']);
    case 'NOT_AN_AGENT':
      return userError('FORBIDDEN', 'An integrator sends only on behalf of an agent, never of a supervisor, an admin or another integrator.', ['onBehalfOfAgentId']);
    case 'NOT_FOUND':
      return userError('NOT_FOUND', 'No agent has that id.', ['onBehalfOfAgentId']);
  }
}

/** The content of a send or of a fallback step (or of a campaign's every send), as the workflow carries it. */
export function contentOf(input: MessageContentInput): SendContent {
  return {
    text: input.text ?? null,
    attachmentId: input.attachmentId ?? null,
    template: input.template ? { templateId: input.template.templateId, variables: input.template.variables ?? [] } : null,
    subject: input.subject ?? null,
    bcc: input.bcc ?? null,
  };
}

/**
 * What a sendMessage input asks for, once the caller may ask it (R23), the client is one they see
 * and sendAt is a time a send can be scheduled for (R25); otherwise the error to answer with.
 */
async function askedSend(ctx: Context, input: SendMessageInput): Promise<Omit<SendRequest, 'sendId' | 'fingerprint'> | UserError> {
  const viewer = ctx.viewer!;
  const sender = await senderOf(ctx, input.onBehalfOfAgentId);
  if ('code' in sender) return sender;
  const requestId = input.requestId ?? randomUUID();
  if (!REQUEST_ID.test(requestId)) return userError('INVALID_INPUT', REQUEST_ID_RULE, ['requestId']);
  const client = await visibleClient(ctx, input.clientId);
  if (!client) return userError('NOT_FOUND', 'No such client.', ['clientId']);
  const badTime = input.sendAt ? checkSendAt(input.sendAt, new Date()) : null;
  if (badTime) return badTime;
  return {
    requestId,
    requestedById: viewer.id,
    agentId: sender.agentId,
    clientId: client.id,
    channel: input.channel,
    ...contentOf(input),
    disposition: input.disposition
      ? { kind: input.disposition.kind, target: input.disposition.target ?? null, comment: input.disposition.comment ?? null }
      : null,
    ...(input.sendAt ? { sendAt: input.sendAt.toISOString() } : {}),
    ...(input.takeOverThreadId ? { takeOverThreadId: input.takeOverThreadId } : {}),
    ...(input.fallback?.length
      ? {
        fallback: input.fallback.map((step) => ({ channel: step.channel, ...contentOf(step), afterSeconds: step.afterSeconds ?? null })),
      }
      : {}),
  };
}

@Resolver(() => OutboundSendType)
export class SendResolver {
  @Authorized(...STAFF)
  @Mutation(() => SendMessagePayload)
  async sendMessage(@Ctx() ctx: Context, @Arg('input', () => SendMessageInput) input: SendMessageInput): Promise<SendMessagePayload> {
    const viewer = ctx.viewer!;
    const asked = await askedSend(ctx, input);
    if ('code' in asked) return refuse(asked);
    const { requestId } = asked;
    // Every answer names the key the send goes by, so a caller who gave none can ask again (R21).
    const answer = async (payload: SendMessagePayload | Promise<SendMessagePayload>): Promise<SendMessagePayload> => ({ ...(await payload), requestId });
    const fingerprint = requestFingerprint(asked);
    // R21: a requestId is the caller's own. The same one again finds its send (whatever id it was
    // given); with other parameters it is refused, never answered with the old send. One Herald
    // made up just now (the caller gave none) has no earlier send to find.
    const earlier = input.requestId ? await findSendByRequest(ctx.db, viewer.id, requestId) : null;
    if (earlier && earlier.requestHash && earlier.requestHash !== fingerprint) return answer(refuse(reused(requestId)));
    const sendId = earlier?.id ?? sendIdFor(viewer.id, requestId);
    const request: SendRequest = { ...asked, sendId, fingerprint };
    let outcome;
    try {
      outcome = await ctx.sends.start(request);
    } catch (err) {
      ctx.log.error({ err, sendId, workflowId: sendId }, 'the send could not be started or answered in time')
      // The send may be under way: the same requestId finds it and never sends twice (R21).
      return answer(refuse(userError('SYSTEM_ERROR', `Herald could not confirm the send in time. Ask again with requestId "${requestId}": it will not be sent twice.`, ['requestId'])));
    }
    const send = await getSend(ctx.db, sendId);
    if (!send) {
      // Only a send whose very first record failed has no row; its answer says why.
      if (outcome.kind === 'answered' && outcome.answer.errors.length > 0) return answer({ send: null, userErrors: outcome.answer.errors, conflict: null } as SendMessagePayload);
      throw new Error(`send ${sendId} has no record after it was ${outcome.kind}`);
    }
    // Two requests with one requestId and different parameters raced: the workflow holds the first.
    if (send.requestHash && send.requestHash !== fingerprint) return answer(refuse(reused(requestId)));
    ctx.log.info({ sendId, workflowId: sendId, channel: request.channel, outcome: outcome.kind, state: outcome.kind === 'answered' ? outcome.answer.state : send.state }, 'sendMessage answered');
    // The workflow's answer is the truth as of now; the record may still be catching up with it.
    if (outcome.kind === 'answered') return answer(payloadFor(ctx, send, outcome.answer.errors, outcome.answer.conflictThreadId));
    return answer(payloadFor(ctx, send, send.errors, null));
  }

  /** R27: the same checks as sendMessage, the message as it would go out; no side effects. */
  @Authorized(...STAFF)
  @Query(() => MessagePreviewType)
  async previewMessage(@Ctx() ctx: Context, @Arg('input', () => SendMessageInput) input: SendMessageInput): Promise<MessagePreview> {
    const asked = await askedSend(ctx, input);
    if ('code' in asked) {
      return { channel: input.channel, header: null, body: null, footer: null, subject: null, bcc: [], attachment: null, templateRequirement: null, sendAt: input.sendAt ?? null, userErrors: [asked], fallback: [] };
    }
    const [preview, quiet] = await Promise.all([previewSend(ctx, { ...asked, sendId: sendIdFor(ctx.viewer!.id, asked.requestId) }), getQuietHours(ctx.db, ctx.viewer!.standId)]);
    return { ...preview, quietHoursUntil: quiet ? quietUntil(preview.sendAt ?? ctx.now, quiet) : null };
  }

  @Authorized(...STAFF)
  @Mutation(() => SendMessagePayload, { description: 'before the channel accepted it' })
  cancelSend(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SendMessagePayload> {
    return act(ctx, id, (sendId, byAgentId) => ctx.sends.cancel(sendId, byAgentId));
  }

  @Authorized(...STAFF)
  @Mutation(() => SendMessagePayload, { description: 'after a failure that may pass; same message, new attempt' })
  retrySend(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SendMessagePayload> {
    return act(ctx, id, (sendId, byAgentId) => ctx.sends.retry(sendId, byAgentId));
  }

  @Authorized()
  @Query(() => OutboundSendType, { nullable: true })
  async send(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return visibleSend(ctx, await getSend(ctx.db, id));
  }

  /** R24: newest first, filtered by agent, client, channel, state and time (R29: and failure code), within what the caller may see. */
  @Authorized()
  @Query(() => OutboundSendConnectionType)
  async sends(
    @Ctx() ctx: Context,
    @Arg('filter', () => SendFilterInput, { nullable: true }) filter?: SendFilterInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<SendRow>> {
    // A send's id is text (its workflow id): any id compares harmlessly.
    const cursor = after ? decodeCursor(after, () => true) : null;
    if (after && !cursor) throw toGraphQLError(userError('INVALID_INPUT', 'That cursor is not one this list gave out.', ['after']));
    const f = filter ?? {};
    // Ids are UUIDs: anything else names no agent or client, so nothing matches.
    if ((f.agentId && !isUuid(f.agentId)) || (f.clientId && !isUuid(f.clientId))) return pageOf([], false, after);
    const page = await listSends(ctx.db, { scope: sendScope(callerOf(ctx)), filter: f, first: first ?? DEFAULT_PAGE, after: cursor });
    return pageOf(page.rows.map((r) => ({ cursor: r.cursor, node: r.send })), page.hasNextPage, after);
  }

  @Subscription(() => OutboundSendType, {
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const id = (args as { id: string }).id;
      // A UI may subscribe before it sends (it chose the requestId); a send that exists must be visible.
      const existing = await getSend(ctx.db, id);
      if (existing && !(await visibleSend(ctx, existing))) throw new UserErrorException(userError('NOT_FOUND', 'No such send.', ['id']));
      // The send as it is now comes first, so a subscriber cannot miss a quick send's last change.
      const now: SendEvent | null = existing ? { type: 'send', sendId: id, at: new Date().toISOString() } : null;
      return startingWith(now, events(ctx).iterate((e): e is SendEvent => e.type === 'send' && e.sendId === id));
    },
  })
  async sendUpdated(@Root() _event: SendEvent, @Ctx() context: Context, @Arg('id', () => ID) id: string) {
    const ctx = fresh(context);
    const send = await visibleSend(ctx, await getSend(ctx.db, id));
    if (!send) throw new UserErrorException(userError('NOT_FOUND', 'No such send.', ['id']));
    return send;
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

  /** R26: every message the send made, its own channel first, then each fallback step it reached. */
  @FieldResolver(() => [MessageType])
  messages(@Root() send: SendRow, @Ctx() ctx: Context) {
    return ctx.loaders.sendMessages.load(send.id);
  }

  @FieldResolver(() => ThreadType, { nullable: true })
  thread(@Root() send: SendRow, @Ctx() ctx: Context) {
    return send.threadId ? ctx.loaders.thread.load(send.threadId) : null;
  }

  @FieldResolver(() => [SendStepType])
  steps(@Root() send: SendRow): SendStepType[] {
    return send.steps.map((s) => ({
      name: s.name, state: s.state, status: (STEP_STATES.has(s.state) ? s.state : 'UNKNOWN') as SendStepState, at: new Date(s.at), detail: s.detail ?? null,
    }));
  }

  @FieldResolver(() => [WorkflowEventType], { description: "the workflow's own event history (supervisors)" })
  async history(@Root() send: SendRow, @Ctx() ctx: Context): Promise<WorkflowEventType[]> {
    if (!canReadWorkflowHistory(callerOf(ctx))) throw toGraphQLError(userError('FORBIDDEN', "A send's workflow history is for supervisors and admins."));
    try {
      return workflowEvents(await ctx.sends.historyOf(send.id));
    } catch (err) {
      // Past the namespace's retention Temporal keeps no history; the send's steps remain.
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    }
  }
}
