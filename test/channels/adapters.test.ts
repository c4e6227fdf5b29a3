import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError, TransientDeliveryError } from '../../src/channels/transport.js';
import { retryAfterMs } from '../../src/channels/http.js';
import { signBody, signatureMatches } from '../../src/channels/gateway/signature.js';
import { telegramChatId, telegramFailure } from '../../src/channels/telegram/client.js';
import { ConfigError, configuredChannels, loadConfig } from '../../src/config.js';
import { parseGatewayStatus } from '../../src/channels/gateway/webhook.js';
import { planParts } from '../../src/sends/activities/deliver.js';

// The channel adapters' pure parts: how Bot API and gateway answers map to the contract (R19,
// R20), the gateway signature, which channels a configuration makes available (R3).

describe('Telegram Bot API answers (R19, R20)', () => {
  it('R19: 403 "bot was blocked by the user" is BLOCKED_BY_USER, for good', () => {
    const e = telegramFailure(403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(e).toBeInstanceOf(PermanentDeliveryError);
    expect(e).toMatchObject({ failureCode: 'BLOCKED_BY_USER', providerCode: 'Forbidden: bot was blocked by the user' });
  });

  it('R19: 400 "chat not found" and 403 "user is deactivated" are NOT_CHANNEL_USER', () => {
    expect(telegramFailure(400, { error_code: 400, description: 'Bad Request: chat not found' })).toMatchObject({ failureCode: 'NOT_CHANNEL_USER' });
    expect(telegramFailure(403, { error_code: 403, description: 'Forbidden: user is deactivated' })).toMatchObject({ failureCode: 'NOT_CHANNEL_USER' });
  });

  it('R19: any other 400 is PROVIDER_REJECTED with Telegram\'s words kept', () => {
    expect(telegramFailure(400, { error_code: 400, description: 'Bad Request: message caption is too long' }))
      .toMatchObject({ failureCode: 'PROVIDER_REJECTED', providerCode: 'Bad Request: message caption is too long' });
  });

  it('R20: 429 is transient and carries retry_after in milliseconds; 5xx and a wrong token are transient', () => {
    const limited = telegramFailure(429, { error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    expect(limited).toBeInstanceOf(TransientDeliveryError);
    expect((limited as TransientDeliveryError).retryAfterMs).toBe(7000);
    expect(telegramFailure(502, {})).toBeInstanceOf(TransientDeliveryError);
    expect(telegramFailure(401, { error_code: 401, description: 'Unauthorized' })).toBeInstanceOf(TransientDeliveryError);
  });

  it('R5: a numeric id goes as is, a username with one @', () => {
    expect(telegramChatId('123456789')).toBe('123456789');
    expect(telegramChatId('-1001234')).toBe('-1001234');
    expect(telegramChatId('gracelee')).toBe('@gracelee');
    expect(telegramChatId('@gracelee')).toBe('@gracelee');
  });

  it('R9: a text longer than a Telegram caption goes after the attachment, a short one as its caption', () => {
    const base = { channel: 'TELEGRAM' as const, templateId: null, attachmentId: 'a' };
    expect(planParts({ ...base, text: 'short' })).toEqual(['ALL']);
    expect(planParts({ ...base, text: 'x'.repeat(1025) })).toEqual(['ATTACHMENT', 'TEXT']);
    expect(planParts({ ...base, channel: 'WHATSAPP', text: 'short' })).toEqual(['ATTACHMENT', 'TEXT']);
  });
});

describe('the gateway (R19, R20)', () => {
  it('R19: the signature is HMAC-SHA256 over the exact body, checked timing-safe', () => {
    const sig = signBody('a-very-secret-secret', '{"a":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signatureMatches('a-very-secret-secret', '{"a":1}', sig)).toBe(true);
    expect(signatureMatches('a-very-secret-secret', '{"a": 1}', sig)).toBe(false);
    expect(signatureMatches('another-secret-secret', '{"a":1}', sig)).toBe(false);
    expect(signatureMatches('a-very-secret-secret', '{"a":1}', undefined)).toBe(false);
    expect(signatureMatches('a-very-secret-secret', '{"a":1}', 'sha256=abc')).toBe(false);
  });

  it('R19: statuses map to the contract; an unknown error is PROVIDER_REJECTED, PROVIDER_ERROR may pass', () => {
    expect(parseGatewayStatus({ messageId: 'm', status: 'DELIVERED' }, 'WEB_CHAT').event).toMatchObject({ status: 'DELIVERED', failureCode: null, transient: false });
    expect(parseGatewayStatus({ messageId: 'm', status: 'UNDELIVERED', error: 'BLOCKED_BY_USER' }, 'WEB_CHAT').event).toMatchObject({ failureCode: 'BLOCKED_BY_USER', transient: false });
    expect(parseGatewayStatus({ messageId: 'm', status: 'UNDELIVERED', error: 'weird' }, 'WEB_CHAT').event).toMatchObject({ failureCode: 'PROVIDER_REJECTED', providerCode: 'weird' });
    expect(parseGatewayStatus({ messageId: 'm', status: 'FAILED', error: 'PROVIDER_ERROR' }, 'WEB_CHAT').event).toMatchObject({ failureCode: 'PROVIDER_ERROR', transient: true });
    expect(() => parseGatewayStatus({ messageId: 'm', status: 'PENDING' }, 'WEB_CHAT')).toThrow(/status/);
  });

  it('R20: Retry-After is read as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('configured channels (R3)', () => {
  it('R3: WhatsApp, Viber and email always have a transport; Telegram needs a token, a gateway channel its URL and secret', () => {
    expect([...configuredChannels(loadConfig({}))].sort()).toEqual(['EMAIL', 'VIBER', 'WHATSAPP']);
    const all = loadConfig({
      TELEGRAM_BOT_TOKEN: '123:abc',
      CHANNEL_WEB_CHAT_URL: 'https://chat.example.com/herald', CHANNEL_WEB_CHAT_SECRET: 'web-chat-secret-0001',
      CHANNEL_MOBILE_APP_URL: 'https://app.example.com/herald', CHANNEL_MOBILE_APP_SECRET: 'mobile-app-secret-001',
    });
    expect(all.telegram).toEqual({ apiUrl: 'https://api.telegram.org', botToken: '123:abc' });
    expect([...configuredChannels(all)].sort()).toEqual(['EMAIL', 'MOBILE_APP', 'TELEGRAM', 'VIBER', 'WEB_CHAT', 'WHATSAPP']);
  });

  it('R3: half a setting is a configuration error naming every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ TELEGRAM_API_URL: 'http://127.0.0.1:1', CHANNEL_WEB_CHAT_URL: 'https://chat.example.com', CHANNEL_MOBILE_APP_SECRET: 'short', PORT: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['TELEGRAM_BOT_TOKEN', 'CHANNEL_WEB_CHAT_SECRET', 'CHANNEL_MOBILE_APP_SECRET', 'CHANNEL_MOBILE_APP_URL', 'PORT']) expect(message).toContain(name);
  });
});
