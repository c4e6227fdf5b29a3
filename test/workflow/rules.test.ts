import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { threads } from '../../src/db/schema.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, newClient, readSend, send, sendReaches, wroteInRecently } from '../support/sends.js';

let herald: TestHerald;
let phoneSeq = 0;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

/** A fresh client who wrote in on WhatsApp just now, so free text may go out (R13). */
async function freshClient(): Promise<string> {
  phoneSeq += 1;
  const id = await newClient(herald, `+49 151 ${String(7000000 + phoneSeq)}`, `Test client ${phoneSeq}`);
  await wroteInRecently(herald, id);
  return id;
}

const codes = (res: any) => res.userErrors.map((e: any) => e.code);
const CLOSE = { kind: 'CLOSE' };

describe('who may send (R1, R23)', () => {
  it('R1: an agent on BREAK or OFFLINE gets AGENT_STATUS_NOT_ALLOWED; ACTIVE, OUT and ACTIVE_FINISHING may send', async () => {
    const client = await freshClient();
    for (const status of ['BREAK', 'OFFLINE']) {
      await herald.gql('demo-agent-4', `mutation { setMyStatus(status: ${status}, reason: "lunch") { agent { status } } }`);
      const res = await send(herald, 'demo-agent-4', { clientId: client, channel: 'WHATSAPP', text: 'hi', disposition: CLOSE });
      expect(codes(res), status).toEqual(['AGENT_STATUS_NOT_ALLOWED']);
      expect(res.send.state).toBe('REJECTED');
      expect(res.send.message).toBeNull();
    }
    for (const status of ['OUT', 'ACTIVE_FINISHING', 'ACTIVE']) {
      await herald.gql('demo-agent-4', `mutation { setMyStatus(status: ${status}) { agent { status } } }`);
      const res = await send(herald, 'demo-agent-4', { clientId: client, channel: 'WHATSAPP', text: `as ${status}`, disposition: CLOSE });
      expect(res.userErrors, status).toEqual([]);
      await sendReaches(herald, res.send.id, ['COMPLETED']);
    }
  });

  it('R23: an integrator sends on behalf of an agent, and R1 applies to that agent', async () => {
    const client = await freshClient();
    const me = await herald.gql('demo-agent-5', 'mutation { setMyStatus(status: BREAK, reason: "meeting") { agent { id } } }');
    const agent5 = me.data.setMyStatus.agent.id;
    const refused = await send(herald, 'demo-integrator', { clientId: client, channel: 'WHATSAPP', text: 'hi', disposition: CLOSE, onBehalfOfAgentId: agent5 });
    expect(codes(refused)).toEqual(['AGENT_STATUS_NOT_ALLOWED']);
    await herald.gql('demo-agent-5', 'mutation { setMyStatus(status: ACTIVE) { agent { id } } }');
    const ok = await send(herald, 'demo-integrator', { clientId: client, channel: 'WHATSAPP', text: 'hi from the CRM', disposition: { kind: 'ASSIGN_TO_ME' }, onBehalfOfAgentId: agent5 });
    expect(ok.userErrors).toEqual([]);
    expect(ok.send.message.author.login).toBe('agent5');
    const done = await sendReaches(herald, ok.send.id, ['COMPLETED']);
    expect(done.thread).toMatchObject({ status: 'WAITING', assignee: { login: 'agent5' } });
    const own = await herald.gql('demo-agent-5', `{ send(id: "${ok.send.id}") { id } }`);
    expect(own.data.send.id).toBe(ok.send.id);
    const others = await herald.gql('demo-agent-1', `{ send(id: "${ok.send.id}") { id } }`);
    expect(others.data.send).toBeNull();
  });

  it('R23: an agent cannot send on behalf of another agent (FORBIDDEN), and an unknown agent is NOT_FOUND', async () => {
    const client = await freshClient();
    const other = (await herald.gql('demo-agent-2', '{ me { id } }')).data.me.id;
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: CLOSE, onBehalfOfAgentId: other });
    expect(res).toMatchObject({ send: null, userErrors: [{ code: 'FORBIDDEN', field: ['onBehalfOfAgentId'] }] });
    const unknown = await send(herald, 'demo-integrator', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: CLOSE, onBehalfOfAgentId: '00000000-0000-0000-0000-000000000000' });
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    const noToken = await herald.gql(null, 'mutation { sendMessage(input: { clientId: "x", channel: EMAIL, text: "x" }) { send { id } } }');
    expect(noToken.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('channel rules at send time (R2–R6)', () => {
  it('R2: a blocked client gets CLIENT_BLOCKED and nothing reaches edna', async () => {
    const before = herald.edna.received().length;
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Carla'), channel: 'EMAIL', text: 'hello' });
    expect(codes(res)).toEqual(['CLIENT_BLOCKED']);
    expect(herald.edna.received().length).toBe(before);
  });

  it('R3: a channel disabled for the stand is CHANNEL_DISABLED', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Liam'), channel: 'APPLE_BUSINESS_MESSAGES', text: 'hello', disposition: CLOSE });
    expect(codes(res)).toEqual(['CHANNEL_DISABLED']);
  });

  it('R4: blocked on one channel is CLIENT_BLOCKED_ON_CHANNEL', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Dmitry'), channel: 'VIBER', text: 'hello', disposition: CLOSE });
    expect(codes(res)).toEqual(['CLIENT_BLOCKED_ON_CHANNEL']);
  });

  it('R5: no address for the channel is NO_ADDRESS_FOR_CHANNEL', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Elena'), channel: 'WHATSAPP', text: 'hello', disposition: CLOSE });
    expect(codes(res)).toEqual(['NO_ADDRESS_FOR_CHANNEL']);
  });

  it('R6: a client with an active thread gets ACTIVE_THREAD_EXISTS with the thread and the channels left', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Fedor'), channel: 'VIBER', text: 'hello', disposition: CLOSE });
    expect(codes(res)).toEqual(['ACTIVE_THREAD_EXISTS']);
    expect(res.send.state).toBe('CONFLICT');
    expect(res.conflict.activeThread.status).toBe('WAITING');
    expect(res.conflict.alternatives).toEqual([{ channel: 'EMAIL', available: true }]);
  });

  it('R7: of 20 concurrent sends to one client from different agents exactly one opens a thread', async () => {
    const client = await freshClient();
    await wroteInRecently(herald, client, 'VIBER');
    const tokens = Array.from({ length: 20 }, (_, i) => `demo-agent-${(i % 5) + 1}`);
    const results = await Promise.all(tokens.map((t, i) => send(herald, t, { clientId: client, channel: i % 2 ? 'VIBER' : 'WHATSAPP', text: `race ${i}`, disposition: { kind: 'ASSIGN_TO_ME' } })));
    const winners = results.filter((r) => r.userErrors.length === 0);
    const losers = results.filter((r) => codes(r).join() === 'ACTIVE_THREAD_EXISTS');
    expect(winners, JSON.stringify(results.map(codes))).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const l of losers) expect(l.conflict.activeThread.id).toBe(winners[0].send.thread.id);
    const open = await herald.db.db.select().from(threads).where(eq(threads.clientId, client));
    expect(open.filter((t) => t.status !== 'CLOSED')).toHaveLength(1);
    expect(open).toHaveLength(1);
  });
});

describe('content (R8, R9)', () => {
  it('R8: nothing to send is EMPTY_MESSAGE; a template with text is INVALID_COMBINATION; a template on EMAIL is TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', async () => {
    const client = await freshClient();
    expect(codes(await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: '   ', disposition: CLOSE }))).toEqual(['EMPTY_MESSAGE']);
    const tpl = { templateId: '00000000-0000-0000-0000-000000000001', variables: [] };
    expect(codes(await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', template: tpl, disposition: CLOSE }))).toContain('INVALID_COMBINATION');
    const anna = await clientId(herald, 'Anna');
    expect(codes(await send(herald, 'demo-agent-1', { clientId: anna, channel: 'EMAIL', template: tpl }))).toContain('TEMPLATE_NOT_SUPPORTED_ON_CHANNEL');
  });

  it('R9: text longer than the channel takes is TEXT_TOO_LONG (Viber 1000, WhatsApp 4096)', async () => {
    const client = await freshClient();
    await wroteInRecently(herald, client, 'VIBER');
    const viber = await send(herald, 'demo-agent-1', { clientId: client, channel: 'VIBER', text: 'x'.repeat(1001), disposition: CLOSE });
    expect(viber.userErrors).toMatchObject([{ code: 'TEXT_TOO_LONG', field: ['text'] }]);
    const wa = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x'.repeat(4097), disposition: CLOSE });
    expect(codes(wa)).toEqual(['TEXT_TOO_LONG']);
    const ok = await send(herald, 'demo-agent-1', { clientId: client, channel: 'VIBER', text: 'y'.repeat(1000), disposition: CLOSE });
    expect(ok.userErrors).toEqual([]);
    await sendReaches(herald, ok.send.id, ['COMPLETED']);
  });

  it('R10: BCC on a channel other than EMAIL is BCC_NOT_ALLOWED', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: 'x', bcc: ['a@b.cd'], disposition: CLOSE });
    expect(codes(res)).toEqual(['BCC_NOT_ALLOWED']);
  });

  it('R14: manual text when a template is MANDATORY (strict) is TEMPLATE_REQUIRED', async () => {
    const { templates } = await import('../../src/db/schema.js');
    await herald.db.db.insert(templates).values({ channel: 'WHATSAPP', externalId: '106', name: 'greeting', providerStatus: 'APPROVED', body: 'Hello! How can we help you today?', textOnly: true }).onConflictDoNothing();
    const boris = await clientId(herald, 'Boris');
    const res = await send(herald, 'demo-agent-1', { clientId: boris, channel: 'WHATSAPP', text: 'free text', disposition: CLOSE });
    expect(codes(res)).toEqual(['TEMPLATE_REQUIRED']);
  });
});

describe('dispositions (R11, R12)', () => {
  it('R12: a non-email send without a disposition is DISPOSITION_REQUIRED', async () => {
    expect(codes(await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: 'x' }))).toEqual(['DISPOSITION_REQUIRED']);
  });

  it('R11: a disposition for EMAIL is DISPOSITION_NOT_APPLICABLE', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Elena'), channel: 'EMAIL', text: 'x', disposition: CLOSE });
    expect(codes(res)).toEqual(['DISPOSITION_NOT_APPLICABLE']);
  });

  it('R12: CLOSE closes the thread once the channel has the message', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: 'closing', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.thread.status).toBe('CLOSED');
    expect(done.disposition).toBe('CLOSE');
  });

  it("R12: ASSIGN_TO_ME leaves the thread WAITING in the sender's queue", async () => {
    const client = await freshClient();
    const res = await send(herald, 'demo-agent-3', { clientId: client, channel: 'WHATSAPP', text: 'mine', disposition: { kind: 'ASSIGN_TO_ME' } });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.thread).toMatchObject({ status: 'WAITING', assignee: { login: 'agent3' } });
    const queue = await herald.gql('demo-agent-3', '{ me { queue { id status client { id } } } }');
    expect(queue.data.me.queue).toContainEqual({ id: done.thread.id, status: 'WAITING', client: { id: client } });
  });

  it('R12: TRANSFER to an agent is ASSIGNED to them; to a group, skill, bot or department NEW in its queue, with the comment', async () => {
    const targets = (await herald.gql('demo-agent-1', '{ transferTargets { id kind name } }')).data.transferTargets as any[];
    const agent2 = targets.find((t) => t.kind === 'AGENT' && t.name === 'Agent 2');
    const toAgent = await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: 'over to you', disposition: { kind: 'TRANSFER', target: { kind: 'AGENT', id: agent2.id }, comment: 'VIP, call back' } });
    const a = await sendReaches(herald, toAgent.send.id, ['COMPLETED']);
    expect(a.thread).toMatchObject({ status: 'ASSIGNED', assignee: { login: 'agent2' }, queueTarget: { kind: 'AGENT' }, transferComment: 'VIP, call back' });
    for (const kind of ['GROUP', 'SKILL', 'BOT', 'DEPARTMENT']) {
      const target = targets.find((t) => t.kind === kind);
      const res = await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: `to ${kind}`, disposition: { kind: 'TRANSFER', target: { kind, id: target.id }, comment: `for ${kind}` } });
      const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
      expect(done.thread, kind).toMatchObject({ status: 'NEW', assignee: null, queueTarget: { kind, name: target.name }, transferComment: `for ${kind}` });
    }
  });

  it('R12: an unknown target or one of another kind is TRANSFER_TARGET_NOT_FOUND; TRANSFER without a target and ASSIGN_TO_ME without an agent are DISPOSITION_INVALID', async () => {
    const client = await freshClient();
    const group = ((await herald.gql('demo-agent-1', '{ transferTargets(kind: GROUP) { id } }')).data.transferTargets as any[])[0];
    const unknown = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'TRANSFER', target: { kind: 'GROUP', id: '00000000-0000-0000-0000-000000000000' } } });
    expect(codes(unknown)).toEqual(['TRANSFER_TARGET_NOT_FOUND']);
    const wrongKind = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'TRANSFER', target: { kind: 'BOT', id: group.id } } });
    expect(codes(wrongKind)).toEqual(['TRANSFER_TARGET_NOT_FOUND']);
    const noTarget = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'TRANSFER' } });
    expect(codes(noTarget)).toEqual(['DISPOSITION_INVALID']);
    const nobody = await send(herald, 'demo-integrator', { clientId: client, channel: 'WHATSAPP', text: 'x', disposition: { kind: 'ASSIGN_TO_ME' } });
    expect(codes(nobody)).toEqual(['DISPOSITION_INVALID']);
  });
});

describe('idempotency (R21)', () => {
  it('R21: the same requestId returns the same send and edna gets the message once, during and after the send; it is the caller\'s own key', async () => {
    const client = await freshClient();
    const input = { requestId: `crm-order-${Date.now()}`, clientId: client, channel: 'WHATSAPP', text: 'once only', disposition: CLOSE };
    const [a, b] = await Promise.all([send(herald, 'demo-agent-1', input), send(herald, 'demo-agent-1', input)]);
    const agent1 = (await herald.gql('demo-agent-1', '{ me { id } }')).data.me.id;
    expect(a.send.id).toBe(`send:${agent1}:${input.requestId}`);
    expect(b.send.id).toBe(a.send.id);
    expect(b.send.message.id).toBe(a.send.message.id);
    const done = await sendReaches(herald, a.send.id, ['COMPLETED']);
    const again = await send(herald, 'demo-agent-1', input);
    expect(again.send).toMatchObject({ id: a.send.id, state: 'COMPLETED', message: { id: a.send.message.id, status: 'READ' } });
    expect(herald.edna.received().filter((r) => (r.body as any)?.requestId === done.message.id)).toHaveLength(1);
    // Another caller's key of the same name is its own: a send of its own, nothing learnt of the first.
    const stranger = await send(herald, 'demo-agent-2', input);
    expect(stranger.userErrors).toEqual([]);
    expect(stranger.send.id).not.toBe(a.send.id);
    expect(stranger.send.message.id).not.toBe(a.send.message.id);
  });

  it('R21: a requestId used again with other parameters is IDEMPOTENCY_KEY_REUSED, never the old send; with the same ones it answers the same errors', async () => {
    const input = { requestId: `rejected-${Date.now()}`, clientId: await freshClient(), channel: 'WHATSAPP', text: '' , disposition: CLOSE };
    const first = await send(herald, 'demo-agent-1', input);
    expect(codes(first)).toEqual(['EMPTY_MESSAGE']);
    const same = await send(herald, 'demo-agent-1', input);
    expect(same.send.id).toBe(first.send.id);
    expect(codes(same)).toEqual(['EMPTY_MESSAGE']);
    const other = await send(herald, 'demo-agent-1', { ...input, text: 'now with text' });
    expect(other.send).toBeNull();
    expect(other.userErrors).toMatchObject([{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['requestId'] }]);
    const otherClient = await send(herald, 'demo-agent-1', { ...input, clientId: await freshClient() });
    expect(codes(otherClient)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect((await readSend(herald, first.send.id)).state).toBe('REJECTED');
  });

  it('R21: two requests racing with one requestId and different parameters: one is sent, the other is IDEMPOTENCY_KEY_REUSED', async () => {
    const client = await freshClient();
    const requestId = `race-${Date.now()}`;
    const [x, y] = await Promise.all([
      send(herald, 'demo-agent-1', { requestId, clientId: client, channel: 'EMAIL', text: 'first wording' }),
      send(herald, 'demo-agent-1', { requestId, clientId: client, channel: 'EMAIL', text: 'second wording' }),
    ]);
    const outcomes = [x, y].map((r) => (r.send ? 'sent' : r.userErrors[0].code)).sort();
    expect(outcomes).toEqual(['IDEMPOTENCY_KEY_REUSED', 'sent']);
  });
});

