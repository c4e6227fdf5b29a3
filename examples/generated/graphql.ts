/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO-8601 date and time */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
};

export type AgentStatus =
  | 'ACTIVE'
  | 'ACTIVE_FINISHING'
  | 'BREAK'
  | 'OFFLINE'
  | 'OUT';

/** a client by id, or a phone number (the client is found or created when its turn comes) */
export type CampaignRecipientInput = {
  clientId?: InputMaybe<Scalars['ID']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  /** this recipient's template variables; they win over the campaign's */
  variables?: InputMaybe<Array<TemplateVariableValue>>;
};

/** R30: what became of a recipient: not reached yet, skipped with a reason, or its send's message status */
export type CampaignRecipientOutcome =
  | 'CANCELLED'
  | 'DELIVERED'
  | 'FAILED'
  | 'PENDING'
  | 'READ'
  | 'SENDING'
  | 'SENT'
  | 'SKIPPED';

/** R30: SCHEDULED until startAt; RUNNING (waitingReason says when a limit or quiet hours hold it); PAUSED; COMPLETED once every recipient was sent or skipped; CANCELLED */
export type CampaignState =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'FAILED'
  | 'PAUSED'
  | 'RUNNING'
  | 'SCHEDULED';

export type Channel =
  | 'APPLE_BUSINESS_MESSAGES'
  | 'EMAIL'
  | 'MOBILE_APP'
  | 'TELEGRAM'
  | 'VIBER'
  | 'WEB_CHAT'
  | 'WHATSAPP';

export type ChannelUnavailableReason =
  | 'ACTIVE_THREAD_EXISTS'
  | 'CHANNEL_DISABLED'
  | 'CHANNEL_NOT_CONFIGURED'
  | 'CLIENT_BLOCKED'
  | 'CLIENT_BLOCKED_ON_CHANNEL'
  | 'NO_ADDRESS'
  | 'NO_APPROVED_TEMPLATES';

export type ClientActivityKind =
  | 'CONSENT_CHANGED'
  | 'MESSAGE_ADDED'
  | 'MESSAGE_STATUS'
  | 'THREAD_CLOSED'
  | 'THREAD_OPENED'
  | 'THREAD_UPDATED';

export type ClientInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  /** upsert key when given */
  externalId?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  usernames?: InputMaybe<Array<MessengerUsernameInput>>;
};

/** a list left out stays as it is */
export type ConsentKeywordsInput = {
  optIn?: InputMaybe<Array<Scalars['String']['input']>>;
  optOut?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** How a consent change came: KEYWORD (the client wrote one of the stand's keywords), ADMIN (an administrator set it) */
export type ConsentSource =
  | 'ADMIN'
  | 'KEYWORD';

export type CreateWebhookEndpointInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  events: Array<WebhookEventType>;
  /** http:// or https:// */
  url: Scalars['String']['input'];
};

export type DeliveryFailureCode =
  | 'BLOCKED_BY_USER'
  | 'EXPIRED'
  | 'INVALID_DESTINATION'
  | 'MEDIA_REJECTED'
  | 'NOT_CHANNEL_USER'
  | 'OUTSIDE_SESSION_WINDOW'
  | 'PROVIDER_ERROR'
  | 'PROVIDER_REJECTED'
  | 'RATE_LIMITED'
  | 'RECIPIENT_OPTED_OUT'
  | 'REFUSED_WHEN_DUE'
  | 'SYSTEM_ERROR'
  | 'TEMPLATE_MISMATCH';

export type DispositionInput = {
  comment?: InputMaybe<Scalars['String']['input']>;
  kind: DispositionKind;
  target?: InputMaybe<TransferTargetInput>;
};

export type DispositionKind =
  | 'ASSIGN_TO_ME'
  | 'CLOSE'
  | 'TRANSFER';

/** R26: a channel to reach the client on when the step before gives up, with its own content */
export type FallbackStepInput = {
  /** how long the step before gets to reach DELIVERED before this one goes (1 s to 7 days); absent: until it ends */
  afterSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** from POST /attachments */
  attachmentId?: InputMaybe<Scalars['ID']['input']>;
  /** EMAIL */
  bcc?: InputMaybe<Array<Scalars['String']['input']>>;
  channel: Channel;
  /** EMAIL */
  subject?: InputMaybe<Scalars['String']['input']>;
  template?: InputMaybe<TemplateInput>;
  text?: InputMaybe<Scalars['String']['input']>;
};

export type InboundMessageInput = {
  /** phone, email or messenger username/id, as the channel knows the client */
  address: Scalars['String']['input'];
  channel: Channel;
  name?: InputMaybe<Scalars['String']['input']>;
  /** default now; drives the 24-hour window */
  receivedAt?: InputMaybe<Scalars['DateTime']['input']>;
  text?: InputMaybe<Scalars['String']['input']>;
};

export type MessageDirection =
  | 'INBOUND'
  | 'OUTBOUND';

export type MessageStatus =
  | 'CANCELLED'
  | 'DELIVERED'
  | 'EXPIRED'
  | 'FAILED'
  | 'PENDING'
  | 'READ'
  | 'SCHEDULED'
  | 'SENT'
  | 'UNDELIVERED';

export type MessengerUsernameInput = {
  channel: Channel;
  username: Scalars['String']['input'];
};

export type QuietHoursInput = {
  end: Scalars['String']['input'];
  start: Scalars['String']['input'];
  timeZone: Scalars['String']['input'];
};

export type Role =
  | 'ADMIN'
  | 'AGENT'
  | 'INTEGRATOR'
  | 'SUPERVISOR';

export type SendFilter = {
  agentId?: InputMaybe<Scalars['ID']['input']>;
  channel?: InputMaybe<Channel>;
  clientId?: InputMaybe<Scalars['ID']['input']>;
  /** R29: whose message's failure (as the client's history shows it) has this code */
  failureCode?: InputMaybe<DeliveryFailureCode>;
  /** created at or after */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  state?: InputMaybe<SendState>;
  /** created before */
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type SendMessageInput = {
  /** from POST /attachments */
  attachmentId?: InputMaybe<Scalars['ID']['input']>;
  /** EMAIL */
  bcc?: InputMaybe<Array<Scalars['String']['input']>>;
  channel: Channel;
  clientId: Scalars['ID']['input'];
  /** required unless EMAIL */
  disposition?: InputMaybe<DispositionInput>;
  /** R26: up to three other channels to try, in order, when this one fails in a way another channel can help with or is not DELIVERED in time */
  fallback?: InputMaybe<Array<FallbackStepInput>>;
  /** INTEGRATOR only */
  onBehalfOfAgentId?: InputMaybe<Scalars['ID']['input']>;
  /** idempotency key; generated when absent */
  requestId?: InputMaybe<Scalars['ID']['input']>;
  /** R25: send at this time instead of now (at most 30 days ahead); the send is SCHEDULED until then */
  sendAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** EMAIL */
  subject?: InputMaybe<Scalars['String']['input']>;
  /** R28: send into this open thread that nobody holds (conflict { canTakeOver }); the agent takes it over and the disposition applies to it */
  takeOverThreadId?: InputMaybe<Scalars['ID']['input']>;
  template?: InputMaybe<TemplateInput>;
  text?: InputMaybe<Scalars['String']['input']>;
};

export type SendState =
  | 'AWAITING_STATUS'
  | 'CANCELLED'
  | 'COMPLETED'
  | 'CONFLICT'
  | 'DELIVERING'
  | 'FAILED'
  | 'REJECTED'
  | 'RESERVING'
  | 'SCHEDULED'
  | 'VALIDATING';

export type SendStepState =
  | 'ACCEPTED'
  | 'ASSIGN_TO_ME'
  | 'CANCELLED'
  | 'CLOSE'
  | 'CONFLICT'
  | 'DELIVERED'
  | 'EXPIRED'
  | 'FAILED'
  | 'PASSED'
  | 'PENDING'
  | 'READ'
  | 'REJECTED'
  | 'REQUESTED'
  | 'RESERVED'
  | 'SCHEDULED'
  | 'SENT'
  | 'STARTED'
  | 'TRANSFER'
  | 'UNDELIVERED'
  | 'UNKNOWN'
  | 'WAITING'
  | 'WAITING_FOR_RETRY';

export type SetClientConsentInput = {
  channel: Channel;
  clientId: Scalars['ID']['input'];
  /** why, kept in the audit trail */
  note?: InputMaybe<Scalars['String']['input']>;
  /** true: opt the client out of the channel; false: opt them in again */
  optedOut: Scalars['Boolean']['input'];
};

export type StandChannelInput = {
  channel: Channel;
  /** R31: 0 clears the limit */
  dailyUniqueRecipients?: InputMaybe<Scalars['Int']['input']>;
  enabled: Scalars['Boolean']['input'];
  /** R31: 0 clears the limit */
  messagesPerSecond?: InputMaybe<Scalars['Int']['input']>;
  sessionWindowHours?: InputMaybe<Scalars['Int']['input']>;
  strictTemplates?: InputMaybe<Scalars['Boolean']['input']>;
  templatePolicy?: InputMaybe<TemplatePolicy>;
};

export type StartCampaignInput = {
  /** from POST /attachments */
  attachmentId?: InputMaybe<Scalars['ID']['input']>;
  /** EMAIL */
  bcc?: InputMaybe<Array<Scalars['String']['input']>>;
  channel: Channel;
  /** R26 for every recipient */
  fallback?: InputMaybe<Array<FallbackStepInput>>;
  name: Scalars['String']['input'];
  /** messages per second this campaign sends at most (1 to 1000); the channel limit (R31) may hold it lower */
  ratePerSecond: Scalars['Int']['input'];
  /** up to 100,000; add more with addCampaignRecipients */
  recipients: Array<CampaignRecipientInput>;
  /** idempotency key: asking again with it answers the same campaign (and starts it if it had not started); with another campaign it is IDEMPOTENCY_KEY_REUSED */
  requestId?: InputMaybe<Scalars['ID']['input']>;
  /** begin at this time (at most 30 days ahead); absent: at once */
  startAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** EMAIL */
  subject?: InputMaybe<Scalars['String']['input']>;
  template?: InputMaybe<TemplateInput>;
  text?: InputMaybe<Scalars['String']['input']>;
};

export type TemplateInput = {
  templateId: Scalars['ID']['input'];
  variables?: InputMaybe<Array<TemplateVariableValue>>;
};

/** When a template is MANDATORY */
export type TemplatePolicy =
  | 'ALWAYS'
  | 'NEVER'
  | 'OUTSIDE_SESSION_WINDOW';

export type TemplateRequirement =
  | 'MANDATORY'
  | 'NONE'
  | 'OPTIONAL';

export type TemplateVariableType =
  | 'DATE'
  | 'SELECT'
  | 'TEXT';

export type TemplateVariableValue = {
  key: Scalars['String']['input'];
  value: Scalars['String']['input'];
};

export type ThreadStatus =
  | 'ASSIGNED'
  | 'CLOSED'
  | 'NEW'
  | 'WAITING';

export type TransferTargetInput = {
  id: Scalars['ID']['input'];
  kind: TransferTargetKind;
};

export type TransferTargetKind =
  | 'AGENT'
  | 'BOT'
  | 'DEPARTMENT'
  | 'GROUP'
  | 'SKILL';

export type UserErrorCode =
  | 'ACTIVE_THREAD_EXISTS'
  | 'AGENT_STATUS_NOT_ALLOWED'
  | 'ATTACHMENT_FORMAT'
  | 'ATTACHMENT_NOT_ALLOWED'
  | 'ATTACHMENT_TOO_LARGE'
  | 'BCC_NOT_ALLOWED'
  | 'CHANNEL_DISABLED'
  | 'CHANNEL_NOT_CONFIGURED'
  | 'CLIENT_BLOCKED'
  | 'CLIENT_BLOCKED_ON_CHANNEL'
  | 'CLIENT_EXISTS'
  | 'CLIENT_OPTED_OUT'
  | 'DISPOSITION_INVALID'
  | 'DISPOSITION_NOT_APPLICABLE'
  | 'DISPOSITION_REQUIRED'
  | 'EMPTY_MESSAGE'
  | 'FORBIDDEN'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_COMBINATION'
  | 'INVALID_EMAIL'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'NO_ADDRESS_FOR_CHANNEL'
  | 'NO_APPROVED_TEMPLATES'
  | 'PHONE_TOO_SHORT'
  | 'RATE_LIMITED'
  | 'SYSTEM_ERROR'
  | 'TEMPLATE_NOT_FOUND'
  | 'TEMPLATE_NOT_SUPPORTED_ON_CHANNEL'
  | 'TEMPLATE_NOT_TEXT_ONLY'
  | 'TEMPLATE_REQUIRED'
  | 'TEMPLATE_VARIABLE_INVALID'
  | 'TEMPLATE_VARIABLE_MISSING'
  | 'TEXT_TOO_LONG'
  | 'TRANSFER_TARGET_NOT_FOUND'
  | 'UNAUTHENTICATED';

export type WebhookDeliveryFilter = {
  eventType?: InputMaybe<WebhookEventType>;
  state?: InputMaybe<WebhookDeliveryState>;
};

/** PENDING: on its way (retrying); FAILED: given up after the retry period */
export type WebhookDeliveryState =
  | 'DELIVERED'
  | 'FAILED'
  | 'PENDING';

/** FAILING: every attempt failed for the whole failure period (3 days) */
export type WebhookEndpointDisabledReason =
  | 'BY_USER'
  | 'FAILING';

/** R34: what a webhook endpoint is told; the JSON `type` is `wireType` (SEND_STATE_CHANGED is "send.state_changed") */
export type WebhookEventType =
  | 'CAMPAIGN_UPDATED'
  | 'MESSAGE_RECEIVED'
  | 'MESSAGE_STATUS_CHANGED'
  | 'SEND_STATE_CHANGED'
  | 'THREAD_CLOSED'
  | 'THREAD_OPENED'
  | 'THREAD_UPDATED'
  | 'WEBHOOK_ENDPOINT_DISABLED';

export type SendFieldsFragment = { __typename?: 'OutboundSend', id: string, requestId: string, state: SendState, channel: Channel, agent?: { __typename?: 'Agent', login: string } | null, errors: Array<{ __typename?: 'UserError', code: UserErrorCode, field?: Array<string> | null, message: string }>, message?: { __typename?: 'Message', id: string, status: MessageStatus, failure?: { __typename?: 'DeliveryFailure', code: DeliveryFailureCode, message: string } | null } | null };

export type UpsertClientMutationVariables = Exact<{
  input: ClientInput;
}>;


export type UpsertClientMutation = { __typename?: 'Mutation', upsertClient: { __typename?: 'CreateClientPayload', client?: { __typename?: 'Client', id: string, name?: string | null, email?: string | null, phone?: string | null, externalId?: string | null } | null, userErrors: Array<{ __typename?: 'UserError', code: UserErrorCode, field?: Array<string> | null, message: string }> } };

export type SendMessageMutationVariables = Exact<{
  input: SendMessageInput;
}>;


export type SendMessageMutation = { __typename?: 'Mutation', sendMessage: { __typename?: 'SendMessagePayload', send?: { __typename?: 'OutboundSend', id: string, requestId: string, state: SendState, channel: Channel, agent?: { __typename?: 'Agent', login: string } | null, errors: Array<{ __typename?: 'UserError', code: UserErrorCode, field?: Array<string> | null, message: string }>, message?: { __typename?: 'Message', id: string, status: MessageStatus, failure?: { __typename?: 'DeliveryFailure', code: DeliveryFailureCode, message: string } | null } | null } | null, userErrors: Array<{ __typename?: 'UserError', code: UserErrorCode, field?: Array<string> | null, message: string }>, conflict?: { __typename?: 'ThreadConflict', activeThread: { __typename?: 'Thread', id: string, status: ThreadStatus, channel: Channel }, alternatives: Array<{ __typename?: 'ClientChannel', channel: Channel, available: boolean }> } | null } };

export type ReadSendQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ReadSendQuery = { __typename?: 'Query', send?: { __typename?: 'OutboundSend', id: string, requestId: string, state: SendState, channel: Channel, agent?: { __typename?: 'Agent', login: string } | null, errors: Array<{ __typename?: 'UserError', code: UserErrorCode, field?: Array<string> | null, message: string }>, message?: { __typename?: 'Message', id: string, status: MessageStatus, failure?: { __typename?: 'DeliveryFailure', code: DeliveryFailureCode, message: string } | null } | null } | null };

export type SendUpdatedSubscriptionVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type SendUpdatedSubscription = { __typename?: 'Subscription', sendUpdated: { __typename?: 'OutboundSend', id: string, requestId: string, state: SendState, channel: Channel, agent?: { __typename?: 'Agent', login: string } | null, errors: Array<{ __typename?: 'UserError', code: UserErrorCode, field?: Array<string> | null, message: string }>, message?: { __typename?: 'Message', id: string, status: MessageStatus, failure?: { __typename?: 'DeliveryFailure', code: DeliveryFailureCode, message: string } | null } | null } };

export const SendFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SendFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundSend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SendFieldsFragment, unknown>;
export const UpsertClientDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ClientInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"client"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<UpsertClientMutation, UpsertClientMutationVariables>;
export const SendMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"send"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SendFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflict"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"activeThread"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"alternatives"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SendFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundSend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SendMessageMutation, SendMessageMutationVariables>;
export const ReadSendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReadSend"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"send"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SendFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SendFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundSend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ReadSendQuery, ReadSendQueryVariables>;
export const SendUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SendUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SendFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SendFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundSend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SendUpdatedSubscription, SendUpdatedSubscriptionVariables>;