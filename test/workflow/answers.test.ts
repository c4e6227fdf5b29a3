import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { DATA_ERROR } from '../../src/sends/contract.js';
import { LocalAnswers, answeringLocally } from '../../src/sends/localAnswers.js';
import type { SendRequest } from '../../src/domain/send.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// A send started in the API's own process is answered by that process's worker (eager start,
// src/sends/localAnswers.ts); whatever that path cannot answer, the workflow's update does.

const request = (sendId: string) => ({ sendId }) as SendRequest;
const DELIVERING = { state: 'DELIVERING', errors: [], messageId: 'm1', threadId: 't1', conflictThreadId: null };

describe('answers heard in this process', () => {
  it('every request waiting for a send hears its answer, once; nothing stays behind', async () => {
    const answers = new LocalAnswers();
    const first = answers.expect('s1');
    const second = answers.expect('s1');
    const other = answers.expect('s2');
    answers.heard('s1', DELIVERING as never);
    expect(await first.within(10_000)).toEqual(DELIVERING);
    expect(await second.within(10_000)).toEqual(DELIVERING);
    answers.heard('s1', null);
    other.cancel();
    expect(await other.within(10_000)).toBeNull();
    expect(answers.size).toBe(0);
  });

  it('a request that hears nothing in its time is told to ask the workflow (null)', async () => {
    const answers = new LocalAnswers();
    const waiting = answers.expect('s3');
    expect(await waiting.within(20)).toBeNull();
    // Too late: nobody waits, nothing is kept.
    answers.heard('s3', DELIVERING as never);
    expect(answers.size).toBe(0);
  });

  it("the worker's acceptSend and scheduleSend tell what they decided; a failure for good says ask the workflow; one that is retried says nothing", async () => {
    const answers = new LocalAnswers();
    let failure: Error | null = null;
    const activities = answeringLocally({
      acceptSend: async (_request: SendRequest) => {
        if (failure) throw failure;
        return { ok: true as const, messageId: 'm1', threadId: 't1' };
      },
      scheduleSend: async (_request: SendRequest) => ({ ok: false as const, errors: [{ code: 'INVALID_INPUT', message: 'too late', field: ['sendAt'] }] }),
    }, answers);

    const accepted = answers.expect('a');
    await activities.acceptSend(request('a'));
    expect(await accepted.within(1_000)).toEqual(DELIVERING);

    const refused = answers.expect('b');
    await activities.scheduleSend(request('b'));
    expect(await refused.within(1_000)).toEqual({ state: 'REJECTED', errors: [{ code: 'INVALID_INPUT', message: 'too late', field: ['sendAt'] }], messageId: null, threadId: null, conflictThreadId: null });

    failure = ApplicationFailure.nonRetryable('acceptSend could not be recorded', DATA_ERROR);
    const failed = answers.expect('c');
    await expect(activities.acceptSend(request('c'))).rejects.toThrow(/could not be recorded/);
    expect(await failed.within(1_000)).toBeNull();

    failure = new Error('connection lost');
    const retried = answers.expect('d');
    await expect(activities.acceptSend(request('d'))).rejects.toThrow(/connection lost/);
    expect(answers.size).toBe(1);
    retried.cancel();
    expect(answers.size).toBe(0);
  });
});

describe('sends answered in the API\'s process', () => {
  let herald: TestHerald;
  beforeAll(async () => {
    herald = await startTestHerald();
  });
  afterAll(async () => {
    await herald?.close();
  });

  it('R21: the same requestId asked four times at once, and again once it went out, is one send: the first ask is answered here, the others by the workflow', async () => {
    const clientId = await newClient(herald, '+7 916 000 5151', 'Asked Four Times');
    await wroteInRecently(herald, clientId);
    const requestId = randomUUID();
    const input = { clientId, channel: 'WHATSAPP', text: 'Once, whatever the retries.', requestId, disposition: { kind: 'CLOSE' } };
    const answers = await Promise.all([1, 2, 3, 4].map(() => send(herald, 'demo-agent-1', input)));
    for (const a of answers) {
      expect(a.userErrors).toEqual([]);
      expect(a.requestId).toBe(requestId);
    }
    const ids = new Set(answers.map((a) => a.send.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    await sendReaches(herald, id!, ['COMPLETED']);
    // One ask started the workflow and heard its answer here; the three others found it started and asked its update.
    const history = await herald.api.services.sends.historyOf(id!);
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updates).toHaveLength(3);
    const again = await send(herald, 'demo-agent-1', input);
    expect(again.send.id).toBe(id);
    expect(herald.edna.accepted().filter((m) => m.text === input.text)).toHaveLength(1);
    expect(herald.api.services.sends.workerHere?.answers.size).toBe(0);
  });

  it('a worker that stops takes no more eager starts; the next worker started in the process does', async () => {
    const sends = herald.api.services.sends;
    const before = sends.workerHere;
    expect(before).not.toBeNull();
    const next = await herald.startWorker();
    expect(sends.workerHere).not.toBe(before);
    await next.shutdown();
    expect(sends.workerHere?.client).toBe(before?.client);
    const clientId = await newClient(herald, '+7 916 000 5152', 'After The Second Worker');
    await wroteInRecently(herald, clientId);
    const res = await send(herald, 'demo-agent-1', { clientId, channel: 'WHATSAPP', text: 'Still answered.', disposition: { kind: 'CLOSE' } });
    expect(res.userErrors).toEqual([]);
    await sendReaches(herald, res.send.id, ['COMPLETED']);
  });
});
