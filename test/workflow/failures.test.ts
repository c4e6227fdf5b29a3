import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { clients } from '../../src/db/schema.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, readSend, send, sendReaches, wroteInRecently } from '../support/sends.js';

// Every failure scenario of the edna sandbox (chosen by the phone's last four digits), through the
// real HTTP client, the status webhook and the workflow.

let herald: TestHerald;
let seq = 0;
beforeAll(async () => { herald = await startTestHerald({ env: { SEND_RETRY_WAIT_SECONDS: '30' } }); });
afterAll(async () => { await herald?.close(); });

/** A client whose phone ends in the scenario's suffix and who wrote in just now. */
async function scenarioClient(suffix: string): Promise<string> {
  seq += 1;
  const id = await newClient(herald, `+7 916 ${String(100 + seq).padStart(3, '0')} ${suffix}`, `Scenario ${suffix} #${seq}`);
  await wroteInRecently(herald, id);
  await wroteInRecently(herald, id, 'VIBER');
  return id;
}

const text = (channel = 'WHATSAPP', disposition: object = { kind: 'ASSIGN_TO_ME' }) => ({ channel, text: 'Scenario check', disposition });

async function activeThreadOf(client: string) {
  const res = await herald.gql('demo-supervisor', `{ client(id: "${client}") { activeThread { id status } } }`);
  return res.data.client.activeThread;
}

describe('permanent channel failures (R19, R20)', () => {
  it('R19: not a WhatsApp user ends UNDELIVERED with NOT_CHANNEL_USER in the history, and R20 releases the thread', async () => {
    const client = await scenarioClient('0404');
    const res = await send(herald, 'demo-agent-1', { clientId: client, ...text() });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'NOT_CHANNEL_USER', providerCode: 'not-whatsapp-user' } });
    expect(done.message.statusHistory.at(-1)).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'NOT_CHANNEL_USER' } });
    expect(done.thread.status).toBe('CLOSED');
    expect(await activeThreadOf(client)).toBeNull();
    const history = await herald.gql('demo-agent-1', `{ client(id: "${client}") { history { edges { node { status failure { code message } } } } } }`);
    expect(history.data.client.history.edges[0].node).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'NOT_CHANNEL_USER' } });
  });

  it('R19: not a Viber user is NOT_CHANNEL_USER with not-viber-user', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0404'), ...text('VIBER', { kind: 'CLOSE' }) });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message.failure).toMatchObject({ code: 'NOT_CHANNEL_USER', providerCode: 'not-viber-user' });
  });

  it('R19: a client who blocked the business ends UNDELIVERED with BLOCKED_BY_USER', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0403'), ...text() });
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'BLOCKED_BY_USER', providerCode: 'user-blocked' } });
  });
});

describe('statuses only move forward (R19)', () => {
  it('R19: duplicated callbacks change nothing: one history entry per status', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0002'), ...text() });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'READ']);
    await new Promise((r) => setTimeout(r, 300));
    expect((await readSend(herald, res.send.id)).message.statusHistory).toHaveLength(4);
    expect(herald.edna.callbacks().filter((c) => (c.body as any).requestId === done.message.id).length).toBeGreaterThanOrEqual(6);
  });

  it('R19: callbacks out of order (READ first) never move the status backwards', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0003'), ...text() });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    expect(done.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT', 'READ']);
  });

  // R19's EXPIRED after SEND_STATUS_TIMEOUT: test/workflow/timers.test.ts, at the real 24 h on the time-skipping server.

  it('R19: a late callback after the send finished is answered 200 and changes nothing', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('1234'), ...text() });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    const late = await fetch(`${herald.baseUrl}/webhooks/edna/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [herald.config.edna.webhookHeader]: herald.config.edna.webhookSecret },
      body: JSON.stringify({ requestId: done.message.id, status: 'DELIVERED', statusAt: new Date().toISOString(), error: null }),
    });
    expect(late.status).toBe(200);
    expect((await readSend(herald, res.send.id)).message.status).toBe('READ');
  });
});

describe('status webhook', () => {
  const post = (body: unknown, secret: string | null = herald.config.edna.webhookSecret) =>
    fetch(`${herald.baseUrl}/webhooks/edna/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { [herald.config.edna.webhookHeader]: secret } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('R19: refuses callbacks without the secret (401) or malformed (400), answers 200 for an unknown id', async () => {
    expect((await post({ requestId: 'x', status: 'READ' }, null)).status).toBe(401);
    expect((await post({ requestId: 'x', status: 'READ' }, 'wrong')).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ status: 'READ' })).status).toBe(400);
    expect((await post({ requestId: 'x', status: 'TELEPORTED' })).status).toBe(400);
    expect((await post({ requestId: '00000000-0000-0000-0000-00000000dead', status: 'READ' })).status).toBe(200);
    expect((await fetch(`${herald.baseUrl}/webhooks/edna/status`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('transient faults (R20, R21)', () => {
  it('R20: 5xx on the first tries is retried with backoff and delivers exactly once', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0500'), ...text() });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    const tries = herald.edna.received().filter((r) => (r.body as any)?.requestId === done.message.id);
    expect(tries.map((t) => t.status)).toEqual([500, 500, 200]);
    expect(herald.edna.accepted().filter((a) => a.id === done.message.id)).toHaveLength(1);
  });

  it('R20: when automatic retries are spent the send waits; retrySend makes a new attempt with a new provider id, and R21 a repeated retry is refused', async () => {
    const client = await scenarioClient('0503');
    const res = await send(herald, 'demo-agent-1', { clientId: client, ...text() });
    await eventually(async () => ((await readSend(herald, res.send.id)).steps.some((s: any) => s.state === 'WAITING_FOR_RETRY') ? true : undefined), 15_000, 'waiting for retry');
    const waiting = await readSend(herald, res.send.id);
    expect(waiting).toMatchObject({ state: 'DELIVERING', message: { status: 'PENDING', failure: { code: 'PROVIDER_ERROR' } } });
    const firstIds = new Set(herald.edna.received().filter((r) => (r.body as any)?.subscriberFilter?.address?.endsWith('0503')).map((r) => (r.body as any).requestId));
    const retried = await herald.gql('demo-agent-1', `mutation { retrySend(id: "${res.send.id}") { send { state } userErrors { code } } }`);
    expect(retried.data.retrySend.userErrors).toEqual([]);
    await eventually(async () => ((await readSend(herald, res.send.id)).steps.filter((s: any) => s.state === 'WAITING_FOR_RETRY').length === 2 ? true : undefined), 15_000, 'second wait');
    const ids = new Set(herald.edna.received().filter((r) => (r.body as any)?.subscriberFilter?.address?.endsWith('0503')).map((r) => (r.body as any).requestId));
    expect(ids.size).toBe(firstIds.size + 1);
    const cancelled = await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${res.send.id}") { send { state message { status } thread { status } } userErrors { code } } }`);
    expect(cancelled.data.cancelSend).toMatchObject({ userErrors: [], send: { state: 'CANCELLED', message: { status: 'CANCELLED' }, thread: { status: 'CLOSED' } } });
    const again = await herald.gql('demo-agent-1', `mutation { retrySend(id: "${res.send.id}") { userErrors { code } } }`);
    expect(again.data.retrySend.userErrors).toEqual([{ code: 'INVALID_INPUT' }]);
    expect(await activeThreadOf(client)).toBeNull();
  });

  it('R20: a transient channel failure (edna error-system) waits for retrySend, and the new attempt is delivered', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0666'), ...text() });
    await eventually(async () => ((await readSend(herald, res.send.id)).steps.some((s: any) => s.state === 'WAITING_FOR_RETRY') ? true : undefined), 15_000, 'waiting for retry');
    const waiting = await readSend(herald, res.send.id);
    expect(waiting.message).toMatchObject({ status: 'SENT', failure: { code: 'PROVIDER_ERROR', providerCode: 'error-system' } });
    const firstProviderId = waiting.message.id;
    const retried = await herald.gql('demo-agent-1', `mutation { retrySend(id: "${res.send.id}") { userErrors { code } } }`);
    expect(retried.data.retrySend.userErrors).toEqual([]);
    const accepted = await eventually(async () => {
      const a = herald.edna.accepted().filter((x) => x.phone.endsWith('0666') && x.id !== firstProviderId);
      return a.length > 0 ? a : undefined;
    }, 10_000, 'second attempt');
    expect(accepted[0]!.id).not.toBe(firstProviderId);
  });

  // R20's failure once nobody retried within SEND_RETRY_WAIT: test/workflow/timers.test.ts, at the real 1 h.

  it('R20: a send the channel already has cannot be cancelled', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await scenarioClient('0000'), ...text() });
    await eventually(async () => ((await readSend(herald, res.send.id)).state === 'AWAITING_STATUS' ? true : undefined));
    const cancelled = await herald.gql('demo-agent-1', `mutation { cancelSend(id: "${res.send.id}") { userErrors { code message } } }`);
    expect(cancelled.data.cancelSend.userErrors).toMatchObject([{ code: 'INVALID_INPUT' }]);
  });
});

describe('the client writes in while the send is in flight', () => {
  it('R12: CLOSE then leaves the thread open for the reply instead of closing it under the client', async () => {
    const w = await herald.startWorker((a) => ({
      // Hold delivery long enough for the client to write in first.
      deliverMessage: async (input: Parameters<typeof a.deliverMessage>[0]) => { await new Promise((r) => setTimeout(r, 800)); return a.deliverMessage(input); },
    }));
    await herald.worker!.shutdown();
    try {
      const clientId = await scenarioClient('4321');
      const res = await send(herald, 'demo-agent-1', { clientId, ...text('WHATSAPP', { kind: 'CLOSE' }) });
      // The client writes in (through the API, as an integrator records it) while the message is on its way.
      const [{ phone }] = (await herald.db.db.select({ phone: clients.phone }).from(clients).where(eq(clients.id, clientId))) as [{ phone: string }];
      const inbound = await herald.gql('demo-integrator', 'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { userErrors { code } } }', { i: { channel: 'WHATSAPP', address: phone, text: 'Wait, one more thing' } });
      expect(inbound.data.recordInboundMessage.userErrors).toEqual([]);
      const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
      expect(done.thread.status).toBe('NEW');
      expect(done.steps.find((s: any) => s.name === 'dispose').detail).toMatch(/left open/);
    } finally {
      await w.shutdown();
    }
  });
});
