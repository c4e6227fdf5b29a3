import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientChannels } from '../../src/db/schema.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, readSend, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// Beyond one-shot sends, end to end over GraphQL against the dev server and the edna sandbox.
// R25: a send scheduled a few seconds ahead waits SCHEDULED on a durable timer, then is checked,
// reserved and delivered like any send; or refused then, or cancelled before. R27: a preview is
// the send's own checks and rendering, with nothing written.

let herald: TestHerald;
let phoneSeq = 0;
beforeAll(async () => {
  herald = await startTestHerald();
  // The approved templates, as a stand has them once synced from edna (R14, R16).
  const synced = await herald.gql('demo-admin', 'mutation { syncTemplates(channel: WHATSAPP) { id } }');
  expect(synced.errors).toBeUndefined();
});
afterAll(async () => { await herald?.close(); });

async function freshClient(): Promise<string> {
  phoneSeq += 1;
  const id = await newClient(herald, `+49 152 ${String(3100000 + phoneSeq)}`, `Later client ${phoneSeq}`);
  await wroteInRecently(herald, id);
  return id;
}

const CLOSE = { kind: 'CLOSE' };
const codes = (res: any) => res.userErrors.map((e: any) => e.code);
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const ednaTexts = () => herald.edna.received().map((r: any) => JSON.stringify(r.body ?? r));

async function latestMessage(clientId: string) {
  const res = await herald.gql('demo-supervisor', `{ client(id: "${clientId}") { history(first: 1) { edges { node { id status text failure { code message } thread { id } } } } } }`);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.client.history.edges[0]?.node;
}

describe('send later (R25)', () => {
  it('R25: a sendAt in the past (beyond a minute of clock skew) or more than 30 days ahead is INVALID_INPUT and starts nothing', async () => {
    const client = await freshClient();
    for (const sendAt of [inSeconds(-120), inSeconds(31 * 24 * 3600)]) {
      const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'later', disposition: CLOSE, sendAt });
      expect(res.send, sendAt).toBeNull();
      expect(res.userErrors).toMatchObject([{ code: 'INVALID_INPUT', field: ['sendAt'] }]);
    }
    // Just behind our clock (the caller's runs a little slow) is due at once.
    const skewed = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'skewed', disposition: CLOSE, sendAt: inSeconds(-20) });
    expect(skewed.userErrors).toEqual([]);
    await sendReaches(herald, skewed.send.id, ['COMPLETED']);
  });

  it('R25: a scheduled send is SCHEDULED with its message in the history, listed by state, sends nothing until due, then goes out like any send', async () => {
    const client = await freshClient();
    const text = `appointment reminder ${Date.now()}`;
    const sendAt = inSeconds(4);
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text, disposition: CLOSE, sendAt });
    expect(res.userErrors).toEqual([]);
    expect(res.send).toMatchObject({ state: 'SCHEDULED', thread: null, message: { status: 'SCHEDULED', text, thread: null } });
    expect(await latestMessage(client)).toMatchObject({ status: 'SCHEDULED', text });
    const listed = await herald.gql('demo-supervisor', `{ sends(filter: { state: SCHEDULED, clientId: "${client}" }) { edges { node { id sendAt } } } }`);
    expect(listed.data.sends.edges.map((e: any) => e.node)).toEqual([{ id: res.send.id, sendAt: new Date(sendAt).toISOString() }]);
    expect(ednaTexts().some((b) => b.includes(text))).toBe(false);

    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED', 'CONFLICT', 'REJECTED'], 30_000);
    expect(done.state).toBe('COMPLETED');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(sendAt));
    expect(done.message.status).toBe('READ');
    expect(done.steps.map((s: any) => `${s.name}:${s.status ?? s.state}`)).toEqual(expect.arrayContaining(['schedule:SCHEDULED', 'reserve:RESERVED']));
    expect(ednaTexts().filter((b) => b.includes(text))).toHaveLength(1);
    // The message that went out is the one the history showed: one entry, not two.
    expect(await latestMessage(client)).toMatchObject({ id: res.send.message.id, status: 'READ' });
  });

  it('R25: a thread active now does not refuse it; still active when due, the send is CONFLICT, announced, and its message FAILED REFUSED_WHEN_DUE in the history', async () => {
    const client = await freshClient();
    const first = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'open a thread', disposition: { kind: 'ASSIGN_TO_ME' } });
    const holding = await sendReaches(herald, first.send.id, ['COMPLETED']);
    expect(holding.thread.status).not.toBe('CLOSED');

    const res = await send(herald, 'demo-agent-2', { clientId: client, channel: 'WHATSAPP', text: 'later, please', disposition: CLOSE, sendAt: inSeconds(3) });
    expect(res.userErrors).toEqual([]);
    expect(res.send.state).toBe('SCHEDULED');
    const ws = connect(herald.baseUrl, 'demo-agent-2');
    const updates = subscribe(ws, `subscription($id: ID!) { sendUpdated(id: $id) { state errors { code } } }`, { id: res.send.id });
    try {
      const announced = await updates.next((e: any) => e.sendUpdated?.state === 'CONFLICT', 30_000);
      expect(announced).toMatchObject({ sendUpdated: { state: 'CONFLICT', errors: [{ code: 'ACTIVE_THREAD_EXISTS' }] } });
    } finally {
      await updates.close();
      await ws.dispose();
    }
    // The refusal is written when it falls due; the message's end follows in its own step.
    const after = await eventually(async () => {
      const now = await readSend(herald, res.send.id);
      return now.message.status === 'FAILED' ? now : undefined;
    }, 10_000, 'the scheduled message to end FAILED');
    expect(after).toMatchObject({ state: 'CONFLICT', thread: null, message: { status: 'FAILED', failure: { code: 'REFUSED_WHEN_DUE' } } });
    expect(after.message.failure.message).toMatch(/active thread/);
    expect(await latestMessage(client)).toMatchObject({ id: res.send.message.id, status: 'FAILED', failure: { code: 'REFUSED_WHEN_DUE' } });
  });

  it('R25: cancelSend ends a scheduled send before it is due; nothing goes out', async () => {
    const client = await freshClient();
    const text = `never sent ${Date.now()}`;
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text, disposition: CLOSE, sendAt: inSeconds(3) });
    expect(res.send.state).toBe('SCHEDULED');
    const cancelled = await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${res.send.id}") { send { state message { status } } userErrors { code message } } }`);
    expect(cancelled.data.cancelSend).toMatchObject({ userErrors: [], send: { state: 'CANCELLED', message: { status: 'CANCELLED' } } });
    await new Promise((r) => setTimeout(r, 4000));
    expect((await readSend(herald, res.send.id)).state).toBe('CANCELLED');
    expect(ednaTexts().some((b) => b.includes(text))).toBe(false);
  });

  it('R25: a text scheduled for after the 24-hour window closes is TEMPLATE_REQUIRED at once, saying so; scheduled inside it, it is taken', async () => {
    const client = await freshClient();
    // The client wrote 22 hours ago: the window is open now and closes in 2 hours.
    const { eq, and } = await import('drizzle-orm');
    await herald.db.db.update(clientChannels).set({ lastInboundAt: new Date(Date.now() - 22 * 3600 * 1000) })
      .where(and(eq(clientChannels.clientId, client), eq(clientChannels.channel, 'WHATSAPP')));
    const late = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'tomorrow', disposition: CLOSE, sendAt: inSeconds(3 * 3600) });
    expect(codes(late)).toEqual(['TEMPLATE_REQUIRED']);
    expect(late.userErrors[0].message).toMatch(/session window is closed/);
    expect(late.send.state).toBe('REJECTED');
    const soon = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'in an hour', disposition: CLOSE, sendAt: inSeconds(3600) });
    expect(soon.userErrors).toEqual([]);
    expect(soon.send.state).toBe('SCHEDULED');
    await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${soon.send.id}") { userErrors { code } } }`);
  });
});

describe('preview (R27)', () => {
  const PREVIEW = `query($input: SendMessageInput!) { previewMessage(input: $input) {
    channel header body footer subject bcc attachment { id fileName mimeType size } templateRequirement sendAt userErrors { code field message } } }`;
  async function preview(token: string, input: Record<string, unknown>) {
    const res = await herald.gql(token, PREVIEW, { input });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data.previewMessage;
  }
  async function traces(clientId: string) {
    const res = await herald.gql('demo-supervisor', `{ sends(filter: { clientId: "${clientId}" }) { edges { node { id } } } client(id: "${clientId}") { activeThread { id } history(first: 5) { edges { node { id } } } } }`);
    return { sends: res.data.sends.edges.length, thread: res.data.client.activeThread, messages: res.data.client.history.edges.length };
  }

  it('R27: a text previews as it would go out, with the template requirement, and writes nothing: no send, no thread, no message, nothing to edna', async () => {
    const client = await freshClient();
    const before = { traces: await traces(client), edna: herald.edna.received().length };
    const res = await preview('demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Your parcel is out.', disposition: CLOSE });
    expect(res).toMatchObject({ channel: 'WHATSAPP', body: 'Your parcel is out.', header: null, templateRequirement: 'OPTIONAL', attachment: null, userErrors: [] });
    expect(await traces(client)).toEqual(before.traces);
    expect(herald.edna.received().length).toBe(before.edna);
  });

  it("R27: a template previews rendered, header, body and footer with the variables filled; a file with its detected type and size", async () => {
    const client = await freshClient();
    const list = await herald.gql('demo-agent-1', `{ templates(channel: WHATSAPP, clientId: "${client}") { id body variables { key type } } }`);
    const template = list.data.templates.find((t: any) => t.variables.length > 0 && t.variables.every((v: any) => v.type === 'TEXT'));
    const variables = template.variables.map((v: any, i: number) => ({ key: v.key, value: `value-${i}` }));
    const res = await preview('demo-agent-1', { clientId: client, channel: 'WHATSAPP', template: { templateId: template.id, variables }, disposition: CLOSE });
    expect(res.userErrors, JSON.stringify(res.userErrors)).toEqual([]);
    expect(res.body).toContain('value-0');
    expect(res.body).not.toMatch(/\{\{\d+\}\}/);

    const form = new FormData();
    const pngBytes = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(2048)]);
    form.append('file', new Blob([pngBytes], { type: 'application/octet-stream' }), 'photo.bin');
    const uploaded = await (await fetch(`${herald.baseUrl}/attachments`, { method: 'POST', body: form, headers: { authorization: 'Bearer demo-agent-1' } })).json() as { id: string };
    const withFile = await preview('demo-agent-1', { clientId: client, channel: 'VIBER', text: 'see the photo', attachmentId: uploaded.id, disposition: CLOSE });
    expect(withFile.attachment).toEqual({ id: uploaded.id, fileName: 'photo.bin', mimeType: 'image/png', size: pngBytes.length });
  });

  it('R27: the user errors are the ones sendMessage would answer now: an active thread, a blocked client, a bad sendAt, a caller who may not send', async () => {
    const client = await freshClient();
    const first = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'hold the client', disposition: { kind: 'ASSIGN_TO_ME' } });
    await sendReaches(herald, first.send.id, ['COMPLETED']);
    const busy = await preview('demo-agent-2', { clientId: client, channel: 'WHATSAPP', text: 'hi', disposition: CLOSE });
    expect(busy.userErrors.map((e: any) => e.code)).toEqual(['ACTIVE_THREAD_EXISTS']);
    const real = await send(herald, 'demo-agent-2', { clientId: client, channel: 'WHATSAPP', text: 'hi', disposition: CLOSE });
    expect(codes(real)).toEqual(busy.userErrors.map((e: any) => e.code));
    // Scheduled, the thread active now does not refuse it (R25).
    const later = await preview('demo-agent-2', { clientId: client, channel: 'WHATSAPP', text: 'hi', disposition: CLOSE, sendAt: inSeconds(600) });
    expect(later.userErrors).toEqual([]);
    expect(Date.parse(later.sendAt)).toBeGreaterThan(Date.now());

    const carla = (await herald.gql('demo-agent-1', '{ searchClients(query: "Carla") { id } }')).data.searchClients[0].id;
    expect((await preview('demo-agent-1', { clientId: carla, channel: 'EMAIL', text: 'hello' })).userErrors.map((e: any) => e.code)).toEqual(['CLIENT_BLOCKED']);
    expect((await preview('demo-agent-1', { clientId: client, channel: 'EMAIL', text: 'x', sendAt: inSeconds(-600) })).userErrors).toMatchObject([{ code: 'INVALID_INPUT', field: ['sendAt'] }]);
    const other = (await herald.gql('demo-agent-2', '{ me { id } }')).data.me.id;
    expect((await preview('demo-agent-1', { clientId: client, channel: 'EMAIL', text: 'x', onBehalfOfAgentId: other })).userErrors).toMatchObject([{ code: 'FORBIDDEN' }]);
  });
});

describe('take over an unassigned thread (R28)', () => {
  /** A client who just wrote in: their thread is NEW in the queue, held by nobody. */
  async function clientInQueue(): Promise<{ client: string; thread: string }> {
    phoneSeq += 1;
    const phone = `+49 152 ${String(4200000 + phoneSeq)}`;
    const res = await herald.gql('demo-integrator', `mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { message { client { id } } thread { id status } userErrors { code } } }`,
      { input: { channel: 'WHATSAPP', address: phone, text: 'Anyone there?' } });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const out = res.data.recordInboundMessage;
    expect(out.thread.status).toBe('NEW');
    return { client: out.message.client.id, thread: out.thread.id };
  }
  const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { send { id state thread { id } } userErrors { code field message } conflict { activeThread { id } canTakeOver } } }`;
  const sendAs = async (token: string, input: Record<string, unknown>) => (await herald.gql(token, SEND, { input })).data.sendMessage;

  it('R28: the conflict says an unassigned thread can be taken over; of two agents taking it over at once exactly one wins, and the thread is theirs', async () => {
    const { client, thread } = await clientInQueue();
    const refused = await sendAs('demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Hello', disposition: { kind: 'ASSIGN_TO_ME' } });
    expect(refused.userErrors.map((e: any) => e.code)).toEqual(['ACTIVE_THREAD_EXISTS']);
    expect(refused.conflict).toEqual({ activeThread: { id: thread }, canTakeOver: true });

    const [a, b] = await Promise.all(['demo-agent-1', 'demo-agent-2'].map((token) =>
      sendAs(token, { clientId: client, channel: 'WHATSAPP', text: `${token} here, how can I help?`, disposition: { kind: 'ASSIGN_TO_ME' }, takeOverThreadId: thread })));
    const winners = [a, b].filter((r) => r.userErrors.length === 0);
    const losers = [a, b].filter((r) => r.userErrors.length > 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].userErrors.map((e: any) => e.code)).toEqual(['ACTIVE_THREAD_EXISTS']);
    expect(losers[0].conflict).toEqual({ activeThread: { id: thread }, canTakeOver: false });

    const won = await sendReaches(herald, winners[0].send.id, ['COMPLETED']);
    const winner = winners[0] === a ? 'agent1' : 'agent2';
    expect(won.thread).toMatchObject({ id: thread, status: 'WAITING', assignee: { login: winner } });
    expect(won.message.thread.id).toBe(thread);

    // Held by an agent now: nobody takes it over.
    const third = await sendAs('demo-agent-3', { clientId: client, channel: 'WHATSAPP', text: 'me too', disposition: { kind: 'ASSIGN_TO_ME' }, takeOverThreadId: thread });
    expect(third.userErrors).toMatchObject([{ code: 'ACTIVE_THREAD_EXISTS', field: ['takeOverThreadId'] }]);
    expect(third.conflict.canTakeOver).toBe(false);
  });

  it('R28: another thread id is NOT_FOUND, another channel INVALID_INPUT, and a send as nobody cannot take over', async () => {
    const { client, thread } = await clientInQueue();
    const other = await clientInQueue();
    expect((await sendAs('demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'CLOSE' }, takeOverThreadId: other.thread })).userErrors)
      .toMatchObject([{ code: 'NOT_FOUND', field: ['takeOverThreadId'] }]);
    expect((await sendAs('demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'CLOSE' }, takeOverThreadId: 'not-an-id' })).userErrors)
      .toMatchObject([{ code: 'NOT_FOUND' }]);
    expect((await sendAs('demo-agent-1', { clientId: client, channel: 'VIBER', text: 'x', disposition: { kind: 'CLOSE' }, takeOverThreadId: thread })).userErrors)
      .toMatchObject([{ code: 'INVALID_INPUT', field: ['takeOverThreadId'] }]);
    expect((await sendAs('demo-integrator', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'CLOSE' }, takeOverThreadId: thread })).userErrors)
      .toMatchObject([{ code: 'INVALID_INPUT', field: ['takeOverThreadId'] }]);
    // Nothing above touched the thread: it still waits in the queue for anyone.
    const still = await herald.gql('demo-supervisor', `{ thread(id: "${thread}") { status assignee { login } } }`);
    expect(still.data.thread).toEqual({ status: 'NEW', assignee: null });
  });
});
