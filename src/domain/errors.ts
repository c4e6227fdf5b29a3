// A user error is an answer, not a crash: a code a program can act on and a sentence a person can.
export const USER_ERROR_CODES = [
  'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND',
  'AGENT_STATUS_NOT_ALLOWED', 'CLIENT_BLOCKED', 'CHANNEL_DISABLED', 'CLIENT_BLOCKED_ON_CHANNEL',
  'NO_ADDRESS_FOR_CHANNEL', 'ACTIVE_THREAD_EXISTS', 'CHANNEL_NOT_CONFIGURED',
  'EMPTY_MESSAGE', 'ATTACHMENT_NOT_ALLOWED', 'ATTACHMENT_FORMAT', 'ATTACHMENT_TOO_LARGE', 'TEXT_TOO_LONG',
  'INVALID_COMBINATION', 'BCC_NOT_ALLOWED', 'INVALID_EMAIL',
  'TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', 'TEMPLATE_REQUIRED', 'TEMPLATE_NOT_FOUND', 'TEMPLATE_NOT_TEXT_ONLY',
  'NO_APPROVED_TEMPLATES', 'TEMPLATE_VARIABLE_MISSING', 'TEMPLATE_VARIABLE_INVALID',
  'DISPOSITION_REQUIRED', 'DISPOSITION_NOT_APPLICABLE', 'DISPOSITION_INVALID', 'TRANSFER_TARGET_NOT_FOUND',
  'PHONE_TOO_SHORT', 'CLIENT_EXISTS',
  'INVALID_INPUT', 'SYSTEM_ERROR',
  // Too many requests from this token or address: wait for the Retry-After it names.
  'RATE_LIMITED',
  // The requestId was used before with other parameters (like Stripe's idempotency keys).
  'IDEMPOTENCY_KEY_REUSED',
  // R32: the client opted out of marketing on this channel; a care reply (text, UTILITY template) still goes.
  'CLIENT_OPTED_OUT',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

export interface UserError {
  code: UserErrorCode;
  message: string;
  field?: string[];
}

export function userError(code: UserErrorCode, message: string, field?: string[]): UserError {
  return field ? { code, message, field } : { code, message };
}

/** Thrown where a user error must cross a boundary that only knows exceptions (auth, loaders). */
export class UserErrorException extends Error {
  constructor(readonly userError: UserError) {
    super(userError.message);
    this.name = 'UserErrorException';
  }
}
