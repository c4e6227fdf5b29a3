import { MAX_RECIPIENTS_PER_CALL } from './campaign.js';
import { userError, type UserError } from './errors.js';

// What may come through Herald's doors at all, whatever the field: no NUL byte (PostgreSQL text
// cannot hold one), no lone UTF-16 surrogate (not a character; jsonb refuses it), ids that are not
// empty, and no string or list longer than its documented limit (README, "Limits and security").
// The GraphQL door, the webhooks and the upload route all ask these functions, so a value that
// fails here never reaches the database as a failing statement. Channel rules (R9's text limits,
// R10's addresses) narrow further inside the send rules.

/** The most characters a field of this name may carry; anything not named gets DEFAULT_MAX. */
export const STRING_LIMITS: Readonly<Record<string, number>> = {
  text: 100_000, // the longest text any channel takes (email); R9 narrows it per channel
  subject: 998, // one email header line
  comment: 2_000,
  reason: 2_000,
  transferComment: 2_000,
  name: 200,
  query: 200,
  externalId: 200,
  username: 200,
  login: 64,
  phone: 64,
  email: 320, // the longest address SMTP allows
  address: 320,
  bcc: 320,
  key: 100,
  value: 1_000,
  after: 200,
  label: 200,
  url: 2_000,
};
export const DEFAULT_MAX = 1_000;
/** Ids (the GraphQL ID type): never empty, at most this long. */
export const ID_MAX = 200;
/** Lists: at most this many items unless named below. */
// A campaign's recipients (R30) come by the hundred thousand; every other list is short.
export const LIST_LIMITS: Readonly<Record<string, number>> = { bcc: 50, usernames: 20, variables: 50, recipients: MAX_RECIPIENTS_PER_CALL };
export const DEFAULT_LIST_MAX = 100;
/** Pages of a list (`first`): at least one item, at most MAX_PAGE. */
export const MAX_PAGE = 100;

/** Dates outside these years mean a mistake (and PostgreSQL has no year 0). */
export const EARLIEST_YEAR = 1970;
export const LATEST_YEAR = 9999;

export type StringKind = 'ID' | 'STRING';

const fieldName = (field: readonly string[]) => [...field].reverse().find((f) => !/^\d+$/.test(f)) ?? '';
const show = (field: readonly string[]) => field.join('.');

export function stringLimit(field: readonly string[], kind: StringKind): number {
  return kind === 'ID' ? ID_MAX : STRING_LIMITS[fieldName(field)] ?? DEFAULT_MAX;
}

export function listLimit(field: readonly string[]): number {
  return LIST_LIMITS[fieldName(field)] ?? DEFAULT_LIST_MAX;
}

/** True when the string holds a UTF-16 surrogate without its pair. */
export function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** The one check every incoming string passes; null when it may go in. */
export function checkString(value: string, field: readonly string[], kind: StringKind = 'STRING'): UserError | null {
  const path = [...field];
  if (value.includes('\u0000')) return userError('INVALID_INPUT', `${show(field)} contains a NUL character, which no field may hold.`, path);
  if (hasLoneSurrogate(value)) return userError('INVALID_INPUT', `${show(field)} contains half of a UTF-16 surrogate pair, which is not a character.`, path);
  if (kind === 'ID' && value.trim() === '') return userError('INVALID_INPUT', `${show(field)} is empty; give an id or leave the field out.`, path);
  const max = stringLimit(field, kind);
  if (value.length > max) return userError('INVALID_INPUT', `${show(field)} is ${value.length} characters long; at most ${max} are allowed.`, path);
  return null;
}

export function checkList(length: number, field: readonly string[]): UserError | null {
  const max = listLimit(field);
  return length > max ? userError('INVALID_INPUT', `${show(field)} has ${length} items; at most ${max} are allowed.`, [...field]) : null;
}

export function checkPageSize(first: number, field: readonly string[]): UserError | null {
  return first >= 1 && first <= MAX_PAGE ? null : userError('INVALID_INPUT', `${show(field)} is ${first}; a page holds 1 to ${MAX_PAGE} items.`, [...field]);
}

/** A provider's timestamp as a date Herald can store, or null when it is not one (unparseable, or outside the years). */
export function storableDate(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value);
  return checkDate(date) ? null : date;
}

export function checkDate(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return 'is not a date';
  const year = date.getUTCFullYear();
  return year < EARLIEST_YEAR || year > LATEST_YEAR ? `is outside the years ${EARLIEST_YEAR}–${LATEST_YEAR}` : null;
}

/**
 * Every string of a JSON value (a webhook body), checked by the name of the key it sits under.
 * Returns the first few problems; an empty list when the whole value may go in.
 */
export function checkJsonStrings(value: unknown, field: string[] = [], found: UserError[] = [], limit = 5): UserError[] {
  if (found.length >= limit) return found;
  if (typeof value === 'string') {
    const problem = checkString(value, field.length > 0 ? field : ['body']);
    if (problem) found.push(problem);
  } else if (Array.isArray(value)) {
    const problem = checkList(value.length, field.length > 0 ? field : ['body']);
    if (problem) found.push(problem);
    else value.forEach((item, i) => checkJsonStrings(item, [...field, String(i)], found, limit));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = checkString(key, [...field, 'key']);
      if (keyProblem) found.push(keyProblem);
      checkJsonStrings(item, [...field, key], found, limit);
      if (found.length >= limit) break;
    }
  }
  return found;
}
