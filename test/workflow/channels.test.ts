import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/channels/gateway/signature.js';
import { GATEWAY_CHANNELS, type GatewayChannel } from '../../src/domain/channels.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, messengerClient, newClient, readSend, send, sendReaches, uploadImage, wroteInRecently } from '../support/sends.js';

// Every one of the seven channels, end to end over HTTP: edna (WhatsApp, Viber), the file outbox
// (email), the Telegram Bot API sandbox and the signed channel gateway sandbox (web chat, mobile
// app, Apple Business Messages), with each failure the channels map to the contract (R19, R20).

let herald: TestHerald;
let seq = 0;
beforeAll(async () => {
  herald = await startTestHerald({ env: { SEND_RETRY_WAIT_SECONDS: '30' } });
  // Apple Business Messages is off on the demo stand.
  const on = await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: APPLE_BUSINESS_MESSAGES, enabled: true }) { userErrors { code } } }');
  expect(on.data.configureChannel.userErrors).toEqual([]);
});
afterAll(async () => { await herald?.close(); });

const CLOSE = { kind: 'CLOSE' };

async function activeThreadOf(client: string) {
  const res = await herald.gql('demo-supervisor', `{ client(id: "${client}") { activeThread { id } } }`);
  return res.data.client.activeThread;
}

const telegramTries = (username: string) => herald.telegram!.received().filter((r) => (r.body as any)?.chat_id === `@${username}`);
const gatewayTries = (recipient: string) => herald.gateway!.received().filter((r) => (r.body as any)?.recipient === recipient);

describe('every channel delivers over HTTP', () => {
  it('R5: WhatsApp and Viber go to edna and come back READ', async () => {
    for (const channel of ['WHATSAPP', 'VIBER']) {
      const client = await newClient(herald, `+7 916 300 ${String(1000 + (seq += 1))}`, `edna ${channel}`);
      await wroteInRecently(herald, client, channel);
      const res = await send(herald, 'demo-agent-1', { clientId: client, channel, text: `Hello over ${channel}`, disposition: CLOSE });
      const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
      expect(done.message.status, channel).toBe('READ');
      expect(herald.edna.accepted().filter((a) => a.id === done.message.id)).toHaveLength(1);
    }
  });

  it('R11: email goes to the outbox and completes at SENT, sent closed', async () => {
    const elena = await clientId(herald, 'Elena');
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', text: 'Your statement is ready.' });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('SENT');
    expect(done.message.statusHistory.at(-1).note).toMatch(/no delivery receipts/);
    expect(done.thread).toBeNull();
  });

  it('R19: Telegram goes through the Bot API (sendMessage to @username) and completes at SENT, the history saying there are no receipts', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Your order has shipped.', disposition: CLOSE });
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('SENT');
    expect(done.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT']);
    expect(done.message.statusHistory.at(-1).note).toBe('Telegram gives no delivery receipts: SENT is the last status');
    expect(done.steps.at(-1)).toMatchObject({ name: 'complete', state: 'SENT', detail: 'Telegram has no delivery receipts' });
    expect(done.thread.status).toBe('CLOSED');
    const accepted = herald.telegram!.accepted().filter((a) => a.chatId === `@${username}`);
    expect(accepted).toEqual([expect.objectContaining({ method: 'sendMessage', text: 'Your order has shipped.' })]);
  });

  it('R19: the seeded Grace Lee is reached on Telegram by her username', async () => {
    const grace = await clientId(herald, 'Grace Lee');
    const res = await send(herald, 'demo-agent-2', { clientId: grace, channel: 'TELEGRAM', text: 'Hi Grace', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('SENT');
    expect(herald.telegram!.accepted().some((a) => a.chatId === '@gracelee' && a.text === 'Hi Grace')).toBe(true);
  });

  it.each(GATEWAY_CHANNELS.map((c) => [c]))('R19: %s goes through the signed gateway with the message id as idempotency key, and signed callbacks move it to READ', async (channel: GatewayChannel) => {
    const { id, username } = await messengerClient(herald, channel);
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel, text: `Hello over ${channel}`, disposition: CLOSE });
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    expect(done.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'READ']);
    const tries = gatewayTries(username);
    expect(tries).toEqual([expect.objectContaining({ channel, status: 202, idempotencyKey: done.message.id })]);
    expect(tries[0]!.body).toMatchObject({ messageId: done.message.id, channel, recipient: username, text: `Hello over ${channel}`, attachment: null });
    expect(herald.gateway!.callbacks().filter((c) => c.body.messageId === done.message.id).map((c) => c.responseStatus)).toEqual([200, 200]);
  });
});

describe('Telegram failures map to the contract (R19, R20)', () => {
  it('R19: 403 "bot was blocked by the user" fails the send with BLOCKED_BY_USER, and R20 releases the thread', async () => {
    const { id } = await messengerClient(herald, 'TELEGRAM', '0403');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Are you there?', disposition: { kind: 'ASSIGN_TO_ME' } });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'FAILED', failure: { code: 'BLOCKED_BY_USER', providerCode: 'Forbidden: bot was blocked by the user' } });
    expect(done.message.statusHistory.at(-1)).toMatchObject({ status: 'FAILED', failure: { code: 'BLOCKED_BY_USER' } });
    expect(done.thread.status).toBe('CLOSED');
    expect(await activeThreadOf(id)).toBeNull();
  });

  it('R19: 400 "chat not found" is NOT_CHANNEL_USER, tried once', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM', '0404');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Hello?', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message.failure).toMatchObject({ code: 'NOT_CHANNEL_USER', providerCode: 'Bad Request: chat not found' });
    expect(telegramTries(username).map((t) => t.status)).toEqual([400]);
  });

  it('R20: a 429 is retried after the retry_after it names, and delivered once', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM', '0429');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Slowly now', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('SENT');
    const tries = telegramTries(username);
    expect(tries.map((t) => t.status)).toEqual([429, 200]);
    // retry_after is 1 s; the policy's own first backoff here is 100 ms.
    expect(Date.parse(tries[1]!.at) - Date.parse(tries[0]!.at)).toBeGreaterThanOrEqual(900);
    expect(herald.telegram!.accepted().filter((a) => a.chatId === `@${username}`)).toHaveLength(1);
  });

  it('R20: 5xx is retried with backoff and delivered once', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM', '0500');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Third time lucky', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('SENT');
    expect(telegramTries(username).map((t) => t.status)).toEqual([500, 500, 200]);
  });

  it('R8: an image goes by URL through sendPhoto with the text as its caption', async () => {
    const attachmentId = await uploadImage(herald);
    const { id, username } = await messengerClient(herald, 'TELEGRAM');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Your receipt', attachmentId, disposition: CLOSE });
    await sendReaches(herald, res.send.id, ['COMPLETED']);
    const [photo] = herald.telegram!.accepted().filter((a) => a.chatId === `@${username}`);
    expect(photo).toMatchObject({ method: 'sendPhoto', caption: 'Your receipt' });
    expect(photo!.fileUrl).toMatch(new RegExp(`^${herald.baseUrl}/files/`));
  });
});

describe('gateway failures map to the contract (R19, R20)', () => {
  it('R19: an UNDELIVERED NOT_CHANNEL_USER callback ends the message UNDELIVERED', async () => {
    const { id } = await messengerClient(herald, 'WEB_CHAT', '0404');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'Hi', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'NOT_CHANNEL_USER', providerCode: 'NOT_CHANNEL_USER' } });
    expect(done.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT', 'UNDELIVERED']);
  });

  it('R19: an UNDELIVERED BLOCKED_BY_USER callback is BLOCKED_BY_USER, and R20 releases the thread', async () => {
    const { id } = await messengerClient(herald, 'MOBILE_APP', '0403');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'MOBILE_APP', text: 'Hi', disposition: { kind: 'ASSIGN_TO_ME' } });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'BLOCKED_BY_USER' } });
    expect(await activeThreadOf(id)).toBeNull();
  });

  it('R19: a refusal at once (422 PROVIDER_REJECTED) fails the send without retrying', async () => {
    const { id, username } = await messengerClient(herald, 'APPLE_BUSINESS_MESSAGES', '0422');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'APPLE_BUSINESS_MESSAGES', text: 'Hi', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'FAILED', failure: { code: 'PROVIDER_REJECTED', providerCode: 'PROVIDER_REJECTED' } });
    expect(gatewayTries(username).map((t) => t.status)).toEqual([422]);
  });

  it('R20: a 429 is retried after its Retry-After with the same Idempotency-Key, and delivered once', async () => {
    const { id, username } = await messengerClient(herald, 'WEB_CHAT', '0429');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'Hi', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    const tries = gatewayTries(username);
    expect(tries.map((t) => [t.status, t.idempotencyKey])).toEqual([[429, done.message.id], [202, done.message.id]]);
    expect(Date.parse(tries[1]!.at) - Date.parse(tries[0]!.at)).toBeGreaterThanOrEqual(900);
    expect(herald.gateway!.accepted().filter((a) => a.recipient === username)).toHaveLength(1);
  });

  it('R21: 5xx is retried under the same Idempotency-Key and delivered once', async () => {
    const { id, username } = await messengerClient(herald, 'MOBILE_APP', '0500');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'MOBILE_APP', text: 'Hi', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    expect(gatewayTries(username).map((t) => [t.status, t.idempotencyKey])).toEqual([[500, done.message.id], [500, done.message.id], [202, done.message.id]]);
  });

  it('R20: a gateway fault reported later (UNDELIVERED PROVIDER_ERROR) waits for retrySend instead of failing', async () => {
    const { id } = await messengerClient(herald, 'WEB_CHAT', '0666');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'Hi', disposition: CLOSE });
    await eventually(async () => ((await readSend(herald, res.send.id)).steps.some((s: any) => s.state === 'WAITING_FOR_RETRY') ? true : undefined), 15_000, 'waiting for retry');
    expect((await readSend(herald, res.send.id)).message).toMatchObject({ status: 'SENT', failure: { code: 'PROVIDER_ERROR' } });
    await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${res.send.id}") { userErrors { code } } }`);
  });
});

describe('the gateway status webhook', () => {
  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${herald.baseUrl}/webhooks/channel/status`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const signed = (channel: GatewayChannel, raw: string) => ({ 'X-Herald-Signature': signBody(herald.config.gateway[channel]!.secret, raw), 'X-Herald-Channel': channel });

  it('R19: a callback with a bad signature is refused 401 and changes nothing; a signed one moves the message forward', async () => {
    const { id } = await messengerClient(herald, 'WEB_CHAT', '0000');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'Hi', disposition: CLOSE });
    const waiting = await sendReaches(herald, res.send.id, ['AWAITING_STATUS']);
    const raw = JSON.stringify({ messageId: waiting.message.id, channel: 'WEB_CHAT', status: 'READ', at: new Date().toISOString() });

    expect((await post(raw, {})).status).toBe(401);
    expect((await post(raw, { 'X-Herald-Signature': signBody('not-the-web-chat-secret', raw) })).status).toBe(401);
    expect((await post(raw, { 'X-Herald-Signature': `${signBody(herald.config.gateway.WEB_CHAT!.secret, raw).slice(0, -2)}00` })).status).toBe(401);
    // Signed with another channel's secret while naming WEB_CHAT.
    expect((await post(raw, { ...signed('MOBILE_APP', raw), 'X-Herald-Channel': 'WEB_CHAT' })).status).toBe(401);
    // The body changed after signing.
    expect((await post(raw.replace('READ', 'DELIVERED'), signed('WEB_CHAT', raw))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    const unchanged = await readSend(herald, res.send.id);
    expect(unchanged).toMatchObject({ state: 'AWAITING_STATUS', message: { status: 'SENT' } });
    expect(unchanged.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT']);

    // SENT is the delivery's own write: the webhook answers it without waking the send.
    const sent = JSON.stringify({ messageId: waiting.message.id, status: 'SENT' });
    expect(await (await post(sent, signed('WEB_CHAT', sent))).json()).toEqual({ status: 'nothing changed: SENT is written when the channel takes the message' });
    const ok = await post(raw, signed('WEB_CHAT', raw));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'accepted' });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    // The same callback again changes nothing, and the webhook says so without waking the send.
    const again = await post(raw, signed('WEB_CHAT', raw));
    expect(await again.json()).toEqual({ status: 'nothing changed: message is READ' });
  });

  it('R19: malformed callbacks are 400, an unknown id 200, a message of another channel is not touched', async () => {
    const bad = '{not json';
    expect((await post(bad, signed('WEB_CHAT', bad))).status).toBe(400);
    const noStatus = JSON.stringify({ messageId: 'x' });
    expect((await post(noStatus, signed('WEB_CHAT', noStatus))).status).toBe(400);
    const teleported = JSON.stringify({ messageId: 'x', status: 'TELEPORTED' });
    expect((await post(teleported, signed('WEB_CHAT', teleported))).status).toBe(400);
    const wrongChannel = JSON.stringify({ messageId: 'x', channel: 'MOBILE_APP', status: 'READ' });
    expect((await post(wrongChannel, signed('WEB_CHAT', wrongChannel))).status).toBe(400);
    const unknown = JSON.stringify({ messageId: '00000000-0000-0000-0000-00000000dead', status: 'READ' });
    const answer = await post(unknown, signed('WEB_CHAT', unknown));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'unknown id' });

    const { id } = await messengerClient(herald, 'MOBILE_APP', '0000');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'MOBILE_APP', text: 'Hi', disposition: CLOSE });
    const waiting = await sendReaches(herald, res.send.id, ['AWAITING_STATUS']);
    const other = JSON.stringify({ messageId: waiting.message.id, status: 'READ' });
    expect(await (await post(other, signed('WEB_CHAT', other))).json()).toEqual({ status: 'unknown id' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await readSend(herald, res.send.id)).message.status).toBe('SENT');
    expect((await fetch(`${herald.baseUrl}/webhooks/channel/status`)).status).toBe(200);
  });
});

describe('availability: a channel without a transport (R3)', () => {
  const channelsOf = async (client: string) =>
    (await herald.gql('demo-agent-1', `{ client(id: "${client}") { channels { channel available unavailableReason } } }`)).data.client.channels as any[];

  it('R3: Telegram without a bot token and a gateway channel without a URL show available: false with CHANNEL_NOT_CONFIGURED, and a send is refused before anything is reserved', async () => {
    // A Herald of its own, wired with no Telegram and with the gateway for the mobile app and ABM only.
    const partial = await startTestHerald({ channels: { telegram: false, gatewayChannels: ['MOBILE_APP', 'APPLE_BUSINESS_MESSAGES'] } });
    try {
      const grace = await clientId(partial, 'Grace Lee');
      const channels = (await partial.gql('demo-agent-1', `{ client(id: "${grace}") { channels { channel available unavailableReason } } }`)).data.client.channels as any[];
      expect(channels.find((c) => c.channel === 'TELEGRAM')).toEqual({ channel: 'TELEGRAM', available: false, unavailableReason: 'CHANNEL_NOT_CONFIGURED' });
      expect(channels.find((c) => c.channel === 'WEB_CHAT')).toEqual({ channel: 'WEB_CHAT', available: false, unavailableReason: 'CHANNEL_NOT_CONFIGURED' });
      expect(channels.find((c) => c.channel === 'MOBILE_APP')).toMatchObject({ available: true });

      for (const channel of ['TELEGRAM', 'WEB_CHAT']) {
        const res = await send(partial, 'demo-agent-1', { clientId: grace, channel, text: 'Hello', disposition: CLOSE });
        expect(res.userErrors, channel).toEqual([expect.objectContaining({ code: 'CHANNEL_NOT_CONFIGURED', field: ['channel'] })]);
        expect(res.userErrors[0].message).toMatch(/not connected/);
        expect(res.send).toMatchObject({ state: 'REJECTED', message: null });
      }
      expect(partial.gateway!.received()).toEqual([]);
      const thread = await partial.gql('demo-supervisor', `{ client(id: "${grace}") { activeThread { id } } }`);
      expect(thread.data.client.activeThread).toBeNull();
    } finally {
      await partial.close();
    }
    // Where Telegram is connected (this file's Herald), the same client can take it.
    expect((await channelsOf(await clientId(herald, 'Grace Lee'))).find((c) => c.channel === 'TELEGRAM')).toMatchObject({ available: true, unavailableReason: null });
  });
});
