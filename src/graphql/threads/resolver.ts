import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AttachmentRow } from '../../db/attachments.js';
import { attachmentUrl } from '../../db/attachments.js';
import type { ThreadRow } from '../../db/clients.js';
import type { MessageRow, StatusChangeRow } from '../../db/messages.js';
import { closeThread } from '../../db/threads.js';
import { canCloseThread } from '../../domain/access.js';
import { userError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { callerOf, visibleClient } from '../access.js';
import { ClientType } from '../clients/types.js';
import { keysetPage } from '../common/keyset.js';
import type { Page } from '../common/connection.js';
import type { Context } from '../context.js';
import { AgentType } from '../agents/types.js';
import { toGraphQLError } from '../errors.js';
import { TransferTargetType } from '../stand/types.js';
import { TemplateType } from '../templates/types.js';
import {
  AttachmentType, DeliveryFailureType, MessageConnectionType, MessageStatusChangeType, MessageType, ThreadPayload, ThreadType,
} from './types.js';

/** A thread is visible where its client is. */
export async function visibleThread(ctx: Context, id: string): Promise<ThreadRow | null> {
  if (!isUuid(id)) return null;
  const thread = await ctx.loaders.thread.load(id);
  return thread && (await visibleClient(ctx, thread.clientId)) ? thread : null;
}

@Resolver(() => ThreadType)
export class ThreadResolver {
  @Authorized()
  @Query(() => ThreadType, { nullable: true })
  thread(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return visibleThread(ctx, id);
  }

  /** Its assignee, a supervisor, an admin or an integrator; another agent is FORBIDDEN. */
  @Authorized()
  @Mutation(() => ThreadPayload)
  async closeThread(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('comment', () => String, { nullable: true }) comment?: string | null) {
    const thread = await visibleThread(ctx, id);
    if (!thread) return { thread: null, userErrors: [userError('NOT_FOUND', 'No such thread.', ['id'])] };
    const caller = callerOf(ctx);
    if (!canCloseThread(caller, thread)) throw toGraphQLError(userError('FORBIDDEN', 'Only its assignee, a supervisor, an admin or an integrator closes a thread.'));
    if (thread.status === 'CLOSED') return { thread, userErrors: [userError('INVALID_INPUT', 'The thread is closed already.', ['id'])] };
    await ctx.db.transaction((tx) => closeThread(tx, thread.id, 'closed by hand', caller.id, comment ?? null));
    ctx.loaders.thread.clear(thread.id);
    return { thread: await ctx.loaders.thread.load(thread.id), userErrors: [] };
  }

  @FieldResolver(() => ClientType)
  client(@Root() thread: ThreadRow, @Ctx() ctx: Context) {
    return ctx.loaders.client.load(thread.clientId);
  }

  @FieldResolver(() => AgentType, { nullable: true })
  assignee(@Root() thread: ThreadRow, @Ctx() ctx: Context) {
    return thread.assigneeId ? ctx.loaders.agent.load(thread.assigneeId) : null;
  }

  @FieldResolver(() => TransferTargetType, { nullable: true })
  queueTarget(@Root() thread: ThreadRow, @Ctx() ctx: Context) {
    return thread.queueTargetId ? ctx.loaders.transferTarget.load(thread.queueTargetId) : null;
  }

  @FieldResolver(() => [MessageType], { deprecationReason: 'Use messagesConnection, paginated.' })
  messages(@Root() thread: ThreadRow, @Ctx() ctx: Context) {
    return ctx.loaders.threadMessages.load(thread.id);
  }

  @FieldResolver(() => MessageConnectionType, { description: "the thread's messages in the order they were written" })
  async messagesConnection(
    @Root() thread: ThreadRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 50, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<MessageRow>> {
    return keysetPage(await ctx.loaders.threadMessages.load(thread.id), (m) => m.createdAt, first ?? 50, after);
  }
}

function failureOf(row: { failureCode: DeliveryFailureType['code'] | null; failureProviderCode: string | null; failureMessage: string | null }): DeliveryFailureType | null {
  if (!row.failureCode) return null;
  return { code: row.failureCode, providerCode: row.failureProviderCode, message: row.failureMessage ?? row.failureCode };
}

@Resolver(() => MessageType)
export class MessageResolver {
  @FieldResolver(() => ClientType)
  client(@Root() message: MessageRow, @Ctx() ctx: Context) {
    return ctx.loaders.client.load(message.clientId);
  }

  @FieldResolver(() => ThreadType, { nullable: true })
  thread(@Root() message: MessageRow, @Ctx() ctx: Context) {
    return message.threadId ? ctx.loaders.thread.load(message.threadId) : null;
  }

  @FieldResolver(() => AgentType, { nullable: true })
  author(@Root() message: MessageRow, @Ctx() ctx: Context) {
    return message.authorId ? ctx.loaders.agent.load(message.authorId) : null;
  }

  @FieldResolver(() => TemplateType, { nullable: true })
  template(@Root() message: MessageRow, @Ctx() ctx: Context) {
    return message.templateId ? ctx.loaders.template.load(message.templateId) : null;
  }

  @FieldResolver(() => AttachmentType, { nullable: true })
  attachment(@Root() message: MessageRow, @Ctx() ctx: Context) {
    return message.attachmentId ? ctx.loaders.attachment.load(message.attachmentId) : null;
  }

  @FieldResolver(() => DeliveryFailureType, { nullable: true })
  failure(@Root() message: MessageRow) {
    return failureOf(message);
  }

  @FieldResolver(() => [MessageStatusChangeType])
  async statusHistory(@Root() message: MessageRow, @Ctx() ctx: Context): Promise<MessageStatusChangeType[]> {
    const rows: StatusChangeRow[] = await ctx.loaders.statusChanges.load(message.id);
    return rows.map((r) => ({ status: r.status, at: r.at, failure: failureOf(r), note: r.note }));
  }
}

@Resolver(() => AttachmentType)
export class AttachmentResolver {
  /** Unguessable, so edna can fetch the file through PUBLIC_BASE_URL without our bearer token. */
  @FieldResolver(() => String)
  url(@Root() attachment: AttachmentRow, @Ctx() ctx: Context) {
    return attachmentUrl(ctx.config.publicBaseUrl, attachment);
  }
}
