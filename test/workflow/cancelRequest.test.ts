import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// An operator may ask Temporal itself to cancel a send's workflow (the Temporal UI's "Request
// Cancellation", the CLI): the workflow must end, not fail each workflow task from then on.

let herald: TestHerald;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

describe('a cancel request from Temporal', () => {
  it('while a send waits for a delivery status, its workflow ends cancelled', async () => {
    // The sandbox sends no callback at all for a phone ending in 0000: the send waits for a status.
    const silent = await newClient(herald, '+7 916 222 0000', 'Silent Phone');
    await wroteInRecently(herald, silent);
    const res = await send(herald, 'demo-agent-1', { clientId: silent, channel: 'WHATSAPP', text: 'Anyone there?', disposition: { kind: 'CLOSE' } });
    expect(res.userErrors).toEqual([]);
    await sendReaches(herald, res.send.id, ['AWAITING_STATUS']);

    const handle = herald.temporal.client.workflow.getHandle(res.send.id);
    await handle.cancel();
    const ended = await Promise.race([
      handle.result().then(() => 'completed', (err: unknown) => err),
      new Promise((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000)),
    ]);
    expect(ended).toBeInstanceOf(WorkflowFailedError);
    expect((ended as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  });
});
