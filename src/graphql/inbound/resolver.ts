import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { recordInbound } from '../../db/inbound.js';
import type { Context } from '../context.js';
import { InboundMessageInput, InboundPayload } from './types.js';

@Resolver()
export class InboundResolver {
  /** R7, R13: the client writes in (INTEGRATOR; the edna inbound webhook does the same). */
  @Authorized('INTEGRATOR', 'ADMIN')
  @Mutation(() => InboundPayload)
  async recordInboundMessage(@Ctx() ctx: Context, @Arg('input', () => InboundMessageInput) input: InboundMessageInput) {
    const result = await recordInbound(ctx.db, ctx.viewer!.standId, {
      channel: input.channel, address: input.address, text: input.text ?? null, name: input.name ?? null, receivedAt: input.receivedAt ?? new Date(),
    });
    if (!result.ok) return { message: null, thread: null, userErrors: result.errors };
    await ctx.sends.clientWroteIn(result.inFlightSendIds);
    const [message, thread] = await Promise.all([ctx.loaders.message.load(result.messageId), ctx.loaders.thread.load(result.threadId)]);
    return { message, thread, userErrors: [] };
  }
}
