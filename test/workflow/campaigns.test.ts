import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { clientChannels, sends } from '../../src/db/schema.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { messengerClient, newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// Campaigns (R30), channel limits (R31) and quiet hours (R33), end to end over GraphQL against the
// dev server and the edna sandbox: each recipient an ordinary send, skipped with its reason when
// it cannot be sent, paced by the campaign's rate and the stand's limits.

let herald: TestHerald;
let phoneSeq = 0;
beforeAll(async () => {
  // Held campaigns and scheduled sends ask again every second, so a changed setting applies at once here.
  herald = await startTestHerald({ env: { PACE_RECHECK_SECONDS: '1' } });
  // The approved templates, as a stand has them once synced from edna (R14, R16).
  const synced = await herald.gql('demo-admin', 'mutation { syncTemplates(channel: WHATSAPP) { id } }');
  expect(synced.errors).toBeUndefined();
});
afterAll(async () => { await herald?.close(); });

async function freshClient(opts: { wroteIn?: boolean } = {}): Promise<string> {
  phoneSeq += 1;
  const id = await newClient(herald, `+49 153 ${String(4100000 + phoneSeq)}`, `Campaign client ${phoneSeq}`);
  if (opts.wroteIn !== false) await wroteInRecently(herald, id);
  return id;
}

const CAMPAIGN = `id name channel state waitingReason waitingUntil ratePerSecond startAt recipientCount finishedAt
  counts { total pending skipped sending sent delivered read failed cancelled }`;

async function start(token: string, input: Record<string, unknown>) {
  const res = await herald.gql(token, `mutation($input: StartCampaignInput!) { startCampaign(input: $input) { campaign { ${CAMPAIGN} } userErrors { code field message } } }`, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.startCampaign;
}

async function read(id: string, token = 'demo-supervisor') {
  const res = await herald.gql(token, `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN} } }`, { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.campaign;
}

async function recipients(id: string, outcome?: string) {
  const res = await herald.gql('demo-supervisor', `query($id: ID!, $o: CampaignRecipientOutcome) { campaign(id: $id) { recipients(first: 100, outcome: $o) {
    edges { node { position clientId phone outcome skipCode skipMessage sendId failureCode } } pageInfo { hasNextPage } } } }`, { id, o: outcome ?? null });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.campaign.recipients.edges.map((e: any) => e.node);
}

/** Ended: every recipient handled and no send still waiting for its channel. */
const settled = (id: string, timeoutMs = 60_000) => eventually(async () => {
  const c = await read(id);
  return c.state === 'COMPLETED' && c.counts.sending === 0 && c.counts.sent === 0 ? c : undefined;
}, timeoutMs, `campaign ${id} to complete`);

async function control(name: 'pauseCampaign' | 'resumeCampaign' | 'cancelCampaign', id: string, token = 'demo-supervisor') {
  const res = await herald.gql(token, `mutation($id: ID!) { ${name}(id: $id) { campaign { state counts { pending cancelled } } userErrors { code message } } }`, { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data[name];
}

const sendTimes = async (campaignId: string) => {
  const rows = await herald.db.db.select({ at: sends.createdAt }).from(sends).where(sql`${sends.requestId} like ${`campaign:${campaignId}:%`}`).orderBy(sends.createdAt);
  return rows.map((r) => r.at.getTime());
};

describe('campaigns (R30)', () => {
  it('R30: every recipient is an ordinary send, closed after it; one who cannot be sent is skipped with the reason; the same client twice is one recipient', async () => {
    const ok = [await freshClient(), await freshClient(), await freshClient()];
    const blocked = await freshClient();
    await herald.gql('demo-admin', `mutation { setClientBlocked(clientId: "${blocked}", blocked: true) { userErrors { code } } }`);
    const busy = await freshClient();
    const holding = await send(herald, 'demo-agent-1', { clientId: busy, channel: 'WHATSAPP', text: 'an agent talks to them', disposition: { kind: 'ASSIGN_TO_ME' } });
    await sendReaches(herald, holding.send.id, ['COMPLETED']);
    const optedOut = await freshClient();
    await herald.db.db.update(clientChannels).set({ optedOutAt: new Date() }).where(sql`${clientChannels.clientId} = ${optedOut} and ${clientChannels.channel} = 'WHATSAPP'`);
    phoneSeq += 1;
    const newPhone = `+49 153 ${String(4100000 + phoneSeq)}`; // nobody yet: found or created when its turn comes

    const started = await start('demo-integrator', {
      name: 'Winter reminder', channel: 'WHATSAPP', text: 'Your appointment is tomorrow', ratePerSecond: 20,
      recipients: [...ok.map((clientId) => ({ clientId })), { clientId: ok[0] }, { clientId: blocked }, { clientId: busy }, { clientId: optedOut }, { phone: newPhone }],
    });
    expect(started.userErrors).toEqual([]);
    expect(started.campaign).toMatchObject({ name: 'Winter reminder', channel: 'WHATSAPP', recipientCount: 7 });
    expect(['RUNNING', 'COMPLETED']).toContain(started.campaign.state);

    const done = await settled(started.campaign.id);
    expect(done.counts).toMatchObject({ total: 7, pending: 0, skipped: 4, failed: 0, cancelled: 0 });
    expect(done.counts.delivered + done.counts.read).toBe(3);
    expect(done.finishedAt).not.toBeNull();

    const list = await recipients(started.campaign.id);
    expect(list.map((r: any) => r.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const byPosition = (p: number) => list.find((r: any) => r.position === p);
    expect(byPosition(4)).toMatchObject({ clientId: blocked, outcome: 'SKIPPED', skipCode: 'CLIENT_BLOCKED' });
    expect(byPosition(5)).toMatchObject({ clientId: busy, outcome: 'SKIPPED', skipCode: 'ACTIVE_THREAD_EXISTS' });
    expect(byPosition(6)).toMatchObject({ clientId: optedOut, outcome: 'SKIPPED', skipCode: 'CLIENT_OPTED_OUT', sendId: null });
    // A new number became a client; it never wrote in, so free text needs a template (R13).
    expect(byPosition(7)).toMatchObject({ phone: newPhone.replace(/\D/g, ''), outcome: 'SKIPPED', skipCode: 'TEMPLATE_REQUIRED' });
    expect(byPosition(7).clientId).toMatch(/^[0-9a-f-]{36}$/);
    for (const r of list.slice(0, 4)) expect(r.skipMessage ?? '', JSON.stringify(r)).not.toBe(r.outcome === 'SKIPPED' ? '' : 'x');

    // Each send is an ordinary one: visible to supervisors, in the client's history, its thread closed (disposition CLOSE).
    const first = await herald.gql('demo-supervisor', `{ send(id: "${byPosition(1).sendId}") { state disposition requestId thread { status } message { text status } } }`);
    expect(first.data.send).toMatchObject({ state: 'COMPLETED', disposition: 'CLOSE', requestId: `campaign:${started.campaign.id}:1`, thread: { status: 'CLOSED' }, message: { text: 'Your appointment is tomorrow' } });
    const delivered = await recipients(started.campaign.id, 'READ');
    expect(delivered.length + (await recipients(started.campaign.id, 'DELIVERED')).length).toBe(3);
    expect((await recipients(started.campaign.id, 'SKIPPED')).map((r: any) => r.position)).toEqual([4, 5, 6, 7]);
  });

  it('R30: the campaign starts no more sends per second than its rate', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => freshClient()));
    const started = await start('demo-admin', { name: 'Slow', channel: 'WHATSAPP', text: 'slowly', ratePerSecond: 2, recipients: clients.map((clientId) => ({ clientId })) });
    expect(started.userErrors).toEqual([]);
    await settled(started.campaign.id);
    const times = await sendTimes(started.campaign.id);
    expect(times).toHaveLength(6);
    // Three batches of two, a second apart: the last starts two seconds or more after the first.
    expect(times[5]! - times[0]!).toBeGreaterThanOrEqual(1900);
  });

  it('R30: pause stops new sends until resume; cancel ends it, recipients not reached CANCELLED; an ended campaign refuses controls', async () => {
    const clients = await Promise.all(Array.from({ length: 12 }, () => freshClient()));
    const started = await start('demo-integrator', { name: 'Steered', channel: 'WHATSAPP', text: 'steered', ratePerSecond: 1, recipients: clients.map((clientId) => ({ clientId })) });
    const id = started.campaign.id;
    await eventually(async () => ((await sendTimes(id)).length >= 1 ? true : undefined), 20_000, 'a first send');

    const paused = await control('pauseCampaign', id);
    expect(paused.userErrors).toEqual([]);
    expect(paused.campaign.state).toBe('PAUSED');
    expect((await control('pauseCampaign', id)).userErrors[0].message).toMatch(/paused already/);
    const atPause = (await sendTimes(id)).length;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await sendTimes(id)).length).toBe(atPause);

    const resumed = await control('resumeCampaign', id);
    expect(resumed.userErrors).toEqual([]);
    expect(resumed.campaign.state).toBe('RUNNING');
    await eventually(async () => ((await sendTimes(id)).length > atPause ? true : undefined), 20_000, 'sends after resume');

    const cancelled = await control('cancelCampaign', id, 'demo-integrator');
    expect(cancelled.userErrors).toEqual([]);
    expect(cancelled.campaign.state).toBe('CANCELLED');
    const after = await read(id);
    expect(after.counts.cancelled).toBeGreaterThan(0);
    expect(after.counts.pending).toBe(0);
    const startedSends = (await sendTimes(id)).length;
    expect(after.counts.cancelled + startedSends).toBe(12);
    for (const name of ['pauseCampaign', 'resumeCampaign', 'cancelCampaign'] as const) {
      expect((await control(name, id)).userErrors[0]).toMatchObject({ code: 'INVALID_INPUT' });
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sendTimes(id)).length).toBe(startedSends);
  });

  it('R30: a campaign with a start time waits SCHEDULED, then runs; recipients added in pages join it (nobody twice); an ended one takes none', async () => {
    const [a, b, c] = [await freshClient(), await freshClient(), await freshClient()];
    const startAt = new Date(Date.now() + 3000).toISOString();
    const started = await start('demo-integrator', { name: 'Later', channel: 'WHATSAPP', text: 'later', ratePerSecond: 10, startAt, recipients: [{ clientId: a }] });
    expect(started.campaign).toMatchObject({ state: 'SCHEDULED', startAt });
    const added = await herald.gql('demo-integrator', `mutation($id: ID!, $r: [CampaignRecipientInput!]!) { addCampaignRecipients(campaignId: $id, recipients: $r) { campaign { recipientCount } userErrors { code } } }`,
      { id: started.campaign.id, r: [{ clientId: a }, { clientId: b }, { clientId: c }] });
    expect(added.data.addCampaignRecipients).toEqual({ campaign: { recipientCount: 3 }, userErrors: [] });
    expect(await sendTimes(started.campaign.id)).toEqual([]);
    const done = await settled(started.campaign.id);
    expect(done.counts.total).toBe(3);
    expect(Math.min(...(await sendTimes(started.campaign.id)))).toBeGreaterThanOrEqual(Date.parse(startAt));
    const late = await herald.gql('demo-integrator', `mutation($id: ID!) { addCampaignRecipients(campaignId: $id, recipients: [{ clientId: "${a}" }]) { userErrors { code message } } }`, { id: started.campaign.id });
    expect(late.data.addCampaignRecipients.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('R30: a list longer than any other list Herald takes goes in one call (here 2,000 numbers), and cancelling before the start cancels every recipient', async () => {
    const phones = Array.from({ length: 2000 }, (_, i) => ({ phone: `+44 7700 9${String(10000 + i)}` }));
    const started = await start('demo-integrator', { name: 'Long list', channel: 'WHATSAPP', text: 'x', ratePerSecond: 10, startAt: new Date(Date.now() + 3_600_000).toISOString(), recipients: phones });
    expect(started.userErrors).toEqual([]);
    expect(started.campaign).toMatchObject({ state: 'SCHEDULED', recipientCount: 2000 });
    expect((await control('cancelCampaign', started.campaign.id)).campaign).toEqual({ state: 'CANCELLED', counts: { pending: 0, cancelled: 2000 } });
    expect(await sendTimes(started.campaign.id)).toEqual([]);
  });

  it('R30: a scheduled campaign paused answers at once; resumed before its start it runs; a client named by id and by number is one recipient', async () => {
    const client = await freshClient();
    const { clients } = await import('../../src/db/schema.js');
    const [row] = await herald.db.db.select({ phone: clients.phone }).from(clients).where(sql`${clients.id} = ${client}`);
    const started = await start('demo-integrator', {
      name: 'Paused early', channel: 'WHATSAPP', text: 'early', ratePerSecond: 5, startAt: new Date(Date.now() + 2500).toISOString(),
      recipients: [{ clientId: client }, { phone: `+${row!.phone}` }],
    });
    expect(started.campaign.recipientCount).toBe(1);
    const paused = await control('pauseCampaign', started.campaign.id);
    expect(paused.userErrors).toEqual([]);
    expect((await control('resumeCampaign', started.campaign.id)).userErrors).toEqual([]);
    const done = await settled(started.campaign.id);
    expect(done.counts.total).toBe(1);
    expect(await sendTimes(started.campaign.id)).toHaveLength(1);
  });

  it('R30: a client id that is not a client of the stand is NOT_FOUND where it stands, and nothing is created', async () => {
    const client = await freshClient();
    const res = await start('demo-integrator', { name: 'Unknown', channel: 'WHATSAPP', text: 'x', ratePerSecond: 5, recipients: [{ clientId: client }, { clientId: '00000000-0000-4000-8000-000000000001' }] });
    expect(res.campaign).toBeNull();
    expect(res.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['recipients', '1', 'clientId'], message: 'No such client.' }]);
  });

  it('R30: bad input is refused with userErrors and starts nothing', async () => {
    const client = await freshClient();
    const cases: Array<[Record<string, unknown>, string, string[]]> = [
      [{ recipients: [] }, 'INVALID_INPUT', ['recipients']],
      [{ recipients: [{ clientId: client, phone: '+49 1530000000' }] }, 'INVALID_INPUT', ['recipients', '0']],
      [{ recipients: [{ phone: '12' }] }, 'PHONE_TOO_SHORT', ['recipients', '0', 'phone']],
      [{ ratePerSecond: 0 }, 'INVALID_INPUT', ['ratePerSecond']],
      [{ name: '  ' }, 'INVALID_INPUT', ['name']],
      [{ text: null }, 'EMPTY_MESSAGE', ['text']],
      [{ text: null, template: { templateId: '00000000-0000-4000-8000-000000000000' } }, 'TEMPLATE_NOT_FOUND', ['template', 'templateId']],
      [{ startAt: new Date(Date.now() - 3_600_000).toISOString() }, 'INVALID_INPUT', ['startAt']],
    ];
    for (const [change, code, field] of cases) {
      const res = await start('demo-admin', { name: 'Bad', channel: 'WHATSAPP', text: 'x', ratePerSecond: 5, recipients: [{ clientId: client }], ...change });
      expect(res.campaign, JSON.stringify(change)).toBeNull();
      expect(res.userErrors, JSON.stringify(change)).toContainEqual(expect.objectContaining({ code, field }));
    }
    // A page is 1 to 100, at the door as for every list.
    for (const first of [0, 101]) expect((await herald.gql('demo-admin', `{ campaigns(first: ${first}) { edges { cursor } } }`)).errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const list = await herald.gql('demo-admin', '{ campaigns(first: 100) { edges { node { name } } } }');
    expect(list.data.campaigns.edges.filter((e: any) => e.node.name === 'Bad')).toEqual([]);
  });

  it('R30: a requestId makes startCampaign safe to repeat: the same campaign once, and another campaign under it is IDEMPOTENCY_KEY_REUSED', async () => {
    const clients = [await freshClient(), await freshClient()];
    const input = { requestId: `reminders-${Date.now()}`, name: 'Once', channel: 'WHATSAPP', text: 'once', ratePerSecond: 5, recipients: clients.map((clientId) => ({ clientId })) };
    const [first, again] = await Promise.all([start('demo-integrator', input), start('demo-integrator', input)]);
    expect(first.userErrors).toEqual([]);
    expect(again.userErrors).toEqual([]);
    expect(again.campaign.id).toBe(first.campaign.id);
    const other = await start('demo-integrator', { ...input, name: 'Twice' });
    expect(other.campaign).toBeNull();
    expect(other.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['requestId'] })]);
    // Another caller's key is its own.
    const admins = await start('demo-admin', input);
    expect(admins.campaign.id).not.toBe(first.campaign.id);
    expect((await start('demo-integrator', { ...input, requestId: 'no spaces allowed' })).userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['requestId'] });
    await settled(first.campaign.id);
    await settled(admins.campaign.id);
    expect(await sendTimes(first.campaign.id)).toHaveLength(2);
  });

  it('R30: integrators and admins start campaigns; supervisors see the stand\'s, an integrator only its own, agents none', async () => {
    const client = await freshClient();
    const mine = await start('demo-integrator', { name: 'Mine', channel: 'WHATSAPP', text: 'hello', ratePerSecond: 5, recipients: [{ clientId: client }] });
    const admins = await start('demo-admin', { name: 'Admins', channel: 'WHATSAPP', text: 'hello', ratePerSecond: 5, recipients: [{ clientId: client }] });
    const byAgent = await herald.gql('demo-agent-1', 'mutation { startCampaign(input: { name: "x", channel: WHATSAPP, text: "x", ratePerSecond: 1, recipients: [] }) { userErrors { code } } }');
    expect(byAgent.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const names = async (token: string) => (await herald.gql(token, '{ campaigns(first: 100) { edges { node { id } } } }')).data?.campaigns.edges.map((e: any) => e.node.id) ?? [];
    expect(await names('demo-supervisor')).toEqual(expect.arrayContaining([mine.campaign.id, admins.campaign.id]));
    const integrators = await names('demo-integrator');
    expect(integrators).toContain(mine.campaign.id);
    expect(integrators).not.toContain(admins.campaign.id);
    expect((await herald.gql('demo-integrator', `{ campaign(id: "${admins.campaign.id}") { id } }`)).data.campaign).toBeNull();
    expect((await control('pauseCampaign', admins.campaign.id, 'demo-integrator')).userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
    expect((await herald.gql('demo-agent-1', '{ campaigns(first: 5) { edges { node { id } } } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await settled(mine.campaign.id);
    await settled(admins.campaign.id);
  });

  it('R30: campaignUpdated tells a subscriber its state and progress', async () => {
    const clients = await Promise.all(Array.from({ length: 3 }, () => freshClient()));
    const ws = connect(herald.baseUrl, 'demo-supervisor');
    try {
      const started = await start('demo-integrator', { name: 'Followed', channel: 'WHATSAPP', text: 'followed', ratePerSecond: 1, startAt: new Date(Date.now() + 1500).toISOString(), recipients: clients.map((clientId) => ({ clientId })) });
      const sub = subscribe(ws, `subscription($id: ID!) { campaignUpdated(id: $id) { state counts { pending } } }`, { id: started.campaign.id });
      await sub.next((v: any) => v.campaignUpdated?.state === 'COMPLETED', 30_000);
      const states = sub.events.map((v: any) => v.campaignUpdated.state);
      expect(states[0]).toBe('SCHEDULED');
      expect(states).toContain('RUNNING');
      expect(sub.errors).toEqual([]);
      await sub.close();
    } finally {
      await ws.dispose();
    }
  });
});

async function configure(input: Record<string, unknown>) {
  const res = await herald.gql('demo-admin', `mutation($input: StandChannelInput!) { configureChannel(input: $input) { standChannel { channel messagesPerSecond dailyUniqueRecipients } userErrors { code field } } }`, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.configureChannel;
}

describe('channel limits (R31)', () => {
  it('R31: the stand channel\'s messages per second hold every campaign on it together, and the campaign says it waits for the limit', async () => {
    expect(await configure({ channel: 'WHATSAPP', enabled: true, messagesPerSecond: 1 })).toMatchObject({ standChannel: { messagesPerSecond: 1 }, userErrors: [] });
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => freshClient()));
      const [one, two] = await Promise.all([
        start('demo-integrator', { name: 'Limited A', channel: 'WHATSAPP', text: 'limited', ratePerSecond: 50, recipients: clients.slice(0, 3).map((clientId) => ({ clientId })) }),
        start('demo-integrator', { name: 'Limited B', channel: 'WHATSAPP', text: 'limited', ratePerSecond: 50, recipients: clients.slice(3).map((clientId) => ({ clientId })) }),
      ]);
      const seen = new Set<string>();
      await eventually(async () => {
        for (const c of [await read(one.campaign.id), await read(two.campaign.id)]) if (c.waitingReason) seen.add(c.waitingReason);
        return seen.has('MESSAGES_PER_SECOND') ? true : undefined;
      }, 20_000, 'a campaign waiting for the channel limit');
      await settled(one.campaign.id);
      await settled(two.campaign.id);
      const times = [...(await sendTimes(one.campaign.id)), ...(await sendTimes(two.campaign.id))].sort((x, y) => x - y);
      expect(times).toHaveLength(6);
      // At most one a second between them: six sends take six one-second windows, so they span more than four seconds.
      expect(times[5]! - times[0]!).toBeGreaterThanOrEqual(3900);
    } finally {
      await configure({ channel: 'WHATSAPP', enabled: true, messagesPerSecond: 0 });
    }
  });

  it('R31: WhatsApp\'s daily unique recipients: past the limit the campaign waits for the next day, saying so; a client messaged today again costs nothing', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => freshClient()));
    expect(await configure({ channel: 'WHATSAPP', enabled: true, dailyUniqueRecipients: 1000 })).toMatchObject({ userErrors: [] });
    try {
      const warm = await start('demo-integrator', { name: 'Warm-up', channel: 'WHATSAPP', text: 'first', ratePerSecond: 10, recipients: [{ clientId: clients[0] }] });
      await settled(warm.campaign.id);
      const { channelDailyRecipients } = await import('../../src/db/schema.js');
      const today = await herald.db.db.select({ n: sql<number>`count(*)::int` }).from(channelDailyRecipients);
      expect(await configure({ channel: 'WHATSAPP', enabled: true, dailyUniqueRecipients: Number(today[0]!.n) + 2 })).toMatchObject({ userErrors: [] });
      const started = await start('demo-integrator', { name: 'Tiered', channel: 'WHATSAPP', text: 'tiered', ratePerSecond: 10, recipients: clients.map((clientId) => ({ clientId })) });
      const waiting = await eventually(async () => {
        const c = await read(started.campaign.id);
        return c.waitingReason === 'DAILY_UNIQUE_RECIPIENTS' && c.waitingUntil ? c : undefined;
      }, 20_000, 'the daily limit');
      expect(waiting.state).toBe('RUNNING');
      expect(Date.parse(waiting.waitingUntil)).toBe(Date.parse(new Date().toISOString().slice(0, 10)) + 24 * 3600 * 1000);
      // clients[0] was messaged today already: it and two new ones went; the fourth waits.
      expect(await sendTimes(started.campaign.id)).toHaveLength(3);
      expect(waiting.counts.pending).toBe(1);
      expect((await control('cancelCampaign', started.campaign.id)).campaign.state).toBe('CANCELLED');
    } finally {
      await configure({ channel: 'WHATSAPP', enabled: true, dailyUniqueRecipients: 0 });
    }
  });

  it('R31: a provider asking to slow down (429) holds the campaign instead of failing its recipients', async () => {
    const limited = await messengerClient(herald, 'WEB_CHAT', '1429'); // the gateway answers 429 with Retry-After to every try for this visitor
    const others = await Promise.all(Array.from({ length: 4 }, (_, i) => messengerClient(herald, 'WEB_CHAT', String(5100 + i))));
    const started = await start('demo-integrator', { name: 'Throttled', channel: 'WEB_CHAT', text: 'hello', ratePerSecond: 1, recipients: [limited, ...others].map((c) => ({ clientId: c.id })) });
    expect(started.userErrors).toEqual([]);
    await eventually(async () => ((await read(started.campaign.id)).waitingReason === 'PROVIDER_RATE_LIMITED' ? true : undefined), 20_000, 'the campaign to hold for the provider');
    const done = await eventually(async () => {
      const c = await read(started.campaign.id);
      return c.state === 'COMPLETED' && c.counts.sending <= 1 ? c : undefined;
    }, 60_000, 'the campaign to complete');
    // The four others went out; the one the provider keeps refusing waits for a retry (R29), not failed by the campaign.
    expect(done.counts.sent + done.counts.delivered + done.counts.read).toBe(4);
    expect(done.counts.failed + done.counts.skipped).toBe(0);
  });

  it('R31: limits are checked (negative or huge values refused)', async () => {
    expect((await configure({ channel: 'WHATSAPP', enabled: true, messagesPerSecond: -1 })).userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['messagesPerSecond'] }]);
  });
});

describe('quiet hours (R33)', () => {
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);

  it('R33: quiet hours are an admin setting, checked; campaigns and scheduled sends inside them wait, saying until when; an agent\'s own send goes, its preview saying so', async () => {
    const bad = await herald.gql('demo-admin', 'mutation { configureQuietHours(input: { timeZone: "Mars/Olympus", start: "25:00", end: "09:00" }) { quietHours { start } userErrors { code field } } }');
    expect(bad.data.configureQuietHours.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: ['input', 'timeZone'] }, { code: 'INVALID_INPUT', field: ['input', 'start'] },
    ]);
    expect((await herald.gql('demo-agent-1', 'mutation { configureQuietHours(input: null) { userErrors { code } } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A window around now, in UTC, ending in an hour.
    const now = new Date();
    const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60 * 60_000);
    const set = await herald.gql('demo-admin', `mutation { configureQuietHours(input: { timeZone: "UTC", start: "${hhmm(new Date(now.getTime() - 60 * 60_000))}", end: "${hhmm(end)}" }) { quietHours { timeZone start end } userErrors { code } } }`);
    expect(set.data.configureQuietHours.userErrors).toEqual([]);
    try {
      expect((await herald.gql('demo-agent-1', '{ quietHours { timeZone end } }')).data.quietHours).toEqual({ timeZone: 'UTC', end: hhmm(end) });
      const client = await freshClient();
      const campaign = await start('demo-integrator', { name: 'Night', channel: 'WHATSAPP', text: 'not at night', ratePerSecond: 5, recipients: [{ clientId: client }] });
      const waiting = await eventually(async () => {
        const c = await read(campaign.campaign.id);
        return c.waitingReason === 'QUIET_HOURS' ? c : undefined;
      }, 20_000, 'waiting for quiet hours to end');
      expect(waiting).toMatchObject({ state: 'RUNNING', counts: { pending: 1 } });
      expect(Date.parse(waiting.waitingUntil)).toBe(end.getTime());

      const later = await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: 'scheduled at night', disposition: { kind: 'CLOSE' }, sendAt: new Date(Date.now() + 1000).toISOString() });
      expect(later.userErrors).toEqual([]);

      // An agent's own send is not delayed; its preview says the quiet hours are on.
      const replyTo = await freshClient();
      const preview: any = await herald.gql('demo-agent-2', `query($input: SendMessageInput!) { previewMessage(input: $input) { quietHoursUntil userErrors { code } } }`,
        { input: { clientId: replyTo, channel: 'WHATSAPP', text: 'a reply', disposition: { kind: 'CLOSE' } } });
      expect(preview.data.previewMessage).toEqual({ quietHoursUntil: end.toISOString(), userErrors: [] });
      const own = await send(herald, 'demo-agent-2', { clientId: replyTo, channel: 'WHATSAPP', text: 'a reply', disposition: { kind: 'CLOSE' } });
      await sendReaches(herald, own.send.id, ['COMPLETED']);

      // Past its time, the scheduled send still waits (cancellable), and the campaign has sent nothing.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await sendReaches(herald, later.send.id, ['SCHEDULED'])).state).toBe('SCHEDULED');
      expect(await sendTimes(campaign.campaign.id)).toEqual([]);

      // Quiet hours cleared: both go within the recheck interval.
      await herald.gql('demo-admin', 'mutation { configureQuietHours(input: null) { userErrors { code } } }');
      expect((await herald.gql('demo-agent-1', '{ quietHours { timeZone } }')).data.quietHours).toBeNull();
      await settled(campaign.campaign.id, 30_000);
      expect((await sendReaches(herald, later.send.id, ['COMPLETED'], 30_000)).state).toBe('COMPLETED');
    } finally {
      await herald.gql('demo-admin', 'mutation { configureQuietHours(input: null) { userErrors { code } } }');
    }
  });
});
