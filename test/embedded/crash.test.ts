import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEdnaSandbox } from '../../sandbox/edna/server.js';
import { gql, ports, startHerald, started, until } from '../support/npmStart.js';

// A first start in a fresh DATA_DIR on a machine with no Temporal CLI on PATH (CI's bare clone)
// provisions the CLI from the package registry first, which took more than 90 s there once.
const FIRST_START_MS = 180_000;

// Sends that wait across a crash: embedded Herald (npm start) takes a send that waits on a timer
// (R25: until it falls due; R26: before its fallback step), is SIGKILLed while it waits, and is
// started again on the same data directory. The timer lives in the dev server's database and the
// send in PGlite's, so after the restart the send goes on and its message goes out exactly once.

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

const ednaUrl = (output: string) => /edna +sandbox at (http:\/\/\S+)/.exec(output)?.[1];

describe('waiting sends and a crash', () => {
  it('R25: a scheduled send survives a SIGKILL of the process half-way: after the restart it falls due and goes out exactly once', async () => {
    const env = { ...(await ports()), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'herald-scheduled-crash-')) };
    const first = startHerald(env);
    await until(() => first.output().includes('Herald is up'), FIRST_START_MS, 'the first start');

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
  }, 330_000);

  it('R26: a fallback chain survives a SIGKILL of the process half-way: after the restart its next step goes out exactly once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-fallback-crash-'));
    const env = { ...(await ports()), DATA_DIR: dataDir };
    const first = startHerald(env);
    await until(() => first.output().includes('Herald is up'), FIRST_START_MS, 'the first start');

    // Web chat through the gateway sandbox: a visitor id ending in 0000 is taken and never reported on.
    const stamp = Date.now();
    const upserted = await gql(env.PORT, 'demo-admin', `mutation($input: ClientInput!) { upsertClient(input: $input) { client { id } userErrors { code message } } }`,
      { input: { externalId: `CRASH-${stamp}`, name: 'Silent Visitor', email: `silent${stamp}@example.com`, usernames: [{ channel: 'WEB_CHAT', username: `visitor-${stamp}-0000` }] } });
    expect(upserted.upsertClient.userErrors).toEqual([]);
    const clientId = upserted.upsertClient.client.id as string;
    const text = `by email after a crash ${stamp}`;
    const sent = await gql(env.PORT, 'demo-agent-1', `mutation($input: SendMessageInput!) { sendMessage(input: $input) { send { id state } userErrors { code message } } }`,
      { input: { clientId, channel: 'WEB_CHAT', text: 'Are you still there?', disposition: { kind: 'CLOSE' }, fallback: [{ channel: 'EMAIL', text, subject: 'We tried the chat', afterSeconds: 20 }] } });
    expect(sent.sendMessage.userErrors).toEqual([]);
    const sendId = sent.sendMessage.send.id as string;
    const stateOf = async () => (await gql(env.PORT, 'demo-supervisor', `{ send(id: "${sendId}") { state messages { channel status } } }`)).send;
    await until(async () => (await stateOf()).state === 'AWAITING_STATUS', 30_000, 'the chat message to be taken');
    const killedAt = Date.now();

    first.child.kill('SIGKILL');
    await first.exited;
    const second = startHerald(env);
    await until(() => second.output().includes('Herald is up'), 90_000, 'the start after the crash');
    expect(Date.now() - killedAt).toBeLessThan(20_000); // back before the fallback was due: the wait crossed the crash
    await until(async () => ['COMPLETED', 'FAILED'].includes((await stateOf()).state), 60_000, 'the send to end');
    expect(await stateOf()).toEqual({ state: 'COMPLETED', messages: [{ channel: 'WEB_CHAT', status: 'SENT' }, { channel: 'EMAIL', status: 'SENT' }] });

    // The file outbox (no SMTP_URL): one email with the step's text, whatever was retried.
    const outbox = path.join(dataDir, 'outbox');
    const emails = fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).filter((f) => fs.readFileSync(path.join(outbox, f), 'utf8').includes(text));
    expect(emails).toHaveLength(1);

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 330_000);

  it('R30: a campaign survives a SIGKILL of the process half-way: after the restart it finishes, every recipient sent once or skipped with a reason', async () => {
    // edna is a system of its own that outlives a crash of Herald and remembers the ids it took
    // (requestId-is-not-unique, docs/edna.md), as Herald relies on. So here it runs in the test's
    // process, not inside the Herald that is killed: a message the channel took in the moment
    // before the kill, before Herald wrote that it was taken, must meet that memory on its retry.
    const base = await ports();
    const edna = await startEdnaSandbox({
      apiKey: 'sandbox-api-key', webhookSecret: 'sandbox-webhook-secret', webhookHeader: 'X-API-KEY',
      statusCallbackUrl: `http://127.0.0.1:${base.PORT}/webhooks/edna/status`,
      inMessageCallbackUrl: `http://127.0.0.1:${base.PORT}/webhooks/edna/inbound`,
    });
    const env = { ...base, EDNA_BASE_URL: edna.url, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'herald-campaign-crash-')) };
    try {
      const first = startHerald(env);
      await until(() => first.output().includes('Herald is up'), FIRST_START_MS, 'the first start');
      const templates = (await gql(env.PORT, 'demo-admin', 'mutation { syncTemplates(channel: WHATSAPP) { id name } }')).syncTemplates as Array<{ id: string; name: string }>;
      const greeting = templates.find((t) => t.name === 'greeting')!;

      // Forty new numbers: their clients are made when their turn comes.
      const stamp = String(Date.now()).slice(-3);
      const phones = Array.from({ length: 40 }, (_, i) => `+49170${stamp}${String(5100 + i)}`);
      const started = await gql(env.PORT, 'demo-integrator', `mutation($input: StartCampaignInput!) { startCampaign(input: $input) { campaign { id } userErrors { code message } } }`,
        { input: { name: 'Across a crash', channel: 'WHATSAPP', template: { templateId: greeting.id }, ratePerSecond: 2, recipients: phones.map((phone) => ({ phone })) } });
      expect(started.startCampaign.userErrors).toEqual([]);
      const id = started.startCampaign.campaign.id as string;
      const countsOf = async () => (await gql(env.PORT, 'demo-supervisor', `{ campaign(id: "${id}") { state counts { total pending skipped sending sent delivered read failed cancelled } } }`)).campaign;
      await until(async () => (await countsOf()).counts.pending <= 30, 60_000, 'a quarter of the list handled');

      first.child.kill('SIGKILL');
      await first.exited;
      expect(edna.accepted().length).toBeLessThan(40); // killed half-way, not at the end

      const second = startHerald(env);
      await until(() => second.output().includes('Herald is up'), 90_000, 'the start after the crash');
      await until(async () => {
        const c = await countsOf();
        return c.state === 'COMPLETED' && c.counts.sending === 0;
      }, 120_000, 'the campaign to finish');
      const done = await countsOf();
      expect(done.counts).toMatchObject({ total: 40, pending: 0, failed: 0, cancelled: 0, skipped: 0 });
      // The channel has every message (receipts posted while Herald was down may have been dropped: those stay SENT until they expire).
      expect(done.counts.sent + done.counts.delivered + done.counts.read).toBe(40);

      // Every number reached the channel exactly once across both runs.
      const all = edna.accepted().map((a) => a.phone);
      for (const phone of phones) expect(all.filter((a) => a === phone.replace(/\D/g, '')), phone).toHaveLength(1);

      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    } finally {
      await edna.close();
    }
  }, 390_000);
});
