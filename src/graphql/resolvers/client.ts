import { and, eq } from 'drizzle-orm';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  findClientByExternalId, insertClientByPhone, replaceUsernames, searchClients, setBlocked, type ClientRow,
} from '../../db/clients.js';
import { clients } from '../../db/schema.js';
import { isUniqueViolation } from '../../db/connection.js';
import { decodeCursor } from '../../db/cursor.js';
import { isValidEmail } from '../../domain/email.js';
import type { Channel } from '../../domain/enums.js';
import { userError, UserErrorException, type UserError } from '../../domain/errors.js';
import { checkNewClientPhone, displayPhone } from '../../domain/phone.js';
import { STAFF } from '../auth.js';
import type { Context } from '../context.js';
import { isUuid } from '../../domain/ids.js';
import { ChannelEnum } from '../scalars.js';
import {
  ClientChannelType, ClientInput, ClientType, CreateClientPayload, MessageConnectionType, MessengerUsernameType, ThreadType,
} from '../types.js';

const DEFAULT_PAGE = 50;

/** A client of the viewer's stand, or null: other stands' clients do not exist for this caller. */
export async function loadClient(ctx: Context, id: string): Promise<ClientRow | null> {
  if (!isUuid(id)) return null;
  const client = await ctx.loaders.client.load(id);
  return client && client.standId === ctx.viewer?.standId ? client : null;
}

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

@Resolver(() => ClientType)
export class ClientResolver {
  @Authorized()
  @Query(() => [ClientType])
  searchClients(
    @Ctx() ctx: Context,
    @Arg('query', () => String) query: string,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
  ) {
    return searchClients(ctx.db, ctx.viewer!.standId, query, first ?? 20);
  }

  @Authorized()
  @Query(() => ClientType, { nullable: true })
  client(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return loadClient(ctx, id);
  }

  /** R17: from a phone number of at least 7 digits; an existing number answers with its client. */
  @Authorized(...STAFF)
  @Mutation(() => CreateClientPayload)
  async createClient(
    @Ctx() ctx: Context,
    @Arg('phone', () => String) phone: string,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
  ): Promise<CreateClientPayload> {
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
  async upsertClient(@Ctx() ctx: Context, @Arg('input', () => ClientInput) input: ClientInput): Promise<CreateClientPayload> {
    const { errors, phone } = checkClientInput(input);
    if (errors.length > 0) return { client: null, userErrors: errors };
    const standId = ctx.viewer!.standId;
    const fields = {
      ...(input.name !== undefined ? { name: input.name?.trim() || null } : {}),
      ...(phone !== undefined ? { phone } : {}),
      ...(input.email !== undefined ? { email: input.email || null } : {}),
    };
    try {
      const client = await ctx.db.transaction(async (tx) => {
        const existing = input.externalId ? await findClientByExternalId(tx, standId, input.externalId) : null;
        const [row] = existing
          ? await tx.update(clients).set({ ...fields, updatedAt: new Date() }).where(and(eq(clients.id, existing.id))).returning()
          : await tx.insert(clients).values({ standId, externalId: input.externalId ?? null, ...fields }).returning();
        if (input.usernames) await replaceUsernames(tx, row!.id, input.usernames);
        return row!;
      });
      return { client, userErrors: [] };
    } catch (err) {
      if (!isUniqueViolation(err, 'clients_stand_phone') || !phone) throw err;
      const [other] = await ctx.db.select().from(clients).where(and(eq(clients.standId, standId), eq(clients.phone, phone)));
      return { client: other ?? null, userErrors: [userError('CLIENT_EXISTS', `Another client has the phone ${displayPhone(phone)}.`, ['phone'])] };
    }
  }

  @Authorized('ADMIN', 'SUPERVISOR')
  @Mutation(() => CreateClientPayload, { description: 'channel: block on that channel only' })
  async setClientBlocked(
    @Ctx() ctx: Context,
    @Arg('clientId', () => ID) clientId: string,
    @Arg('blocked', () => Boolean) blocked: boolean,
    @Arg('channel', () => ChannelEnum, { nullable: true }) channel?: Channel | null,
  ): Promise<CreateClientPayload> {
    const client = await loadClient(ctx, clientId);
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

  @FieldResolver(() => MessageConnectionType)
  async history(
    @Root() client: ClientRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 50, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<MessageConnectionType> {
    const cursor = after ? decodeCursor(after) : null;
    if (after && !cursor) throw new UserErrorException(userError('INVALID_INPUT', 'That cursor was not handed out by this list; start again without `after`.', ['after']));
    const page = await ctx.loaders.history(first ?? DEFAULT_PAGE, cursor).load(client.id);
    const edges = page.rows.map((r) => ({ cursor: r.cursor, node: r.message }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
