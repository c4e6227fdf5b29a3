import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { WebhookDeliveryState } from '../../db/schema.js';
import { WEBHOOK_EVENT_TYPE_NAMES, type WebhookEventTypeName } from '../../webhooks/eventTypes.js';
import { AgentType } from '../agents/types.js';
import { connectionType } from '../common/connection.js';
import { payloadType } from '../common/payload.js';
import { DateTimeScalar, JSONScalar, asEnum } from '../scalars.js';

// R34: outbound webhooks. An endpoint names the events it wants; each delivery shows the event
// as it was POSTed and every attempt with the receiver's answer.

export const WebhookEventTypeEnum = asEnum(WEBHOOK_EVENT_TYPE_NAMES);
registerEnumType(WebhookEventTypeEnum, {
  name: 'WebhookEventType',
  description: 'R34: what a webhook endpoint is told; the JSON `type` is `wireType` (SEND_STATE_CHANGED is "send.state_changed")',
});

const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'FAILED'] as const satisfies readonly WebhookDeliveryState[];
export const WebhookDeliveryStateEnum = asEnum(DELIVERY_STATES);
registerEnumType(WebhookDeliveryStateEnum, { name: 'WebhookDeliveryState', description: 'PENDING: on its way (retrying); FAILED: given up after the retry period' });

const DISABLED_REASONS = ['FAILING', 'BY_USER'] as const;
export const WebhookEndpointDisabledReasonEnum = asEnum(DISABLED_REASONS);
registerEnumType(WebhookEndpointDisabledReasonEnum, { name: 'WebhookEndpointDisabledReason', description: 'FAILING: every attempt failed for the whole failure period (3 days)' });

@ObjectType('WebhookEndpoint')
export class WebhookEndpointType {
  @Field(() => ID) id!: string;
  @Field(() => String) url!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [WebhookEventTypeEnum]) events!: WebhookEventTypeName[];
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => AgentType, { nullable: true, description: 'who made it' }) createdBy!: AgentType | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'since when every attempt has failed; null after a success' }) failingSince!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) disabledAt!: Date | null;
  @Field(() => WebhookEndpointDisabledReasonEnum, { nullable: true }) disabledReason!: 'FAILING' | 'BY_USER' | null;
}

@ObjectType('WebhookEvent')
export class WebhookEventType {
  @Field(() => ID, { description: 'the same on every delivery and redelivery: receivers dedupe on it' }) id!: string;
  @Field(() => WebhookEventTypeEnum, { nullable: true, description: 'null for a type this version does not know' }) type!: WebhookEventTypeName | null;
  @Field(() => String, { description: 'the JSON body\'s `type`, e.g. "send.state_changed"' }) wireType!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => JSONScalar, { description: 'the body POSTed: { id, type, createdAt, data }' }) payload!: unknown;
}

@ObjectType('WebhookAttempt')
export class WebhookAttemptType {
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => Int, { nullable: true, description: 'null when no answer came (refused, timed out)' }) statusCode!: number | null;
  @Field(() => String, { nullable: true, description: 'the answer\'s first 2 KB' }) responseBody!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) durationMs!: number;
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryType {
  @Field(() => ID) id!: string;
  @Field(() => ID) endpointId!: string;
  @Field(() => WebhookEventType) event!: WebhookEventType;
  @Field(() => WebhookDeliveryStateEnum) state!: WebhookDeliveryState;
  @Field(() => Int) attemptCount!: number;
  @Field(() => [WebhookAttemptType], { description: 'oldest first' }) attempts!: WebhookAttemptType[];
  @Field(() => DateTimeScalar, { nullable: true, description: 'PENDING: when it is tried next' }) nextAttemptAt!: Date | null;
  @Field(() => DateTimeScalar, { description: 'a failure after this is the last attempt' }) retryUntil!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@InputType('CreateWebhookEndpointInput')
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: 'http:// or https://' }) url!: string;
  @Field(() => [WebhookEventTypeEnum]) events!: WebhookEventTypeName[];
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType('WebhookDeliveryFilter')
export class WebhookDeliveryFilterInput {
  @Field(() => WebhookDeliveryStateEnum, { nullable: true }) state?: WebhookDeliveryState | null;
  @Field(() => WebhookEventTypeEnum, { nullable: true }) eventType?: WebhookEventTypeName | null;
}

export const WebhookEndpointConnectionType = connectionType('WebhookEndpoint', () => WebhookEndpointType);
export const WebhookDeliveryConnectionType = connectionType('WebhookDelivery', () => WebhookDeliveryType);

export const CreateWebhookEndpointPayload = payloadType('CreateWebhookEndpointPayload', {
  endpoint: { type: () => WebhookEndpointType },
  secret: { type: () => String, description: 'the signing secret: shown here once, never again' },
});
export const WebhookEndpointPayload = payloadType('WebhookEndpointPayload', { endpoint: { type: () => WebhookEndpointType } });
export const DeleteWebhookEndpointPayload = payloadType('DeleteWebhookEndpointPayload', { deletedId: { type: () => String } });
export const RedeliverWebhookEventPayload = payloadType('RedeliverWebhookEventPayload', { delivery: { type: () => WebhookDeliveryType } });
