import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { ClientChannelType } from '../clients/types.js';
import { connectionType } from '../common/connection.js';
import { NodeInterface } from '../common/node.js';
import { UserErrorType } from '../common/payload.js';
import {
  ChannelEnum, DateTimeScalar, DeliveryFailureCodeEnum, DispositionKindEnum, JSONScalar, SendStateEnum, SendStepStateEnum, TemplateRequirementEnum,
  TransferTargetKindEnum,
} from '../scalars.js';
import { ThreadType } from '../threads/types.js';

@ObjectType('SendStep')
export class SendStepType {
  @Field(() => String) name!: string;
  @Field(() => String, { deprecationReason: 'Use status, the same value as an enum.' }) state!: string;
  @Field(() => SendStepStateEnum, { description: "what became of the step: its outcome, a status the channel reported, or the disposition applied" }) status!: E.SendStepState;
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

@ObjectType('OutboundSend', { implements: NodeInterface })
export class OutboundSendType {
  @Field(() => ID, { description: 'the Temporal workflow id' }) id!: string;
  @Field(() => ID) requestId!: string;
  @Field(() => SendStateEnum) state!: E.SendState;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => DispositionKindEnum, { nullable: true }) disposition!: E.DispositionKind | null;
  @Field(() => [UserErrorType]) errors!: UserErrorType[];
  @Field(() => DateTimeScalar, { nullable: true, description: 'R25: when a scheduled send falls due' }) sendAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('ThreadConflict')
export class ThreadConflictType {
  @Field(() => ThreadType) activeThread!: ThreadType;
  @Field(() => [ClientChannelType]) alternatives!: ClientChannelType[];
  @Field(() => Boolean, { description: 'R28: nobody holds the thread (NEW in a queue, or with a bot): sendMessage(input: { takeOverThreadId }) may take it over' }) canTakeOver!: boolean;
}

@ObjectType('SendMessagePayload')
export class SendMessagePayload {
  @Field(() => OutboundSendType, { nullable: true, description: 'present when accepted (and for a repeated requestId)' }) send!: OutboundSendType | null;
  @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
  @Field(() => ThreadConflictType, { nullable: true, description: 'with ACTIVE_THREAD_EXISTS' }) conflict!: ThreadConflictType | null;
  @Field(() => ID, {
    nullable: true,
    description: "sendMessage: the requestId this send goes by (the caller's, or the one Herald chose); after SYSTEM_ERROR, ask again with it: the message is never sent twice (R21)",
  }) requestId?: string | null;
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

/** What goes in front of the client, the same for a send and for each step of its fallback chain. */
@InputType('MessageContentInput')
export abstract class MessageContentInput {
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => ID, { nullable: true, description: 'from POST /attachments' }) attachmentId?: string | null;
  @Field(() => TemplateInput, { nullable: true }) template?: TemplateInput | null;
  @Field(() => String, { nullable: true, description: 'EMAIL' }) subject?: string | null;
  @Field(() => [String], { nullable: true, description: 'EMAIL' }) bcc?: string[] | null;
}

@InputType('FallbackStepInput', { description: 'R26: a channel to reach the client on when the step before gives up, with its own content' })
export class FallbackStepInput extends MessageContentInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Int, { nullable: true, description: 'how long the step before gets to reach DELIVERED before this one goes (1 s to 7 days); absent: until it ends' }) afterSeconds?: number | null;
}

@InputType('SendMessageInput')
export class SendMessageInput extends MessageContentInput {
  @Field(() => ID, { nullable: true, description: 'idempotency key; generated when absent' }) requestId?: string | null;
  @Field(() => ID) clientId!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => DispositionInput, { nullable: true, description: 'required unless EMAIL' }) disposition?: DispositionInput | null;
  @Field(() => ID, { nullable: true, description: 'INTEGRATOR only' }) onBehalfOfAgentId?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'R25: send at this time instead of now (at most 30 days ahead); the send is SCHEDULED until then' }) sendAt?: Date | null;
  @Field(() => [FallbackStepInput], { nullable: true, description: 'R26: up to three other channels to try, in order, when this one fails in a way another channel can help with or is not DELIVERED in time' }) fallback?: FallbackStepInput[] | null;
  @Field(() => ID, { nullable: true, description: "R28: send into this open thread that nobody holds (conflict { canTakeOver }); the agent takes it over and the disposition applies to it" }) takeOverThreadId?: string | null;
}

@InputType('SendFilter')
export class SendFilterInput {
  @Field(() => ID, { nullable: true }) agentId?: string | null;
  @Field(() => ID, { nullable: true }) clientId?: string | null;
  @Field(() => ChannelEnum, { nullable: true }) channel?: E.Channel | null;
  @Field(() => SendStateEnum, { nullable: true }) state?: E.SendState | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'created at or after' }) from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'created before' }) to?: Date | null;
  @Field(() => DeliveryFailureCodeEnum, { nullable: true, description: "R29: whose message's failure (as the client's history shows it) has this code" })
  failureCode?: E.DeliveryFailureCode | null;
}

export const OutboundSendConnectionType = connectionType('OutboundSend', () => OutboundSendType);

@ObjectType('AttachmentPreview', { description: 'R27: the file as Herald detected it on upload' })
export class AttachmentPreviewType {
  @Field(() => ID) id!: string;
  @Field(() => String) fileName!: string;
  @Field(() => String, { description: 'the type detected from the bytes, not the name' }) mimeType!: string;
  @Field(() => Int, { description: 'bytes' }) size!: number;
}

@ObjectType('MessagePreview', { description: 'R27: what sendMessage would put in front of the client, and what it would answer now; nothing is written' })
export class MessagePreviewType {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String, { nullable: true, description: "the template's header with its variables filled" }) header!: string | null;
  @Field(() => String, { nullable: true, description: 'the text, or the template body with its variables filled' }) body!: string | null;
  @Field(() => String, { nullable: true }) footer!: string | null;
  @Field(() => String, { nullable: true, description: 'EMAIL' }) subject!: string | null;
  @Field(() => [String], { description: 'EMAIL' }) bcc!: string[];
  @Field(() => AttachmentPreviewType, { nullable: true }) attachment!: AttachmentPreviewType | null;
  @Field(() => TemplateRequirementEnum, { nullable: true, description: 'for this client on this channel (at sendAt when scheduled); null when the channel cannot be used' }) templateRequirement!: E.TemplateRequirement | null;
  @Field(() => DateTimeScalar, { nullable: true }) sendAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "R33: inside the stand's quiet hours (now, or at sendAt), when they end: an agent's own send is not delayed, a scheduled one waits until then; null outside them" }) quietHoursUntil?: Date | null;
  @Field(() => [UserErrorType], { description: 'what sendMessage would answer now; empty when it would be accepted' }) userErrors!: UserErrorType[];
  @Field(() => [MessagePreviewType], { description: 'R26: each fallback step, previewed the same way' }) fallback!: MessagePreviewType[];
}
