import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { hashToken, issueToken, newToken } from '../../auth/tokens.js';
import { getToken, revokeToken, tokensOf } from '../../db/tokens.js';
import { isUuid } from '../../domain/ids.js';
import { createAgent, setAgentStatus, type AgentRow } from '../../db/agents.js';
import type { HeraldEvent } from '../../db/events.js';
import { canSeeQueue } from '../../domain/access.js';
import { statusReasonFor } from '../../domain/agentStatus.js';
import type { AgentStatus, Role } from '../../domain/enums.js';
import { userError, UserErrorException } from '../../domain/errors.js';
import { callerOf } from '../access.js';
import { toGraphQLError } from '../errors.js';
import type { Context } from '../context.js';
import { pageOf, type Page } from '../common/connection.js';
import { events, fresh } from '../realtime.js';
import { AgentStatusEnum, RoleEnum } from '../scalars.js';
import { ThreadConnectionType, ThreadType } from '../threads/types.js';
import { AgentPayload, AgentType, ApiTokenType, CreateAgentPayload, CreateTokenPayload, RevokeTokenPayload } from './types.js';
import { keysetPage } from '../common/keyset.js';
import type { ThreadRow } from '../../db/clients.js';

const LOGIN = /^[A-Za-z0-9._-]{2,64}$/;

const expiry = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000);

type QueueEvent = Extract<HeraldEvent, { type: 'queue' }>;

function queueOf(ctx: Context, agent: AgentRow): Promise<ThreadRow[]> {
  if (!canSeeQueue(callerOf(ctx), agent)) {
    throw toGraphQLError(userError('FORBIDDEN', "Only the agent itself, a supervisor, an admin or an integrator of its stand sees an agent's queue."));
  }
  return ctx.loaders.queue.load(agent.id);
}

@Resolver(() => AgentType)
export class AgentResolver {
  @Authorized()
  @Query(() => AgentType)
  async me(@Ctx() ctx: Context): Promise<AgentRow> {
    // The viewer comes from a briefly cached token lookup; the agent as it is now comes from its row.
    return (await ctx.loaders.agent.load(ctx.viewer!.id)) ?? ctx.viewer!;
  }

  /** Agents act only as themselves: the status set is always the caller's own. */
  @Authorized()
  @Mutation(() => AgentPayload)
  async setMyStatus(
    @Ctx() ctx: Context,
    @Arg('status', () => AgentStatusEnum) status: AgentStatus,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null,
  ) {
    const statusReason = statusReasonFor(status, reason);
    if (status === 'BREAK' && !statusReason) {
      return { agent: null, userErrors: [userError('INVALID_INPUT', 'A break needs its reason, for example "lunch", "short", "technical", "training" or "meeting".', ['reason'])] };
    }
    return { agent: await setAgentStatus(ctx.db, ctx.viewer!.id, status, statusReason), userErrors: [] };
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateAgentPayload, { description: 'token shown once' })
  async createAgent(
    @Ctx() ctx: Context,
    @Arg('login', () => String) login: string,
    @Arg('name', () => String) name: string,
    @Arg('role', () => RoleEnum) role: Role,
  ) {
    if (!LOGIN.test(login)) {
      return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', 'A login is 2 to 64 Latin letters, digits, dots, underscores or dashes.', ['login'])] };
    }
    if (name.trim() === '') return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', 'An agent needs a name.', ['name'])] };
    const token = newToken();
    const result = await createAgent(ctx.db, { standId: ctx.viewer!.standId, login, name: name.trim(), role }, hashToken(token), expiry(ctx.config.tokenTtlDays));
    if (!result.ok) return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', `The login "${login}" is taken.`, ['login'])] };
    return { agent: result.agent, token, userErrors: [] };
  }

  /** A new token for an agent of the stand (its login's old ones stay until they expire or are revoked). */
  @Authorized('ADMIN')
  @Mutation(() => CreateTokenPayload, { description: 'ADMIN: a token for an agent, shown once; expiresInDays defaults to TOKEN_TTL_DAYS' })
  async createToken(
    @Ctx() ctx: Context,
    @Arg('agentId', () => ID) agentId: string,
    @Arg('label', () => String, { nullable: true }) label?: string | null,
    @Arg('expiresInDays', () => Int, { nullable: true }) expiresInDays?: number | null,
  ) {
    const agent = isUuid(agentId) ? await ctx.loaders.agent.load(agentId) : null;
    if (!agent || agent.standId !== ctx.viewer!.standId) return { token: null, apiToken: null, userErrors: [userError('NOT_FOUND', 'No agent has that id.', ['agentId'])] };
    if (expiresInDays !== null && expiresInDays !== undefined && (expiresInDays < 1 || expiresInDays > 3650)) {
      return { token: null, apiToken: null, userErrors: [userError('INVALID_INPUT', 'A token lasts 1 to 3650 days.', ['expiresInDays'])] };
    }
    const { token, row } = await issueToken(ctx.db, agent.id, label?.trim() || 'created by an admin', { expiresAt: expiry(expiresInDays ?? ctx.config.tokenTtlDays) });
    return { token, apiToken: row, userErrors: [] };
  }

  /** An admin revokes any token of the stand; an agent its own. Takes effect at once on this instance, within seconds on the others. */
  @Authorized()
  @Mutation(() => RevokeTokenPayload, { description: "ADMIN any of the stand's tokens; anyone their own" })
  async revokeToken(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const row = isUuid(id) ? await getToken(ctx.db, id) : null;
    const owner = row ? await ctx.loaders.agent.load(row.agentId) : null;
    const caller = callerOf(ctx);
    const mayRevoke = !!owner && owner.standId === caller.standId && (caller.role === 'ADMIN' || owner.id === caller.id);
    if (!row || !mayRevoke) return { apiToken: null, userErrors: [userError('NOT_FOUND', 'No such token.', ['id'])] };
    const revoked = await revokeToken(ctx.db, row.id);
    ctx.forgetTokens?.();
    return { apiToken: revoked, userErrors: [] };
  }

  /** The agent's tokens (never the tokens themselves): an admin's view, or the agent's own. */
  @FieldResolver(() => [ApiTokenType])
  async tokens(@Root() agent: AgentRow, @Ctx() ctx: Context) {
    const caller = callerOf(ctx);
    if (!(caller.id === agent.id || (caller.role === 'ADMIN' && caller.standId === agent.standId))) {
      throw toGraphQLError(userError('FORBIDDEN', "An agent's tokens are for the agent and admins."));
    }
    return tokensOf(ctx.db, [agent.id]);
  }

  /** An agent sees its own queue; supervisors, admins and integrators of its stand see anyone's. */
  @FieldResolver(() => [ThreadType], {
    description: 'threads assigned to this agent, not CLOSED (ASSIGN_TO_ME lands here)',
    deprecationReason: 'Use queueConnection, paginated.',
  })
  queue(@Root() agent: AgentRow, @Ctx() ctx: Context) {
    return queueOf(ctx, agent);
  }

  @FieldResolver(() => ThreadConnectionType, { description: 'threads assigned to this agent, not CLOSED, oldest first' })
  async queueConnection(
    @Root() agent: AgentRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 50, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<ThreadRow>> {
    return keysetPage(await queueOf(ctx, agent), (t) => t.openedAt, first ?? 50, after);
  }

  /** Only the caller's own queue: there is no argument to name another agent's. */
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
