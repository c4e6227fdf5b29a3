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
}

@InputType('StandChannelInput')
export class StandChannelInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => TemplatePolicyEnum, { nullable: true }) templatePolicy?: E.TemplatePolicy | null;
  @Field(() => Int, { nullable: true }) sessionWindowHours?: number | null;
  @Field(() => Boolean, { nullable: true }) strictTemplates?: boolean | null;
}

export const StandChannelPayload = payloadType('StandChannelPayload', { standChannel: { type: () => StandChannelType } });
export const TransferTargetPayload = payloadType('TransferTargetPayload', { target: { type: () => TransferTargetType } });
