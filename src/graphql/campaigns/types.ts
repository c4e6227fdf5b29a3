import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CAMPAIGN_STATES, RECIPIENT_OUTCOMES, type CampaignStateName, type RecipientOutcome } from '../../domain/campaign.js';
import type * as E from '../../domain/enums.js';
import { connectionType } from '../common/connection.js';
import { payloadType } from '../common/payload.js';
import { ChannelEnum, DateTimeScalar, DeliveryFailureCodeEnum, asEnum } from '../scalars.js';
import { FallbackStepInput, MessageContentInput, TemplateVariableValueInput } from '../sends/types.js';

export const CampaignStateEnum = asEnum(CAMPAIGN_STATES);
export const CampaignRecipientOutcomeEnum = asEnum(RECIPIENT_OUTCOMES);
registerEnumType(CampaignStateEnum, { name: 'CampaignState', description: 'R30: SCHEDULED until startAt; RUNNING (waitingReason says when a limit or quiet hours hold it); PAUSED; COMPLETED once every recipient was sent or skipped; CANCELLED' });
registerEnumType(CampaignRecipientOutcomeEnum, { name: 'CampaignRecipientOutcome', description: "R30: what became of a recipient: not reached yet, skipped with a reason, or its send's message status" });

@InputType('CampaignRecipientInput', { description: 'a client by id, or a phone number (the client is found or created when its turn comes)' })
export class CampaignRecipientInput {
  @Field(() => ID, { nullable: true }) clientId?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => [TemplateVariableValueInput], { nullable: true, description: "this recipient's template variables; they win over the campaign's" }) variables?: TemplateVariableValueInput[] | null;
}

@InputType('StartCampaignInput')
export class StartCampaignInput extends MessageContentInput {
  @Field(() => ID, { nullable: true, description: 'idempotency key: asking again with it answers the same campaign (and starts it if it had not started); with another campaign it is IDEMPOTENCY_KEY_REUSED' }) requestId?: string | null;
  @Field(() => String) name!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => [CampaignRecipientInput], { description: 'up to 100,000; add more with addCampaignRecipients' }) recipients!: CampaignRecipientInput[];
  @Field(() => Int, { description: 'messages per second this campaign sends at most (1 to 1000); the channel limit (R31) may hold it lower' }) ratePerSecond!: number;
  @Field(() => [FallbackStepInput], { nullable: true, description: 'R26 for every recipient' }) fallback?: FallbackStepInput[] | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'begin at this time (at most 30 days ahead); absent: at once' }) startAt?: Date | null;
}

@ObjectType('CampaignCounts', { description: 'recipients by outcome' })
export class CampaignCountsType {
  @Field(() => Int) total!: number;
  @Field(() => Int) pending!: number;
  @Field(() => Int) skipped!: number;
  @Field(() => Int) sending!: number;
  @Field(() => Int) sent!: number;
  @Field(() => Int) delivered!: number;
  @Field(() => Int) read!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) cancelled!: number;
}

@ObjectType('CampaignRecipient')
export class CampaignRecipientType {
  @Field(() => Int, { description: 'its place in the list, from 1' }) position!: number;
  @Field(() => ID, { nullable: true, description: 'null until a recipient named by phone has its turn' }) clientId!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => CampaignRecipientOutcomeEnum) outcome!: RecipientOutcome;
  @Field(() => String, { nullable: true, description: 'SKIPPED: the reason as a code (CLIENT_BLOCKED, ACTIVE_THREAD_EXISTS, NO_ADDRESS_FOR_CHANNEL, CLIENT_OPTED_OUT, …)' }) skipCode!: string | null;
  @Field(() => String, { nullable: true, description: 'SKIPPED: the reason, for people' }) skipMessage!: string | null;
  @Field(() => ID, { nullable: true, description: "the recipient's send (sends, send(id))" }) sendId!: string | null;
  @Field(() => DeliveryFailureCodeEnum, { nullable: true }) failureCode!: E.DeliveryFailureCode | null;
}

export const CampaignRecipientConnectionType = connectionType('CampaignRecipient', () => CampaignRecipientType);

@ObjectType('Campaign')
export class CampaignType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => CampaignStateEnum) state!: CampaignStateName;
  @Field(() => String, { nullable: true, description: 'RUNNING but holding: QUIET_HOURS (R33), PROVIDER_RATE_LIMITED (the provider asked to slow down), MESSAGES_PER_SECOND or DAILY_UNIQUE_RECIPIENTS (R31)' }) waitingReason!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) waitingUntil!: Date | null;
  @Field(() => Int) ratePerSecond!: number;
  @Field(() => DateTimeScalar, { nullable: true }) startAt!: Date | null;
  @Field(() => Int) recipientCount!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) finishedAt!: Date | null;
}

export const CampaignConnectionType = connectionType('Campaign', () => CampaignType);
export const CampaignPayload = payloadType('CampaignPayload', { campaign: { type: () => CampaignType } });
