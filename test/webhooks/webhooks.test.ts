import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEvents } from '../../src/db/schema.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { startReceiver, type Receiver } from './receiver.js';
import type { HeraldWorker } from '../../src/app.js';

// R34 end to end: real endpoints (node:http servers) receive what a real Herald (dev server,
// sandboxes, worker with its dispatcher) sends when sends, messages and threads change.

let herald: TestHerald;
let receiver: Receiver;
let endpointId: string;
let secret: string;
let phoneSeq = 0;
let worker: HeraldWorker | null = null;

const ALL_EVENTS = ['SEND_STATE_CHANGED', 'MESSAGE_STATUS_CHANGED', 'MESSAGE_RECEIVED', 'THREAD_OPENED', 'THREAD_UPDATED', 'THREAD_CLOSED'];
const ENDPOINT = 'id url description events enabled createdBy { login } failingSince disabledAt disabledReason';
const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { ${ENDPOINT} } secret userErrors { code field message } } }`;
const DELIVERIES = `query($id: ID!, $first: Int, $filter: WebhookDeliveryFilter) { webhookDeliveries(endpointId: $id, first: $first, filter: $filter) {
  edges { node { id state attemptCount retryUntil deliveredAt event { id type wireType payload } attempts { at statusCode responseBody error durationMs } } }
  pageInfo { hasNextPage } } }`;

// The README's verification snippet, as a receiver would paste it.
function verifyHeraldSignature(rawBody: string, header: string, key: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=')));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = crypto.createHmac('sha256', key).update(`${t}.${rawBody}`).digest('hex');
  const given = Buffer.from(parts.v1 ?? '', 'utf8');
  return given.length === expected.length && crypto.timingSafeEqual(given, Buffer.from(expected, 'utf8'));
}

async function createEndpoint(token: string, input: Record<string, unknown>) {
  const res = await herald.gql(token, CREATE, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.createWebhookEndpoint;
}

async function freshClient(): Promise<string> {
  phoneSeq += 1;
  const id = await newClient(herald, `+49 152 ${String(4100000 + phoneSeq)}`, `Webhook client ${phoneSeq}`);
  await wroteInRecently(herald, id);
  return id;
}

/** The ids of a key's events in the order Herald recorded them. */
async function recordedOrder(orderingKey: string): Promise<string[]> {
  const rows = await herald.db.db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.orderingKey, orderingKey)).orderBy(asc(webhookEvents.seq));
  return rows.map((r) => r.id);
}

const ofSend = (sendId: string) => (e: { data: any }) => e.data.send?.id === sendId || e.data.message?.sendId === sendId;

async function sendAndFinish(clientId: string, text: string): Promise<string> {
  const res = await send(herald, 'demo-agent-1', { clientId, channel: 'WHATSAPP', text, disposition: { kind: 'CLOSE' } });
  expect(res.userErrors).toEqual([]);
  await sendReaches(herald, res.send.id, ['COMPLETED']);
  return res.send.id;
}

beforeAll(async () => {
  herald = await startTestHerald({ env: { WEBHOOK_RETRY_INITIAL_MS: '200', WEBHOOK_RETRY_MAX_MS: '1000', WEBHOOK_POLL_MS: '100' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await worker?.shutdown();
  await herald?.close();
  await receiver?.close();
});

describe('webhook endpoints (R34)', () => {
  it('R34: an admin makes an endpoint for chosen events; the signing secret is in that answer only', async () => {
    const made = await createEndpoint('demo-admin', { url: receiver.url, events: ALL_EVENTS, description: 'CRM' });
    expect(made.userErrors).toEqual([]);
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    expect(made.endpoint).toMatchObject({ url: receiver.url, description: 'CRM', events: ALL_EVENTS, enabled: true, createdBy: { login: 'admin' }, disabledAt: null });
    endpointId = made.endpoint.id;
    secret = made.secret;
    // Nowhere else: the endpoint has no secret field, and listing it shows none.
    const listed = await herald.gql('demo-admin', `{ webhookEndpoints(first: 10) { edges { node { ${ENDPOINT} } } } }`);
    expect(listed.errors).toBeUndefined();
    expect(JSON.stringify(listed.data)).not.toContain(secret);
    expect(listed.data.webhookEndpoints.edges.map((e: any) => e.node.id)).toContain(endpointId);
    const asked = await herald.gql('demo-admin', `{ webhookEndpoint(id: "${endpointId}") { secret } }`);
    expect(asked.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('R34: a URL that is not http(s), or no events, is INVALID_INPUT naming the field', async () => {
    for (const url of ['ftp://example.com/hook', 'javascript:alert(1)', 'not a url', 'file:///etc/passwd', '']) {
      const res = await createEndpoint('demo-admin', { url, events: ['SEND_STATE_CHANGED'] });
      expect(res.endpoint, url).toBeNull();
      expect(res.userErrors, url).toMatchObject([{ code: 'INVALID_INPUT', field: ['input', 'url'] }]);
    }
    const none = await createEndpoint('demo-admin', { url: receiver.url, events: [] });
    expect(none.userErrors).toMatchObject([{ code: 'INVALID_INPUT', field: ['input', 'events'] }]);
    const unknown = await herald.gql('demo-admin', CREATE, { input: { url: receiver.url, events: ['SEND_EXPLODED'] } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('R34: an agent or supervisor cannot make one; an integrator sees only its own, an admin every one of the stand', async () => {
    for (const token of ['demo-agent-1', 'demo-supervisor']) {
      const res = await herald.gql(token, CREATE, { input: { url: receiver.url, events: ['SEND_STATE_CHANGED'] } });
      expect(res.errors?.[0]?.extensions?.code, token).toBe('FORBIDDEN');
      const list = await herald.gql(token, '{ webhookEndpoints { edges { node { id } } } }');
      expect(list.errors?.[0]?.extensions?.code, token).toBe('FORBIDDEN');
    }
    const mine = await createEndpoint('demo-integrator', { url: 'https://crm.example.com/herald', events: ['SEND_STATE_CHANGED'] });
    expect(mine.userErrors).toEqual([]);
    expect(mine.endpoint.createdBy.login).toBe('integrator');
    // A second integrator, made by the admin.
    const other = await herald.gql('demo-admin', 'mutation { createAgent(login: "integrator2", name: "Other system", role: INTEGRATOR) { token userErrors { code } } }');
    const otherToken = other.data.createAgent.token as string;
    const seen = async (token: string) => (await herald.gql(token, '{ webhookEndpoints(first: 50) { edges { node { id } } } }')).data.webhookEndpoints.edges.map((e: any) => e.node.id);
    expect(await seen(otherToken)).toEqual([]);
    expect(await seen('demo-integrator')).toEqual([mine.endpoint.id]);
    expect(await seen('demo-admin')).toEqual(expect.arrayContaining([mine.endpoint.id, endpointId]));
    // Another's endpoint does not exist for it: not readable, not changeable, its deliveries not listed.
    expect((await herald.gql(otherToken, `{ webhookEndpoint(id: "${mine.endpoint.id}") { id } }`)).data.webhookEndpoint).toBeNull();
    const disable = await herald.gql(otherToken, `mutation { disableWebhookEndpoint(id: "${mine.endpoint.id}") { endpoint { id } userErrors { code } } }`);
    expect(disable.data.disableWebhookEndpoint.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
    const deliveries = await herald.gql(otherToken, DELIVERIES, { id: endpointId });
    expect(deliveries.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Its maker and the admin may; deleting it leaves the admin's own alone.
    const removed = await herald.gql('demo-integrator', `mutation { deleteWebhookEndpoint(id: "${mine.endpoint.id}") { deletedId userErrors { code } } }`);
    expect(removed.data.deleteWebhookEndpoint).toEqual({ deletedId: mine.endpoint.id, userErrors: [] });
  });
});

describe('events (R34)', () => {
  it('R34: a send\'s state changes and its message\'s statuses arrive signed, in the order they happened, each with a snapshot to act on', async () => {
    const clientId = await freshClient();
    const sendId = await sendAndFinish(clientId, `Your parcel ${Date.now()}`);
    const order = await eventually(async () => {
      const recorded = await recordedOrder(sendId);
      const got = receiver.accepted(ofSend(sendId));
      return recorded.length > 0 && got.length === recorded.length && got.some((e) => e.data.message?.status === 'READ') ? { recorded, got } : undefined;
    }, 20_000, 'the send\'s events');
    expect(order.got.map((e) => e.id)).toEqual(order.recorded);
    const states = order.got.filter((e) => e.type === 'send.state_changed').map((e) => e.data.send.state);
    expect(states.at(-1)).toBe('COMPLETED');
    expect(new Set(states).size).toBe(states.length); // a state is told once: a step alone is not news
    const statuses = order.got.filter((e) => e.type === 'message.status_changed').map((e) => e.data.message.status);
    expect(statuses).toEqual(expect.arrayContaining(['PENDING', 'SENT', 'DELIVERED', 'READ']));
    expect(statuses.indexOf('SENT')).toBeLessThan(statuses.indexOf('DELIVERED'));
    expect(statuses.indexOf('DELIVERED')).toBeLessThan(statuses.indexOf('READ'));
    const completed = order.got.find((e) => e.data.send?.state === 'COMPLETED')!;
    expect(completed.data.send).toMatchObject({ id: sendId, clientId, channel: 'WHATSAPP', errors: [] });
    expect(completed.data.send.message).toMatchObject({ status: expect.any(String), failure: null });
    // Every request is signed with the endpoint's secret over the exact body; a wrong secret or an edited body fails.
    const requests = receiver.received.filter((r) => ofSend(sendId)(r.event));
    for (const r of requests) {
      const header = String(r.headers['herald-signature']);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyHeraldSignature(r.body, header, secret)).toBe(true);
      expect(r.headers['herald-event-id']).toBe(r.event.id);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(verifyHeraldSignature(requests[0]!.body, String(requests[0]!.headers['herald-signature']), 'whsec_wrong')).toBe(false);
    expect(verifyHeraldSignature(requests[0]!.body.replace('WHATSAPP', 'VIBER'), String(requests[0]!.headers['herald-signature']), secret)).toBe(false);
  });

  it('R34: an inbound message arrives as message.received after the thread it opened, and the thread\'s close follows', async () => {
    const phone = `+36 30 77${String(Date.now()).slice(-5)}`;
    const res = await herald.gql('demo-integrator', `mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { message { id client { id } } thread { id } userErrors { code } } }`, {
      input: { channel: 'WHATSAPP', address: phone, text: 'Where is my order?', name: 'Writer' },
    });
    expect(res.errors).toBeUndefined();
    const { message, thread } = res.data.recordInboundMessage;
    const clientId = message.client.id as string;
    const closed = await herald.gql('demo-supervisor', `mutation { closeThread(id: "${thread.id}") { thread { status } userErrors { code } } }`);
    expect(closed.errors, JSON.stringify(closed.errors)).toBeUndefined();
    const got = await eventually(async () => {
      const events = receiver.accepted((e) => e.data.message?.clientId === clientId || e.data.thread?.clientId === clientId);
      return events.some((e) => e.type === 'thread.closed') ? events : undefined;
    }, 15_000, 'the inbound events');
    expect(got.map((e) => e.type)).toEqual(['thread.opened', 'message.received', 'thread.closed']);
    expect(got.map((e) => e.id)).toEqual(await recordedOrder(clientId));
    expect(got[1]!.data).toMatchObject({
      message: { id: message.id, clientId, threadId: thread.id, channel: 'WHATSAPP', direction: 'INBOUND', text: 'Where is my order?' },
      client: { id: clientId, name: 'Writer' },
    });
    expect(got[2]!.data.thread).toMatchObject({ id: thread.id, status: 'CLOSED', closedAt: expect.any(String) });
  });

  it('R34: a receiver answering 500 for a while gets every event once it recovers, in order per send; attempts and answers are listed', async () => {
    const flaky = await startReceiver();
    try {
      flaky.answer = 500;
      const made = await createEndpoint('demo-admin', { url: flaky.url, events: ['SEND_STATE_CHANGED', 'MESSAGE_STATUS_CHANGED'] });
      const clientA = await freshClient();
      const clientB = await freshClient();
      const [sendA, sendB] = await Promise.all([sendAndFinish(clientA, 'first while down'), sendAndFinish(clientB, 'second while down')]);
      await eventually(async () => (flaky.received.length >= 4 ? true : undefined), 10_000, 'failed attempts');
      // While it fails, each send's second event waits behind its first.
      const waiting = new Set(flaky.received.map((r) => r.event.id));
      expect(waiting.size).toBeLessThanOrEqual(2);
      flaky.answer = 200;
      for (const sendId of [sendA, sendB]) {
        const recorded = await eventually(async () => {
          const ids = await recordedOrder(sendId);
          const got = flaky.accepted(ofSend(sendId)).map((e) => e.id);
          return got.length === ids.length && got.length >= 5 ? { ids, got } : undefined;
        }, 30_000, `send ${sendId}'s events after recovery`);
        expect(recorded.got).toEqual(recorded.ids);
      }
      // Nothing delivered twice once answered 200 (each id answered 2xx once).
      const ok = flaky.received.filter((r) => r.answeredWith === 200).map((r) => r.event.id);
      expect(new Set(ok).size).toBe(ok.length);
      // The receiver has its 200 a moment before Herald has written the delivery DELIVERED.
      let deliveries: any[] = [];
      await eventually(async () => {
        const listed = await herald.gql('demo-admin', DELIVERIES, { id: made.endpoint.id, first: 50 });
        expect(listed.errors, JSON.stringify(listed.errors)).toBeUndefined();
        deliveries = listed.data.webhookDeliveries.edges.map((e: any) => e.node);
        return deliveries.every((d: any) => d.state === 'DELIVERED') ? true : undefined;
      }, 10_000, 'every delivery listed DELIVERED').catch((err: unknown) => {
        throw new Error(`${String(err)}: ${JSON.stringify(deliveries.map((d: any) => ({ state: d.state, type: d.event.type, attempts: d.attempts.length })))}`);
      });
      const retried = deliveries.find((d: any) => d.attempts.length > 1);
      expect(retried.attempts[0]).toMatchObject({ statusCode: 500, responseBody: 'receiver says 500', error: null });
      expect(retried.attempts.at(-1)).toMatchObject({ statusCode: 200, responseBody: 'ok' });
      expect(retried.attemptCount).toBe(retried.attempts.length);
      expect(retried.event.payload).toMatchObject({ id: retried.event.id, type: retried.event.wireType });
      const filtered = await herald.gql('demo-admin', DELIVERIES, { id: made.endpoint.id, first: 50, filter: { eventType: 'SEND_STATE_CHANGED' } });
      expect(filtered.data.webhookDeliveries.edges.every((e: any) => e.node.event.type === 'SEND_STATE_CHANGED')).toBe(true);
      await herald.gql('demo-admin', `mutation { deleteWebhookEndpoint(id: "${made.endpoint.id}") { deletedId } }`);
    } finally {
      await flaky.close();
    }
  });

  it('R34: redeliverWebhookEvent sends the same event (same id, same body) again and lists the new attempt', async () => {
    const listed = await herald.gql('demo-admin', DELIVERIES, { id: endpointId, first: 1, filter: { state: 'DELIVERED' } });
    const delivery = listed.data.webhookDeliveries.edges[0].node;
    const before = receiver.received.filter((r) => r.event.id === delivery.event.id);
    const res = await herald.gql('demo-admin', `mutation($id: ID!) { redeliverWebhookEvent(deliveryId: $id) { delivery { id state event { id } } userErrors { code } } }`, { id: delivery.id });
    expect(res.data.redeliverWebhookEvent).toMatchObject({ delivery: { id: delivery.id, state: 'PENDING', event: { id: delivery.event.id } }, userErrors: [] });
    const again = await eventually(async () => {
      const got = receiver.received.filter((r) => r.event.id === delivery.event.id);
      return got.length > before.length ? got.at(-1) : undefined;
    }, 10_000, 'the redelivery');
    expect(again.body).toBe(before[0]!.body);
    expect(again.headers['herald-delivery-attempt']).toBe(String(delivery.attemptCount + 1));
    const after = await eventually(async () => {
      const d = (await herald.gql('demo-admin', DELIVERIES, { id: endpointId, first: 50 })).data.webhookDeliveries.edges.map((e: any) => e.node).find((n: any) => n.id === delivery.id);
      return d.state === 'DELIVERED' ? d : undefined;
    }, 10_000, 'the redelivery recorded');
    expect(after.attempts).toHaveLength(delivery.attempts.length + 1);
    const unknown = await herald.gql('demo-admin', `mutation { redeliverWebhookEvent(deliveryId: "00000000-0000-0000-0000-000000000000") { delivery { id } userErrors { code } } }`);
    expect(unknown.data.redeliverWebhookEvent.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
  });

  it('R34: a crash between the change and the POST loses no event: with no worker the event waits in the outbox, and a new worker delivers it', async () => {
    await herald.worker!.shutdown();
    const phone = `+36 30 66${String(Date.now()).slice(-5)}`;
    const res = await herald.gql('demo-integrator', `mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { message { id client { id } } userErrors { code } } }`, {
      input: { channel: 'WHATSAPP', address: phone, text: 'anyone there?' },
    });
    const messageId = res.data.recordInboundMessage.message.id as string;
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received.some((r) => r.event.data.message?.id === messageId)).toBe(false);
    worker = await herald.startWorker();
    const got = await eventually(async () => receiver.accepted((e) => e.data.message?.id === messageId)[0], 15_000, 'the event after the restart');
    expect(got).toMatchObject({ type: 'message.received', data: { message: { text: 'anyone there?' } } });
  });

  it('R34: the status callbacks Herald receives are not its own events: a body Herald signed is refused at the provider webhook, and edna callbacks still move messages', async () => {
    const signedByHerald = receiver.received[0]!;
    const refused = await fetch(`${herald.baseUrl}/webhooks/edna/status`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'herald-signature': String(signedByHerald.headers['herald-signature']) }, body: signedByHerald.body,
    });
    expect([401, 403]).toContain(refused.status);
    // The new worker's sends still get their statuses from the edna sandbox's callbacks.
    const clientId = await freshClient();
    const sendId = await sendAndFinish(clientId, 'after the restart');
    await eventually(async () => (receiver.accepted(ofSend(sendId)).some((e) => e.data.message?.status === 'DELIVERED') ? true : undefined), 15_000, 'DELIVERED told');
  });

  it('R34: a campaign\'s progress arrives as campaign.updated, in order: started, then completed', async () => {
    const campaignReceiver = await startReceiver();
    try {
      const made = await createEndpoint('demo-integrator', { url: campaignReceiver.url, events: ['CAMPAIGN_UPDATED'] });
      expect(made.userErrors).toEqual([]);
      const clients = [await freshClient(), await freshClient()];
      const started = await herald.gql('demo-integrator', `mutation($input: StartCampaignInput!) { startCampaign(input: $input) { campaign { id } userErrors { code } } }`, {
        input: { name: 'Told', channel: 'WHATSAPP', text: 'told', ratePerSecond: 5, startAt: new Date(Date.now() + 1500).toISOString(), recipients: clients.map((clientId) => ({ clientId })) },
      });
      const id = started.data.startCampaign.campaign.id as string;
      const events = await eventually(async () => {
        const got = campaignReceiver.accepted((e) => e.data.campaign?.id === id);
        return got.some((e) => e.data.campaign.state === 'COMPLETED') ? got : undefined;
      }, 30_000, 'campaign.updated COMPLETED');
      expect(events.every((e) => e.type === 'campaign.updated')).toBe(true);
      expect(events.map((e) => e.data.campaign.state)).toEqual(['SCHEDULED', 'RUNNING', 'COMPLETED']);
      expect(events.map((e) => e.id)).toEqual(await recordedOrder(id));
      expect(events.at(-1)!.data.campaign).toMatchObject({ name: 'Told', recipientCount: 2, previousState: 'RUNNING' });
    } finally {
      await campaignReceiver.close();
    }
  });
});
