import { userError, type UserError } from './errors.js';

// R10, to the letter: login@text.text2 or login@text.text.text2, where login is Latin letters,
// digits, dots, underscores and dashes; text is Latin letters, digits and dashes; text2 is at
// least two Latin letters.
const LOGIN = '[A-Za-z0-9._-]+';
const TEXT = '[A-Za-z0-9-]+';
const TEXT2 = '[A-Za-z]{2,}';
const EMAIL = new RegExp(`^${LOGIN}@${TEXT}(?:\\.${TEXT})?\\.${TEXT2}$`);

export function isValidEmail(address: string): boolean {
  return EMAIL.test(address);
}

export function checkEmails(addresses: readonly string[], field: string): UserError[] {
  return addresses.flatMap((address, i) =>
    isValidEmail(address)
      ? []
      : [userError('INVALID_EMAIL', `"${address}" is not an email address of the form login@domain.zone.`, [field, String(i)])],
  );
}
