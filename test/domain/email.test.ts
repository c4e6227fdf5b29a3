import { describe, expect, it } from 'vitest';
import { checkEmails, isValidEmail } from '../../src/domain/email.js';

describe('isValidEmail (R10)', () => {
  it.each([
    'login@text.ru',
    'login@text.text.com',
    'john.doe@example.com',
    'john_doe@example.com',
    'john-doe@example.com',
    'j.o_h-n.9@example.com',
    'a@b.cd',
    'USER@Example.ORG',
    '123@456.info',
    'user@mail-1.example.com',
    'user@my-host.co',
    'user@sub.my-domain.travel',
    'x@1-2.3.de',
  ])('R10: %s is valid', (address) => {
    expect(isValidEmail(address)).toBe(true);
  });

  it('R10: login@text.text2 and login@text.text.text2 are the two valid shapes', () => {
    expect(isValidEmail('login@text.text')).toBe(true);
    expect(isValidEmail('login@text.text.text')).toBe(true);
  });

  it('R10: a single-letter top-level domain is invalid', () => {
    expect(isValidEmail('login@text.c')).toBe(false);
    expect(isValidEmail('login@a.text.c')).toBe(false);
  });

  it('R10: digits in text2 are invalid', () => {
    expect(isValidEmail('login@text.c0m')).toBe(false);
    expect(isValidEmail('login@text.123')).toBe(false);
  });

  it('R10: a dash in text2 is invalid', () => {
    expect(isValidEmail('login@text.co-m')).toBe(false);
  });

  it('R10: three dots in the domain (login@a.b.c.de) are invalid', () => {
    expect(isValidEmail('login@a.b.c.de')).toBe(false);
  });

  it('R10: a domain without a dot is invalid', () => {
    expect(isValidEmail('login@localhost')).toBe(false);
  });

  it('R10: non-Latin letters are invalid in login, text and text2', () => {
    expect(isValidEmail('иван@mail.ru')).toBe(false);
    expect(isValidEmail('ivan@почта.ru')).toBe(false);
    expect(isValidEmail('ivan@mail.рф')).toBe(false);
    expect(isValidEmail('josé@example.com')).toBe(false);
    expect(isValidEmail('user@exämple.com')).toBe(false);
  });

  it('R10: a + in the login is invalid', () => {
    expect(isValidEmail('user+tag@example.com')).toBe(false);
  });

  it('R10: other punctuation in the login is invalid', () => {
    for (const c of ['!', '#', '$', '%', '&', "'", '*', '/', '=', '?', '^', '`', '{', '|', '}', '~', '"', ',']) {
      expect(isValidEmail(`us${c}er@example.com`), c).toBe(false);
    }
  });

  it('R10: underscores and dots are invalid in the domain text', () => {
    expect(isValidEmail('user@my_host.com')).toBe(false);
    expect(isValidEmail('user@.example.com')).toBe(false);
    expect(isValidEmail('user@example..com')).toBe(false);
    expect(isValidEmail('user@example.com.')).toBe(false);
  });

  it('R10: a missing @ is invalid', () => {
    expect(isValidEmail('user.example.com')).toBe(false);
  });

  it('R10: two @ are invalid', () => {
    expect(isValidEmail('user@host@example.com')).toBe(false);
  });

  it('R10: an empty login is invalid', () => {
    expect(isValidEmail('@example.com')).toBe(false);
  });

  it('R10: an empty string is invalid', () => {
    expect(isValidEmail('')).toBe(false);
  });

  it('R10: spaces anywhere are invalid (no trimming)', () => {
    expect(isValidEmail('us er@example.com')).toBe(false);
    expect(isValidEmail(' user@example.com')).toBe(false);
    expect(isValidEmail('user@example.com ')).toBe(false);
    expect(isValidEmail('user@exa mple.com')).toBe(false);
    expect(isValidEmail('user@example.com\n')).toBe(false);
  });

  it('R10: a display-name form is invalid', () => {
    expect(isValidEmail('John <john@example.com>')).toBe(false);
  });
});

describe('checkEmails (R10)', () => {
  it('R10: all valid addresses give no errors', () => {
    expect(checkEmails(['a@b.cd', 'x.y@z.example.com'], 'bcc')).toEqual([]);
  });

  it('R10: an empty list gives no errors', () => {
    expect(checkEmails([], 'bcc')).toEqual([]);
  });

  it('R10: an invalid address gives INVALID_EMAIL with field [bcc, index] naming the address', () => {
    const errors = checkEmails(['ok@example.com', 'user+tag@example.com'], 'bcc');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'INVALID_EMAIL', field: ['bcc', '1'] });
    expect(errors[0]!.message).toContain('user+tag@example.com');
  });

  it('R10: every invalid address gets its own error, in order, with its own index', () => {
    const errors = checkEmails(['bad', 'good@example.com', 'a@b.c', 'also@fine.org', 'x@y.z1'], 'bcc');
    expect(errors.map((e) => e.code)).toEqual(['INVALID_EMAIL', 'INVALID_EMAIL', 'INVALID_EMAIL']);
    expect(errors.map((e) => e.field)).toEqual([['bcc', '0'], ['bcc', '2'], ['bcc', '4']]);
    expect(errors[0]!.message).toContain('"bad"');
    expect(errors[1]!.message).toContain('"a@b.c"');
    expect(errors[2]!.message).toContain('"x@y.z1"');
  });

  it('R10: the field name comes from the caller', () => {
    expect(checkEmails(['nope'], 'email')[0]!.field).toEqual(['email', '0']);
  });
});
