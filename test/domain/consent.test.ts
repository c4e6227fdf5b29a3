import { describe, expect, it } from 'vitest';
import {
  checkConsent, checkConsentKeywords, DEFAULT_CONSENT_KEYWORDS, isMarketing, keywordForm, matchConsentKeyword, MAX_KEYWORD_LENGTH, MAX_KEYWORDS,
  normaliseKeyword, tidyKeyword,
} from '../../src/domain/consent.js';
import { clientChannelOption, type ClientFacts, type StandChannelSettings } from '../../src/domain/clientChannels.js';
import { CHANNELS, type Channel } from '../../src/domain/enums.js';
import { USER_ERROR_CODES } from '../../src/domain/errors.js';
import { checkSend, type SendFacts } from '../../src/domain/sendRules.js';
import type { TemplateSpec } from '../../src/domain/templates.js';

const NOW = new Date('2025-03-10T12:00:00.000Z');
const HOUR = 3_600_000;
const match = (text: string | null) => matchConsentKeyword(text, DEFAULT_CONSENT_KEYWORDS);

describe('R32: keywords in what the client wrote', () => {
  it('R32: STOP, UNSUBSCRIBE and СТОП opt out and START opts in, whatever the case and spacing', () => {
    for (const text of ['STOP', 'stop', 'Stop', ' sToP ', '\tSTOP\n', 'UNSUBSCRIBE', 'unsubscribe', 'СТОП', 'стоп', 'Стоп', '  сТоП  ']) {
      expect(match(text)?.kind, text).toBe('OPT_OUT');
    }
    for (const text of ['START', 'start', ' Start ']) expect(match(text)?.kind, text).toBe('OPT_IN');
  });

  it('R32: the keyword answered is the stand\'s own spelling, for the audit trail', () => {
    expect(match('  stop!')).toEqual({ kind: 'OPT_OUT', keyword: 'STOP' });
    expect(match('стоп')).toEqual({ kind: 'OPT_OUT', keyword: 'СТОП' });
    expect(match('start')).toEqual({ kind: 'OPT_IN', keyword: 'START' });
  });

  it('R32: punctuation, symbols, emoji and invisible characters around the keyword are ignored', () => {
    for (const text of ['STOP.', 'stop!', 'Stop!!!', '"STOP"', '«стоп»', '(stop)', 'STOP 🛑', '🛑 stop', '\u200bSTOP\u200b', '...stop...', '¡stop?']) {
      expect(match(text)?.kind, text).toBe('OPT_OUT');
    }
  });

  it('R32: only the whole message counts: a keyword inside a sentence, or a word that begins with one, is a message for an agent', () => {
    for (const text of ['please stop', 'stop sending me this', 'STOPP', 'stopped', 'nonstop', 'stop, please', 'S T O P', 'st op', 'starter', 'restart']) {
      expect(match(text), text).toBeNull();
    }
  });

  it('R32: nothing, an empty text, or punctuation alone is no keyword', () => {
    for (const text of [null, '', '   ', '!!!', '🛑', '\u200b']) expect(match(text), String(text)).toBeNull();
  });

  it('R32: a message longer than any keyword can be is not read as one, however it ends', () => {
    expect(match(`${'x'.repeat(MAX_KEYWORD_LENGTH)} stop`)).toBeNull();
    expect(match(`${' '.repeat(10_000)}stop`)).toBeNull();
    expect(keywordForm('a'.repeat(MAX_KEYWORD_LENGTH))).toBe('a'.repeat(MAX_KEYWORD_LENGTH));
    expect(keywordForm('a'.repeat(MAX_KEYWORD_LENGTH + 1))).toBeNull();
    expect(keywordForm('Stop!')).toBe('stop');
  });

  it('R32: a stand\'s own lists: phrases match with their inner spacing collapsed, full-width letters as plain ones', () => {
    const lists = { optOut: ['Stop all', 'ОТПИСАТЬСЯ'], optIn: ['subscribe', 'ＹＥＳ'] };
    expect(matchConsentKeyword('  stop   ALL ', lists)).toEqual({ kind: 'OPT_OUT', keyword: 'Stop all' });
    expect(matchConsentKeyword('отписаться.', lists)).toEqual({ kind: 'OPT_OUT', keyword: 'ОТПИСАТЬСЯ' });
    expect(matchConsentKeyword('yes', lists)).toEqual({ kind: 'OPT_IN', keyword: 'ＹＥＳ' });
    expect(matchConsentKeyword('STOP', lists)).toBeNull();
    expect(matchConsentKeyword('stopall', lists)).toBeNull();
  });

  it('R32: if the lists ever overlapped, stopping wins', () => {
    expect(matchConsentKeyword('stop', { optOut: ['STOP'], optIn: ['stop'] })?.kind).toBe('OPT_OUT');
  });

  it('R32: normaliseKeyword trims, collapses inner whitespace and folds case, Cyrillic included', () => {
    expect(normaliseKeyword('  Hello \t  WORLD \n')).toBe('hello world');
    expect(normaliseKeyword('ПРИВЕТ Мир')).toBe('привет мир');
    expect(normaliseKeyword('opt-out!')).toBe('opt-out');
    expect(tidyKeyword('  Stop   all ')).toBe('Stop all');
  });
});

describe('R32: what may go to a client opted out on a channel', () => {
  const marketing = { name: 'spring_sale', category: 'MARKETING' };

  it('R32: a MARKETING template is refused with CLIENT_OPTED_OUT on the template field, with a sentence to act on', () => {
    const errors = checkConsent({ template: { templateId: 't' } }, marketing, true, 'WHATSAPP');
    expect(errors).toEqual([{ code: 'CLIENT_OPTED_OUT', field: ['template', 'templateId'], message: expect.stringMatching(/opted out of marketing on WHATSAPP.*spring_sale.*UTILITY/) }]);
    expect(USER_ERROR_CODES).toContain('CLIENT_OPTED_OUT');
  });

  it('R32: the category is compared case-insensitively and with its spacing trimmed', () => {
    for (const category of ['MARKETING', 'marketing', 'Marketing', ' MARKETING ']) expect(isMarketing(category), category).toBe(true);
    for (const category of ['UTILITY', 'AUTHENTICATION', 'utility', 'TRANSACTIONAL', 'SERVICE', 'MARKETING_LITE', '', null, undefined]) {
      expect(isMarketing(category), String(category)).toBe(false);
    }
  });

  it('R32: UTILITY, AUTHENTICATION, any other category and none at all stay allowed: care is not marketing', () => {
    for (const category of ['UTILITY', 'AUTHENTICATION', 'OTHER', null]) {
      expect(checkConsent({ template: { templateId: 't' } }, { name: 'x', category }, true, 'WHATSAPP'), String(category)).toEqual([]);
    }
  });

  it('R32: a text or an attachment is never refused for consent (outside the window the template rules already refuse text)', () => {
    expect(checkConsent({}, null, true, 'WHATSAPP')).toEqual([]);
    expect(checkConsent({ template: null }, marketing, true, 'EMAIL')).toEqual([]);
  });

  it('R32: a client who has not opted out gets MARKETING templates as before; an unknown template is TEMPLATE_NOT_FOUND\'s business', () => {
    expect(checkConsent({ template: { templateId: 't' } }, marketing, false, 'WHATSAPP')).toEqual([]);
    expect(checkConsent({ template: { templateId: 't' } }, null, true, 'WHATSAPP')).toEqual([]);
  });
});

describe('R32: the consent rule inside the send rules and client.channels', () => {
  const stand = (channel: Channel): StandChannelSettings => ({ channel, enabled: true, templatePolicy: 'OUTSIDE_SESSION_WINDOW', sessionWindowHours: 24, strictTemplates: true });
  const client = (optedOutAt: Date | null, lastInboundAt: Date | null = new Date(NOW.getTime() - HOUR)): ClientFacts => ({
    blocked: false, phone: '79120001122', email: null, usernames: [], hasActiveThread: false,
    channelFacts: [{ channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt, optedOutAt }],
  });
  const option = (facts: ClientFacts, channel: Channel = 'WHATSAPP') => clientChannelOption(stand(channel), facts, 1, NOW, new Set(CHANNELS));
  const template = (category: string, textOnly = true): TemplateSpec & { category: string } => ({
    channel: 'WHATSAPP', name: `t_${category.toLowerCase()}`, header: null, body: 'Hello', footer: null, textOnly, variables: [], category,
  });
  const facts = (facts: ClientFacts, over: Partial<SendFacts> = {}): SendFacts => ({ channel: 'WHATSAPP', agent: null, option: option(facts), strictTemplates: true, ...over });
  const CLOSE = { kind: 'CLOSE' as const };

  it('R32: client.channels shows optedOut with its time, and the channel stays available (care replies go)', () => {
    const at = new Date(NOW.getTime() - 5 * 60_000);
    expect(option(client(at))).toMatchObject({ optedOut: true, optedOutAt: at, available: true, unavailableReason: null });
    expect(option(client(null))).toMatchObject({ optedOut: false, optedOutAt: null, available: true });
    // Opted out on WhatsApp only: Viber, with the same phone, is untouched.
    expect(option(client(at), 'VIBER')).toMatchObject({ optedOut: false, optedOutAt: null });
    // A channel row written before R32 (no optedOutAt at all) is not opted out.
    expect(option({ ...client(null), channelFacts: [{ channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: null }] })).toMatchObject({ optedOut: false });
  });

  it('R32: checkSend refuses a MARKETING template to an opted-out client and lets a text and a UTILITY or AUTHENTICATION template through', () => {
    const out = client(NOW);
    const tpl = { templateId: 'x', variables: [] };
    expect(checkSend({ template: tpl, disposition: CLOSE }, facts(out, { template: template('MARKETING') })).map((e) => e.code)).toEqual(['CLIENT_OPTED_OUT']);
    expect(checkSend({ template: tpl, disposition: CLOSE }, facts(out, { template: template('marketing') })).map((e) => e.code)).toEqual(['CLIENT_OPTED_OUT']);
    expect(checkSend({ template: tpl, disposition: CLOSE }, facts(out, { template: template('UTILITY') }))).toEqual([]);
    expect(checkSend({ template: tpl, disposition: CLOSE }, facts(out, { template: template('AUTHENTICATION') }))).toEqual([]);
    expect(checkSend({ text: 'You are unsubscribed.', disposition: CLOSE }, facts(out))).toEqual([]);
    expect(checkSend({ template: tpl, disposition: CLOSE }, facts(client(null), { template: template('MARKETING') }))).toEqual([]);
  });

  it('R32: outside the window a text is TEMPLATE_REQUIRED as for anyone, not CLIENT_OPTED_OUT; a MARKETING template there is refused with every other error at once', () => {
    const out = client(NOW, new Date(NOW.getTime() - 48 * HOUR));
    expect(checkSend({ text: 'hi', disposition: CLOSE }, facts(out)).map((e) => e.code)).toEqual(['TEMPLATE_REQUIRED']);
    const errors = checkSend({ template: { templateId: 'x', variables: [] }, disposition: CLOSE }, facts(out, { template: template('MARKETING', false) }));
    expect(errors.map((e) => e.code)).toEqual(['TEMPLATE_NOT_TEXT_ONLY', 'CLIENT_OPTED_OUT']);
  });

  it('R32: an unusable channel still stands alone (a blocked client hears CLIENT_BLOCKED, not consent)', () => {
    const blocked = { ...client(NOW), blocked: true };
    expect(checkSend({ template: { templateId: 'x', variables: [] }, disposition: CLOSE }, facts(blocked, { template: template('MARKETING') })).map((e) => e.code)).toEqual(['CLIENT_BLOCKED']);
  });
});

describe('R32: an administrator\'s keyword lists', () => {
  const codes = (lists: { optOut: string[]; optIn: string[] }) => checkConsentKeywords(lists).map((e) => `${e.code}:${e.field?.join('.')}`);

  it('R32: the defaults pass', () => {
    expect(checkConsentKeywords(DEFAULT_CONSENT_KEYWORDS)).toEqual([]);
    expect(checkConsentKeywords({ optOut: ['STOP', 'Stop all', 'ОТПИСКА'], optIn: ['START', 'yes please'] })).toEqual([]);
  });

  it('R32: each list needs at least one keyword, and at most MAX_KEYWORDS', () => {
    expect(codes({ optOut: [], optIn: ['START'] })).toEqual(['INVALID_INPUT:optOut']);
    expect(codes({ optOut: ['STOP'], optIn: [] })).toEqual(['INVALID_INPUT:optIn']);
    const many = Array.from({ length: MAX_KEYWORDS + 1 }, (_, i) => `stop${i}`);
    expect(codes({ optOut: many, optIn: ['START'] })).toEqual(['INVALID_INPUT:optOut']);
    expect(codes({ optOut: many.slice(0, MAX_KEYWORDS), optIn: ['START'] })).toEqual([]);
  });

  it('R32: a keyword is at most MAX_KEYWORD_LENGTH characters and needs a letter or a digit', () => {
    expect(codes({ optOut: ['STOP', 'x'.repeat(MAX_KEYWORD_LENGTH + 1)], optIn: ['START'] })).toEqual(['INVALID_INPUT:optOut.1']);
    expect(codes({ optOut: ['x'.repeat(MAX_KEYWORD_LENGTH)], optIn: ['START'] })).toEqual([]);
    expect(codes({ optOut: ['STOP', '  '], optIn: ['!!!', 'START'] })).toEqual(['INVALID_INPUT:optOut.1', 'INVALID_INPUT:optIn.0']);
  });

  it('R32: a keyword given twice (case, spacing and punctuation ignored) or on both lists is refused, naming the later one', () => {
    expect(codes({ optOut: ['STOP', ' stop! '], optIn: ['START'] })).toEqual(['INVALID_INPUT:optOut.1']);
    const overlap = checkConsentKeywords({ optOut: ['STOP', 'END'], optIn: ['START', 'end'] });
    expect(overlap).toEqual([{ code: 'INVALID_INPUT', field: ['optIn', '1'], message: expect.stringMatching(/both lists/) }]);
  });
});
