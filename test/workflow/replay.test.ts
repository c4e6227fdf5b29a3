import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { clients } from '../../src/db/schema.js';
import { stateQuery } from '../../src/sends/contract.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// Workflow code must replay the histories it (and its earlier versions) wrote: a change that
// would not is a nondeterminism error for every send in flight when it is deployed. Live histories
// are recorded from real sends here; RECORD_HISTORIES=<folder> also writes them to
// test/fixtures/histories/<folder> (one folder per version of the workflow: v1-first-version,
// v2-short-send, v3-send-later, v4-fallback, v5-campaigns-and-pacing, v6-state-when-ended, v7-outbound-send-v2 (the second workflow type, without patch markers) and v8-outbound-send-v3 (the third, statuses settled by local activities) and v9-eager-start (the same type started eagerly in embedded mode: no update in the history): the sends that version added or changed; ...), and every fixture under test/fixtures/histories is replayed on every run.

const FIXTURES = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const RECORD = process.env.RECORD_HISTORIES && process.env.RECORD_HISTORIES !== '0' ? process.env.RECORD_HISTORIES : null;
const CLOSE = { kind: 'CLOSE' };

// The SDK's `historyToJSON` / `historyFromJSON` (@temporalio/common/lib/proto-utils) throw
// "type must be a Type" in this install: npm put one copy of protobufjs 8 under @temporalio/common
// and another under @temporalio/proto (the root holds protobufjs 7 for @grpc/proto-loader), and
// common's protojson rejects the History type built by proto's copy. This is the same conversion
// (same type, same ProtoJSON, same formatting), through the protobufjs copy @temporalio/proto uses.
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
const requireHere = createRequire(import.meta.url);
const proto: typeof import('@temporalio/proto') = requireHere('@temporalio/proto');
const { patchProtobufRoot }: typeof import('@temporalio/proto/lib/patch-protobuf-root.js') = requireHere('@temporalio/proto/lib/patch-protobuf-root');
const protojson: ProtoJson = createRequire(requireHere.resolve('@temporalio/proto'))('protobufjs/ext/protojson');
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

function historyToJSON(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

function historyFromJSON(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

let herald: TestHerald;
// Sends held by quiet hours ask again every second (R33), so clearing them releases the send at once.
beforeAll(async () => { herald = await startTestHerald({ env: { PACE_RECHECK_SECONDS: '1' } }); });
afterAll(async () => { await herald?.close(); });

async function replay(histories: Array<HistoryAndWorkflowId & { name: string }>) {
  const results: Array<{ name: string; error: string | null }> = [];
  const names = new Map(histories.map((h) => [h.workflowId, h.name]));
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundle') }, replayName: 'herald-replay-test' }, histories)) {
    results.push({ name: names.get(result.workflowId) ?? result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
  }
  return results;
}

/** Waits for the workflow to close and returns its full history. */
async function historyOf(sendId: string) {
  const handle = herald.temporal.client.workflow.getHandle(sendId);
  await handle.result();
  return handle.fetchHistory();
}

describe('replay: send workflow histories (outboundSend, outboundSendV2, outboundSendV3)', () => {
  it('replay: recorded histories of live sends replay without nondeterminism', async () => {
    const recorded: Array<{ name: string; sendId: string }> = [];
    const anna = await clientId(herald, 'Anna');

    // Happy path: PENDING → SENT → DELIVERED → READ, thread closed.
    const happy = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'WHATSAPP', text: 'Your parcel is out for delivery.', disposition: CLOSE });
    expect(happy.userErrors).toEqual([]);
    expect((await sendReaches(herald, happy.send.id, ['COMPLETED'])).message.status).toBe('READ');
    recorded.push({ name: 'completed-read', sendId: happy.send.id });

    // Rejected at validation: nothing to send.
    const empty = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'WHATSAPP', text: '', disposition: CLOSE });
    expect(empty.send.state).toBe('REJECTED');
    expect(empty.userErrors.map((e: any) => e.code)).toContain('EMPTY_MESSAGE');
    recorded.push({ name: 'rejected-empty-message', sendId: empty.send.id });

    // Conflict: Fedor has an active WhatsApp thread (seed).
    const fedor = await clientId(herald, 'Fedor');
    const conflict = await send(herald, 'demo-agent-1', { clientId: fedor, channel: 'WHATSAPP', text: 'Hello again.', disposition: CLOSE });
    expect(conflict.send.state).toBe('CONFLICT');
    expect(conflict.userErrors.map((e: any) => e.code)).toContain('ACTIVE_THREAD_EXISTS');
    recorded.push({ name: 'conflict-active-thread', sendId: conflict.send.id });

    // Permanent failure: edna takes it, then reports not-whatsapp-user (sandbox scenario 0404).
    const notUser = await newClient(herald, '+7 916 000 0404', 'Not On Whatsapp');
    await wroteInRecently(herald, notUser);
    const failed = await send(herald, 'demo-agent-1', { clientId: notUser, channel: 'WHATSAPP', text: 'Can you read this?', disposition: CLOSE });
    expect(failed.userErrors).toEqual([]);
    const failedDone = await sendReaches(herald, failed.send.id, ['FAILED']);
    expect(failedDone.message.status).toBe('UNDELIVERED');
    recorded.push({ name: 'failed-not-channel-user', sendId: failed.send.id });

    // A fault that may pass (sandbox scenario 0666): the send waits for a retry and is cancelled.
    const flaky = await newClient(herald, '+7 916 000 0666', 'Flaky Channel');
    await wroteInRecently(herald, flaky);
    const transient = await send(herald, 'demo-agent-1', { clientId: flaky, channel: 'WHATSAPP', text: 'Third time lucky?', disposition: CLOSE });
    expect(transient.userErrors).toEqual([]);
    // Cancel only once it waits for a retry: while disposing, the workflow also reports
    // `cancellable` though the channel has the message, and a cancel there is lost.
    const handle = herald.temporal.client.workflow.getHandle(transient.send.id);
    await eventually(async () => ((await handle.query(stateQuery)).awaitingRetry ? true : undefined), 20_000, 'the send to wait for a retry');
    const cancelled = await herald.gql('demo-agent-1', 'mutation($id: ID!) { cancelSend(id: $id) { send { state } userErrors { code message } } }', { id: transient.send.id });
    expect(cancelled.data.cancelSend).toEqual({ send: { state: 'CANCELLED' }, userErrors: [] });
    expect((await sendReaches(herald, transient.send.id, ['CANCELLED'])).message.status).toBe('CANCELLED');
    recorded.push({ name: 'cancelled-awaiting-retry', sendId: transient.send.id });

    // Send later (R25): scheduled, due two seconds on, delivered; and one cancelled while it waits.
    const inTwoSeconds = new Date(Date.now() + 2000).toISOString();
    const later = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Hiro'), channel: 'VIBER', text: 'A reminder, as promised.', disposition: CLOSE, sendAt: inTwoSeconds });
    expect(later.send.state).toBe('SCHEDULED');
    const unwanted = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'EMAIL', text: 'Never mind.', sendAt: new Date(Date.now() + 600_000).toISOString() });
    expect(unwanted.send.state).toBe('SCHEDULED');
    const unscheduled = await herald.gql('demo-agent-1', 'mutation($id: ID!) { cancelSend(id: $id) { send { state } userErrors { code message } } }', { id: unwanted.send.id });
    expect(unscheduled.data.cancelSend).toEqual({ send: { state: 'CANCELLED' }, userErrors: [] });
    expect((await sendReaches(herald, later.send.id, ['COMPLETED'])).message.status).toBe('READ');
    recorded.push({ name: 'scheduled-completed', sendId: later.send.id }, { name: 'scheduled-cancelled', sendId: unwanted.send.id });

    // A fallback chain (R26): WhatsApp says the client is not a user (sandbox 0404), email goes next.
    const twoWays = await newClient(herald, '+7 916 111 0404', 'Two Ways');
    await wroteInRecently(herald, twoWays);
    await herald.db.db.update(clients).set({ email: 'two.ways@example.com' }).where(eq(clients.id, twoWays));
    const chained = await send(herald, 'demo-agent-1', { clientId: twoWays, channel: 'WHATSAPP', text: 'Your parcel is out.', disposition: CLOSE, fallback: [{ channel: 'EMAIL', text: 'Your parcel is out (by email).', subject: 'Parcel' }] });
    expect(chained.userErrors).toEqual([]);
    expect((await sendReaches(herald, chained.send.id, ['COMPLETED'])).message.status).toBe('SENT');
    recorded.push({ name: 'fallback-to-email', sendId: chained.send.id });

    // A scheduled send that falls due inside quiet hours (R33) waits, then goes once they are cleared.
    const quiet = (input: string) => herald.gql('demo-admin', `mutation { configureQuietHours(input: ${input}) { userErrors { code } } }`);
    const hour = (offset: number) => new Date(Date.now() + offset * 3600_000).toISOString().slice(11, 16);
    expect((await quiet(`{ timeZone: "UTC", start: "${hour(-1)}", end: "${hour(1)}" }`)).data.configureQuietHours.userErrors).toEqual([]);
    const held = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Hiro'), channel: 'VIBER', text: 'Held for the night.', disposition: CLOSE, sendAt: new Date(Date.now() + 500).toISOString() });
    expect(held.send.state).toBe('SCHEDULED');
    await new Promise((r) => setTimeout(r, 2500));
    await quiet('null');
    expect((await sendReaches(herald, held.send.id, ['COMPLETED'])).message.status).toBe('READ');
    recorded.push({ name: 'scheduled-held-by-quiet-hours', sendId: held.send.id });

    // A campaign (R30): two recipients, one skipped (Fedor's active thread), paused and resumed.
    const campaign = await herald.gql('demo-integrator', 'mutation($input: StartCampaignInput!) { startCampaign(input: $input) { campaign { id } userErrors { code } } }', {
      input: { name: 'Replayed', channel: 'WHATSAPP', text: 'A campaign message.', ratePerSecond: 1, recipients: [{ clientId: anna }, { clientId: fedor }, { clientId: notUser }] },
    });
    const campaignId = campaign.data.startCampaign.campaign.id as string;
    const steer = (name: string) => herald.gql('demo-integrator', `mutation { ${name}(id: "${campaignId}") { campaign { state } userErrors { code message } } }`);
    expect((await steer('pauseCampaign')).data.pauseCampaign.userErrors).toEqual([]);
    expect((await steer('resumeCampaign')).data.resumeCampaign.userErrors).toEqual([]);
    recorded.push({ name: 'campaign-paused-resumed', sendId: `campaign:${campaignId}` });

    const histories = await Promise.all(recorded.map(async ({ name, sendId }) => ({ name, workflowId: sendId, history: await historyOf(sendId) })));
    for (const h of histories) expect(h.history.events?.length, h.name).toBeGreaterThan(0);

    if (RECORD) {
      const into = path.join(FIXTURES, RECORD);
      fs.mkdirSync(into, { recursive: true });
      for (const { name, history } of histories) fs.writeFileSync(path.join(into, `${name}.json`), `${historyToJSON(history)}\n`);
    }

    expect(await replay(histories)).toEqual(histories.map(({ name }) => ({ name, error: null })));
  }, 120_000);

  it('replay: committed histories in test/fixtures/histories replay without nondeterminism', async () => {
    const files = fs.existsSync(FIXTURES) ? (fs.readdirSync(FIXTURES, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort() : [];
    expect(files.length, `no fixtures in ${FIXTURES}; record them with RECORD_HISTORIES=<version folder>`).toBeGreaterThan(0);
    // Every version of the workflow that ever ran is here: a change that breaks one breaks sends in flight.
    expect(new Set(files.map((f) => path.dirname(f)))).toEqual(new Set(['v1-first-version', 'v2-short-send', 'v3-send-later', 'v4-fallback', 'v5-campaigns-and-pacing', 'v6-state-when-ended', 'v7-outbound-send-v2', 'v8-outbound-send-v3', 'v9-eager-start']));
    const histories = files.map((file) => ({
      name: file,
      workflowId: `fixture:${file}`,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'))),
    }));
    expect(await replay(histories)).toEqual(files.map((name) => ({ name, error: null })));
  }, 60_000);
});
