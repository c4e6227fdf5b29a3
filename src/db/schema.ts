import { sql } from 'drizzle-orm';
import {
  boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import type {
  AgentStatus, Channel, DeliveryFailureCode, DispositionKind, MessageDirection, MessageStatus, Role, SendState,
  SendStepState, TemplatePolicy, TemplateVariableType, ThreadEventKind, ThreadStatus, TransferTargetKind,
} from '../domain/enums.js';
import type { UserError } from '../domain/errors.js';

const id = () => uuid('id').primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const stands = pgTable('stands', {
  id: id(),
  name: text('name').notNull(),
  /** R32: an inbound message that is one of these (case and spacing ignored) opts the client out of the channel. */
  optOutKeywords: text('opt_out_keywords').array().notNull().default(sql`'{STOP,UNSUBSCRIBE,СТОП}'::text[]`),
  /** R32: an inbound message that is one of these opts the client back in. */
  optInKeywords: text('opt_in_keywords').array().notNull().default(sql`'{START}'::text[]`),
  /** R33: quiet hours, an IANA time zone and a window of local wall-clock times ("21:00" to "09:00"); null: none. */
  quietHoursTimeZone: text('quiet_hours_time_zone'),
  quietHoursStart: text('quiet_hours_start'),
  quietHoursEnd: text('quiet_hours_end'),
  createdAt: createdAt(),
});

export const standChannels = pgTable('stand_channels', {
  standId: uuid('stand_id').notNull().references(() => stands.id),
  channel: text('channel').$type<Channel>().notNull(),
  position: integer('position').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  templatePolicy: text('template_policy').$type<TemplatePolicy>().notNull().default('OUTSIDE_SESSION_WINDOW'),
  sessionWindowHours: integer('session_window_hours').notNull().default(24),
  strictTemplates: boolean('strict_templates').notNull().default(true),
  /** Provider settings that differ per stand (sender names, cascade ids, gateway URLs). */
  providerSettings: jsonb('provider_settings').$type<Record<string, string>>().notNull().default({}),
  /** R31: messages per second the channel takes from campaigns and scheduled sends together; null: no limit. */
  messagesPerSecond: integer('messages_per_second'),
  /** R31: unique recipients per day (WhatsApp's messaging tier, set by Meta for the number); null: no limit. */
  dailyUniqueRecipients: integer('daily_unique_recipients'),
  /** R31: the provider asked to slow down (a 429, its rate errors): campaigns and scheduled sends on the channel wait until then. */
  throttledUntil: timestamp('throttled_until', { withTimezone: true }),
}, (t) => [primaryKey({ columns: [t.standId, t.channel] })]);

export const agents = pgTable('agents', {
  id: id(),
  standId: uuid('stand_id').notNull().references(() => stands.id),
  login: text('login').notNull().unique(),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  status: text('status').$type<AgentStatus>().notNull().default('OFFLINE'),
  statusReason: text('status_reason'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Only a SHA-256 of each token is kept: a leaked table grants nothing. */
export const apiTokens = pgTable('api_tokens', {
  id: id(),
  agentId: uuid('agent_id').notNull().references(() => agents.id),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label'),
  createdAt: createdAt(),
  /** Past this the token grants nothing; null: it does not expire (the demo's). */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  /** When a request last came with it (written at most every few seconds per API instance). */
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const transferTargets = pgTable('transfer_targets', {
  id: id(),
  standId: uuid('stand_id').notNull().references(() => stands.id),
  kind: text('kind').$type<TransferTargetKind>().notNull(),
  name: text('name').notNull(),
  /** Set for AGENT targets: transferring to it assigns the thread to that agent. */
  agentId: uuid('agent_id').references(() => agents.id).unique(),
  createdAt: createdAt(),
}, (t) => [
  // Agents may share a display name; groups, skills, bots and departments are told apart by name.
  uniqueIndex('transfer_targets_stand_kind_name').on(t.standId, t.kind, t.name).where(sql`${t.agentId} is null`),
]);

export const clients = pgTable('clients', {
  id: id(),
  standId: uuid('stand_id').notNull().references(() => stands.id),
  name: text('name'),
  /** Digits only (R17): formatting is not part of a number's identity. */
  phone: text('phone'),
  email: text('email'),
  externalId: text('external_id'),
  blocked: boolean('blocked').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('clients_stand_phone').on(t.standId, t.phone),
  uniqueIndex('clients_stand_external_id').on(t.standId, t.externalId),
  index('clients_stand_email').on(t.standId, sql`lower(${t.email})`),
  index('clients_stand_name').on(t.standId, sql`lower(${t.name})`),
]);

export const clientChannels = pgTable('client_channels', {
  clientId: uuid('client_id').notNull().references(() => clients.id),
  channel: text('channel').$type<Channel>().notNull(),
  /** Overrides the address derived from the client (a Telegram chat id, another phone). */
  address: text('address'),
  blocked: boolean('blocked').notNull().default(false),
  /** Drives the 24-hour template rule (R13). */
  lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
  /** R32: when the client opted out of the business's messages on this channel; null: they have not (or opted in again). */
  optedOutAt: timestamp('opted_out_at', { withTimezone: true }),
}, (t) => [primaryKey({ columns: [t.clientId, t.channel] })]);

/** R32: every change of a client's consent on a channel, and how it came (a keyword they wrote, or an admin). */
export const consentChanges = pgTable('consent_changes', {
  id: id(),
  clientId: uuid('client_id').notNull().references(() => clients.id),
  channel: text('channel').$type<Channel>().notNull(),
  optedOut: boolean('opted_out').notNull(),
  source: text('source').$type<'KEYWORD' | 'ADMIN'>().notNull(),
  /** The keyword the client wrote (source KEYWORD). */
  keyword: text('keyword'),
  /** The inbound message that carried the keyword. */
  messageId: uuid('message_id'),
  /** The admin who changed it (source ADMIN). */
  agentId: uuid('agent_id').references(() => agents.id),
  note: text('note'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('consent_changes_client').on(t.clientId, t.channel, t.at)]);

export const messengerUsernames = pgTable('messenger_usernames', {
  clientId: uuid('client_id').notNull().references(() => clients.id),
  channel: text('channel').$type<Channel>().notNull(),
  username: text('username').notNull(),
}, (t) => [
  primaryKey({ columns: [t.clientId, t.channel] }),
  index('messenger_usernames_lower').on(sql`lower(${t.username})`),
]);

export const threads = pgTable('threads', {
  id: id(),
  clientId: uuid('client_id').notNull().references(() => clients.id),
  channel: text('channel').$type<Channel>().notNull(),
  status: text('status').$type<ThreadStatus>().notNull(),
  assigneeId: uuid('assignee_id').references(() => agents.id),
  queueTargetId: uuid('queue_target_id').references(() => transferTargets.id),
  transferComment: text('transfer_comment'),
  closeReason: text('close_reason'),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
}, (t) => [
  // R6/R7: the lock. At most one thread per client that is not CLOSED; a concurrent second
  // insert fails on this index instead of racing a read-then-write check.
  uniqueIndex('threads_one_active_per_client').on(t.clientId).where(sql`${t.status} <> 'CLOSED'`),
  index('threads_assignee_active').on(t.assigneeId).where(sql`${t.status} <> 'CLOSED'`),
]);

export const threadEvents = pgTable('thread_events', {
  id: id(),
  threadId: uuid('thread_id').notNull().references(() => threads.id),
  kind: text('kind').$type<ThreadEventKind>().notNull(),
  agentId: uuid('agent_id').references(() => agents.id),
  targetId: uuid('target_id').references(() => transferTargets.id),
  comment: text('comment'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('thread_events_thread').on(t.threadId, t.at)]);

export const templates = pgTable('templates', {
  id: id(),
  channel: text('channel').$type<Channel>().notNull(),
  externalId: text('external_id').notNull(),
  name: text('name').notNull(),
  language: text('language'),
  category: text('category'),
  /** As edna reports it; only APPROVED templates that are still in the catalog are usable. */
  providerStatus: text('provider_status').notNull(),
  usable: boolean('usable').notNull().default(true),
  header: text('header'),
  body: text('body').notNull(),
  footer: text('footer'),
  textOnly: boolean('text_only').notNull(),
  content: jsonb('content').$type<unknown>(),
  syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('templates_channel_external').on(t.channel, t.externalId)]);

export const templateVariables = pgTable('template_variables', {
  templateId: uuid('template_id').notNull().references(() => templates.id),
  position: integer('position').notNull(),
  key: text('key').notNull(),
  type: text('type').$type<TemplateVariableType>().notNull(),
  label: text('label'),
  options: text('options').array(),
}, (t) => [primaryKey({ columns: [t.templateId, t.position] })]);

export const attachments = pgTable('attachments', {
  id: id(),
  fileName: text('file_name').notNull(),
  mimeType: text('mime_type').notNull(),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  /** Where the bytes are kept, relative to the attachment store. */
  storageKey: text('storage_key').notNull(),
  /** Part of the public URL: unguessable, so edna can fetch without our bearer token. */
  accessToken: text('access_token').notNull().unique(),
  uploadedBy: uuid('uploaded_by').references(() => agents.id),
  createdAt: createdAt(),
  /** When the last byte was stored; null while the upload streams in (such a row is never served). */
  storedAt: timestamp('stored_at', { withTimezone: true }),
});

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * An upload's bytes, in chunks: PostgreSQL is the one store every server and worker shares, and
 * chunks let a file stream in and out without being held whole in memory.
 */
export const attachmentChunks = pgTable('attachment_chunks', {
  attachmentId: uuid('attachment_id').notNull().references(() => attachments.id),
  seq: integer('seq').notNull(),
  data: bytea('data').notNull(),
}, (t) => [primaryKey({ columns: [t.attachmentId, t.seq] })]);

export const messages = pgTable('messages', {
  id: id(),
  /** The send that made this message (outbound); a repeated reservation finds it here. */
  sendId: text('send_id'),
  /** R26: which step of the send's fallback chain this message is (0: the send's own channel). */
  fallbackStep: integer('fallback_step').notNull().default(0),
  clientId: uuid('client_id').notNull().references(() => clients.id),
  threadId: uuid('thread_id').references(() => threads.id),
  channel: text('channel').$type<Channel>().notNull(),
  direction: text('direction').$type<MessageDirection>().notNull(),
  authorId: uuid('author_id').references(() => agents.id),
  text: text('text'),
  subject: text('subject'),
  header: text('header'),
  footer: text('footer'),
  templateId: uuid('template_id').references(() => templates.id),
  templateVariables: jsonb('template_variables').$type<Array<{ key: string; value: string }>>(),
  attachmentId: uuid('attachment_id').references(() => attachments.id),
  bcc: text('bcc').array().notNull().default(sql`'{}'::text[]`),
  status: text('status').$type<MessageStatus>().notNull(),
  failureCode: text('failure_code').$type<DeliveryFailureCode>(),
  failureProviderCode: text('failure_provider_code'),
  failureMessage: text('failure_message'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('messages_client_created').on(t.clientId, t.createdAt, t.id),
  index('messages_thread_created').on(t.threadId, t.createdAt),
  uniqueIndex('messages_send_step').on(t.sendId, t.fallbackStep),
]);

/**
 * What the provider got for a message: one part, or two in order where the channel cannot carry
 * text with an attachment (WhatsApp drops the caption), so the message's status reflects both.
 */
export const messageParts = pgTable('message_parts', {
  messageId: uuid('message_id').notNull().references(() => messages.id),
  seq: integer('seq').notNull(),
  kind: text('kind').$type<'TEXT' | 'ATTACHMENT' | 'TEMPLATE' | 'ALL'>().notNull(),
  providerRequestId: text('provider_request_id').notNull().unique(),
  status: text('status').$type<MessageStatus>().notNull(),
}, (t) => [primaryKey({ columns: [t.messageId, t.seq] })]);

export const messageStatusChanges = pgTable('message_status_changes', {
  id: id(),
  messageId: uuid('message_id').notNull().references(() => messages.id),
  status: text('status').$type<MessageStatus>().notNull(),
  failureCode: text('failure_code').$type<DeliveryFailureCode>(),
  failureProviderCode: text('failure_provider_code'),
  failureMessage: text('failure_message'),
  note: text('note'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('message_status_changes_message').on(t.messageId, t.at)]);

/** Old rows may hold a state no version writes now; the API shows those as UNKNOWN. */
export interface SendStepRecord { name: string; state: SendStepState; at: string; detail?: string }

export const sends = pgTable('sends', {
  /** The Temporal workflow id: `send:<requester's id>:<requestId>` (before requestIds were scoped: `send:<requestId>`). */
  id: text('id').primaryKey(),
  /** The caller's idempotency key, unique per caller (like Stripe's). */
  requestId: text('request_id').notNull(),
  /** What was asked, hashed: the same key with other parameters is IDEMPOTENCY_KEY_REUSED. */
  requestHash: text('request_hash'),
  agentId: uuid('agent_id').references(() => agents.id),
  /** Who called: the agent itself, or the integrator acting on its behalf (R23). */
  requestedById: uuid('requested_by_id').references(() => agents.id),
  clientId: uuid('client_id').notNull().references(() => clients.id),
  channel: text('channel').$type<Channel>().notNull(),
  state: text('state').$type<SendState>().notNull(),
  disposition: text('disposition').$type<DispositionKind>(),
  messageId: uuid('message_id').references(() => messages.id),
  threadId: uuid('thread_id').references(() => threads.id),
  errors: jsonb('errors').$type<UserError[]>().notNull().default([]),
  steps: jsonb('steps').$type<SendStepRecord[]>().notNull().default([]),
  /** R25: when a scheduled send falls due; null for a send made now. */
  sendAt: timestamp('send_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('sends_requester_request').on(t.requestedById, t.requestId),
  index('sends_created').on(t.createdAt, t.id),
  index('sends_agent_created').on(t.agentId, t.createdAt, t.id),
  index('sends_requested_created').on(t.requestedById, t.createdAt, t.id),
  index('sends_client_created').on(t.clientId, t.createdAt, t.id),
  index('sends_channel_created').on(t.channel, t.createdAt, t.id),
  index('sends_state_created').on(t.state, t.createdAt, t.id),
]);

export type CampaignState = 'SCHEDULED' | 'RUNNING' | 'PAUSED' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
export type CampaignRecipientState = 'PENDING' | 'SKIPPED' | 'SENDING' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED' | 'CANCELLED';

/** R30: a send to many clients, each recipient an ordinary send started by the campaign's workflow. */
export const campaigns = pgTable('campaigns', {
  id: id(),
  standId: uuid('stand_id').notNull().references(() => stands.id),
  name: text('name').notNull(),
  channel: text('channel').$type<Channel>().notNull(),
  /** The caller (an integrator or admin) and the agent the sends are made as. */
  requestedById: uuid('requested_by_id').notNull().references(() => agents.id),
  agentId: uuid('agent_id').references(() => agents.id),
  /** The caller's idempotency key (like sendMessage's): asking again with it answers the same campaign. */
  requestId: text('request_id'),
  /** What was asked, hashed: the same requestId with another campaign is IDEMPOTENCY_KEY_REUSED. */
  requestHash: text('request_hash'),
  /** What each recipient is sent: the message content and fallback steps, as the send's request takes them. */
  content: jsonb('content').$type<Record<string, unknown>>().notNull(),
  ratePerSecond: integer('rate_per_second').notNull(),
  startAt: timestamp('start_at', { withTimezone: true }),
  state: text('state').$type<CampaignState>().notNull(),
  /** Why the campaign is not sending now while RUNNING (a channel limit, quiet hours), for people to read. */
  waitingReason: text('waiting_reason'),
  waitingUntil: timestamp('waiting_until', { withTimezone: true }),
  recipientCount: integer('recipient_count').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}, (t) => [
  index('campaigns_stand_created').on(t.standId, t.createdAt, t.id),
  uniqueIndex('campaigns_requester_request').on(t.requestedById, t.requestId),
]);

export const campaignRecipients = pgTable('campaign_recipients', {
  campaignId: uuid('campaign_id').notNull().references(() => campaigns.id),
  /** The recipient's place in the list: the campaign goes through them in this order. */
  seq: integer('seq').notNull(),
  clientId: uuid('client_id').references(() => clients.id),
  /** Digits only, for a recipient named by phone (the client is found or created when their turn comes). */
  phone: text('phone'),
  variables: jsonb('variables').$type<Array<{ key: string; value: string }>>(),
  state: text('state').$type<CampaignRecipientState>().notNull().default('PENDING'),
  /** Why the recipient was skipped (a UserError code) and the sentence for people. */
  skipCode: text('skip_code'),
  skipMessage: text('skip_message'),
  sendId: text('send_id'),
  updatedAt: updatedAt(),
}, (t) => [
  primaryKey({ columns: [t.campaignId, t.seq] }),
  index('campaign_recipients_state').on(t.campaignId, t.state, t.seq),
  index('campaign_recipients_send').on(t.sendId),
  // Nobody twice on one list: looked up by client and by number when recipients are added or a number becomes a client.
  index('campaign_recipients_client').on(t.campaignId, t.clientId),
  index('campaign_recipients_phone').on(t.campaignId, t.phone),
]);

/**
 * R31: what each stand's channel has used of its limits. One row per second window (messages per
 * second) and one per day and recipient (WhatsApp's unique recipients), taken in the statement
 * that checks them, so two campaigns on two workers never exceed the limit together.
 */
export const channelUsage = pgTable('channel_usage', {
  standId: uuid('stand_id').notNull().references(() => stands.id),
  channel: text('channel').$type<Channel>().notNull(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  used: integer('used').notNull(),
}, (t) => [primaryKey({ columns: [t.standId, t.channel, t.windowStart] })]);

export const channelDailyRecipients = pgTable('channel_daily_recipients', {
  standId: uuid('stand_id').notNull().references(() => stands.id),
  channel: text('channel').$type<Channel>().notNull(),
  day: text('day').notNull(),
  recipient: text('recipient').notNull(),
}, (t) => [primaryKey({ columns: [t.standId, t.channel, t.day, t.recipient] })]);

export * from './webhookTables.js';
