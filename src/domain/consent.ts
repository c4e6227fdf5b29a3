import type { Channel } from './enums.js';
import { userError, type UserError } from './errors.js';

// R32 consent: which inbound messages are the client saying "stop" (or "start" again), and what
// may still reach a client who said stop. Pure: the database keeps the state (client_channels.
// opted_out_at) and the audit trail (consent_changes); these functions only decide.

export type ConsentKeywordKind = 'OPT_OUT' | 'OPT_IN';

export interface ConsentKeywords {
  optOut: readonly string[];
  optIn: readonly string[];
}

/** The stand's lists until an administrator changes them (the database defaults say the same). */
export const DEFAULT_CONSENT_KEYWORDS: ConsentKeywords = { optOut: ['STOP', 'UNSUBSCRIBE', 'СТОП'], optIn: ['START'] };

/** A keyword is a word or a short phrase; longer messages are never read as one. */
export const MAX_KEYWORD_LENGTH = 50;
/** Keywords per list. */
export const MAX_KEYWORDS = 20;

// Stripped from both ends of a message before it is compared: whitespace, punctuation, symbols
// (emoji included) and invisible format characters (zero-width spaces, direction marks). People
// write "STOP.", "stop!", "«стоп»" or "STOP 🛑" and mean the keyword; inner punctuation stays, so
// "opt-out" is one keyword and "stop, please" is not "stop".
const EDGES = /^[\s\p{P}\p{S}\p{Cf}]+|[\s\p{P}\p{S}\p{Cf}]+$/gu;

/**
 * The form a message and a keyword are compared in: NFKC (full-width and compatibility letters
 * become plain ones), the edges stripped, inner whitespace collapsed to one space, and lower case,
 * which folds Cyrillic as well as Latin ("СТОП" and "стоп" are one keyword).
 */
export function normaliseKeyword(text: string): string {
  return text.normalize('NFKC').replace(EDGES, '').replace(/\s+/gu, ' ').toLowerCase();
}

/** The message's comparable form when it could be a keyword at all, else null (too long, or nothing but punctuation). */
export function keywordForm(text: string | null | undefined): string | null {
  // A bound before normalising: a long message is never a keyword, and is not worth folding.
  if (!text || text.length > MAX_KEYWORD_LENGTH * 4) return null;
  const form = normaliseKeyword(text);
  return form === '' || form.length > MAX_KEYWORD_LENGTH ? null : form;
}

/**
 * Whether a message the client wrote is one of the stand's keywords: the whole message, never a
 * word inside a longer one ("please stop the spam" is a message for an agent, not an opt-out).
 * Opt-out is looked at first: if the lists ever overlapped, stopping wins. The keyword answered is
 * the stand's own spelling of it.
 */
export function matchConsentKeyword(text: string | null | undefined, keywords: ConsentKeywords): { kind: ConsentKeywordKind; keyword: string } | null {
  const said = keywordForm(text);
  if (said === null) return null;
  const outWord = keywords.optOut.find((k) => normaliseKeyword(k) === said);
  if (outWord !== undefined) return { kind: 'OPT_OUT', keyword: outWord };
  const inWord = keywords.optIn.find((k) => normaliseKeyword(k) === said);
  if (inWord !== undefined) return { kind: 'OPT_IN', keyword: inWord };
  return null;
}

/**
 * What may still go to a client opted out on a channel. Opting out stops marketing, not care: a
 * text or an attachment (an agent's reply, which outside the session window is already refused by
 * the template rules, R13–R14) and a template of any category but MARKETING (UTILITY,
 * AUTHENTICATION, one the provider names otherwise or not at all) stay allowed. The category is
 * the provider's text, compared case-insensitively.
 */
export function isMarketing(category: string | null | undefined): boolean {
  return (category ?? '').trim().toUpperCase() === 'MARKETING';
}

/** R32 at send time: a MARKETING template to a client opted out on the channel is refused. */
export function checkConsent(
  content: { template?: unknown },
  template: { name: string; category?: string | null } | null | undefined,
  optedOut: boolean,
  channel: Channel,
): UserError[] {
  if (!optedOut || !content.template || !template || !isMarketing(template.category)) return [];
  return [userError(
    'CLIENT_OPTED_OUT',
    `This client opted out of marketing on ${channel}: "${template.name}" is a MARKETING template. Reply with a text inside the session window or a UTILITY template, or choose another channel.`,
    ['template', 'templateId'],
  )];
}

/** Keywords as stored: trimmed and with inner whitespace collapsed; compared by normaliseKeyword. */
export function tidyKeyword(keyword: string): string {
  return keyword.trim().replace(/\s+/gu, ' ');
}

/**
 * An administrator's lists (R32): each given list non-empty (a stand must always let clients stop,
 * and opt in again), at most MAX_KEYWORDS keywords of at most MAX_KEYWORD_LENGTH characters, each
 * with a letter or digit once punctuation is set aside, none given twice, and no keyword on both
 * lists. `field` names the input list.
 */
export function checkConsentKeywords(lists: ConsentKeywords): UserError[] {
  const errors: UserError[] = [];
  const seen = new Map<string, 'optOut' | 'optIn'>();
  for (const field of ['optOut', 'optIn'] as const) {
    const list = lists[field];
    if (list.length === 0) errors.push(userError('INVALID_INPUT', `Give at least one ${field === 'optOut' ? 'opt-out' : 'opt-in'} keyword.`, [field]));
    if (list.length > MAX_KEYWORDS) errors.push(userError('INVALID_INPUT', `Give at most ${MAX_KEYWORDS} keywords; ${list.length} were given.`, [field]));
    list.forEach((keyword, i) => {
      const path = [field, String(i)];
      const tidy = tidyKeyword(keyword);
      const form = normaliseKeyword(keyword);
      if (tidy.length > MAX_KEYWORD_LENGTH) {
        errors.push(userError('INVALID_INPUT', `A keyword is at most ${MAX_KEYWORD_LENGTH} characters; "${tidy.slice(0, 20)}…" has ${tidy.length}.`, path));
        return;
      }
      if (form === '') {
        errors.push(userError('INVALID_INPUT', 'A keyword needs a letter or a digit; punctuation and spaces around it are ignored.', path));
        return;
      }
      const earlier = seen.get(form);
      if (earlier === field) errors.push(userError('INVALID_INPUT', `"${tidy}" is given twice (case, spacing and surrounding punctuation are ignored).`, path));
      else if (earlier) errors.push(userError('INVALID_INPUT', `"${tidy}" is on both lists; a keyword either opts out or opts in.`, path));
      else seen.set(form, field);
    });
  }
  return errors;
}
