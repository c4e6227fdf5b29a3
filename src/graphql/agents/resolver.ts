import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { hashToken, newToken } from '../../auth/tokens.js';
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
import { AgentPayload, AgentType, CreateAgentPayload } from './types.js';
import { keysetPage } from '../common/keyset.js';
import type { ThreadRow } from '../../db/clients.js';

const LOGIN = /^[A-Za-z0-9._-]{2,64}$/;

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
    const result = await createAgent(ctx.db, { standId: ctx.viewer!.standId, login, name: name.trim(), role }, hashToken(token));
    if (!result.ok) return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', `The login "${login}" is taken.`, ['login'])] };
    return { agent: result.agent, token, userErrors: [] };
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
