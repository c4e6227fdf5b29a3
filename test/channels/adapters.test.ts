import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, TransientDeliveryError, type OutgoingPart } from '../../src/channels/transport.js';
import { retryAfterMs } from '../../src/channels/http.js';
import { EdnaClient } from '../../src/channels/edna/client.js';
import { failureCodeForEdna } from '../../src/channels/edna/codes.js';
import { GatewayClient } from '../../src/channels/gateway/client.js';
import { signBody, signatureMatches } from '../../src/channels/gateway/signature.js';
import { telegramChatId, telegramFailure } from '../../src/channels/telegram/client.js';
import { ConfigError, configuredChannels, loadConfig } from '../../src/config.js';
import { parseGatewayStatus } from '../../src/channels/gateway/webhook.js';
import { asActivityFailure, planParts } from '../../src/sends/activities/deliver.js';
import { TRANSIENT_DELIVERY_FAILURE } from '../../src/sends/contract.js';

// The channel adapters' pure parts: how edna, Bot API and gateway answers map to the contract
// (R19, R20, R29), the gateway signature, which channels a configuration makes available (R3).

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

describe('a finer failure taxonomy (R29)', () => {
  it('R29: Telegram refusing the file is MEDIA_REJECTED, an impossible chat id INVALID_DESTINATION, both for good with Telegram\'s words kept', () => {
    const media = [
      'Bad Request: wrong file identifier/HTTP URL specified', 'Bad Request: failed to get HTTP URL content',
      'Bad Request: wrong type of the web page content', 'Bad Request: PHOTO_INVALID_DIMENSIONS', 'Bad Request: file is too big',
    ];
    for (const description of media) {
      const e = telegramFailure(400, { ok: false, error_code: 400, description });
      expect(e, description).toBeInstanceOf(PermanentDeliveryError);
      expect(e, description).toMatchObject({ failureCode: 'MEDIA_REJECTED', providerCode: description });
    }
    for (const description of ['Bad Request: chat_id is empty', 'Bad Request: PEER_ID_INVALID', 'Bad Request: invalid user_id specified']) {
      expect(telegramFailure(400, { ok: false, error_code: 400, description }), description).toMatchObject({ failureCode: 'INVALID_DESTINATION', providerCode: description });
    }
    // What R19 mapped keeps its code.
    expect(telegramFailure(403, { error_code: 403, description: 'Forbidden: bot was blocked by the user' })).toMatchObject({ failureCode: 'BLOCKED_BY_USER' });
    expect(telegramFailure(400, { error_code: 400, description: 'Bad Request: chat not found' })).toMatchObject({ failureCode: 'NOT_CHANNEL_USER' });
    expect(telegramFailure(400, { error_code: 400, description: 'Bad Request: message is too long' })).toMatchObject({ failureCode: 'PROVIDER_REJECTED' });
  });

  it('R29: a Telegram 429 is RATE_LIMITED should it outlast the retries; 5xx and a wrong token stay PROVIDER_ERROR', () => {
    expect(telegramFailure(429, { error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } }))
      .toMatchObject({ failureCode: 'RATE_LIMITED', retryAfterMs: 3000, providerCode: 'Too Many Requests: retry after 3' });
    expect(telegramFailure(502, {})).toMatchObject({ failureCode: 'PROVIDER_ERROR' });
    expect(telegramFailure(401, { error_code: 401, description: 'Unauthorized' })).toMatchObject({ failureCode: 'PROVIDER_ERROR' });
  });

  it('R29: edna error-address-format is INVALID_DESTINATION; its other codes keep theirs', () => {
    expect(failureCodeForEdna('error-address-format')).toBe('INVALID_DESTINATION');
    expect(failureCodeForEdna('user-blocked')).toBe('BLOCKED_BY_USER');
    expect(failureCodeForEdna('not-viber-user')).toBe('NOT_CHANNEL_USER');
    expect(failureCodeForEdna('error-subject-unknown')).toBe('PROVIDER_REJECTED');
    expect(failureCodeForEdna('error-system')).toBe('PROVIDER_ERROR');
    expect(failureCodeForEdna('a-code-edna-adds-later')).toBe('PROVIDER_REJECTED');
  });

  it('R29: a gateway status callback names any of the new codes, and it is final', () => {
    for (const code of ['RECIPIENT_OPTED_OUT', 'MEDIA_REJECTED', 'INVALID_DESTINATION']) {
      expect(parseGatewayStatus({ messageId: 'm', status: 'UNDELIVERED', error: code }, 'MOBILE_APP').event, code)
        .toMatchObject({ status: 'UNDELIVERED', failureCode: code, providerCode: code, transient: false });
    }
  });

  it('R29: the deliver activity hands the workflow the fault\'s code, and the wait the provider named', () => {
    const limited = asActivityFailure(new TransientDeliveryError('http-429', 'slow down', { retryAfterMs: 1500, failureCode: 'RATE_LIMITED' }));
    expect(limited).toBeInstanceOf(ApplicationFailure);
    expect(limited).toMatchObject({ type: TRANSIENT_DELIVERY_FAILURE, nonRetryable: false, nextRetryDelay: 1500, details: [{ failureCode: 'RATE_LIMITED', providerCode: 'http-429' }] });
    const fault = asActivityFailure(new TransientDeliveryError('error-system', 'edna answered 500')) as ApplicationFailure;
    expect(fault).toMatchObject({ type: TRANSIENT_DELIVERY_FAILURE, nonRetryable: false, details: [{ failureCode: 'PROVIDER_ERROR', providerCode: 'error-system' }] });
    expect(fault.nextRetryDelay).toBeUndefined();
  });
});

describe('provider answers over HTTP (R29)', () => {
  // One stand-in provider: each test says what it answers next.
  let server: http.Server;
  let url: string;
  let next: { status: number; headers?: Record<string, string>; body: unknown } = { status: 200, body: {} };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
        res.end(JSON.stringify(next.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const part = (channel: OutgoingPart['channel']): OutgoingPart => ({
    id: '00000000-0000-4000-a000-000000000001', channel, address: '79161234567', text: 'Hello', attachment: null, template: null, email: null,
  });
  const edna = () => new EdnaClient({ baseUrl: url, apiKey: 'k', whatsappSender: 'W', viberSender: 'V', whatsappCascadeId: 1, viberCascadeId: 2 }).deliver(part('WHATSAPP'));
  const gateway = () => new GatewayClient({ WEB_CHAT: { url, secret: 'web-chat-secret-0001' }, MOBILE_APP: undefined, APPLE_BUSINESS_MESSAGES: undefined }).deliver(part('WEB_CHAT'));

  it('R29: a 429 from edna or the gateway is RATE_LIMITED, tried again after its Retry-After; a 5xx stays PROVIDER_ERROR', async () => {
    for (const [who, deliver] of [['edna', edna], ['gateway', gateway]] as const) {
      next = { status: 429, headers: { 'retry-after': '2' }, body: { error: 'RATE_LIMITED' } };
      const limited = await deliver().catch((e: unknown) => e);
      expect(limited, who).toBeInstanceOf(TransientDeliveryError);
      expect(limited, who).toMatchObject({ failureCode: 'RATE_LIMITED', retryAfterMs: 2000 });
      next = { status: 503, body: {} };
      expect(await deliver().catch((e: unknown) => e), who).toMatchObject({ failureCode: 'PROVIDER_ERROR', retryAfterMs: undefined });
    }
  });

  it('R29: a gateway refusal naming a code (422 MEDIA_REJECTED) fails the message with it at once', async () => {
    next = { status: 422, body: { error: 'MEDIA_REJECTED', message: 'image too large' } };
    const refused = await gateway().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermanentDeliveryError);
    expect(refused).toMatchObject({ failureCode: 'MEDIA_REJECTED', providerCode: 'MEDIA_REJECTED' });
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
