import { Field, ID, ObjectType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { NodeInterface } from '../common/node.js';
import { payloadType } from '../common/payload.js';
import { AgentStatusEnum, DateTimeScalar, RoleEnum } from '../scalars.js';

@ObjectType('Agent', { implements: NodeInterface })
export class AgentType {
  @Field(() => ID) id!: string;
  @Field(() => String) login!: string;
  @Field(() => String) name!: string;
  @Field(() => RoleEnum) role!: E.Role;
  @Field(() => AgentStatusEnum) status!: E.AgentStatus;
  @Field(() => String, { nullable: true, description: 'break reason' }) statusReason!: string | null;
}

@ObjectType('ApiToken', { description: 'a bearer token: only its hash is kept, so the token itself is shown once, when made' })
export class ApiTokenType {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) label!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'null: does not expire' }) expiresAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
}

export const AgentPayload = payloadType('AgentPayload', { agent: { type: () => AgentType } });
export const CreateTokenPayload = payloadType('CreateTokenPayload', {
  token: { type: () => String, description: 'shown once; only its hash is kept' },
  apiToken: { type: () => ApiTokenType },
});
export const RevokeTokenPayload = payloadType('RevokeTokenPayload', { apiToken: { type: () => ApiTokenType } });
export const CreateAgentPayload = payloadType('CreateAgentPayload', {
  agent: { type: () => AgentType },
  token: { type: () => String, description: 'shown once; only its hash is kept' },
});
