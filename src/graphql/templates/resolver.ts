import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { usableTemplates, type TemplateRow } from '../../db/templates.js';
import { capabilitiesOf } from '../../domain/channels.js';
import type { Channel } from '../../domain/enums.js';
import { userError, UserErrorException } from '../../domain/errors.js';
import { visibleClient } from '../access.js';
import type { Context } from '../context.js';
import { ChannelEnum } from '../scalars.js';
import { SyncTemplatesPayload, TemplateType, TemplateVariableType } from './types.js';

const notSupported = (channel: Channel) => userError('TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', `${channel} has no templates to sync.`, ['channel']);

@Resolver(() => TemplateType)
export class TemplateResolver {
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
      const client = await visibleClient(ctx, clientId);
      if (!client) throw new UserErrorException(userError('NOT_FOUND', 'No such client.', ['clientId']));
      const option = (await ctx.loaders.clientChannelOptions(client)).find((o) => o.channel === channel);
      textOnly = option?.templateRequirement === 'MANDATORY';
    }
    return usableTemplates(ctx.db, channel, textOnly);
  }

  @Authorized('ADMIN', 'INTEGRATOR')
  @Mutation(() => [TemplateType], { deprecationReason: 'Use syncTemplateCatalog, which answers with userErrors.' })
  async syncTemplates(@Ctx() ctx: Context, @Arg('channel', () => ChannelEnum) channel: Channel) {
    if (!capabilitiesOf(channel).templatesSupported) throw new UserErrorException(notSupported(channel));
    await ctx.templateSync.syncNow([channel]);
    return usableTemplates(ctx.db, channel, false);
  }

  /** R16: the catalog from edna now, rather than at the next scheduled sync. */
  @Authorized('ADMIN', 'INTEGRATOR')
  @Mutation(() => SyncTemplatesPayload, { description: 'ADMIN or INTEGRATOR: sync the catalog from edna now' })
  async syncTemplateCatalog(@Ctx() ctx: Context, @Arg('channel', () => ChannelEnum) channel: Channel) {
    if (!capabilitiesOf(channel).templatesSupported) return { templates: null, userErrors: [notSupported(channel)] };
    try {
      await ctx.templateSync.syncNow([channel]);
    } catch (err) {
      return { templates: null, userErrors: [userError('SYSTEM_ERROR', `edna's catalog could not be read: ${err instanceof Error ? err.message : String(err)}`, ['channel'])] };
    }
    return { templates: await usableTemplates(ctx.db, channel, false), userErrors: [] };
  }

  @FieldResolver(() => [TemplateVariableType])
  variables(@Root() template: TemplateRow, @Ctx() ctx: Context) {
    return ctx.loaders.templateVariables.load(template.id);
  }
}
