import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { createTransferTarget, listTransferTargets } from '../../db/agents.js';
import { configureStandChannel } from '../../db/stand.js';
import { capabilitiesOf } from '../../domain/channels.js';
import type { TransferTargetKind } from '../../domain/enums.js';
import { userError, type UserError } from '../../domain/errors.js';
import { WHATSAPP_SESSION_WINDOW_HOURS } from '../../domain/templateRequirement.js';
import type { Context } from '../context.js';
import { TransferTargetKindEnum } from '../scalars.js';
import { StandChannelInput, StandChannelPayload, StandChannelType, TransferTargetPayload, TransferTargetType } from './types.js';

const MAX_WINDOW_HOURS = 24 * 30;

function checkChannelInput(input: StandChannelInput): UserError[] {
  const errors: UserError[] = [];
  const hours = input.sessionWindowHours;
  if (hours !== null && hours !== undefined && (hours < 1 || hours > MAX_WINDOW_HOURS)) {
    errors.push(userError('INVALID_INPUT', `The session window is 1 to ${MAX_WINDOW_HOURS} hours.`, ['sessionWindowHours']));
  }
  if (input.channel === 'WHATSAPP') {
    if (input.templatePolicy === 'NEVER') {
      errors.push(userError('INVALID_INPUT', 'WhatsApp requires templates outside its 24-hour window; the policy can be OUTSIDE_SESSION_WINDOW or ALWAYS.', ['templatePolicy']));
    }
    if (hours && hours > WHATSAPP_SESSION_WINDOW_HOURS) {
      errors.push(userError('INVALID_INPUT', `WhatsApp's session window is at most ${WHATSAPP_SESSION_WINDOW_HOURS} hours.`, ['sessionWindowHours']));
    }
  }
  if (!capabilitiesOf(input.channel).templatesSupported && input.templatePolicy && input.templatePolicy !== 'NEVER') {
    errors.push(userError('INVALID_INPUT', `${input.channel} has no templates; its policy can only be NEVER.`, ['templatePolicy']));
  }
  return errors;
}

@Resolver()
export class StandResolver {
  @Authorized()
  @Query(() => [StandChannelType])
  standChannels(@Ctx() ctx: Context) {
    return ctx.loaders.standChannels();
  }

  @Authorized('ADMIN')
  @Mutation(() => StandChannelPayload)
  async configureChannel(@Ctx() ctx: Context, @Arg('input', () => StandChannelInput) input: StandChannelInput) {
    const errors = checkChannelInput(input);
    if (errors.length > 0) return { standChannel: null, userErrors: errors };
    const row = await configureStandChannel(ctx.db, ctx.viewer!.standId, input);
    return { standChannel: row!, userErrors: [] };
  }

  @Authorized()
  @Query(() => [TransferTargetType])
  transferTargets(@Ctx() ctx: Context, @Arg('kind', () => TransferTargetKindEnum, { nullable: true }) kind?: TransferTargetKind | null) {
    return listTransferTargets(ctx.db, ctx.viewer!.standId, kind ?? null);
  }

  @Authorized('ADMIN')
  @Mutation(() => TransferTargetPayload)
  async createTransferTarget(
    @Ctx() ctx: Context,
    @Arg('kind', () => TransferTargetKindEnum) kind: TransferTargetKind,
    @Arg('name', () => String) name: string,
  ) {
    const trimmed = name.trim();
    if (trimmed === '') return { target: null, userErrors: [userError('INVALID_INPUT', 'A transfer target needs a name.', ['name'])] };
    const result = await createTransferTarget(ctx.db, ctx.viewer!.standId, kind, trimmed);
    if (result.ok) return { target: result.target, userErrors: [] };
    return {
      target: null,
      userErrors: [result.reason === 'AGENT_NOT_FOUND'
        ? userError('NOT_FOUND', `No agent has the login "${trimmed}"; an AGENT target is named by its agent's login.`, ['name'])
        : userError('INVALID_INPUT', `A ${kind} named "${trimmed}" exists already.`, ['name'])],
    };
  }
}
