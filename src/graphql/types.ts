import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type * as E from '../domain/enums.js';
import type { UserErrorCode } from '../domain/errors.js';
import {
  AgentStatusEnum, ChannelEnum, ChannelUnavailableReasonEnum, DeliveryFailureCodeEnum, MessageDirectionEnum,
  MessageStatusEnum, RoleEnum, TemplatePolicyEnum, TemplateRequirementEnum, TemplateVariableTypeEnum,
  ThreadStatusEnum, TransferTargetKindEnum, UserErrorCodeEnum, DateTimeScalar,
} from './scalars.js';

// The contract's object types. Plain fields live here; relations and computed fields are field
// resolvers next to the resolver of their aggregate. Every type is given explicitly because the
// TypeScript runners here (tsx, vitest) do not emit decorator metadata.

@ObjectType('UserError')
export class UserErrorType {
  @Field(() => UserErrorCodeEnum) code!: UserErrorCode;
  @Field(() => [String], { nullable: true, description: 'path into the input, e.g. ["bcc", "1"]' }) field?: string[] | null;
  @Field(() => String, { description: 'a sentence a person can act on' }) message!: string;
}

@ObjectType('Agent')
export class AgentType {
  @Field(() => ID) id!: string;
  @Field(() => String) login!: string;
  @Field(() => String) name!: string;
  @Field(() => RoleEnum) role!: E.Role;
  @Field(() => AgentStatusEnum) status!: E.AgentStatus;
  @Field(() => String, { nullable: true, description: 'break reason' }) statusReason!: string | null;
}

@ObjectType('TransferTarget')
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
}

@ObjectType('Client')
export class ClientType {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => Boolean) blocked!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('Thread')
export class ThreadType {
  @Field(() => ID) id!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => ThreadStatusEnum) status!: E.ThreadStatus;
  @Field(() => String, { nullable: true }) transferComment!: string | null;
  @Field(() => DateTimeScalar) openedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) closedAt!: Date | null;
}

@ObjectType('Attachment')
export class AttachmentType {
  @Field(() => ID) id!: string;
  @Field(() => String) fileName!: string;
  @Field(() => String) mimeType!: string;
  @Field(() => Int) size!: number;
}

@ObjectType('TemplateVariable')
export class TemplateVariableType {
  @Field(() => String) key!: string;
  @Field(() => TemplateVariableTypeEnum) type!: E.TemplateVariableType;
  @Field(() => String, { nullable: true }) label!: string | null;
  @Field(() => [String], { nullable: true, description: 'SELECT only' }) options!: string[] | null;
}

@ObjectType('Template')
export class TemplateType {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'the edna template id' }) externalId!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) language!: string | null;
  @Field(() => String, { nullable: true }) category!: string | null;
  @Field(() => String, { nullable: true }) header!: string | null;
  @Field(() => String) body!: string;
  @Field(() => String, { nullable: true }) footer!: string | null;
  @Field(() => Boolean) textOnly!: boolean;
}

@ObjectType('DeliveryFailure')
export class DeliveryFailureType {
  @Field(() => DeliveryFailureCodeEnum) code!: E.DeliveryFailureCode;
  @Field(() => String, { nullable: true }) providerCode!: string | null;
  @Field(() => String) message!: string;
}

@ObjectType('MessageStatusChange')
export class MessageStatusChangeType {
  @Field(() => MessageStatusEnum) status!: E.MessageStatus;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => DeliveryFailureType, { nullable: true }) failure!: DeliveryFailureType | null;
  @Field(() => String, { nullable: true, description: 'what the channel said beside the status (e.g. that it gives no receipts)' }) note!: string | null;
}

@ObjectType('Message')
export class MessageType {
  @Field(() => ID) id!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => MessageDirectionEnum) direction!: E.MessageDirection;
  @Field(() => String, { nullable: true, description: 'for templates: the rendered body' }) text!: string | null;
  @Field(() => String, { nullable: true }) subject!: string | null;
  @Field(() => String, { nullable: true }) header!: string | null;
  @Field(() => String, { nullable: true }) footer!: string | null;
  @Field(() => [String], { description: 'agents and supervisors see it; the client never does' }) bcc!: string[];
  @Field(() => MessageStatusEnum) status!: E.MessageStatus;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType('MessageEdge')
export class MessageEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => MessageType) node!: MessageType;
}

@ObjectType('MessageConnection')
export class MessageConnectionType {
  @Field(() => [MessageEdgeType]) edges!: MessageEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
}

@ObjectType('CreateClientPayload')
export class CreateClientPayload {
  @Field(() => ClientType, { nullable: true }) client!: ClientType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
}

@ObjectType('AgentPayload')
export class AgentPayload {
  @Field(() => AgentType, { nullable: true }) agent!: AgentType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
}

@ObjectType('CreateAgentPayload')
export class CreateAgentPayload {
  @Field(() => AgentType, { nullable: true }) agent!: AgentType | null;
  @Field(() => String, { nullable: true, description: 'shown once; only its hash is kept' }) token!: string | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
}

@ObjectType('TransferTargetPayload')
export class TransferTargetPayload {
  @Field(() => TransferTargetType, { nullable: true }) target!: TransferTargetType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
}

@ObjectType('StandChannelPayload')
export class StandChannelPayload {
  @Field(() => StandChannelType, { nullable: true }) standChannel!: StandChannelType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
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

@InputType('StandChannelInput')
export class StandChannelInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => TemplatePolicyEnum, { nullable: true }) templatePolicy?: E.TemplatePolicy | null;
  @Field(() => Int, { nullable: true }) sessionWindowHours?: number | null;
  @Field(() => Boolean, { nullable: true }) strictTemplates?: boolean | null;
}
