import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { bootstrapData, startHeraldWorker, type HeraldWorker } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { agents, clientChannels, clients, messages, sends, threads } from '../../src/db/schema.js';
import { SendClient } from '../../src/sends/client.js';
import { OUTBOUND_SEND_WORKFLOW, SEARCH_ATTRIBUTES, acceptedUpdate, type OutboundSendInput } from '../../src/sends/contract.js';
import { temporal } from '@temporalio/proto';
import { sendIdFor, type SendRequest } from '../../src/domain/send.js';
import { TIME_SKIPPING_SERVER, locateTool } from '../../src/temporal/cli.js';
import { startEdnaSandbox, type EdnaSandbox } from '../../sandbox/edna/server.js';
import { TOOLS_DIR } from '../support/globalSetup.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

// The timer rules at their real lengths, in milliseconds: the send's workflow and its real
// activities (database, edna sandbox over HTTP) on Temporal's time-skipping test server, which
// jumps over a timer whenever every workflow is waiting. SEND_STATUS_TIMEOUT (24 h) and
// SEND_RETRY_WAIT (1 h) keep their defaults here; waiting for them in wall-clock time would take a day.

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let edna: EdnaSandbox;
let worker: HeraldWorker;
let config: Config;
let agentId: string;
let standId: string;

beforeAll(async () => {
  const server = await locateTool(TIME_SKIPPING_SERVER, { explicit: process.env.TEMPORAL_TEST_SERVER_PATH, toolsDir: TOOLS_DIR, log: (l) => console.log(`[tests] ${l}`) });
  if (server.type !== 'existing-path') throw new Error('the time-skipping server is provisioned from PyPI, never downloaded here');
  [env, db, edna] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: server.path } } }),
    openTestDatabase(),
    startEdnaSandbox({ apiKey: 'sandbox-api-key', webhookSecret: 'sandbox-webhook-secret', webhookHeader: 'X-API-KEY', delaysMs: { sent: 0, delivered: 0, read: 0 } }),
  ]);
  // The test server knows no custom search attributes until they are added.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  config = loadConfig({
    DATA_DIR: path.join(os.tmpdir(), `herald-timers-${process.pid}`),
    EDNA_BASE_URL: edna.url,
    HERALD_DEMO: 'true',
    DATABASE_URL: '',
    TEMPORAL_TASK_QUEUE: `herald-timers-${randomBytes(4).toString('hex')}`,
    // The real defaults for the timers under test: 24 h for a status, 1 h for a retry.
    SEND_DELIVERY_ATTEMPTS: '2',
    SEND_RETRY_INITIAL_MS: '100',
  });
  ({ standId } = await bootstrapData(db.db, config));
  agentId = (await db.db.select().from(agents).where(eq(agents.login, 'agent1')))[0]!.id;
  worker = await startHeraldWorker(config, db.db, env.connection.options.address, { workflowBundlePath: inject('workflowBundle') });
}, 120_000);

afterAll(async () => {
  await worker?.shutdown();
  await edna?.close();
  await env?.teardown();
  await db?.drop();
});

/** A client with a WhatsApp number ending in `suffix` (the sandbox's scenario) who wrote in just now. */
async function clientEnding(suffix: string): Promise<string> {
  const [client] = await db.db.insert(clients).values({ standId, name: `Timer ${suffix}`, phone: `7916${100 + (randomBytes(2).readUInt16BE() % 900)}${suffix}` }).returning();
  await db.db.insert(clientChannels).values({ clientId: client!.id, channel: 'WHATSAPP', lastInboundAt: new Date() });
  return client!.id;
}

async function sendWhatsApp(clientId: string) {
  const requestId = randomUUID();
  const request: SendRequest = {
    sendId: sendIdFor(agentId, requestId), requestId, requestedById: agentId, agentId, clientId, channel: 'WHATSAPP',
    text: 'Waiting on a timer.', disposition: { kind: 'CLOSE' },
  };
  const input: OutboundSendInput = { request, timing: new SendClient(env.client, config).timing() };
  const handle = await env.client.workflow.start(OUTBOUND_SEND_WORKFLOW, { workflowId: request.sendId, taskQueue: config.temporal.taskQueue, args: [input] });
  const answer = await handle.executeUpdate(acceptedUpdate);
  expect(answer.errors).toEqual([]);
  return { handle, sendId: request.sendId, messageId: answer.messageId! };
}

describe('timers at their real lengths (time-skipping server)', () => {
  it('R19: a message with no callback at all ends EXPIRED after SEND_STATUS_TIMEOUT (24 h by default), its thread released', async () => {
    expect(config.sends.statusTimeoutSeconds).toBe(24 * 60 * 60);
    const { handle, sendId, messageId } = await sendWhatsApp(await clientEnding('0000'));
    const started = Date.now();
    const before = await env.currentTimeMs();
    const snapshot = await handle.result();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await env.currentTimeMs() - before).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    expect(snapshot).toMatchObject({ state: 'FAILED', messageStatus: 'EXPIRED' });
    const [message] = await db.db.select().from(messages).where(eq(messages.id, messageId));
    expect(message).toMatchObject({ status: 'EXPIRED', failureCode: 'EXPIRED' });
    const [thread] = await db.db.select().from(threads).where(eq(threads.id, message!.threadId!));
    expect(thread!.status).toBe('CLOSED');
    const [row] = await db.db.select().from(sends).where(eq(sends.id, sendId));
    expect(row!.state).toBe('FAILED');
  }, 60_000);

  it('R20: a channel that keeps failing waits SEND_RETRY_WAIT (1 h by default) for retrySend, then fails with PROVIDER_ERROR and releases the thread', async () => {
    expect(config.sends.retryWaitSeconds).toBe(60 * 60);
    const { handle, messageId } = await sendWhatsApp(await clientEnding('0503'));
    const before = await env.currentTimeMs();
    const snapshot = await handle.result();
    expect(await env.currentTimeMs() - before).toBeGreaterThanOrEqual(60 * 60 * 1000);
    expect(snapshot).toMatchObject({ state: 'FAILED', messageStatus: 'FAILED' });
    const [message] = await db.db.select().from(messages).where(eq(messages.id, messageId));
    expect(message).toMatchObject({ status: 'FAILED', failureCode: 'PROVIDER_ERROR' });
    const [thread] = await db.db.select().from(threads).where(eq(threads.id, message!.threadId!));
    expect(thread!.status).toBe('CLOSED');
    // Two automatic tries reached the channel, no more: then the send waited for a person.
    expect(edna.received().filter((r) => (r.body as { requestId?: string } | null)?.requestId === messageId)).toHaveLength(2);
  }, 60_000);
});
