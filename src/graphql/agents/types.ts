import { Field, ID, ObjectType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { NodeInterface } from '../common/node.js';
import { payloadType } from '../common/payload.js';
import { AgentStatusEnum, RoleEnum } from '../scalars.js';

@ObjectType('Agent', { implements: NodeInterface })
export class AgentType {
  @Field(() => ID) id!: string;
  @Field(() => String) login!: string;
  @Field(() => String) name!: string;
  @Field(() => RoleEnum) role!: E.Role;
  @Field(() => AgentStatusEnum) status!: E.AgentStatus;
  @Field(() => String, { nullable: true, description: 'break reason' }) statusReason!: string | null;
}

export const AgentPayload = payloadType('AgentPayload', { agent: { type: () => AgentType } });
export const CreateAgentPayload = payloadType('CreateAgentPayload', {
  agent: { type: () => AgentType },
  token: { type: () => String, description: 'shown once; only its hash is kept' },
});
