import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeraldWorker } from '../../src/app.js';
import { sends, threads } from '../../src/db/schema.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { SEND_FIELDS, clientId, newClient, readSend, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// Inputs that used to pass validation and then fail in the database (a send that never answered
// and retried forever), and steps of Herald's own that fail for good: each is refused at the door
// or ends the send with a reason, quickly, and leaves nothing held.

let herald: TestHerald;
const workers: HeraldWorker[] = [];
beforeAll(async () => { herald = await startTestHerald({ worker: false, env: { SEND_ANSWER_TIMEOUT_SECONDS: '2' } }); });
afterAll(async () => {
  await Promise.all(workers.map((w) => w.shutdown().catch(() => undefined)));
  await herald?.close();
});

async function withWorker<T>(override: Parameters<TestHerald['startWorker']>[0], body: () => Promise<T>): Promise<T> {
  const worker = await herald.startWorker(override);
  workers.push(worker);
  try {
    return await body();
  } finally {
    await worker.shutdown();
  }
}

const SEND_MUTATION = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${SEND_FIELDS} } }`;

async function activeThread(client: string) {
  const res = await herald.gql('demo-supervisor', `{ client(id: "${client}") { activeThread { id status } } }`);
  return res.data.client.activeThread;
}

describe('the door: what can never be stored is refused before anything runs', () => {
  it('NUL bytes, lone surrogates and empty ids in a send are INVALID_INPUT naming the field, at once, and nothing is recorded', async () => {
    const anna = await clientId(herald, 'Anna');
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['text with NUL', { channel: 'WHATSAPP', text: 'hello\u0000world', disposition: { kind: 'CLOSE' } }, ['input', 'text']],
      ['subject with NUL', { channel: 'EMAIL', text: 'hi', subject: 'Re\u0000: order' }, ['input', 'subject']],
      ['empty attachmentId', { channel: 'WHATSAPP', attachmentId: '', disposition: { kind: 'CLOSE' } }, ['input', 'attachmentId']],
      ['bcc with NUL', { channel: 'EMAIL', text: 'hi', bcc: ['a@b.cd', 'x\u0000@y.zz'] }, ['input', 'bcc', '1']],
      ['bcc with a lone surrogate', { channel: 'EMAIL', text: 'hi', bcc: ['\ud800@y.zz'] }, ['input', 'bcc', '0']],
      ['text longer than any channel takes', { channel: 'EMAIL', text: 'x'.repeat(100_001) }, ['input', 'text']],
    ];
    for (const [what, input, field] of cases) {
      const requestId = `door-${what.replace(/\W+/g, '-')}`;
      const started = Date.now();
      const res = await herald.gql('demo-agent-1', SEND_MUTATION, { input: { clientId: anna, requestId, ...input } });
      expect(Date.now() - started, what).toBeLessThan(1_500);
      expect(res.status, what).toBe(400);
      expect(res.errors?.[0]?.extensions, what).toMatchObject({ code: 'INVALID_INPUT', field });
      expect(res.errors?.[0]?.message, what).toMatch(new RegExp(field.join('\\.')));
      const rows = await herald.db.db.select().from(sends).where(sql`${sends.requestId} = ${requestId}`);
      expect(rows, what).toEqual([]);
    }
  });

  it('a literal argument is checked like a variable, and a name over its limit breaks no index', async () => {
    const literal = await herald.gql('demo-admin', `mutation { upsertClient(input: { name: "${'N'.repeat(3_000)}" }) { client { id } userErrors { code } } }`);
    expect(literal.status).toBe(400);
    expect(literal.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'name'] });
    const atLimit = await herald.gql('demo-admin', 'mutation($i: ClientInput!) { upsertClient(input: $i) { client { name } userErrors { code } } }', { i: { name: 'N'.repeat(200) } });
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data.upsertClient.client.name).toHaveLength(200);
  });

  it('dates outside 1970–9999 are INVALID_INPUT, not SYSTEM_ERROR', async () => {
    for (const from of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '+010000-01-01T00:00:00Z']) {
      const res = await herald.gql('demo-supervisor', 'query($f: SendFilter) { sends(filter: $f) { edges { cursor } } }', { f: { from } });
      expect(res.errors?.[0]?.extensions?.code, from).toBe('INVALID_INPUT');
    }
    const ok = await herald.gql('demo-supervisor', 'query($f: SendFilter) { sends(filter: $f) { edges { cursor } } }', { f: { from: '1970-01-01T00:00:00Z' } });
    expect(ok.errors).toBeUndefined();
  });

  it('webhook bodies go through the same door: a NUL byte or an over-long string is a 400, never a 500', async () => {
    const headers = { 'content-type': 'application/json', [herald.config.edna.webhookHeader]: herald.config.edna.webhookSecret };
    const status = await fetch(`${herald.baseUrl}/webhooks/edna/status`, { method: 'POST', headers, body: JSON.stringify({ requestId: 'abc\u0000def', status: 'DELIVERED' }) });
    expect(status.status).toBe(400);
    expect(await status.text()).toMatch(/NUL/);
    const inbound = await fetch(`${herald.baseUrl}/webhooks/edna/inbound`, {
      method: 'POST', headers, body: JSON.stringify({ channelType: 'WHATSAPP', subscriber: { identifier: '79160000001' }, userInfo: { firstName: 'x'.repeat(5_000) }, messageContent: { type: 'TEXT', text: 'hi' } }),
    });
    expect(inbound.status).toBe(400);
  });

  it('a subscription argument goes through the door too', async () => {
    const client = connect(herald.baseUrl, 'demo-agent-1');
    try {
      const sub = subscribe(client, 'subscription($id: ID!) { sendUpdated(id: $id) { id } }', { id: '' });
      await eventually(async () => (sub.errors.length > 0 ? true : undefined), 5_000, 'the refusal');
      expect(JSON.stringify(sub.errors)).toMatch(/INVALID_INPUT/);
    } finally {
      await client.dispose();
    }
  });
});

describe('bounded failure inside a send', () => {
  it("a step of Herald's own that the database refuses ends the send FAILED at once with the reason, answers SYSTEM_ERROR and holds no thread", async () => {
    const client = await newClient(herald, '+7 916 000 3131', 'Refused Record');
    await wroteInRecently(herald, client);
    await withWorker(() => ({
      // A real statement the database refuses (division by zero, SQLSTATE 22012), where reserve would write.
      acceptSend: async () => { await herald.db.db.execute(sql`select 1/0`); throw new Error('unreachable'); },
    }), async () => {
      const started = Date.now();
      const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Never stored.', disposition: { kind: 'CLOSE' } });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(res.userErrors).toMatchObject([{ code: 'SYSTEM_ERROR' }]);
      expect(res.userErrors[0].message).toMatch(/acceptSend failed.*division by zero.*Nothing was sent/);
      const done = await sendReaches(herald, res.send.id, ['FAILED'], 10_000);
      expect(done.steps.at(-1)).toMatchObject({ name: 'fail', state: 'FAILED' });
      expect(done.steps.at(-1).detail).toMatch(/division by zero/);
      expect(await activeThread(client)).toBeNull();
      expect(herald.edna.accepted()).not.toContainEqual(expect.objectContaining({ text: 'Never stored.' }));
    });
  });

  it('a step that fails for good after the channel took the message keeps the message as it went out, ends the send FAILED and releases the thread', async () => {
    const client = await newClient(herald, '+7 916 000 3132', 'Refused Disposition');
    await wroteInRecently(herald, client);
    await withWorker((real) => ({
      // The channel takes the message and SENT is written; then the disposition's statement is refused.
      deliverMessage: async (input) => {
        await real.deliverMessage({ ...input, then: undefined });
        await herald.db.db.execute(sql`select 'not a number'::int`);
        throw new Error('unreachable');
      },
    }), async () => {
      const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Out, then the disposition fails.', disposition: { kind: 'ASSIGN_TO_ME' } });
      expect(res.userErrors).toEqual([]);
      const done = await sendReaches(herald, res.send.id, ['FAILED'], 10_000);
      expect(done.message.status).not.toBe('FAILED');
      expect(['SENT', 'DELIVERED', 'READ']).toContain(done.message.status);
      expect(done.steps.at(-1)).toMatchObject({ name: 'fail', state: 'FAILED' });
      expect(done.steps.at(-1).detail).toMatch(/deliverMessage failed.*invalid input syntax/);
      expect(done.thread.status).toBe('CLOSED');
      expect(await activeThread(client)).toBeNull();
      const [thread] = await herald.db.db.select().from(threads).where(sql`${threads.id} = ${done.thread.id}`);
      expect(thread!.closeReason).toMatch(/released/);
    });
  });

  it('no worker: sendMessage answers SYSTEM_ERROR naming the requestId within the answer deadline; once a worker runs the send completes, and the same requestId returns it', async () => {
    const client = await newClient(herald, '+7 916 000 3133', 'Nobody Polls');
    await wroteInRecently(herald, client);
    const input = { requestId: 'no-worker-yet', clientId: client, channel: 'WHATSAPP', text: 'Sent once a worker comes.', disposition: { kind: 'CLOSE' } };
    const started = Date.now();
    const first = await send(herald, 'demo-agent-1', input);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(4_000);
    expect(first.send).toBeNull();
    expect(first.userErrors).toMatchObject([{ code: 'SYSTEM_ERROR', field: ['requestId'] }]);
    expect(first.userErrors[0].message).toContain('no-worker-yet');
    await withWorker(undefined, async () => {
      const again = await send(herald, 'demo-agent-1', input);
      expect(again.userErrors).toEqual([]);
      const done = await sendReaches(herald, again.send.id, ['COMPLETED'], 30_000);
      expect(done.message.status).toBe('READ');
      expect(herald.edna.accepted().filter((a) => a.text === 'Sent once a worker comes.')).toHaveLength(1);
      expect((await readSend(herald, again.send.id)).requestId).toBe('no-worker-yet');
    });
  }, 60_000);

  it('R21: a caller who gave no requestId gets the one Herald chose with SYSTEM_ERROR, and asking again with it sends once', async () => {
    const client = await newClient(herald, '+7 916 000 3134', 'Nobody Polls Either');
    await wroteInRecently(herald, client);
    const input = { clientId: client, channel: 'WHATSAPP', text: 'Asked again with the key Herald chose.', disposition: { kind: 'CLOSE' } };
    const first = await send(herald, 'demo-agent-1', input);
    expect(first.send).toBeNull();
    expect(first.userErrors).toMatchObject([{ code: 'SYSTEM_ERROR', field: ['requestId'] }]);
    expect(first.requestId).toEqual(expect.any(String));
    expect(first.userErrors[0].message).toContain(first.requestId);
    await withWorker(undefined, async () => {
      const again = await send(herald, 'demo-agent-1', { ...input, requestId: first.requestId });
      expect(again.userErrors).toEqual([]);
      expect(again.requestId).toBe(first.requestId);
      const done = await sendReaches(herald, again.send.id, ['COMPLETED'], 30_000);
      expect(done.requestId).toBe(first.requestId);
      expect(herald.edna.accepted().filter((a) => a.text === 'Asked again with the key Herald chose.')).toHaveLength(1);
    });
  }, 60_000);
});
