import { describe, expect, it } from 'vitest';
import { USER_ERROR_CODES, userError, UserErrorException } from '../../src/domain/errors.js';

describe('user errors', () => {
  it('R1: AGENT_STATUS_NOT_ALLOWED is a user error code', () => {
    expect(USER_ERROR_CODES).toContain('AGENT_STATUS_NOT_ALLOWED');
  });

  it('R2: the rule error codes R2–R17 are all in the contract', () => {
    for (const code of [
      'CLIENT_BLOCKED', 'CHANNEL_DISABLED', 'CLIENT_BLOCKED_ON_CHANNEL', 'NO_ADDRESS_FOR_CHANNEL', 'ACTIVE_THREAD_EXISTS',
      'EMPTY_MESSAGE', 'ATTACHMENT_NOT_ALLOWED', 'TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', 'INVALID_COMBINATION',
      'TEXT_TOO_LONG', 'ATTACHMENT_FORMAT', 'ATTACHMENT_TOO_LARGE', 'BCC_NOT_ALLOWED', 'INVALID_EMAIL',
      'DISPOSITION_NOT_APPLICABLE', 'DISPOSITION_REQUIRED', 'TRANSFER_TARGET_NOT_FOUND', 'DISPOSITION_INVALID',
      'TEMPLATE_NOT_TEXT_ONLY', 'TEMPLATE_REQUIRED', 'NO_APPROVED_TEMPLATES', 'TEMPLATE_VARIABLE_MISSING',
      'TEMPLATE_VARIABLE_INVALID', 'PHONE_TOO_SHORT', 'CLIENT_EXISTS',
    ] as const) {
      expect(USER_ERROR_CODES, code).toContain(code);
    }
    expect(new Set(USER_ERROR_CODES).size).toBe(USER_ERROR_CODES.length);
  });

  it('R10: userError carries the field when given', () => {
    expect(userError('INVALID_EMAIL', 'bad', ['bcc', '0'])).toEqual({ code: 'INVALID_EMAIL', message: 'bad', field: ['bcc', '0'] });
  });

  it('R17: userError has no field key when none is given', () => {
    const e = userError('PHONE_TOO_SHORT', 'short');
    expect(e).toEqual({ code: 'PHONE_TOO_SHORT', message: 'short' });
    expect('field' in e).toBe(false);
  });

  it('R23: UserErrorException carries the user error and its message', () => {
    const ue = userError('FORBIDDEN', 'not yours');
    const ex = new UserErrorException(ue);
    expect(ex).toBeInstanceOf(Error);
    expect(ex.name).toBe('UserErrorException');
    expect(ex.message).toBe('not yours');
    expect(ex.userError).toBe(ue);
  });
});
