import { Arg, Authorized, Ctx, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { configuredChannels } from '../../config.js';
import { recordInbound } from '../../db/inbound.js';
import { getSend } from '../../db/sends.js';
import { closeThread } from '../../db/threads.js';
import { userError, UserErrorException } from '../../domain/errors.js';
import type { HeraldEvent } from '../../db/events.js';
import { authorize } from '../auth.js';
import { createLoaders, type Context } from '../context.js';
import { isUuid } from '../../domain/ids.js';
import { ClientActivityType, InboundMessageInput, InboundPayload, OutboundSendType, ThreadPayload } from '../sendTypes.js';
import { ThreadType } from '../types.js';
import { loadClient } from './client.js';

type ClientEvent = Extract<HeraldEvent, { type: 'client' }>;
type QueueEvent = Extract<HeraldEvent, { type: 'queue' }>;
type SendEvent = Extract<HeraldEvent, { type: 'send' }>;

/** graphql-ws builds one context per subscription; each event must read the rows as they are now. */
function fresh(ctx: Context): Context {
  ctx.now = new Date();
  ctx.loaders = createLoaders(ctx.db, ctx.viewer, ctx.now, configuredChannels(ctx.config));
  return ctx;
}

function events(ctx: Context) {
  if (!ctx.events) throw new UserErrorException(userError('SYSTEM_ERROR', 'Subscriptions are not available on this server.'));
  return ctx.events;
}

@Resolver()
export class ActivityResolver {
  /** R7, R13: the client writes in (INTEGRATOR; the edna inbound webhook does the same). */
  @Authorized('INTEGRATOR', 'ADMIN')
  @Mutation(() => InboundPayload)
  async recordInboundMessage(@Ctx() ctx: Context, @Arg('input', () => InboundMessageInput) input: InboundMessageInput): Promise<InboundPayload> {
    const result = await recordInbound(ctx.db, ctx.viewer!.standId, {
      channel: input.channel, address: input.address, text: input.text ?? null, name: input.name ?? null, receivedAt: input.receivedAt ?? new Date(),
    });
    if (!result.ok) return { message: null, thread: null, userErrors: result.errors };
    await ctx.sends.clientWroteIn(result.inFlightSendIds);
    const [message, thread] = await Promise.all([ctx.loaders.message.load(result.messageId), ctx.loaders.thread.load(result.threadId)]);
    return { message, thread, userErrors: [] } as InboundPayload;
  }

  /** Its assignee, a supervisor, an admin or an integrator; another agent is FORBIDDEN. */
  @Authorized()
  @Mutation(() => ThreadPayload)
  async closeThread(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('comment', () => String, { nullable: true }) comment?: string | null): Promise<ThreadPayload> {
    const thread = isUuid(id) ? await ctx.loaders.thread.load(id) : null;
    if (!thread || !(await loadClient(ctx, thread.clientId))) return { thread: null, userErrors: [userError('NOT_FOUND', 'No such thread.', ['id'])] };
    const viewer = ctx.viewer!;
    if (viewer.role === 'AGENT' && thread.assigneeId !== viewer.id) authorize(viewer, ['SUPERVISOR', 'ADMIN', 'INTEGRATOR']);
    if (thread.status === 'CLOSED') return { thread, userErrors: [userError('INVALID_INPUT', 'The thread is closed already.', ['id'])] } as ThreadPayload;
    await ctx.db.transaction((tx) => closeThread(tx, thread.id, 'closed by hand', viewer.id, comment ?? null));
    ctx.loaders.thread.clear(thread.id);
    return { thread: await ctx.loaders.thread.load(thread.id), userErrors: [] } as ThreadPayload;
  }

  @Subscription(() => OutboundSendType, {
    subscribe: ({ args, context }) => events(context as Context).iterate((e): e is SendEvent => e.type === 'send' && e.sendId === (args as { id: string }).id),
  })
  async sendUpdated(@Root() _event: SendEvent, @Ctx() context: Context, @Arg('id', () => ID) id: string) {
    const ctx = fresh(context);
    const send = await getSend(ctx.db, id);
    const viewer = ctx.viewer!;
    if (!send || (viewer.role === 'AGENT' && send.agentId !== viewer.id && send.requestedById !== viewer.id)) {
      throw new UserErrorException(userError('NOT_FOUND', 'No such send.', ['id']));
    }
    return send;
  }

  /** R22: THREAD_OPENED and THREAD_CLOSED let a UI warn while an agent composes. */
  @Subscription(() => ClientActivityType, {
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const clientId = (args as { clientId: string }).clientId;
      if (!(await loadClient(ctx, clientId))) throw new UserErrorException(userError('NOT_FOUND', 'No such client.', ['clientId']));
      return events(ctx).iterate((e): e is ClientEvent => e.type === 'client' && e.clientId === clientId);
    },
  })
  async clientActivity(@Root() event: ClientEvent, @Ctx() context: Context, @Arg('clientId', () => ID) _clientId: string) {
    const ctx = fresh(context);
    const [client, thread, message] = await Promise.all([
      ctx.loaders.client.load(event.clientId),
      event.threadId ? ctx.loaders.thread.load(event.threadId) : null,
      event.messageId ? ctx.loaders.message.load(event.messageId) : null,
    ]);
    return { kind: event.kind, client, thread, message, at: new Date(event.at) };
  }

  @Subscription(() => ThreadType, {
    subscribe: ({ context }) => {
      const viewer = (context as Context).viewer;
      if (!viewer) throw new UserErrorException(userError('UNAUTHENTICATED', 'Send a valid token in connection_init.'));
      return events(context as Context).iterate((e): e is QueueEvent => e.type === 'queue' && e.agentId === viewer.id);
    },
  })
  async myQueueChanged(@Root() event: QueueEvent, @Ctx() context: Context) {
    return fresh(context).loaders.thread.load(event.threadId);
  }
}
