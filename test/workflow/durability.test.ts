import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeraldWorker } from '../../src/app.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// R20/R21: a send outlives the worker that started it. The API and the workers are separate: a
// send waits for a worker, and a worker that dies mid-send leaves the rest to the next one without
// delivering twice.

let herald: TestHerald;
beforeAll(async () => { herald = await startTestHerald({ worker: false }); });
afterAll(async () => { await herald?.close(); });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

/** The provider requests edna received for one message (cascade: requestId; template: messageId). */
function ednaRequestsFor(messageId: string) {
  return herald.edna.received().filter((r) => {
    const body = r.body as { requestId?: unknown; messageId?: unknown } | null;
    return body?.requestId === messageId || body?.messageId === messageId;
  });
}

describe('durability: workers come and go, sends go on', () => {
  it('R21: a worker stopped after delivery and before disposition; a new worker finishes the send and edna holds exactly one request for it', async () => {
    const anna = await clientId(herald, 'Anna');
    const reachedDispose = deferred();
    let disposeCallsOnA = 0;
    const workers: HeraldWorker[] = [];
    try {
      // Worker A delivers (the channel takes it, SENT is written), then dies before the
      // disposition; the retry comes a moment later, when A is gone.
      const workerA = await herald.startWorker((real) => ({
        deliverMessage: async (input) => {
          disposeCallsOnA += 1;
          await real.deliverMessage({ ...input, then: undefined });
          reachedDispose.resolve();
          throw ApplicationFailure.create({ message: 'worker A dies here', nextRetryDelay: '2 seconds' });
        },
      }));
      workers.push(workerA);
      const res = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'WHATSAPP', text: 'We have found your order.', disposition: { kind: 'ASSIGN_TO_ME' } });
      expect(res.userErrors).toEqual([]);
      const messageId: string = res.send.message.id;
      await reachedDispose.promise;
      await workerA.shutdown();
      expect(disposeCallsOnA).toBeGreaterThanOrEqual(1);

      // At this point edna has the message once, and the thread is not yet disposed.
      expect(herald.edna.accepted().filter((a) => a.id === messageId)).toHaveLength(1);

      const workerB = await herald.startWorker();
      workers.push(workerB);
      const done = await sendReaches(herald, res.send.id, ['COMPLETED'], 45_000);
      expect(done.message.status).toBe('READ');
      expect(done.thread).toMatchObject({ status: 'WAITING', assignee: { login: 'agent1' } });
      expect(done.steps.filter((s: any) => s.name === 'deliver').map((s: any) => s.state)).toEqual(['ACCEPTED']);
      expect(done.steps.filter((s: any) => s.name === 'dispose').map((s: any) => s.state)).toEqual(['ASSIGN_TO_ME']);
      const accepted = herald.edna.accepted().filter((a) => a.id === messageId);
      expect(accepted).toHaveLength(1);
      expect(accepted[0]).toMatchObject({ channel: 'WHATSAPP', phone: '79161234501', text: 'We have found your order.' });
      expect(ednaRequestsFor(messageId)).toHaveLength(1);
    } finally {
      // Leave the file without a running worker, whatever order the tests run in.
      await Promise.all(workers.map((w) => w.shutdown().catch(() => undefined)));
    }
  }, 90_000);

  it('R20: the API answers while no worker runs, and the send completes when one starts', async () => {
    const id = await newClient(herald, '+7 916 000 2020', 'Worker Less');
    await wroteInRecently(herald, id);
    let settled = false;
    const pending = send(herald, 'demo-agent-2', { clientId: id, channel: 'WHATSAPP', text: 'Sent while no worker ran.', disposition: { kind: 'CLOSE' } })
      .finally(() => { settled = true; });
    pending.catch(() => undefined); // awaited below; keeps an early failure from going unhandled

    // No worker: the send waits for one, and the rest of the API keeps answering meanwhile.
    await new Promise((r) => setTimeout(r, 1_000));
    const started = Date.now();
    const search = await herald.gql('demo-agent-2', 'query($q: String!) { searchClients(query: $q) { id } }', { q: 'Worker Less' });
    expect(search.errors).toBeUndefined();
    expect(search.data.searchClients.map((c: { id: string }) => c.id)).toContain(id);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(settled).toBe(false);

    const worker = await herald.startWorker();
    try {
      const res = await pending;
      expect(res.userErrors).toEqual([]);
      // Reserved when answered; the read of its record may already see the delivery's progress.
      expect(['DELIVERING', 'AWAITING_STATUS', 'COMPLETED']).toContain(res.send.state);
      const done = await sendReaches(herald, res.send.id, ['COMPLETED'], 30_000);
      expect(done.message.status).toBe('READ');
      expect(done.thread.status).toBe('CLOSED');
      expect(ednaRequestsFor(res.send.message.id)).toHaveLength(1);
    } finally {
      await worker.shutdown();
    }
  }, 90_000);
  it('R21: the settle that made the message READ committed and its answer was lost; the retry finds it READ and the send still completes', async () => {
    // Found by npm run chaos: a worker killed (or PostgreSQL restarted) between the commit and the
    // answer left the send AWAITING_STATUS for good, its message READ.
    const id = await newClient(herald, '+7 916 000 2121', 'Lost Answer');
    await wroteInRecently(herald, id);
    let lost = 0;
    const worker = await herald.startWorker((real) => ({
      settleMessage: async (outcome) => {
        const result = await real.settleMessage(outcome);
        if (result.changed && result.status === 'READ' && lost === 0) {
          lost += 1;
          throw new Error('the worker died after the commit');
        }
        return result;
      },
    }));
    try {
      const res = await send(herald, 'demo-agent-2', { clientId: id, channel: 'WHATSAPP', text: 'Read, answer lost.', disposition: { kind: 'CLOSE' } });
      expect(res.userErrors).toEqual([]);
      const done = await sendReaches(herald, res.send.id, ['COMPLETED'], 30_000);
      expect(lost).toBe(1);
      expect(done.message.status).toBe('READ');
      expect(done.steps.at(-1)).toMatchObject({ name: 'complete', state: 'READ' });
    } finally {
      await worker.shutdown();
    }
  }, 60_000);
});
