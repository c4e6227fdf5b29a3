import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CLIENT_ACTIVITY_KINDS, type ClientActivityKind } from '../../db/events.js';
import type * as E from '../../domain/enums.js';
import { connectionType } from '../common/connection.js';
import { NodeInterface } from '../common/node.js';
import { payloadType } from '../common/payload.js';
import { ChannelEnum, ChannelUnavailableReasonEnum, DateTimeScalar, TemplateRequirementEnum } from '../scalars.js';
import { MessageType, ThreadType } from '../threads/types.js';

@ObjectType('MessengerUsername')
export class MessengerUsernameType {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String) username!: string;
}

@ObjectType('ClientChannel')
export class ClientChannelType {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String, { nullable: true }) address!: string | null;
  @Field(() => Boolean) available!: boolean;
  @Field(() => ChannelUnavailableReasonEnum, { nullable: true }) unavailableReason!: E.ChannelUnavailableReason | null;
  @Field(() => Boolean) blocked!: boolean;
  @Field(() => TemplateRequirementEnum) templateRequirement!: E.TemplateRequirement;
  @Field(() => Boolean) attachmentsAllowed!: boolean;
  @Field(() => Boolean) bccAllowed!: boolean;
  @Field(() => Boolean, { description: 'false for EMAIL' }) opensThread!: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) lastInboundAt!: Date | null;
  @Field(() => Boolean, { description: 'R32: the client opted out here; MARKETING templates are refused (CLIENT_OPTED_OUT), care replies still go' }) optedOut!: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'R32: when they opted out; null while they have not' }) optedOutAt!: Date | null;
}

@ObjectType('Client', { implements: NodeInterface })
export class ClientType {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => Boolean) blocked!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@InputType('MessengerUsernameInput')
export class MessengerUsernameInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String) username!: string;
}

@InputType('ClientInput')
export class ClientInput {
  @Field(() => String, { nullable: true, description: 'upsert key when given' }) externalId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => [MessengerUsernameInput], { nullable: true }) usernames?: MessengerUsernameInput[] | null;
}

export const CreateClientPayload = payloadType('CreateClientPayload', { client: { type: () => ClientType } });
export const ClientConnectionType = connectionType('Client', () => ClientType);

export const ClientActivityKindEnum = Object.fromEntries(CLIENT_ACTIVITY_KINDS.map((k) => [k, k])) as { [K in ClientActivityKind]: K };
registerEnumType(ClientActivityKindEnum, { name: 'ClientActivityKind' });

@ObjectType('ClientActivity')
export class ClientActivityType {
  @Field(() => ClientActivityKindEnum) kind!: ClientActivityKind;
  @Field(() => ClientType) client!: ClientType;
  @Field(() => ThreadType, { nullable: true }) thread!: ThreadType | null;
  @Field(() => MessageType, { nullable: true }) message!: MessageType | null;
  @Field(() => DateTimeScalar) at!: Date;
}
