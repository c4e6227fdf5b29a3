import { WorkflowNotFoundError } from '@temporalio/client';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { decodeCursor } from '../../db/cursor.js';
import { listSends, type SendScope } from '../../db/sendsQuery.js';
import type { SendRow } from '../../db/sends.js';
import type * as E from '../../domain/enums.js';
import { userError } from '../../domain/errors.js';
import { workflowEvents } from '../../sends/history.js';
import { authorize } from '../auth.js';
import type { Context } from '../context.js';
import { toGraphQLError } from '../errors.js';
import { isUuid } from '../../domain/ids.js';
import { ChannelEnum, DateTimeScalar, SendStateEnum } from '../scalars.js';
import { OutboundSendType, WorkflowEventType } from '../sendTypes.js';
import { PageInfoType } from '../types.js';

// R24: supervisors read every send of their stand, filtered by agent, client, channel, state and
// time, and each send's own workflow history.

const DEFAULT_PAGE = 50;

@InputType('SendFilter')
export class SendFilterInput {
  @Field(() => ID, { nullable: true }) agentId?: string | null;
  @Field(() => ID, { nullable: true }) clientId?: string | null;
  @Field(() => ChannelEnum, { nullable: true }) channel?: E.Channel | null;
  @Field(() => SendStateEnum, { nullable: true }) state?: E.SendState | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'created at or after' }) from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'created before' }) to?: Date | null;
}

@ObjectType('OutboundSendEdge')
export class OutboundSendEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => OutboundSendType) node!: SendRow;
}

@ObjectType('OutboundSendConnection')
export class OutboundSendConnectionType {
  @Field(() => [OutboundSendEdgeType]) edges!: OutboundSendEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
}

const SUPERVISING = ['SUPERVISOR', 'ADMIN'] as const;

/** The same rule as `send(id)`: agents their own, integrators what they requested, supervisors all (of their stand). */
function scopeOf(ctx: Context): SendScope {
  const viewer = ctx.viewer!;
  switch (viewer.role) {
    case 'SUPERVISOR':
    case 'ADMIN':
      return { kind: 'stand', standId: viewer.standId };
    case 'INTEGRATOR':
      return { kind: 'requester', requesterId: viewer.id };
    default:
      return { kind: 'agent', agentId: viewer.id };
  }
}

const empty = (): OutboundSendConnectionType => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });

@Resolver(() => OutboundSendType)
export class SupervisionResolver {
  @Authorized()
  @Query(() => OutboundSendConnectionType)
  async sends(
    @Ctx() ctx: Context,
    @Arg('filter', () => SendFilterInput, { nullable: true }) filter?: SendFilterInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<OutboundSendConnectionType> {
    const cursor = after ? decodeCursor(after) : null;
    if (after && !cursor) throw toGraphQLError(userError('INVALID_INPUT', 'That cursor is not one this list gave out.', ['after']));
    const f = filter ?? {};
    // Ids are UUIDs: anything else names no agent or client, so nothing matches.
    if ((f.agentId && !isUuid(f.agentId)) || (f.clientId && !isUuid(f.clientId))) return empty();
    const page = await listSends(ctx.db, {
      scope: scopeOf(ctx),
      filter: f,
      first: first ?? DEFAULT_PAGE, // 1 to MAX_PAGE: checked at the door
      after: cursor,
    });
    const edges = page.rows.map((r) => ({ cursor: r.cursor, node: r.send }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => [WorkflowEventType], { description: "the workflow's own event history (supervisors)" })
  async history(@Root() send: SendRow, @Ctx() ctx: Context): Promise<WorkflowEventType[]> {
    authorize(ctx.viewer, SUPERVISING);
    try {
      return workflowEvents(await ctx.sends.historyOf(send.id));
    } catch (err) {
      // Past the namespace's retention Temporal keeps no history; the send's steps remain.
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    }
  }
}
