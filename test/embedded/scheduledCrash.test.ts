import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, ports, startHerald, started, until } from '../support/npmStart.js';

// R25 across a crash: embedded Herald (npm start) schedules a send, is SIGKILLed while the send
// waits, and is started again on the same data directory. The timer lives in the dev server's
// database and the send in PGlite's, so the send falls due after the restart and goes out once.

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

const ednaUrl = (output: string) => /edna +sandbox at (http:\/\/\S+)/.exec(output)?.[1];

describe('a scheduled send and a crash', () => {
  it('R25: a scheduled send survives a SIGKILL of the process half-way: after the restart it falls due and goes out exactly once', async () => {
    const env = { ...(await ports()), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'herald-scheduled-crash-')) };
    const first = startHerald(env);
    await until(() => first.output().includes('Herald is up'), 90_000, 'the first start');

    const anna = (await gql(env.PORT, 'demo-agent-1', '{ searchClients(query: "Anna Ivanova") { id } }')).searchClients[0].id;
    const text = `due after a crash ${Date.now()}`;
    const sendAt = new Date(Date.now() + 20_000).toISOString();
    const scheduled = await gql(env.PORT, 'demo-agent-1', `mutation($input: SendMessageInput!) { sendMessage(input: $input) { send { id state } userErrors { code message } } }`,
      { input: { clientId: anna, channel: 'WHATSAPP', text, disposition: { kind: 'CLOSE' }, sendAt } });
    expect(scheduled.sendMessage.userErrors).toEqual([]);
    expect(scheduled.sendMessage.send.state).toBe('SCHEDULED');
    const sendId = scheduled.sendMessage.send.id as string;

    first.child.kill('SIGKILL');
    await first.exited;

    const second = startHerald(env);
    await until(() => second.output().includes('Herald is up'), 90_000, 'the start after the crash');
    expect(Date.now()).toBeLessThan(Date.parse(sendAt)); // restarted before it fell due: the wait crossed the crash
    const stateOf = async () => (await gql(env.PORT, 'demo-supervisor', `{ send(id: "${sendId}") { state message { status } } }`)).send;
    await until(async () => ['COMPLETED', 'FAILED', 'CONFLICT', 'REJECTED'].includes((await stateOf()).state), 60_000, 'the send to end');
    expect(await stateOf()).toEqual({ state: 'COMPLETED', message: { status: 'READ' } });

    const accepted = (await (await fetch(`${ednaUrl(second.output())}/sandbox/accepted`)).json()) as unknown[];
    expect(accepted.filter((a) => JSON.stringify(a).includes(text))).toHaveLength(1);

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
