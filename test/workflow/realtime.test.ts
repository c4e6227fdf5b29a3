import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startApiServer, type ApiServer } from '../../src/app.js';
import { openDatabase } from '../../src/db/connection.js';
import { threads } from '../../src/db/schema.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// Two API instances on one database (on PostgreSQL, each with its own pool and LISTEN
// connection) and a worker: what happens through instance A is heard on instance B.

let herald: TestHerald;
let instanceB: ApiServer;
let closeB: () => Promise<void>;
let baseB: string;
let seq = 0;

beforeAll(async () => {
  herald = await startTestHerald();
  const dbB = herald.db.url ? await openDatabase({ url: herald.db.url }, { poolSize: 5 }) : null;
  instanceB = await startApiServer(herald.config, dbB ?? herald.db, herald.temporal, 0);
  baseB = `http://127.0.0.1:${instanceB.port}`;
  closeB = async () => { await instanceB.close(); await dbB?.close(); };
});
afterAll(async () => {
  await closeB?.();
  await herald?.close();
});

async function chatClient(): Promise<string> {
  seq += 1;
  const id = await newClient(herald, `+36 30 ${String(1000000 + seq)}`, `Realtime ${seq}`);
  await wroteInRecently(herald, id);
  return id;
}

const inbound = (token: string, input: Record<string, unknown>) =>
  herald.gql(token, `mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { message { id direction text client { id name } } thread { id status } userErrors { code field } } }`, { input });

describe('subscription auth', () => {
  it('R23: a subscription without a valid token is refused before it starts', async () => {
    for (const token of [null, 'not-a-token']) {
      const client = connect(baseB, token);
      const sub = subscribe(client, 'subscription { myQueueChanged { id } }');
      await expect(sub.next(() => true, 5_000)).rejects.toThrow(/subscription error/);
      await client.dispose();
    }
  });

  it("R23: myQueueChanged has no argument: an agent hears its own queue, never another agent's", async () => {
    const a1 = connect(baseB, 'demo-agent-1');
    const a2 = connect(baseB, 'demo-agent-2');
    const q1 = subscribe(a1, 'subscription { myQueueChanged { id status assignee { login } } }');
    const q2 = subscribe(a2, 'subscription { myQueueChanged { id status assignee { login } } }');
    await new Promise((r) => setTimeout(r, 300));
    const res = await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'WHATSAPP', text: 'mine', disposition: { kind: 'ASSIGN_TO_ME' } });
    const event = await q1.next((e: any) => e.myQueueChanged.status === 'WAITING');
    expect(event.myQueueChanged).toMatchObject({ id: res.send.thread.id, assignee: { login: 'agent1' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(q2.events).toEqual([]);
    await Promise.all([a1.dispose(), a2.dispose()]);
  });
});

describe('warnings while composing (R22)', () => {
  it("R22: another agent's send opens a thread: a subscriber on the other instance hears THREAD_OPENED within a second, and client.channels leaves EMAIL", async () => {
    const client = await chatClient();
    await herald.gql('demo-admin', `mutation { upsertClient(input: { externalId: "rt-${client}", email: "rt${seq}@example.com" }) { client { id } } }`);
    const { clients } = await import('../../src/db/schema.js');
    await herald.db.db.update(clients).set({ email: `rt${seq}@example.com` }).where(eq(clients.id, client));
    const ws = connect(baseB, 'demo-agent-2');
    const activity = subscribe(ws, `subscription($c: ID!) { clientActivity(clientId: $c) { kind at thread { id status } client { channels { channel available unavailableReason } } } }`, { c: client });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'I got there first', disposition: { kind: 'ASSIGN_TO_ME' } });
    const opened = await activity.next((e: any) => e.clientActivity.kind === 'THREAD_OPENED', 5_000);
    const latency = Date.now() - started;
    expect(latency).toBeLessThan(5_000);
    expect(opened.clientActivity.thread.id).toBe(res.send.thread.id);
    const available = opened.clientActivity.client.channels.filter((c: any) => c.available).map((c: any) => c.channel);
    expect(available).toEqual(['EMAIL']);
    console.log(`[figures] THREAD_OPENED reached a subscriber on instance B ${latency} ms after the mutation started on A`);
    const statuses = await activity.next((e: any) => e.clientActivity.kind === 'MESSAGE_STATUS', 5_000);
    expect(statuses.clientActivity.kind).toBe('MESSAGE_STATUS');
    await ws.dispose();
  });

  it('R22: the client writing in opens a thread and is announced the same way; closing it announces THREAD_CLOSED', async () => {
    const client = await chatClient();
    const phone = `+36 30 ${String(1000000 + seq)}`;
    const ws = connect(baseB, 'demo-agent-3');
    const activity = subscribe(ws, `subscription($c: ID!) { clientActivity(clientId: $c) { kind thread { id status } message { direction text } } }`, { c: client });
    await new Promise((r) => setTimeout(r, 300));
    const res = await inbound('demo-integrator', { channel: 'WHATSAPP', address: phone, text: 'Hi, where is my order?' });
    expect(res.data.recordInboundMessage.userErrors).toEqual([]);
    const opened = await activity.next((e: any) => e.clientActivity.kind === 'THREAD_OPENED');
    expect(opened.clientActivity.thread).toEqual({ id: res.data.recordInboundMessage.thread.id, status: 'NEW' });
    await activity.next((e: any) => e.clientActivity.kind === 'MESSAGE_ADDED' && e.clientActivity.message?.text === 'Hi, where is my order?');
    const refused = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'late', disposition: { kind: 'CLOSE' } });
    expect(refused.userErrors.map((e: any) => e.code)).toEqual(['ACTIVE_THREAD_EXISTS']);
    const closed = await herald.gql('demo-supervisor', `mutation { closeThread(id: "${opened.clientActivity.thread.id}", comment: "answered by phone") { thread { status closedAt } userErrors { code } } }`);
    expect(closed.data.closeThread.thread.status).toBe('CLOSED');
    await activity.next((e: any) => e.clientActivity.kind === 'THREAD_CLOSED');
    await ws.dispose();
  });
});

describe('inbound messages (R7, R13)', () => {
  it('R13: an inbound message opens the 24-hour window: WhatsApp becomes OPTIONAL', async () => {
    const id = await newClient(herald, '+36 30 9990001', 'Window');
    const before = await herald.gql('demo-agent-1', `{ client(id: "${id}") { channels { channel templateRequirement lastInboundAt } } }`);
    expect(before.data.client.channels[0]).toMatchObject({ channel: 'WHATSAPP', templateRequirement: 'MANDATORY', lastInboundAt: null });
    await inbound('demo-integrator', { channel: 'WHATSAPP', address: '+36 30 9990001', text: 'hello' });
    const after = await herald.gql('demo-agent-1', `{ client(id: "${id}") { channels { channel templateRequirement lastInboundAt } activeThread { status } } }`);
    expect(after.data.client.channels[0].templateRequirement).toBe('OPTIONAL');
    expect(after.data.client.activeThread).toEqual({ status: 'NEW' });
  });

  it('R7: an unknown sender becomes a client; the edna inbound webhook does the same with its secret', async () => {
    const res = await inbound('demo-integrator', { channel: 'TELEGRAM', address: '@new_person', text: 'hey', name: 'New Person' });
    expect(res.data.recordInboundMessage.message).toMatchObject({ direction: 'INBOUND', text: 'hey', client: { name: 'New Person' } });
    const status = await herald.edna.sendInbound({ channel: 'VIBER', phone: '36301234999', text: 'via edna', userName: 'Viber User' });
    expect(status).toBe(200);
    const found = await herald.gql('demo-agent-1', '{ searchClients(query: "36301234999") { name activeThread { channel status } history(first: 1) { edges { node { text direction } } } } }');
    expect(found.data.searchClients[0]).toMatchObject({ name: 'Viber User', activeThread: { channel: 'VIBER', status: 'NEW' }, history: { edges: [{ node: { text: 'via edna', direction: 'INBOUND' } }] } });
    const noSecret = await fetch(`${herald.baseUrl}/webhooks/edna/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noSecret.status).toBe(401);
    const agent = await inbound('demo-agent-1', { channel: 'WHATSAPP', address: '+36 30 0000001', text: 'x' });
    expect(agent.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('R7: an inbound message and an outbound send racing for one client open exactly one thread, over many pairs', async () => {
    for (let i = 0; i < 12; i++) {
      const phone = `+36 31 ${String(2000000 + i)}`;
      const id = await newClient(herald, phone, `Race ${i}`);
      await wroteInRecently(herald, id);
      const [out, inn] = await Promise.all([
        send(herald, `demo-agent-${(i % 5) + 1}`, { clientId: id, channel: 'WHATSAPP', text: `race ${i}`, disposition: { kind: 'CLOSE' } }),
        inbound('demo-integrator', { channel: 'WHATSAPP', address: phone, text: `client ${i}` }),
      ]);
      const rows = await herald.db.db.select().from(threads).where(eq(threads.clientId, id));
      expect(rows.length, `pair ${i}`).toBe(1);
      const inboundThread = inn.data.recordInboundMessage.thread.id;
      if (out.userErrors.length === 0) {
        // The send won: the client's message joined its thread, which CLOSE then leaves open for the reply.
        expect(inboundThread).toBe(out.send.thread.id);
        const done = await sendReaches(herald, out.send.id, ['COMPLETED']);
        expect(done.thread.status).not.toBe('CLOSED');
      } else {
        expect(out.userErrors.map((e: any) => e.code)).toEqual(['ACTIVE_THREAD_EXISTS']);
        expect(out.conflict.activeThread.id).toBe(inboundThread);
      }
    }
  });
});

describe('closing threads', () => {
  it("closeThread: the assignee may, another agent is FORBIDDEN, a supervisor may", async () => {
    const res = await send(herald, 'demo-agent-4', { clientId: await chatClient(), channel: 'WHATSAPP', text: 'mine', disposition: { kind: 'ASSIGN_TO_ME' } });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    const other = await herald.gql('demo-agent-5', `mutation { closeThread(id: "${done.thread.id}") { thread { status } } }`);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await herald.gql('demo-agent-4', `mutation { closeThread(id: "${done.thread.id}", comment: "done") { thread { status } userErrors { code } } }`);
    expect(own.data.closeThread).toEqual({ thread: { status: 'CLOSED' }, userErrors: [] });
    const again = await herald.gql('demo-supervisor', `mutation { closeThread(id: "${done.thread.id}") { userErrors { code } } }`);
    expect(again.data.closeThread.userErrors).toEqual([{ code: 'INVALID_INPUT' }]);
  });
});

describe('sendUpdated', () => {
  it('R19: a subscriber sees every state of a send until COMPLETED with the message READ', async () => {
    const client = await chatClient();
    const ws = connect(baseB, 'demo-agent-1');
    const requestId = `rt-${Date.now()}`;
    // The caller knows its send's id before sending: its requestId, scoped to itself.
    const me = (await herald.gql('demo-agent-1', '{ me { id } }')).data.me.id;
    const sub = subscribe(ws, 'subscription($id: ID!) { sendUpdated(id: $id) { state message { status } } }', { id: `send:${me}:${requestId}` });
    await new Promise((r) => setTimeout(r, 300));
    await send(herald, 'demo-agent-1', { requestId, clientId: client, channel: 'WHATSAPP', text: 'watch me', disposition: { kind: 'CLOSE' } });
    const last = await sub.next((e: any) => e.sendUpdated.state === 'COMPLETED' && e.sendUpdated.message?.status === 'READ', 10_000);
    expect(last.sendUpdated).toEqual({ state: 'COMPLETED', message: { status: 'READ' } });
    const seen = new Set(sub.events.map((e: any) => e.sendUpdated.message?.status).filter(Boolean));
    expect([...seen]).toEqual(expect.arrayContaining(['PENDING', 'SENT', 'DELIVERED', 'READ']));
    await ws.dispose();
  });
});
