import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/webhooks/dispatcher.js';
import { signatureHeader, verifySignature } from '../../src/webhooks/signature.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { startReceiver, type Receiver } from './receiver.js';

// R34 with the periods shortened (seconds instead of 24 hours and 3 days): a delivery whose
// attempts keep failing is given up when its retry period is over, and an endpoint whose every
// attempt has failed for the failure period is disabled, with an event to the stand's others.

let herald: TestHerald;
let down: Receiver;
let watcher: Receiver;

beforeAll(async () => {
  herald = await startTestHerald({
    env: { WEBHOOK_RETRY_INITIAL_MS: '100', WEBHOOK_RETRY_MAX_MS: '300', WEBHOOK_RETRY_FOR_SECONDS: '1', WEBHOOK_DISABLE_AFTER_SECONDS: '2.5', WEBHOOK_POLL_MS: '100' },
  });
  down = await startReceiver();
  down.answer = 503;
  watcher = await startReceiver();
});
afterAll(async () => {
  await herald?.close();
  await down?.close();
  await watcher?.close();
});

const CREATE = 'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } userErrors { code } } }';
const ENDPOINT = 'query($id: ID!) { webhookEndpoint(id: $id) { id enabled failingSince disabledAt disabledReason } }';

async function inbound(text: string) {
  const res = await herald.gql('demo-integrator', 'mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) { message { id } userErrors { code } } }', {
    input: { channel: 'WHATSAPP', address: `+36 30 55${String(Date.now()).slice(-5)}`, text },
  });
  expect(res.errors).toBeUndefined();
  return res.data.recordInboundMessage.message.id as string;
}

describe('failing endpoints (R34)', () => {
  it('R34: a delivery failing past its retry period is FAILED; an endpoint failing for the whole failure period is disabled, with webhook_endpoint.disabled to the others', async () => {
    const failing = (await herald.gql('demo-admin', CREATE, { input: { url: down.url, events: ['MESSAGE_RECEIVED'] } })).data.createWebhookEndpoint.endpoint.id as string;
    const other = (await herald.gql('demo-admin', CREATE, { input: { url: watcher.url, events: ['WEBHOOK_ENDPOINT_DISABLED'] } })).data.createWebhookEndpoint.endpoint.id as string;
    await inbound('first, never answered');
    // Tried with backoff for the retry period (1 s), then given up.
    const given = await eventually(async () => {
      const res = await herald.gql('demo-admin', `{ webhookDeliveries(endpointId: "${failing}", first: 5) { edges { node { state attempts { statusCode } } } } }`);
      const d = res.data.webhookDeliveries.edges[0]?.node;
      return d?.state === 'FAILED' ? d : undefined;
    }, 10_000, 'the delivery to be given up');
    expect(given.attempts.length).toBeGreaterThan(1);
    expect(given.attempts.every((a: any) => a.statusCode === 503)).toBe(true);
    const failingSince = (await herald.gql('demo-admin', ENDPOINT, { id: failing })).data.webhookEndpoint.failingSince;
    expect(failingSince).not.toBeNull();
    expect((await herald.gql('demo-admin', ENDPOINT, { id: failing })).data.webhookEndpoint.enabled).toBe(true);
    // Still failing past the failure period (2.5 s since the first failure): disabled at its next failure.
    await new Promise((r) => setTimeout(r, 1600));
    await inbound('second, after the failure period');
    const disabled = await eventually(async () => {
      const e = (await herald.gql('demo-admin', ENDPOINT, { id: failing })).data.webhookEndpoint;
      return e.enabled ? undefined : e;
    }, 10_000, 'the endpoint to be disabled');
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'FAILING', disabledAt: expect.any(String), failingSince });
    const told = await eventually(async () => watcher.accepted((e) => e.type === 'webhook_endpoint.disabled')[0], 10_000, 'webhook_endpoint.disabled');
    expect(told.data.endpoint).toMatchObject({ id: failing, url: down.url, reason: 'FAILING' });
    // Disabled: nothing more is tried, and new events are not recorded for it.
    const attemptsSoFar = down.received.length;
    await inbound('third, while disabled');
    await new Promise((r) => setTimeout(r, 800));
    expect(down.received.length).toBe(attemptsSoFar);
    // Enabled again (its failure clock starts over) and answering: the next event arrives.
    down.answer = 200;
    const enabled = await herald.gql('demo-admin', `mutation { enableWebhookEndpoint(id: "${failing}") { endpoint { enabled failingSince disabledAt disabledReason } userErrors { code } } }`);
    expect(enabled.data.enableWebhookEndpoint).toEqual({ endpoint: { enabled: true, failingSince: null, disabledAt: null, disabledReason: null }, userErrors: [] });
    const id = await inbound('fourth, after enabling');
    await eventually(async () => down.accepted((e) => e.data.message?.id === id)[0], 10_000, 'the event after enabling');
    expect(other).toBeTruthy();
  });

  it('R34: signatures and backoff: the header verifies only with the secret, body and time it was made for; waits double up to the longest, with jitter', () => {
    const body = '{"id":"e1","type":"send.state_changed"}';
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader('whsec_a', body, now);
    expect(verifySignature('whsec_a', body, header)).toBe(true);
    expect(verifySignature('whsec_b', body, header)).toBe(false);
    expect(verifySignature('whsec_a', `${body} `, header)).toBe(false);
    expect(verifySignature('whsec_a', body, signatureHeader('whsec_a', body, now - 301))).toBe(false);
    expect(verifySignature('whsec_a', body, 'v1=abc')).toBe(false);
    const settings = { retryInitialMs: 10_000, retryMaxMs: 3_600_000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, settings, () => 0.5))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(40, settings, () => 0.5)).toBe(3_600_000);
    expect(backoffMs(1, settings, () => 0)).toBe(8_000);
    expect(backoffMs(1, settings, () => 1)).toBe(12_000);
  });
});
