import { describe, expect, it } from 'vitest';
import { checkNewClientPhone, displayPhone, MAX_PHONE_DIGITS, MIN_PHONE_DIGITS, phoneDigits } from '../../src/domain/phone.js';

function errorOf(input: string, field?: string[]) {
  const r = checkNewClientPhone(input, field);
  if (r.ok) throw new Error(`expected "${input}" to be refused, got ${r.digits}`);
  return r.error;
}

function digitsOf(input: string) {
  const r = checkNewClientPhone(input);
  if (!r.ok) throw new Error(`expected "${input}" to be accepted, got ${r.error.code}`);
  return r.digits;
}

describe('phoneDigits (R17)', () => {
  it('R17: keeps only the digits', () => {
    expect(phoneDigits('+7 (912) 000-11-22')).toBe('79120001122');
    expect(phoneDigits('')).toBe('');
    expect(phoneDigits('---')).toBe('');
  });

  it('R17: the limits are 7 and 15 (E.164) digits', () => {
    expect(MIN_PHONE_DIGITS).toBe(7);
    expect(MAX_PHONE_DIGITS).toBe(15);
  });
});

describe('checkNewClientPhone (R17)', () => {
  it('R17: 6 digits give PHONE_TOO_SHORT on the phone field', () => {
    const e = errorOf('123456');
    expect(e.code).toBe('PHONE_TOO_SHORT');
    expect(e.field).toEqual(['phone']);
    expect(e.message).toContain('7');
  });

  it('R17: 7 digits are accepted', () => {
    expect(checkNewClientPhone('1234567')).toEqual({ ok: true, digits: '1234567' });
  });

  it('R17: formatting is stripped: "+7 (912) 000-11-22" is 79120001122', () => {
    expect(digitsOf('+7 (912) 000-11-22')).toBe('79120001122');
  });

  it('R17: "12-34-567" counts as 7 digits and is accepted', () => {
    expect(digitsOf('12-34-567')).toBe('1234567');
  });

  it('R17: 6 digits padded with formatting are still too short', () => {
    expect(errorOf('+1 (23) 45-6').code).toBe('PHONE_TOO_SHORT');
    expect(errorOf('  12 34 56  ').code).toBe('PHONE_TOO_SHORT');
  });

  it('R17: an empty or digit-less input is too short', () => {
    expect(errorOf('').code).toBe('PHONE_TOO_SHORT');
    expect(errorOf('+() - ').code).toBe('PHONE_TOO_SHORT');
  });

  it('R17: Latin letters give INVALID_INPUT, even with enough digits', () => {
    expect(errorOf('abc').code).toBe('INVALID_INPUT');
    expect(errorOf('79120001122x').code).toBe('INVALID_INPUT');
    expect(errorOf('+7 912 000 11 22 ext 5').code).toBe('INVALID_INPUT');
    expect(errorOf('12A4567').code).toBe('INVALID_INPUT');
  });

  it('R17: letters are reported before length (a short input with letters is INVALID_INPUT)', () => {
    expect(errorOf('12a').code).toBe('INVALID_INPUT');
  });

  it('R17: non-Latin letters give INVALID_INPUT too (e.g. Cyrillic "доб." for an extension)', () => {
    // "79120001122 доб. 5" would otherwise become the 12-digit number 791200011225.
    expect(errorOf('79120001122 доб. 5').code).toBe('INVALID_INPUT');
    expect(errorOf('7912ООО1122').code).toBe('INVALID_INPUT'); // Cyrillic О instead of zeros
  });

  it('R17: exactly 15 digits are accepted', () => {
    expect(digitsOf('123456789012345')).toBe('123456789012345');
    expect(digitsOf('+123 456 789 012 345')).toBe('123456789012345');
  });

  it('R17: more than 15 digits give INVALID_INPUT', () => {
    const e = errorOf('1234567890123456');
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toEqual(['phone']);
  });

  it('R17: the error names the field given by the caller', () => {
    expect(errorOf('123', ['input', 'phone']).field).toEqual(['input', 'phone']);
    expect(errorOf('x', ['client', 'phone']).field).toEqual(['client', 'phone']);
  });

  it('R17: the message quotes the input', () => {
    expect(errorOf('12-34').message).toContain('"12-34"');
  });

  it('R17: different formattings of one number give the same digits', () => {
    const forms = ['+7 (912) 000-11-22', '79120001122', '7 912 000 11 22', '7-912-000-11-22', '+7.912.000.11.22'];
    expect(new Set(forms.map(digitsOf))).toEqual(new Set(['79120001122']));
  });
});

describe('displayPhone (R17)', () => {
  it('R17: a stored phone is shown with a leading +', () => {
    expect(displayPhone('79120001122')).toBe('+79120001122');
  });

  it('R17: no phone shows as null', () => {
    expect(displayPhone(null)).toBeNull();
    expect(displayPhone('')).toBeNull();
  });
});
