import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { ThreadRow } from '../../db/clients.js';
import type { AttachmentRow } from '../../db/attachments.js';
import type { MessageRow, StatusChangeRow } from '../../db/messages.js';
import type { TemplateRow } from '../../db/templates.js';
import type { Context } from '../context.js';
import { isUuid } from '../../domain/ids.js';
import {
  AgentType, AttachmentType, ClientType, DeliveryFailureType, MessageStatusChangeType, MessageType, TemplateType,
  TemplateVariableType, ThreadType, TransferTargetType,
} from '../types.js';
import { loadClient } from './client.js';

@Resolver(() => ThreadType)
export class ThreadResolver {
  @Authorized()
  @Query(() => ThreadType, { nullable: true })
  async thread(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    if (!isUuid(id)) return null;
    const thread = await ctx.loaders.thread.load(id);
    // A thread is visible where its client is.
    return thread && (await loadClient(ctx, thread.clientId)) ? thread : null;
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

  @FieldResolver(() => [MessageType])
  messages(@Root() thread: ThreadRow, @Ctx() ctx: Context) {
    return ctx.loaders.threadMessages.load(thread.id);
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

@Resolver(() => TemplateType)
export class TemplateResolver {
  @FieldResolver(() => [TemplateVariableType])
  variables(@Root() template: TemplateRow, @Ctx() ctx: Context) {
    return ctx.loaders.templateVariables.load(template.id);
  }
}

@Resolver(() => AttachmentType)
export class AttachmentResolver {
  /** Unguessable, so edna can fetch the file through PUBLIC_BASE_URL without our bearer token. */
  @FieldResolver(() => String)
  url(@Root() attachment: AttachmentRow, @Ctx() ctx: Context) {
    return `${ctx.config.publicBaseUrl}/files/${attachment.accessToken}/${encodeURIComponent(attachment.fileName)}`;
  }
}
