import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../src/db/schema.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// R26 end to end over GraphQL against the dev server, the edna sandbox (its phone suffixes pick
// how WhatsApp answers) and the email outbox: the chain moves on when WhatsApp says the client is
// not a user, or stays silent past afterSeconds, and stops at a failure no channel can help with.

let herald: TestHerald;
let seq = 0;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

/** A client on WhatsApp whose phone ends in `suffix` (the sandbox's scenario), with an email unless `email` is false. */
async function clientEnding(suffix: string, email = true): Promise<string> {
  seq += 1;
  const id = await newClient(herald, `+44 7700 ${String(10 + seq).padStart(2, '0')}${suffix}`, `Fallback ${seq}`);
  await wroteInRecently(herald, id);
  if (email) await herald.db.db.update(clients).set({ email: `fallback${seq}@example.com` }).where(eq(clients.id, id));
  return id;
}

const MESSAGES = `messages { id channel status failure { code } thread { id } text subject }`;
async function sendWithMessages(id: string) {
  const res = await herald.gql('demo-supervisor', `query($id: ID!) { send(id: $id) { state steps { name state detail } thread { id status assignee { login } } message { id } ${MESSAGES} } }`, { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.send;
}

const EMAIL_STEP = { channel: 'EMAIL', text: 'We could not reach you on WhatsApp: your parcel is out.', subject: 'Your parcel' };

describe('fallback to another channel (R26)', () => {
  it('R26: WhatsApp says the client is not a user; the send moves on to email, each a message of its own, the thread the one the send reserved', async () => {
    const client = await clientEnding('0404');
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Your parcel is out.', disposition: { kind: 'ASSIGN_TO_ME' }, fallback: [EMAIL_STEP] });
    expect(res.userErrors).toEqual([]);
    await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED'], 30_000);
    const done = await sendWithMessages(res.send.id);
    expect(done.state).toBe('COMPLETED');
    expect(done.messages).toMatchObject([
      { channel: 'WHATSAPP', status: 'UNDELIVERED', failure: { code: 'NOT_CHANNEL_USER' }, thread: { id: done.thread.id } },
      { channel: 'EMAIL', status: 'SENT', thread: null, subject: 'Your parcel', text: EMAIL_STEP.text },
    ]);
    expect(done.message.id).toBe(done.messages[1].id);
    // The WhatsApp failure did not release the thread: the disposition holds it, still the client's one thread.
    expect(done.thread).toMatchObject({ status: 'WAITING', assignee: { login: 'agent1' } });
    expect(done.steps.map((s: any) => s.name)).toContain('fallback');
    const history = await herald.gql('demo-supervisor', `{ client(id: "${client}") { activeThread { id } history(first: 5) { edges { node { channel status } } } } }`);
    expect(history.data.client.activeThread.id).toBe(done.thread.id);
    expect(history.data.client.history.edges.map((e: any) => e.node.channel)).toEqual(['EMAIL', 'WHATSAPP']);
  });

  it('R26: no DELIVERED within afterSeconds moves on; the silent message stays as it was', async () => {
    const client = await clientEnding('0000'); // the sandbox sends no callback at all
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Are you there?', disposition: { kind: 'CLOSE' }, fallback: [{ ...EMAIL_STEP, afterSeconds: 2 }] });
    expect(res.userErrors).toEqual([]);
    await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED'], 30_000);
    const done = await sendWithMessages(res.send.id);
    expect(done.state).toBe('COMPLETED');
    expect(done.messages.map((m: any) => `${m.channel}:${m.status}`)).toEqual(['WHATSAPP:SENT', 'EMAIL:SENT']);
    expect(done.steps.find((s: any) => s.name === 'fallback').detail).toMatch(/not DELIVERED within 2 s/);
  });

  it('R26: a failure no channel can help with ends the send as without a chain: nothing else is sent and the thread is released', async () => {
    const client = await clientEnding('0400'); // edna: error-address-format, INVALID_DESTINATION
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Hello', disposition: { kind: 'CLOSE' }, fallback: [EMAIL_STEP] });
    await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED'], 30_000);
    const done = await sendWithMessages(res.send.id);
    expect(done.state).toBe('FAILED');
    expect(done.messages).toMatchObject([{ channel: 'WHATSAPP', status: 'UNDELIVERED', failure: { code: 'INVALID_DESTINATION' } }]);
    expect(done.thread.status).toBe('CLOSED');
  });

  it('R26: every step is judged before anything is sent: a step the rules refuse refuses the send, under fallback.<i>', async () => {
    const noEmail = await clientEnding('0404', false);
    const before = herald.edna.received().length;
    const res = await send(herald, 'demo-agent-1', { clientId: noEmail, channel: 'WHATSAPP', text: 'Hi', disposition: { kind: 'CLOSE' }, fallback: [EMAIL_STEP] });
    expect(res.send.state).toBe('REJECTED');
    expect(res.send.message).toBeNull();
    expect(res.userErrors[0].field.slice(0, 2)).toEqual(['fallback', '0']);
    expect(herald.edna.received().length).toBe(before);
  });

  it('R26: the chain itself: no channel twice, a sane wait, at most three steps, and a channel without receipts only last', async () => {
    const client = await clientEnding('0404');
    const codesOf = async (input: Record<string, unknown>) => (await send(herald, 'demo-agent-1', { clientId: client, text: 'x', disposition: { kind: 'CLOSE' }, ...input })).userErrors.map((e: any) => `${e.code}@${e.field.join('.')}`);
    expect(await codesOf({ channel: 'WHATSAPP', fallback: [{ channel: 'WHATSAPP', text: 'again' }] })).toEqual(['INVALID_INPUT@fallback.0.channel']);
    expect(await codesOf({ channel: 'WHATSAPP', fallback: [{ ...EMAIL_STEP, afterSeconds: 0 }] })).toEqual(['INVALID_INPUT@fallback.0.afterSeconds']);
    expect(await codesOf({ channel: 'WHATSAPP', fallback: [EMAIL_STEP, { channel: 'VIBER', text: 'y' }] })).toEqual(['INVALID_INPUT@fallback.1.channel']);
    expect(await codesOf({ channel: 'WHATSAPP', fallback: [{ channel: 'VIBER', text: 'a' }, { channel: 'TELEGRAM', text: 'b' }, EMAIL_STEP, { channel: 'WEB_CHAT', text: 'c' }] }))
      .toEqual(['INVALID_INPUT@fallback']);
  });

  it('R26, R27: the preview shows each step as it would go out, and the errors sendMessage would give for the chain', async () => {
    const PREVIEW = `query($input: SendMessageInput!) { previewMessage(input: $input) { channel body userErrors { code field } fallback { channel body subject userErrors { code } } } }`;
    const client = await clientEnding('0404');
    const ok = (await herald.gql('demo-agent-1', PREVIEW, { input: { clientId: client, channel: 'WHATSAPP', text: 'Hi', disposition: { kind: 'CLOSE' }, fallback: [EMAIL_STEP] } })).data.previewMessage;
    expect(ok).toEqual({ channel: 'WHATSAPP', body: 'Hi', userErrors: [], fallback: [{ channel: 'EMAIL', body: EMAIL_STEP.text, subject: 'Your parcel', userErrors: [] }] });
    const noEmail = await clientEnding('0404', false);
    const refused = (await herald.gql('demo-agent-1', PREVIEW, { input: { clientId: noEmail, channel: 'WHATSAPP', text: 'Hi', disposition: { kind: 'CLOSE' }, fallback: [EMAIL_STEP] } })).data.previewMessage;
    expect(refused.userErrors.map((e: any) => e.field.slice(0, 2))).toEqual([['fallback', '0']]);
    expect(refused.fallback[0].userErrors).toHaveLength(1);
  });
});
