import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, send, sendReaches } from '../support/sends.js';

let herald: TestHerald;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

const CLOSE = { kind: 'CLOSE' };

describe('outboundSend: the happy path', () => {
  it('R19: a WhatsApp text goes PENDING → SENT → DELIVERED → READ through edna callbacks and shows in the history', async () => {
    const anna = await clientId(herald, 'Anna');
    const started = Date.now();
    const res = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'WHATSAPP', text: 'Your parcel is out for delivery.', disposition: CLOSE });
    const answeredMs = Date.now() - started;
    expect(res.userErrors).toEqual([]);
    // Answered once reserved; the send as read for the answer may already be further on (the
    // delivery starts as the answer leaves the workflow, and races the read of its record).
    expect(['DELIVERING', 'AWAITING_STATUS', 'COMPLETED']).toContain(res.send.state);
    expect(res.send.message).toMatchObject({ text: 'Your parcel is out for delivery.', author: { login: 'agent1' } });
    expect(['PENDING', 'SENT', 'DELIVERED', 'READ']).toContain(res.send.message.status);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    expect(done.message.statusHistory.map((s: any) => s.status)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'READ']);
    expect(done.thread.status).toBe('CLOSED');
    expect(done.steps.map((s: any) => s.name)).toEqual(expect.arrayContaining(['validate', 'reserve', 'deliver', 'dispose', 'status', 'complete']));
    const accepted = herald.edna.accepted().filter((a) => a.id === res.send.message.id);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ channel: 'WHATSAPP', phone: '79161234501', text: 'Your parcel is out for delivery.' });
    const history = await herald.gql('demo-agent-1', `{ client(id: "${anna}") { history(first: 1) { edges { node { id status direction } } } } }`);
    expect(history.data.client.history.edges[0].node).toEqual({ id: res.send.message.id, status: 'READ', direction: 'OUTBOUND' });
    console.log(`[figures] sendMessage answered in ${answeredMs} ms`);
  });
});
