import { Field, ID, Int, ObjectType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { connectionType } from '../common/connection.js';
import { NodeInterface } from '../common/node.js';
import { payloadType } from '../common/payload.js';
import {
  ChannelEnum, DateTimeScalar, DeliveryFailureCodeEnum, MessageDirectionEnum, MessageStatusEnum, ThreadStatusEnum,
} from '../scalars.js';

@ObjectType('Thread', { implements: NodeInterface })
export class ThreadType {
  @Field(() => ID) id!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => ThreadStatusEnum) status!: E.ThreadStatus;
  @Field(() => String, { nullable: true }) transferComment!: string | null;
  @Field(() => DateTimeScalar) openedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) closedAt!: Date | null;
}

@ObjectType('Attachment', { implements: NodeInterface })
export class AttachmentType {
  @Field(() => ID) id!: string;
  @Field(() => String) fileName!: string;
  @Field(() => String) mimeType!: string;
  @Field(() => Int) size!: number;
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

@ObjectType('Message', { implements: NodeInterface })
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

export const MessageConnectionType = connectionType('Message', () => MessageType);
export const ThreadConnectionType = connectionType('Thread', () => ThreadType);
export const ThreadPayload = payloadType('ThreadPayload', { thread: { type: () => ThreadType } });
