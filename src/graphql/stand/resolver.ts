import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { createTransferTarget, listTransferTargets } from '../../db/agents.js';
import { configureStandChannel, getQuietHours, setQuietHours } from '../../db/stand.js';
import { checkQuietHours } from '../../domain/quietHours.js';
import { capabilitiesOf } from '../../domain/channels.js';
import type { TransferTargetKind } from '../../domain/enums.js';
import { userError, type UserError } from '../../domain/errors.js';
import { WHATSAPP_SESSION_WINDOW_HOURS } from '../../domain/templateRequirement.js';
import type { Context } from '../context.js';
import { TransferTargetKindEnum } from '../scalars.js';
import {
  QuietHoursInput, QuietHoursPayload, QuietHoursType, StandChannelInput, StandChannelPayload, StandChannelType, TransferTargetPayload, TransferTargetType,
} from './types.js';

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
  for (const key of ['messagesPerSecond', 'dailyUniqueRecipients'] as const) {
    const n = input[key];
    if (n !== null && n !== undefined && (n < 0 || n > 1_000_000)) errors.push(userError('INVALID_INPUT', `${key} is 0 (no limit) to 1,000,000.`, [key]));
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
  @Query(() => QuietHoursType, { nullable: true, description: 'R33: null when the stand has none' })
  quietHours(@Ctx() ctx: Context) {
    return getQuietHours(ctx.db, ctx.viewer!.standId);
  }

  @Authorized('ADMIN')
  @Mutation(() => QuietHoursPayload, { description: 'R33: set the quiet hours, or clear them with input null' })
  async configureQuietHours(@Ctx() ctx: Context, @Arg('input', () => QuietHoursInput, { nullable: true }) input: QuietHoursInput | null) {
    const quiet = input ? { timeZone: input.timeZone.trim(), start: input.start.trim(), end: input.end.trim() } : null;
    const errors = quiet ? checkQuietHours(quiet) : [];
    if (errors.length > 0) return { quietHours: null, userErrors: errors.map((e) => ({ ...e, field: ['input', ...(e.field ?? [])] })) };
    await setQuietHours(ctx.db, ctx.viewer!.standId, quiet);
    return { quietHours: quiet, userErrors: [] };
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
