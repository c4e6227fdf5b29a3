import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CLIENT_ACTIVITY_KINDS, type ClientActivityKind } from '../db/events.js';
import type * as E from '../domain/enums.js';
import { ChannelEnum, DateTimeScalar, DispositionKindEnum, JSONScalar, SendStateEnum, TransferTargetKindEnum } from './scalars.js';
import { ClientChannelType, ClientType, MessageType, ThreadType, UserErrorType } from './types.js';

@ObjectType('SendStep')
export class SendStepType {
  @Field(() => String) name!: string;
  @Field(() => String) state!: string;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => String, { nullable: true }) detail!: string | null;
}

@ObjectType('WorkflowEvent')
export class WorkflowEventType {
  @Field(() => ID) id!: string;
  @Field(() => String) type!: string;
  @Field(() => DateTimeScalar) time!: Date;
  @Field(() => JSONScalar, { nullable: true }) details!: unknown;
}

@ObjectType('OutboundSend')
export class OutboundSendType {
  @Field(() => ID, { description: 'the Temporal workflow id' }) id!: string;
  @Field(() => ID) requestId!: string;
  @Field(() => SendStateEnum) state!: E.SendState;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => DispositionKindEnum, { nullable: true }) disposition!: E.DispositionKind | null;
  @Field(() => [UserErrorType]) errors!: UserErrorType[];
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('ThreadConflict')
export class ThreadConflictType {
  @Field(() => ThreadType) activeThread!: ThreadType;
  @Field(() => [ClientChannelType]) alternatives!: ClientChannelType[];
}

@ObjectType('SendMessagePayload')
export class SendMessagePayload {
  @Field(() => OutboundSendType, { nullable: true, description: 'present when accepted (and for a repeated requestId)' }) send!: OutboundSendType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
  @Field(() => ThreadConflictType, { nullable: true, description: 'with ACTIVE_THREAD_EXISTS' }) conflict!: ThreadConflictType | null;
}

@InputType('TemplateVariableValue')
export class TemplateVariableValueInput {
  @Field(() => String) key!: string;
  @Field(() => String) value!: string;
}

@InputType('TemplateInput')
export class TemplateInput {
  @Field(() => ID) templateId!: string;
  @Field(() => [TemplateVariableValueInput], { nullable: true }) variables?: TemplateVariableValueInput[] | null;
}

@InputType('TransferTargetInput')
export class TransferTargetInput {
  @Field(() => TransferTargetKindEnum) kind!: E.TransferTargetKind;
  @Field(() => ID) id!: string;
}

@InputType('DispositionInput')
export class DispositionInput {
  @Field(() => DispositionKindEnum) kind!: E.DispositionKind;
  @Field(() => TransferTargetInput, { nullable: true }) target?: TransferTargetInput | null;
  @Field(() => String, { nullable: true }) comment?: string | null;
}

@InputType('SendMessageInput')
export class SendMessageInput {
  @Field(() => ID, { nullable: true, description: 'idempotency key; generated when absent' }) requestId?: string | null;
  @Field(() => ID) clientId!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => ID, { nullable: true, description: 'from POST /attachments' }) attachmentId?: string | null;
  @Field(() => TemplateInput, { nullable: true }) template?: TemplateInput | null;
  @Field(() => String, { nullable: true, description: 'EMAIL' }) subject?: string | null;
  @Field(() => [String], { nullable: true, description: 'EMAIL' }) bcc?: string[] | null;
  @Field(() => DispositionInput, { nullable: true, description: 'required unless EMAIL' }) disposition?: DispositionInput | null;
  @Field(() => ID, { nullable: true, description: 'INTEGRATOR only' }) onBehalfOfAgentId?: string | null;
}

// Realtime, inbound and thread life (issue 5).

@InputType('InboundMessageInput')
export class InboundMessageInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String, { description: 'phone, email or messenger username/id, as the channel knows the client' }) address!: string;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'default now; drives the 24-hour window' }) receivedAt?: Date | null;
}

@ObjectType('InboundPayload')
export class InboundPayload {
  @Field(() => MessageType, { nullable: true }) message!: MessageType | null;
  @Field(() => ThreadType, { nullable: true }) thread!: ThreadType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
}

@ObjectType('ThreadPayload')
export class ThreadPayload {
  @Field(() => ThreadType, { nullable: true }) thread!: ThreadType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
}

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
