// The contract's enums as plain string unions, shared by the database, the domain and GraphQL.
export const CHANNELS = ['WHATSAPP', 'VIBER', 'EMAIL', 'TELEGRAM', 'APPLE_BUSINESS_MESSAGES', 'WEB_CHAT', 'MOBILE_APP'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ROLES = ['AGENT', 'SUPERVISOR', 'INTEGRATOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export const AGENT_STATUSES = ['ACTIVE', 'OUT', 'ACTIVE_FINISHING', 'BREAK', 'OFFLINE'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const THREAD_STATUSES = ['NEW', 'ASSIGNED', 'WAITING', 'CLOSED'] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

export const MESSAGE_DIRECTIONS = ['INBOUND', 'OUTBOUND'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export const MESSAGE_STATUSES = ['SCHEDULED', 'PENDING', 'SENT', 'DELIVERED', 'READ', 'UNDELIVERED', 'FAILED', 'EXPIRED', 'CANCELLED'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const DELIVERY_FAILURE_CODES = [
  'TEMPLATE_MISMATCH', 'NOT_CHANNEL_USER', 'BLOCKED_BY_USER', 'OUTSIDE_SESSION_WINDOW',
  'PROVIDER_REJECTED', 'PROVIDER_ERROR', 'EXPIRED',
  // Herald itself could not carry out a step of the send (its reason is in the message).
  'SYSTEM_ERROR',
  // A scheduled send was refused by the rules when it fell due (R25; the reasons are in the message).
  'REFUSED_WHEN_DUE',
  // R29: what a supervisor can act on, mapped from each provider's own errors.
  'RATE_LIMITED', 'MEDIA_REJECTED', 'RECIPIENT_OPTED_OUT', 'INVALID_DESTINATION',
] as const;
export type DeliveryFailureCode = (typeof DELIVERY_FAILURE_CODES)[number];

export const DISPOSITION_KINDS = ['CLOSE', 'ASSIGN_TO_ME', 'TRANSFER'] as const;
export type DispositionKind = (typeof DISPOSITION_KINDS)[number];

export const TRANSFER_TARGET_KINDS = ['AGENT', 'GROUP', 'SKILL', 'BOT', 'DEPARTMENT'] as const;
export type TransferTargetKind = (typeof TRANSFER_TARGET_KINDS)[number];

export const TEMPLATE_REQUIREMENTS = ['NONE', 'OPTIONAL', 'MANDATORY'] as const;
export type TemplateRequirement = (typeof TEMPLATE_REQUIREMENTS)[number];

export const TEMPLATE_VARIABLE_TYPES = ['TEXT', 'SELECT', 'DATE'] as const;
export type TemplateVariableType = (typeof TEMPLATE_VARIABLE_TYPES)[number];

export const TEMPLATE_POLICIES = ['ALWAYS', 'OUTSIDE_SESSION_WINDOW', 'NEVER'] as const;
export type TemplatePolicy = (typeof TEMPLATE_POLICIES)[number];

export const CHANNEL_UNAVAILABLE_REASONS = [
  'CHANNEL_DISABLED', 'CLIENT_BLOCKED', 'CLIENT_BLOCKED_ON_CHANNEL', 'NO_ADDRESS', 'ACTIVE_THREAD_EXISTS',
  'NO_APPROVED_TEMPLATES', 'CHANNEL_NOT_CONFIGURED',
] as const;
export type ChannelUnavailableReason = (typeof CHANNEL_UNAVAILABLE_REASONS)[number];

export const SEND_STATES = [
  'SCHEDULED', 'VALIDATING', 'RESERVING', 'DELIVERING', 'AWAITING_STATUS', 'COMPLETED', 'FAILED', 'REJECTED', 'CONFLICT', 'CANCELLED',
] as const;
export type SendState = (typeof SEND_STATES)[number];

export const THREAD_EVENT_KINDS = ['OPENED', 'ASSIGNED', 'TRANSFERRED', 'COMMENTED', 'CLOSED'] as const;
export type ThreadEventKind = (typeof THREAD_EVENT_KINDS)[number];

/**
 * What became of a step of a send (its `steps`): the step's outcome, a delivery status the
 * channel reported, or the disposition applied. UNKNOWN only for a record no version writes now.
 */
export const SEND_STEP_STATES = [
  'SCHEDULED', 'STARTED', 'PASSED', 'REJECTED', 'CONFLICT', 'RESERVED', 'ACCEPTED', 'WAITING', 'WAITING_FOR_RETRY', 'REQUESTED',
  'PENDING', 'SENT', 'DELIVERED', 'READ', 'UNDELIVERED', 'EXPIRED', 'FAILED', 'CANCELLED',
  'CLOSE', 'ASSIGN_TO_ME', 'TRANSFER', 'UNKNOWN',
] as const;
export type SendStepState = (typeof SEND_STEP_STATES)[number];
