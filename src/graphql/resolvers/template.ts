import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { usableTemplates } from '../../db/templates.js';
import { capabilitiesOf } from '../../domain/channels.js';
import type { Channel } from '../../domain/enums.js';
import { userError, UserErrorException } from '../../domain/errors.js';
import type { Context } from '../context.js';
import { ChannelEnum } from '../scalars.js';
import { TemplateType } from '../types.js';
import { loadClient } from './client.js';

@Resolver(() => TemplateType)
export class TemplateQueryResolver {
  /** With clientId: only what may be chosen now (text templates when one is MANDATORY, R14). */
  @Authorized()
  @Query(() => [TemplateType], { description: 'with clientId: only those usable now' })
  async templates(
    @Ctx() ctx: Context,
    @Arg('channel', () => ChannelEnum) channel: Channel,
    @Arg('clientId', () => ID, { nullable: true }) clientId?: string | null,
  ) {
    if (!capabilitiesOf(channel).templatesSupported) return [];
    let textOnly = false;
    if (clientId) {
      const client = await loadClient(ctx, clientId);
      if (!client) throw new UserErrorException(userError('NOT_FOUND', 'No such client.', ['clientId']));
      const option = (await ctx.loaders.clientChannelOptions(client)).find((o) => o.channel === channel);
      textOnly = option?.templateRequirement === 'MANDATORY';
    }
    return usableTemplates(ctx.db, channel, textOnly);
  }

  @Authorized('ADMIN', 'INTEGRATOR')
  @Mutation(() => [TemplateType])
  async syncTemplates(@Ctx() ctx: Context, @Arg('channel', () => ChannelEnum) channel: Channel) {
    if (!capabilitiesOf(channel).templatesSupported) {
      throw new UserErrorException(userError('TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', `${channel} has no templates to sync.`, ['channel']));
    }
    await ctx.templateSync.syncNow([channel]);
    return usableTemplates(ctx.db, channel, false);
  }
}
