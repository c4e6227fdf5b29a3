import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { agentQueue, createAgent, setAgentStatus, type AgentRow } from '../../db/agents.js';
import { statusReasonFor } from '../../domain/agentStatus.js';
import type { AgentStatus, Role } from '../../domain/enums.js';
import { userError } from '../../domain/errors.js';
import { authorize } from '../auth.js';
import type { Context } from '../context.js';
import { AgentStatusEnum, RoleEnum } from '../scalars.js';
import { AgentPayload, AgentType, CreateAgentPayload, ThreadType } from '../types.js';

const LOGIN = /^[A-Za-z0-9._-]{2,64}$/;

@Resolver(() => AgentType)
export class AgentResolver {
  @Authorized()
  @Query(() => AgentType)
  me(@Ctx() ctx: Context): AgentRow {
    return ctx.viewer!;
  }

  /** Agents act only as themselves: the status set is always the caller's own. */
  @Authorized()
  @Mutation(() => AgentPayload)
  async setMyStatus(
    @Ctx() ctx: Context,
    @Arg('status', () => AgentStatusEnum) status: AgentStatus,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null,
  ): Promise<AgentPayload> {
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
  ): Promise<CreateAgentPayload> {
    if (!LOGIN.test(login)) {
      return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', 'A login is 2 to 64 Latin letters, digits, dots, underscores or dashes.', ['login'])] };
    }
    if (name.trim() === '') return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', 'An agent needs a name.', ['name'])] };
    const result = await createAgent(ctx.db, { standId: ctx.viewer!.standId, login, name: name.trim(), role });
    if (!result.ok) return { agent: null, token: null, userErrors: [userError('INVALID_INPUT', `The login "${login}" is taken.`, ['login'])] };
    return { agent: result.agent, token: result.token, userErrors: [] };
  }

  /** An agent sees its own queue; supervisors, admins and integrators see anyone's. */
  @FieldResolver(() => [ThreadType], { description: 'threads assigned to this agent, not CLOSED (ASSIGN_TO_ME lands here)' })
  async queue(@Root() agent: AgentRow, @Ctx() ctx: Context) {
    const viewer = authorize(ctx.viewer, []);
    if (viewer.id !== agent.id) authorize(viewer, ['SUPERVISOR', 'ADMIN', 'INTEGRATOR']);
    return agentQueue(ctx.db, agent.id);
  }
}
