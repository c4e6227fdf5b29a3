import { userError, type UserError } from './errors.js';

// R17: a phone number counts by its digits; formatting (spaces, dashes, brackets, a leading +) is
// not part of the identity, so "+7 (912) 000-11-22" and "79120001122" are one client.
export const MIN_PHONE_DIGITS = 7;
export const MAX_PHONE_DIGITS = 15; // E.164

export function phoneDigits(input: string): string {
  return input.replace(/\D+/g, '');
}

export type PhoneCheck = { ok: true; digits: string } | { ok: false; error: UserError };

export function checkNewClientPhone(input: string, field: string[] = ['phone']): PhoneCheck {
  // Any letter, Latin or not ("доб. 5" is an extension), means this is not just a formatted number.
  if (/\p{L}/u.test(input)) {
    return { ok: false, error: userError('INVALID_INPUT', `"${input}" is not a phone number: it contains letters.`, field) };
  }
  const digits = phoneDigits(input);
  if (digits.length < MIN_PHONE_DIGITS) {
    return {
      ok: false,
      error: userError('PHONE_TOO_SHORT', `A phone number needs at least ${MIN_PHONE_DIGITS} digits; "${input}" has ${digits.length}.`, field),
    };
  }
  if (digits.length > MAX_PHONE_DIGITS) {
    return {
      ok: false,
      error: userError('INVALID_INPUT', `A phone number has at most ${MAX_PHONE_DIGITS} digits; "${input}" has ${digits.length}.`, field),
    };
  }
  return { ok: true, digits };
}

/** How a stored phone is shown: digits with a leading +. */
export function displayPhone(digits: string | null): string | null {
  return digits ? `+${digits}` : null;
}
