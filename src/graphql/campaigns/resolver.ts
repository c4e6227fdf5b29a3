import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { createHash } from 'node:crypto';
import {
  addRecipients, campaignCounts, createCampaign, getCampaign, listCampaigns, moveCampaign, recipientsPage, resolveRecipients, type CampaignRow, type NewRecipient,
} from '../../db/campaigns.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import type { HeraldEvent } from '../../db/events.js';
import { findStandChannel, listStandChannels } from '../../db/stand.js';
import { loadTemplateSpec } from '../../db/templates.js';
import { canSeeCampaign, campaignScope } from '../../domain/access.js';
import { MAX_CAMPAIGN_NAME, campaignEnded, checkRate, checkRecipients, type RecipientOutcome } from '../../domain/campaign.js';
import { userError, UserErrorException, type UserError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { checkSendAt } from '../../domain/schedule.js';
import { REQUEST_ID, REQUEST_ID_RULE } from '../../domain/send.js';
import { configuredChannels } from '../../config.js';
import type { CampaignContent } from '../../campaigns/activities.js';
import type { ControlResult } from '../../campaigns/client.js';
import { callerOf } from '../access.js';
import { pageOf, offsetCursor } from '../common/connection.js';
import type { Context } from '../context.js';
import { events, fresh, startingWith } from '../realtime.js';
import { contentOf } from '../sends/resolver.js';
import {
  CampaignConnectionType, CampaignCountsType, CampaignPayload, CampaignRecipientConnectionType, CampaignRecipientInput, CampaignRecipientOutcomeEnum, CampaignType,
  StartCampaignInput,
} from './types.js';

// Campaigns (R30): started by integrators and admins, followed and steered by supervisors of the
// stand; who sees which campaign is the one rule of src/domain/access.ts (canSeeCampaign).

type CampaignEvent = Extract<HeraldEvent, { type: 'campaign' }>;
// (A page's size, 1 to 100, is checked at the input door for every `first`.)
const DEFAULT_PAGE = 50;

const refuse = (...errors: UserError[]) => ({ campaign: null, userErrors: errors });

async function visibleCampaign(ctx: Context, id: string): Promise<CampaignRow | null> {
  if (!isUuid(id)) return null;
  const campaign = await getCampaign(ctx.db, id);
  return campaign && canSeeCampaign(callerOf(ctx), campaign) ? campaign : null;
}

/** What can be judged before any recipient: the channel is usable on this stand, the template is one of its, there is something to send. */
async function checkContent(ctx: Context, input: StartCampaignInput): Promise<UserError[]> {
  const errors: UserError[] = [];
  const channel = findStandChannel(await listStandChannels(ctx.db, ctx.viewer!.standId), input.channel);
  if (!channel?.enabled) errors.push(userError('CHANNEL_DISABLED', `${input.channel} is not enabled on this stand.`, ['channel']));
  else if (!configuredChannels(ctx.config).has(input.channel)) errors.push(userError('CHANNEL_NOT_CONFIGURED', `${input.channel} is not configured on this server.`, ['channel']));
  if (!input.text && !input.template && !input.attachmentId) errors.push(userError('EMPTY_MESSAGE', 'A campaign sends a text, a template or an attachment.', ['text']));
  if (input.template) {
    const template = isUuid(input.template.templateId) ? await loadTemplateSpec(ctx.db, input.template.templateId) : null;
    if (!template || template.channel !== input.channel || !template.row.usable) {
      errors.push(userError('TEMPLATE_NOT_FOUND', `No usable ${input.channel} template has that id.`, ['template', 'templateId']));
    }
  }
  return errors;
}

/** The list checked (R30) and as the stand knows it: a client id that is not one of the stand's clients is NOT_FOUND where it stands. */
async function listOf(ctx: Context, input: readonly CampaignRecipientInput[]): Promise<{ recipients: NewRecipient[]; errors: UserError[] }> {
  const checked = checkRecipients(input);
  if (checked.errors.length > 0) return { recipients: [], errors: checked.errors };
  const resolved = await resolveRecipients(ctx.db, ctx.viewer!.standId, checked.recipients);
  const errors: UserError[] = [];
  input.forEach((r, i) => {
    if (r.clientId && resolved.unknown.has(r.clientId.toLowerCase()) && errors.length < 20) errors.push(userError('NOT_FOUND', 'No such client.', ['recipients', String(i), 'clientId']));
  });
  return { recipients: resolved.recipients, errors };
}

function answer(result: ControlResult, campaign: CampaignRow | null) {
  return result.ok ? { campaign, userErrors: [] } : { campaign, userErrors: [userError('INVALID_INPUT', result.reason, ['id'])] };
}

@Resolver(() => CampaignType)
export class CampaignResolver {
  @Authorized('INTEGRATOR', 'ADMIN')
  @Mutation(() => CampaignPayload, { description: 'R30: send to many clients, each an ordinary send (R1–R24) with disposition CLOSE, at ratePerSecond within the channel limits (R31) and outside quiet hours (R33)' })
  async startCampaign(@Ctx() ctx: Context, @Arg('input', () => StartCampaignInput) input: StartCampaignInput) {
    const name = input.name.trim();
    const errors: UserError[] = [];
    if (!name || name.length > MAX_CAMPAIGN_NAME) errors.push(userError('INVALID_INPUT', `A campaign has a name of 1 to ${MAX_CAMPAIGN_NAME} characters.`, ['name']));
    const rate = checkRate(input.ratePerSecond);
    if (rate) errors.push(rate);
    const badTime = input.startAt ? checkSendAt(input.startAt, new Date()) : null;
    if (badTime) errors.push({ ...badTime, field: ['startAt'], message: badTime.message.replace('sendAt', 'startAt') });
    if (input.fallback && input.fallback.length > 3) errors.push(userError('INVALID_INPUT', 'At most three fallback steps.', ['fallback']));
    const checked = await listOf(ctx, input.recipients);
    errors.push(...checked.errors, ...(await checkContent(ctx, input)));
    if (errors.length > 0) return refuse(...errors);

    const viewer = ctx.viewer!;
    const requestId = input.requestId ?? null;
    if (requestId !== null && !REQUEST_ID.test(requestId)) return refuse(userError('INVALID_INPUT', REQUEST_ID_RULE, ['requestId']));
    const content: CampaignContent = {
      ...contentOf(input),
      ...(input.fallback?.length ? { fallback: input.fallback.map((step) => ({ channel: step.channel, ...contentOf(step), afterSeconds: step.afterSeconds ?? null })) } : {}),
    };
    const asked = { name, channel: input.channel, content, ratePerSecond: input.ratePerSecond, startAt: input.startAt?.toISOString() ?? null, recipients: checked.recipients };
    const requestHash = requestId ? createHash('sha256').update(JSON.stringify(asked)).digest('hex') : null;
    const made = await createCampaign(ctx.db, {
      standId: viewer.standId, name, channel: input.channel, requestedById: viewer.id, agentId: null,
      content: content as Record<string, unknown>, ratePerSecond: input.ratePerSecond, startAt: input.startAt ?? null, requestId, requestHash,
    }, checked.recipients);
    if (!made.created && made.campaign.requestHash !== requestHash) {
      return refuse(userError('IDEMPOTENCY_KEY_REUSED', `The requestId "${requestId}" was used before for a different campaign; use a new requestId for a new campaign.`, ['requestId']));
    }
    const campaign = made.campaign;
    // A repeat of a campaign that has ended answers it as it is (its workflow is not started again).
    if (!made.created && campaignEnded(campaign.state)) return { campaign, userErrors: [] };
    try {
      // Starting it again is harmless (the workflow id is the campaign's): a repeated requestId also starts one that had not started.
      await ctx.campaigns.start({
        campaignId: campaign.id, standId: viewer.standId, channel: campaign.channel, ratePerSecond: campaign.ratePerSecond,
        startAt: campaign.startAt?.toISOString() ?? null, afterSeq: 0, paused: false, recheckMs: ctx.config.sends.paceRecheckMs,
      });
    } catch (err) {
      ctx.log.error({ err, campaignId: campaign.id }, 'the campaign workflow could not be started');
      // Without a requestId nobody can ask for this one again: it is cancelled rather than left waiting forever.
      if (!requestId) await moveCampaign(ctx.db, campaign.id, { state: 'CANCELLED', waitingReason: 'NOT_STARTED' });
      return refuse(userError('SYSTEM_ERROR', requestId
        ? `The campaign was saved but could not be started now; ask again with the same requestId to start it.`
        : 'The campaign could not be started now and was cancelled; try again (with a requestId, a repeat is safe).'));
    }
    return { campaign, userErrors: [] };
  }

  @Authorized('INTEGRATOR', 'ADMIN')
  @Mutation(() => CampaignPayload, { description: 'R30: more recipients for a campaign that has not ended (anyone already on its list is left out)' })
  async addCampaignRecipients(
    @Ctx() ctx: Context,
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('recipients', () => [CampaignRecipientInput]) recipients: CampaignRecipientInput[],
  ) {
    const campaign = await visibleCampaign(ctx, campaignId);
    if (!campaign) return refuse(userError('NOT_FOUND', 'No such campaign.', ['campaignId']));
    const checked = await listOf(ctx, recipients);
    if (checked.errors.length > 0) return refuse(...checked.errors);
    const added = await addRecipients(ctx.db, campaign.id, checked.recipients);
    if (!added) return { campaign, userErrors: [userError('INVALID_INPUT', `The campaign has ended (${campaign.state}); start a new one.`, ['campaignId'])] };
    return { campaign: added.campaign, userErrors: [] };
  }

  @Authorized('SUPERVISOR', 'ADMIN', 'INTEGRATOR')
  @Mutation(() => CampaignPayload, { description: 'R30: stop starting sends until resumeCampaign (sends already started go on)' })
  async pauseCampaign(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return this.control(ctx, id, (campaignId) => ctx.campaigns.pause(campaignId));
  }

  @Authorized('SUPERVISOR', 'ADMIN', 'INTEGRATOR')
  @Mutation(() => CampaignPayload)
  async resumeCampaign(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return this.control(ctx, id, (campaignId) => ctx.campaigns.resume(campaignId));
  }

  @Authorized('SUPERVISOR', 'ADMIN', 'INTEGRATOR')
  @Mutation(() => CampaignPayload, { description: 'R30: end the campaign; recipients not reached are CANCELLED, sends already with the channel are not recalled' })
  async cancelCampaign(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return this.control(ctx, id, (campaignId) => ctx.campaigns.cancel(campaignId));
  }

  private async control(ctx: Context, id: string, act: (campaignId: string) => Promise<ControlResult>) {
    const campaign = await visibleCampaign(ctx, id);
    if (!campaign) return refuse(userError('NOT_FOUND', 'No such campaign.', ['id']));
    const result = await act(campaign.id);
    return answer(result, await getCampaign(ctx.db, campaign.id));
  }

  @Authorized('SUPERVISOR', 'ADMIN', 'INTEGRATOR')
  @Query(() => CampaignType, { nullable: true })
  campaign(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return visibleCampaign(ctx, id);
  }

  @Authorized('SUPERVISOR', 'ADMIN', 'INTEGRATOR')
  @Query(() => CampaignConnectionType, { description: 'newest first' })
  async campaigns(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    const scope = campaignScope(callerOf(ctx));
    const size = first ?? DEFAULT_PAGE;
    const before = after ? decodeCursor(after, isUuid) : null;
    if (after && !before) throw new UserErrorException(userError('INVALID_INPUT', 'That cursor is not one this list gave out.', ['after']));
    const rows = scope ? await listCampaigns(ctx.db, scope, { first: size + 1, after: before }) : [];
    return pageOf(rows.slice(0, size).map(({ cursorAt, ...node }) => ({ cursor: encodeCursor({ at: cursorAt, id: node.id }), node })), rows.length > size, after);
  }

  @Subscription(() => CampaignType, {
    description: 'R30: the campaign as it is now, then at every change of its state or progress',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const id = (args as { id: string }).id;
      if (!(await visibleCampaign(ctx, id))) throw new UserErrorException(userError('NOT_FOUND', 'No such campaign.', ['id']));
      const now: CampaignEvent = { type: 'campaign', campaignId: id, at: new Date().toISOString() };
      return startingWith(now, events(ctx).iterate((e): e is CampaignEvent => e.type === 'campaign' && e.campaignId === id));
    },
  })
  async campaignUpdated(@Root() _event: CampaignEvent, @Ctx() context: Context, @Arg('id', () => ID) id: string) {
    const campaign = await visibleCampaign(fresh(context), id);
    if (!campaign) throw new UserErrorException(userError('NOT_FOUND', 'No such campaign.', ['id']));
    return campaign;
  }

  @FieldResolver(() => CampaignCountsType)
  async counts(@Root() campaign: CampaignRow, @Ctx() ctx: Context) {
    const c = await campaignCounts(ctx.db, campaign.id);
    return {
      total: campaign.recipientCount, pending: c.PENDING, skipped: c.SKIPPED, sending: c.SENDING, sent: c.SENT,
      delivered: c.DELIVERED, read: c.READ, failed: c.FAILED, cancelled: c.CANCELLED,
    };
  }

  @FieldResolver(() => CampaignRecipientConnectionType, { description: 'in list order' })
  async recipients(
    @Root() campaign: CampaignRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('outcome', () => CampaignRecipientOutcomeEnum, { nullable: true }) outcome?: RecipientOutcome | null,
  ) {
    const size = first ?? DEFAULT_PAGE;
    const afterSeq = after ? offsetCursor.decode(after) : 0;
    if (afterSeq === null) throw new UserErrorException(userError('INVALID_INPUT', 'That cursor is not one this list gave out.', ['after']));
    const rows = await recipientsPage(ctx.db, campaign.id, { outcome: outcome ?? null, afterSeq, first: size + 1 });
    return pageOf(rows.slice(0, size).map((r) => ({ cursor: offsetCursor.encode(r.seq), node: { ...r, position: r.seq } })), rows.length > size, after);
  }
}
