import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { getSend } from '../../db/sends.js';
import { isUuid } from '../../domain/ids.js';
import { visibleClient, visibleSend } from '../access.js';
import type { Context } from '../context.js';
import { asNode, NodeInterface } from './node.js';

@Resolver()
export class NodeResolver {
  /**
   * Anything with an id, again: a send by its workflow id, everything else by its UUID. What the
   * caller may not see is null, as in the type's own query.
   */
  @Authorized()
  @Query(() => NodeInterface, { nullable: true, description: 'anything with an id (Relay): a send, client, thread, message, agent, template, attachment or transfer target' })
  async node(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    if (!isUuid(id)) {
      const send = await visibleSend(ctx, await getSend(ctx.db, id));
      return send ? asNode('OutboundSend', send) : null;
    }
    const l = ctx.loaders;
    const [client, thread, message, agent, template, attachment, target] = await Promise.all([
      l.client.load(id), l.thread.load(id), l.message.load(id), l.agent.load(id), l.template.load(id), l.attachment.load(id), l.transferTarget.load(id),
    ]);
    const standId = ctx.viewer!.standId;
    if (client) return (await visibleClient(ctx, client.id)) ? asNode('Client', client) : null;
    if (thread) return (await visibleClient(ctx, thread.clientId)) ? asNode('Thread', thread) : null;
    if (message) return (await visibleClient(ctx, message.clientId)) ? asNode('Message', message) : null;
    if (agent) return agent.standId === standId ? asNode('Agent', agent) : null;
    if (target) return target.standId === standId ? asNode('TransferTarget', target) : null;
    if (template) return asNode('Template', template);
    if (attachment) return asNode('Attachment', attachment);
    return null;
  }
}
