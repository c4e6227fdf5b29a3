import { Field, InputType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { payloadType } from '../common/payload.js';
import { ChannelEnum, DateTimeScalar } from '../scalars.js';
import { MessageType, ThreadType } from '../threads/types.js';

@InputType('InboundMessageInput')
export class InboundMessageInput {
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String, { description: 'phone, email or messenger username/id, as the channel knows the client' }) address!: string;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'default now; drives the 24-hour window' }) receivedAt?: Date | null;
}

export const InboundPayload = payloadType('InboundPayload', { message: { type: () => MessageType }, thread: { type: () => ThreadType } });
