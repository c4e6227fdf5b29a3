import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { STAFF } from '../../auth/roles.js';
import { insertClientByPhone, searchClients, setBlocked, upsertClient, type ClientRow } from '../../db/clients.js';
import { decodeCursor } from '../../db/cursor.js';
import type { HeraldEvent } from '../../db/events.js';
import { isValidEmail } from '../../domain/email.js';
import type { Channel } from '../../domain/enums.js';
import { userError, UserErrorException, type UserError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { checkNewClientPhone, displayPhone } from '../../domain/phone.js';
import { visibleClient } from '../access.js';
import { offsetCursor, pageOf, type Page } from '../common/connection.js';
import type { Context } from '../context.js';
import { events, fresh } from '../realtime.js';
import { ChannelEnum } from '../scalars.js';
import { MessageConnectionType, ThreadType } from '../threads/types.js';
import type { MessageRow } from '../../db/messages.js';
import {
  ClientActivityType, ClientChannelType, ClientConnectionType, ClientInput, ClientType, CreateClientPayload, MessengerUsernameType,
} from './types.js';

const DEFAULT_PAGE = 50;
const DEFAULT_SEARCH_PAGE = 20;

type ClientEvent = Extract<HeraldEvent, { type: 'client' }>;

function checkClientInput(input: ClientInput): { errors: UserError[]; phone: string | null | undefined } {
  const errors: UserError[] = [];
  let phone: string | null | undefined = input.phone === undefined ? undefined : null;
  if (input.phone) {
    const check = checkNewClientPhone(input.phone);
    if (check.ok) phone = check.digits;
    else errors.push(check.error);
  }
  if (input.email && !isValidEmail(input.email)) {
    errors.push(userError('INVALID_EMAIL', `"${input.email}" is not an email address of the form login@domain.zone.`, ['email']));
  }
  const seen = new Set<Channel>();
  input.usernames?.forEach((u, i) => {
    if (u.username.trim() === '') errors.push(userError('INVALID_INPUT', 'A messenger username cannot be empty.', ['usernames', String(i), 'username']));
    if (u.channel === 'WHATSAPP' || u.channel === 'VIBER' || u.channel === 'EMAIL') {
      errors.push(userError('INVALID_INPUT', `${u.channel} reaches clients by ${u.channel === 'EMAIL' ? 'email' : 'phone'}, not by username.`, ['usernames', String(i), 'channel']));
    }
    if (seen.has(u.channel)) errors.push(userError('INVALID_INPUT', `Give one username per channel; ${u.channel} is given twice.`, ['usernames', String(i), 'channel']));
    seen.add(u.channel);
  });
  const hasAnything = [input.externalId, input.name, input.phone, input.email].some((v) => v && v.trim() !== '') || (input.usernames?.length ?? 0) > 0;
  if (!hasAnything) errors.push(userError('INVALID_INPUT', 'Give at least a name, phone, email, external id or messenger username.'));
  return { errors, phone };
}

const notFound = () => new UserErrorException(userError('NOT_FOUND', 'No such client.', ['clientId']));

@Resolver(() => ClientType)
export class ClientResolver {
  @Authorized()
  @Query(() => [ClientType], { deprecationReason: 'Use clients(query:), paginated.' })
  searchClients(
    @Ctx() ctx: Context,
    @Arg('query', () => String) query: string,
    @Arg('first', () => Int, { defaultValue: DEFAULT_SEARCH_PAGE, nullable: true }) first: number | null,
  ) {
    return searchClients(ctx.db, ctx.viewer!.standId, query, first ?? DEFAULT_SEARCH_PAGE);
  }

  /** R18: one search box, best matches first, a page at a time. */
  @Authorized()
  @Query(() => ClientConnectionType, { description: 'R18: name, phone in any formatting, email, external id or messenger username; best matches first' })
  async clients(
    @Ctx() ctx: Context,
    @Arg('query', () => String) query: string,
    @Arg('first', () => Int, { defaultValue: DEFAULT_SEARCH_PAGE, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<ClientRow>> {
    const afterIndex = after ? offsetCursor.decode(after) : null;
    if (after && afterIndex === null) throw new UserErrorException(userError('INVALID_INPUT', 'That cursor was not handed out by this list; start again without `after`.', ['after']));
    const offset = afterIndex === null ? 0 : afterIndex + 1;
    const size = first ?? DEFAULT_SEARCH_PAGE;
    const rows = await searchClients(ctx.db, ctx.viewer!.standId, query, size + 1, offset);
    const edges = rows.slice(0, size).map((node, i) => ({ cursor: offsetCursor.encode(offset + i), node }));
    return pageOf(edges, rows.length > size, after);
  }

  @Authorized()
  @Query(() => ClientType, { nullable: true })
  client(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return visibleClient(ctx, id);
  }

  /** R17: from a phone number of at least 7 digits; an existing number answers with its client. */
  @Authorized(...STAFF)
  @Mutation(() => CreateClientPayload)
  async createClient(
    @Ctx() ctx: Context,
    @Arg('phone', () => String) phone: string,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
  ) {
    const check = checkNewClientPhone(phone);
    if (!check.ok) return { client: null, userErrors: [check.error] };
    const result = await insertClientByPhone(ctx.db, ctx.viewer!.standId, check.digits, name?.trim() || null);
    if (result.created) return { client: result.client, userErrors: [] };
    return {
      client: result.existing,
      userErrors: [userError('CLIENT_EXISTS', `A client with the phone ${displayPhone(check.digits)} exists already: ${result.existing.name ?? 'no name'}.`, ['phone'])],
    };
  }

  @Authorized('ADMIN', 'INTEGRATOR')
  @Mutation(() => CreateClientPayload)
  async upsertClient(@Ctx() ctx: Context, @Arg('input', () => ClientInput) input: ClientInput) {
    const { errors, phone } = checkClientInput(input);
    if (errors.length > 0) return { client: null, userErrors: errors };
    const result = await upsertClient(ctx.db, ctx.viewer!.standId, { ...input, ...(phone !== undefined ? { phone } : {}) });
    if (result.ok) return { client: result.client, userErrors: [] };
    return { client: result.phoneTakenBy, userErrors: [userError('CLIENT_EXISTS', `Another client has the phone ${displayPhone(phone!)}.`, ['phone'])] };
  }

  @Authorized('ADMIN', 'SUPERVISOR')
  @Mutation(() => CreateClientPayload, { description: 'channel: block on that channel only' })
  async setClientBlocked(
    @Ctx() ctx: Context,
    @Arg('clientId', () => ID) clientId: string,
    @Arg('blocked', () => Boolean) blocked: boolean,
    @Arg('channel', () => ChannelEnum, { nullable: true }) channel?: Channel | null,
  ) {
    const client = await visibleClient(ctx, clientId);
    if (!client) return { client: null, userErrors: [userError('NOT_FOUND', 'No such client.', ['clientId'])] };
    await setBlocked(ctx.db, client.id, blocked, channel ?? null);
    ctx.loaders.client.clear(client.id);
    ctx.loaders.clientChannels.clear(client.id);
    return { client: await ctx.loaders.client.load(client.id), userErrors: [] };
  }

  @FieldResolver(() => String, { nullable: true })
  phone(@Root() client: ClientRow) {
    return displayPhone(client.phone);
  }

  @FieldResolver(() => [MessengerUsernameType])
  usernames(@Root() client: ClientRow, @Ctx() ctx: Context) {
    return ctx.loaders.usernames.load(client.id);
  }

  @FieldResolver(() => ThreadType, { nullable: true, description: 'null: no "go to thread" action' })
  async activeThread(@Root() client: ClientRow, @Ctx() ctx: Context) {
    return (await ctx.loaders.activeThread.load(client.id))[0] ?? null;
  }

  @FieldResolver(() => [ClientChannelType], { description: "one per stand channel, in the stand's order" })
  channels(@Root() client: ClientRow, @Ctx() ctx: Context) {
    return ctx.loaders.clientChannelOptions(client);
  }

  /** The client's messages, newest first; one statement per nesting level (DataLoader). */
  @FieldResolver(() => MessageConnectionType)
  async history(
    @Root() client: ClientRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<MessageRow>> {
    const cursor = after ? decodeCursor(after, isUuid) : null;
    if (after && !cursor) throw new UserErrorException(userError('INVALID_INPUT', 'That cursor was not handed out by this list; start again without `after`.', ['after']));
    const page = await ctx.loaders.history(first ?? DEFAULT_PAGE, cursor).load(client.id);
    return pageOf(page.rows.map((r) => ({ cursor: r.cursor, node: r.message })), page.hasNextPage, after);
  }

  /** R22: THREAD_OPENED and THREAD_CLOSED let a UI warn while an agent composes. */
  @Subscription(() => ClientActivityType, {
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const clientId = (args as { clientId: string }).clientId;
      if (!(await visibleClient(ctx, clientId))) throw notFound();
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
}
