import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { NodeInterface } from '../common/node.js';
import { payloadType } from '../common/payload.js';
import { ChannelEnum, TemplatePolicyEnum, TransferTargetKindEnum } from '../scalars.js';

@ObjectType('TransferTarget', { implements: NodeInterface })
export class TransferTargetType {
  @Field(() => ID) id!: string;
  @Field(() => TransferTargetKindEnum) kind!: E.TransferTargetKind;
  @Field(() => String) name!: string;
}

@ObjectType('StandChannel')
export class StandChannelType {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => TemplatePolicyEnum) templatePolicy!: E.TemplatePolicy;
  @Field(() => Int) sessionWindowHours!: number;
  @Field(() => Boolean, { description: 'R14: refuse manual text when a template is MANDATORY' }) strictTemplates!: boolean;
  @Field(() => Int, { nullable: true, description: 'R31: messages per second campaigns and scheduled sends take together; null: no limit' }) messagesPerSecond!: number | null;
  @Field(() => Int, { nullable: true, description: "R31: unique recipients per UTC day (WhatsApp's messaging tier); null: no limit" }) dailyUniqueRecipients!: number | null;
}

@InputType('StandChannelInput')
export class StandChannelInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => TemplatePolicyEnum, { nullable: true }) templatePolicy?: E.TemplatePolicy | null;
  @Field(() => Int, { nullable: true }) sessionWindowHours?: number | null;
  @Field(() => Boolean, { nullable: true }) strictTemplates?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'R31: 0 clears the limit' }) messagesPerSecond?: number | null;
  @Field(() => Int, { nullable: true, description: 'R31: 0 clears the limit' }) dailyUniqueRecipients?: number | null;
}

@ObjectType('QuietHours', { description: 'R33: campaign and scheduled sends that fall inside wait until the window ends; an agent\'s own send is not delayed' })
export class QuietHoursType {
  @Field(() => String, { description: 'an IANA time zone, e.g. Europe/Moscow' }) timeZone!: string;
  @Field(() => String, { description: 'local time HH:MM the window starts' }) start!: string;
  @Field(() => String, { description: 'local time HH:MM the window ends (the next day when before start)' }) end!: string;
}

@InputType('QuietHoursInput')
export class QuietHoursInput {
  @Field(() => String) timeZone!: string;
  @Field(() => String) start!: string;
  @Field(() => String) end!: string;
}

export const StandChannelPayload = payloadType('StandChannelPayload', { standChannel: { type: () => StandChannelType } });
export const TransferTargetPayload = payloadType('TransferTargetPayload', { target: { type: () => TransferTargetType } });
export const QuietHoursPayload = payloadType('QuietHoursPayload', { quietHours: { type: () => QuietHoursType, description: 'null when cleared' } });
