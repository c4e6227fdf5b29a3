import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { messengerClient, newClient, readSend, send, sendReaches, uploadImage, wroteInRecently } from '../support/sends.js';

// R29, end to end over GraphQL: each failure code a supervisor can act on, produced by the edna,
// Telegram and gateway sandboxes (chosen by the address's last four digits), shows on the message
// in the client's history, and `sends(filter: { failureCode })` finds the send.

/** Short, so a send nobody retries fails within the test; long enough to look at it waiting. */
const RETRY_WAIT_SECONDS = 8;
const CLOSE = { kind: 'CLOSE' };

let herald: TestHerald;
/** A send that went out: a filter that ignored failureCode would list it too. */
let deliveredSendId: string;
beforeAll(async () => {
  herald = await startTestHerald({ env: { SEND_RETRY_WAIT_SECONDS: String(RETRY_WAIT_SECONDS) } });
  const { id } = await messengerClient(herald, 'TELEGRAM');
  const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'All fine', disposition: CLOSE });
  deliveredSendId = (await sendReaches(herald, res.send.id, ['COMPLETED'])).id;
});
afterAll(async () => { await herald?.close(); });

/** The message as the client's history shows it (to an agent, as a UI reads it). */
async function inHistory(clientId: string, messageId: string) {
  const res = await herald.gql('demo-agent-1', 'query($id: ID!) { client(id: $id) { history { edges { node { id status failure { code providerCode message } } } } } }', { id: clientId });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.client.history.edges.map((e: any) => e.node).find((n: any) => n.id === messageId);
}

/** What a supervisor's `sends(filter)` lists, each with its message's failure code. */
async function listed(filter: Record<string, unknown>): Promise<Array<{ id: string; code: string | null }>> {
  const res = await herald.gql('demo-supervisor', 'query($f: SendFilter) { sends(filter: $f, first: 100) { edges { node { id message { failure { code } } } } } }', { f: filter });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.sends.edges.map((e: any) => ({ id: e.node.id, code: e.node.message?.failure?.code ?? null }));
}

/** R29's two promises for a send: its message's code in the client's history, and the filter listing exactly it. */
async function expectShownAndListed(sendId: string, clientId: string, code: string) {
  const { message } = await readSend(herald, sendId);
  expect(await inHistory(clientId, message.id)).toMatchObject({ status: message.status, failure: { code } });
  expect(await listed({ failureCode: code, clientId })).toEqual([{ id: sendId, code }]);
  const everywhere = await listed({ failureCode: code });
  expect(everywhere.map((s) => s.id)).toContain(sendId);
  expect(everywhere.map((s) => s.id)).not.toContain(deliveredSendId);
  expect(everywhere.every((s) => s.code === code)).toBe(true);
}

const waitingForRetry = (sendId: string) =>
  eventually(async () => ((await readSend(herald, sendId)).steps.some((s: any) => s.state === 'WAITING_FOR_RETRY') ? true : undefined), 15_000, 'waiting for retry');

describe('INVALID_DESTINATION (R29)', () => {
  it('R29: edna error-address-format ends the message UNDELIVERED with INVALID_DESTINATION, in the history and the sends filter', async () => {
    const client = await newClient(herald, '+7 916 201 0400', 'Address edna cannot use');
    await wroteInRecently(herald, client);
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Hello', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'INVALID_DESTINATION', providerCode: 'error-address-format' } });
    await expectShownAndListed(done.id, client, 'INVALID_DESTINATION');
  });

  it('R29: Telegram PEER_ID_INVALID fails the send with INVALID_DESTINATION at once', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM', '0400');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Hello', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'FAILED', failure: { code: 'INVALID_DESTINATION', providerCode: 'Bad Request: PEER_ID_INVALID' } });
    expect(herald.telegram!.received().filter((r) => (r.body as any)?.chat_id === `@${username}`).map((r) => r.status)).toEqual([400]);
    await expectShownAndListed(done.id, id, 'INVALID_DESTINATION');
  });

  it('R29: a gateway UNDELIVERED INVALID_DESTINATION callback is INVALID_DESTINATION', async () => {
    const { id } = await messengerClient(herald, 'WEB_CHAT', '0400');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'Hello', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'INVALID_DESTINATION', providerCode: 'INVALID_DESTINATION' } });
    await expectShownAndListed(done.id, id, 'INVALID_DESTINATION');
  });
});

describe('MEDIA_REJECTED (R29)', () => {
  it('R29: Telegram refusing the photo is MEDIA_REJECTED; a text alone to the same chat still goes out and is not listed', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM', '0415');
    const attachmentId = await uploadImage(herald);
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Your receipt', attachmentId, disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'FAILED', failure: { code: 'MEDIA_REJECTED', providerCode: 'Bad Request: wrong file identifier/HTTP URL specified' } });
    const text = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Your receipt follows by email', disposition: CLOSE });
    expect((await sendReaches(herald, text.send.id, ['COMPLETED'])).message.failure).toBeNull();
    expect(herald.telegram!.received().filter((r) => (r.body as any)?.chat_id === `@${username}`).map((r) => [r.method, r.status]))
      .toEqual([['sendPhoto', 400], ['sendMessage', 200]]);
    await expectShownAndListed(done.id, id, 'MEDIA_REJECTED');
  });

  it('R29: a gateway UNDELIVERED MEDIA_REJECTED callback for a send with a file is MEDIA_REJECTED', async () => {
    const { id } = await messengerClient(herald, 'MOBILE_APP', '0415');
    const attachmentId = await uploadImage(herald);
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'MOBILE_APP', text: 'Your receipt', attachmentId, disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'MEDIA_REJECTED', providerCode: 'MEDIA_REJECTED' } });
    await expectShownAndListed(done.id, id, 'MEDIA_REJECTED');
  });
});

describe('RECIPIENT_OPTED_OUT (R29)', () => {
  it('R29: a gateway UNDELIVERED RECIPIENT_OPTED_OUT callback is RECIPIENT_OPTED_OUT', async () => {
    const { id } = await messengerClient(herald, 'WEB_CHAT', '0410');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'A new offer', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'RECIPIENT_OPTED_OUT', providerCode: 'RECIPIENT_OPTED_OUT' } });
    expect(done.message.statusHistory.at(-1)).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'RECIPIENT_OPTED_OUT' } });
    await expectShownAndListed(done.id, id, 'RECIPIENT_OPTED_OUT');
  });
});

describe('RATE_LIMITED (R29)', () => {
  it('R29: Telegram answering 429 to every try leaves the send waiting for a retry with RATE_LIMITED, and failing with it when nobody retries', async () => {
    const { id, username } = await messengerClient(herald, 'TELEGRAM', '1429');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Slowly now', disposition: CLOSE });
    await waitingForRetry(res.send.id);
    const waiting = await readSend(herald, res.send.id);
    expect(waiting).toMatchObject({
      state: 'DELIVERING',
      message: { status: 'PENDING', failure: { code: 'RATE_LIMITED', providerCode: 'Too Many Requests: retry after 1', message: expect.stringMatching(/3 tries/) } },
    });
    // SEND_DELIVERY_ATTEMPTS is 3, each after the retry_after Telegram named.
    expect(herald.telegram!.received().filter((r) => (r.body as any)?.chat_id === `@${username}`).map((r) => r.status)).toEqual([429, 429, 429]);
    await expectShownAndListed(res.send.id, id, 'RATE_LIMITED');

    const failed = await sendReaches(herald, res.send.id, ['FAILED'], (RETRY_WAIT_SECONDS + 10) * 1000);
    expect(failed.message).toMatchObject({ status: 'FAILED', failure: { code: 'RATE_LIMITED', providerCode: 'Too Many Requests: retry after 1' } });
    await expectShownAndListed(res.send.id, id, 'RATE_LIMITED');
  });

  it('R29: a gateway answering 429 to every try waits for a retry with RATE_LIMITED', async () => {
    const { id } = await messengerClient(herald, 'WEB_CHAT', '1429');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'WEB_CHAT', text: 'Slowly now', disposition: CLOSE });
    await waitingForRetry(res.send.id);
    expect((await readSend(herald, res.send.id)).message).toMatchObject({ status: 'PENDING', failure: { code: 'RATE_LIMITED', providerCode: 'RATE_LIMITED' } });
    await expectShownAndListed(res.send.id, id, 'RATE_LIMITED');
    const cancelled = await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${res.send.id}") { userErrors { code } } }`);
    expect(cancelled.data.cancelSend.userErrors).toEqual([]);
  });

  it('R29: a fault that is not a 429 still waits with PROVIDER_ERROR, and is not listed under RATE_LIMITED', async () => {
    const { id } = await messengerClient(herald, 'TELEGRAM', '0503');
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'TELEGRAM', text: 'Hello', disposition: CLOSE });
    await waitingForRetry(res.send.id);
    expect((await readSend(herald, res.send.id)).message).toMatchObject({ status: 'PENDING', failure: { code: 'PROVIDER_ERROR' } });
    expect(await listed({ failureCode: 'RATE_LIMITED', clientId: id })).toEqual([]);
    await expectShownAndListed(res.send.id, id, 'PROVIDER_ERROR');
    await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${res.send.id}") { userErrors { code } } }`);
  });
});
