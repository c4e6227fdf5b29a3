import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { consentHistory, consentKeywords, setConsentByAdmin, setConsentKeywords, type ConsentChangeRow } from '../../db/consent.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import { checkConsentKeywords, tidyKeyword } from '../../domain/consent.js';
import type { Channel } from '../../domain/enums.js';
import { userError, UserErrorException } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { visibleClient } from '../access.js';
import { AgentType } from '../agents/types.js';
import { ClientType } from '../clients/types.js';
import { pageOf, type Page } from '../common/connection.js';
import type { Context } from '../context.js';
import { ChannelEnum } from '../scalars.js';
import { MessageType } from '../threads/types.js';
import {
  ConsentChangeConnectionType, ConsentChangeType, ConsentKeywordsInput, ConsentKeywordsPayload, ConsentKeywordsType, SetClientConsentInput,
  SetClientConsentPayload,
} from './types.js';

const DEFAULT_PAGE = 50;

@Resolver(() => ConsentChangeType)
export class ConsentResolver {
  /** R32: the client's audit trail, newest first; whoever may see the client may read it (domain/access.ts). */
  @Authorized()
  @Query(() => ConsentChangeConnectionType, { description: 'R32: every opt-out and opt-in of the client, newest first' })
  async consentChanges(
    @Ctx() ctx: Context,
    @Arg('clientId', () => ID) clientId: string,
    @Arg('channel', () => ChannelEnum, { nullable: true }) channel?: Channel | null,
    @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE, nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<ConsentChangeRow>> {
    const client = await visibleClient(ctx, clientId);
    if (!client) throw new UserErrorException(userError('NOT_FOUND', 'No such client.', ['clientId']));
    const cursor = after ? decodeCursor(after, isUuid) : null;
    if (after && !cursor) throw new UserErrorException(userError('INVALID_INPUT', 'That cursor was not handed out by this list; start again without `after`.', ['after']));
    const page = await consentHistory(ctx.db, client.id, channel ?? null, first ?? DEFAULT_PAGE, cursor);
    return pageOf(page.rows.map((r) => ({ cursor: encodeCursor(r.cursor), node: r.change })), page.hasNextPage, after);
  }

  @Authorized()
  @Query(() => ConsentKeywordsType, { description: "R32: the stand's opt-out and opt-in keywords" })
  consentKeywords(@Ctx() ctx: Context) {
    return consentKeywords(ctx.db, ctx.viewer!.standId);
  }

  /** R32: an administrator opts a client out of a channel or back in; the change and its audit row are one transaction. */
  @Authorized('ADMIN')
  @Mutation(() => SetClientConsentPayload)
  async setClientConsent(@Ctx() ctx: Context, @Arg('input', () => SetClientConsentInput) input: SetClientConsentInput) {
    const client = await visibleClient(ctx, input.clientId);
    if (!client) return { clientChannel: null, consentChange: null, userErrors: [userError('NOT_FOUND', 'No such client.', ['clientId'])] };
    const change = await setConsentByAdmin(ctx.db, {
      clientId: client.id, channel: input.channel, optedOut: input.optedOut, agentId: ctx.viewer!.id, note: input.note?.trim() || null,
    });
    ctx.loaders.clientChannels.clear(client.id);
    const options = await ctx.loaders.clientChannelOptions(client);
    const clientChannel = options.find((o) => o.channel === input.channel) ?? null;
    return { clientChannel, consentChange: change, userErrors: [] };
  }

  /** R32: the stand's keywords; a list left out stays as it is, and the two never overlap. */
  @Authorized('ADMIN')
  @Mutation(() => ConsentKeywordsPayload)
  async configureConsentKeywords(@Ctx() ctx: Context, @Arg('input', () => ConsentKeywordsInput) input: ConsentKeywordsInput) {
    const current = await consentKeywords(ctx.db, ctx.viewer!.standId);
    const lists = { optOut: input.optOut ?? current.optOut, optIn: input.optIn ?? current.optIn };
    const errors = checkConsentKeywords(lists);
    if (errors.length > 0) return { consentKeywords: null, userErrors: errors };
    const saved = await setConsentKeywords(ctx.db, ctx.viewer!.standId, {
      ...(input.optOut ? { optOut: input.optOut.map(tidyKeyword) } : {}),
      ...(input.optIn ? { optIn: input.optIn.map(tidyKeyword) } : {}),
    });
    return { consentKeywords: saved, userErrors: [] };
  }

  @FieldResolver(() => ClientType)
  client(@Root() change: ConsentChangeRow, @Ctx() ctx: Context) {
    return ctx.loaders.client.load(change.clientId);
  }

  @FieldResolver(() => MessageType, { nullable: true, description: 'KEYWORD: the message the client wrote' })
  message(@Root() change: ConsentChangeRow, @Ctx() ctx: Context) {
    return change.messageId ? ctx.loaders.message.load(change.messageId) : null;
  }

  @FieldResolver(() => AgentType, { nullable: true, description: 'ADMIN: the administrator who set it' })
  changedBy(@Root() change: ConsentChangeRow, @Ctx() ctx: Context) {
    return change.agentId ? ctx.loaders.agent.load(change.agentId) : null;
  }
}
