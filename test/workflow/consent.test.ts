import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { send, sendReaches } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// R32 consent, end to end over GraphQL against the dev server and the edna sandbox: a client
// writes STOP (through recordInboundMessage or edna's inbound webhook) and is opted out of that
// channel; MARKETING templates are then refused, care replies still go out; START, or an admin,
// opts them back in; every change is in the audit trail.

let herald: TestHerald;
let phoneSeq = 0;
const templateIds = new Map<string, string>();

beforeAll(async () => {
  herald = await startTestHerald();
  for (const channel of ['WHATSAPP', 'VIBER']) {
    const res = await herald.gql('demo-admin', `mutation { syncTemplates(channel: ${channel}) { id externalId category } }`);
    expect(res.errors).toBeUndefined();
    for (const t of res.data.syncTemplates) templateIds.set(t.externalId, t.id);
  }
});
afterAll(async () => { await herald?.close(); });

const CLOSE = { kind: 'CLOSE' };
const codes = (res: any) => res.userErrors.map((e: any) => e.code);
/** The sandbox's catalog: 104 spring_sale (MARKETING, one variable), 106 greeting (UTILITY), 201 order_ready_viber (UTILITY). */
const springSale = () => ({ templateId: templateIds.get('104')!, variables: [{ key: 'discount', value: '20%' }] });
const greeting = () => ({ templateId: templateIds.get('106')!, variables: [] });
const orderReadyViber = () => ({ templateId: templateIds.get('201')!, variables: [{ key: 'name', value: 'Olga' }] });

function nextPhone(): string {
  phoneSeq += 1;
  return `+36 70 32${String(10000 + phoneSeq)}`; // never one of the sandbox's scenario suffixes
}

async function inbound(phone: string, text: string, channel = 'WHATSAPP', receivedAt?: string) {
  const res = await herald.gql('demo-integrator', `mutation($input: InboundMessageInput!) { recordInboundMessage(input: $input) {
    message { id text client { id } } thread { id status } userErrors { code field message } } }`, { input: { channel, address: phone, text, ...(receivedAt ? { receivedAt } : {}) } });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data.recordInboundMessage.userErrors).toEqual([]);
  return res.data.recordInboundMessage as { message: { id: string; text: string; client: { id: string } }; thread: { id: string; status: string } };
}

async function channels(clientId: string, token = 'demo-agent-1') {
  const res = await herald.gql(token, `{ client(id: "${clientId}") { channels { channel available optedOut optedOutAt } } }`);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return Object.fromEntries(res.data.client.channels.map((c: any) => [c.channel, c])) as Record<string, { channel: string; available: boolean; optedOut: boolean; optedOutAt: string | null }>;
}

const CHANGE = 'id channel optedOut source keyword note at message { id text direction } changedBy { login } client { id }';

async function consentChanges(clientId: string, args = '', token = 'demo-agent-1') {
  const res = await herald.gql(token, `{ consentChanges(clientId: "${clientId}"${args}) { edges { cursor node { ${CHANGE} } } pageInfo { hasNextPage endCursor } } }`);
  return res;
}

async function changesOf(clientId: string, args = '') {
  const res = await consentChanges(clientId, args);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.consentChanges.edges.map((e: any) => e.node) as any[];
}

async function closeThread(id: string) {
  const res = await herald.gql('demo-supervisor', `mutation { closeThread(id: "${id}") { thread { status } userErrors { code } } }`);
  expect(res.data.closeThread.thread.status).toBe('CLOSED');
}

const PREVIEW = 'query($input: SendMessageInput!) { previewMessage(input: $input) { body userErrors { code field message } } }';
async function preview(input: Record<string, unknown>) {
  const res = await herald.gql('demo-agent-1', PREVIEW, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.previewMessage;
}

describe('opting out by keyword (R32)', () => {
  it('R32: an inbound "stop" in any case or spacing opts the client out on that channel only, recorded with when and how, and announced', async () => {
    const phone = nextPhone();
    const first = await inbound(phone, 'Hello, I have a question');
    const client = first.message.client.id;
    expect((await channels(client)).WHATSAPP!.optedOut).toBe(false);
    await closeThread(first.thread.id);

    const ws = connect(herald.baseUrl, 'demo-agent-1');
    const activity = subscribe(ws, `subscription($c: ID!) { clientActivity(clientId: $c) { kind message { text } } }`, { c: client });
    try {
      await new Promise((r) => setTimeout(r, 300)); // the subscription is live before the client writes
      const receivedAt = new Date(Date.now() - 5_000).toISOString();
      const stop = await inbound(phone, '  sToP! ', 'WHATSAPP', receivedAt);
      // The STOP is kept like any message the client writes and opens a thread as today.
      expect(stop.message.text).toBe('  sToP! ');
      expect(stop.thread.status).toBe('NEW');
      const announced = await activity.next((e: any) => e.clientActivity.kind === 'CONSENT_CHANGED');
      expect(announced).toEqual({ clientActivity: { kind: 'CONSENT_CHANGED', message: { text: '  sToP! ' } } });

      const now = await channels(client);
      expect(now.WHATSAPP).toMatchObject({ optedOut: true, optedOutAt: receivedAt, available: false }); // available: false only because of the thread the STOP opened
      expect(now.VIBER).toMatchObject({ optedOut: false, optedOutAt: null });
      expect(await changesOf(client)).toEqual([{
        id: expect.any(String), channel: 'WHATSAPP', optedOut: true, source: 'KEYWORD', keyword: 'STOP', note: null, at: receivedAt,
        message: { id: stop.message.id, text: '  sToP! ', direction: 'INBOUND' }, changedBy: null, client: { id: client },
      }]);

      // A second STOP changes nothing and records nothing; a sentence with "stop" in it is a message for an agent.
      await inbound(phone, 'STOP');
      await inbound(phone, 'please stop sending me offers');
      expect(await changesOf(client)).toHaveLength(1);
      expect((await channels(client)).WHATSAPP!.optedOutAt).toBe(receivedAt);
    } finally {
      await activity.close();
      await ws.dispose();
    }
  });

  it('R32: СТОП through edna\'s inbound webhook opts the client out of Viber; UNSUBSCRIBE with punctuation works too', async () => {
    const phone = nextPhone();
    const digits = phone.replace(/\D/g, '');
    expect(await herald.edna.sendInbound({ channel: 'VIBER', phone: digits, text: 'стоп', userName: 'Viber Stopper' })).toBe(200);
    const found = await herald.gql('demo-agent-1', 'query($q: String!) { searchClients(query: $q) { id } }', { q: digits });
    const client = found.data.searchClients[0].id;
    expect((await channels(client)).VIBER).toMatchObject({ optedOut: true });
    expect((await channels(client)).WHATSAPP).toMatchObject({ optedOut: false });
    expect(await changesOf(client)).toMatchObject([{ channel: 'VIBER', optedOut: true, source: 'KEYWORD', keyword: 'СТОП', message: { text: 'стоп' } }]);

    await inbound(phone, 'Unsubscribe.', 'WHATSAPP');
    expect((await channels(client)).WHATSAPP).toMatchObject({ optedOut: true });
    expect((await changesOf(client, ', channel: WHATSAPP')).map((c) => c.keyword)).toEqual(['UNSUBSCRIBE']);
    expect(await changesOf(client)).toHaveLength(2);
  });
});

describe('what an opted-out client still gets (R32)', () => {
  it('R32: a MARKETING template is CLIENT_OPTED_OUT (previewMessage says the same); a care reply inside the window and a UTILITY template go out to DELIVERED', async () => {
    const phone = nextPhone();
    const stop = await inbound(phone, 'STOP');
    const client = stop.message.client.id;

    // The agent confirms in the thread the STOP opened (R28: nobody holds it): a care reply, allowed.
    const reply = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'You will get no more offers from us.', disposition: CLOSE, takeOverThreadId: stop.thread.id });
    expect(reply.userErrors).toEqual([]);
    const replied = await sendReaches(herald, reply.send.id, ['COMPLETED', 'FAILED', 'REJECTED']);
    expect(replied.state).toBe('COMPLETED');
    expect(['DELIVERED', 'READ']).toContain(replied.message.status);

    const marketing = { clientId: client, channel: 'WHATSAPP', template: springSale(), disposition: CLOSE };
    const ednaBefore = herald.edna.received().length;
    const refused = await send(herald, 'demo-agent-1', marketing);
    expect(refused.userErrors).toEqual([{ code: 'CLIENT_OPTED_OUT', field: ['template', 'templateId'], message: expect.stringMatching(/opted out of marketing on WHATSAPP/) }]);
    expect(refused.send?.state ?? 'REJECTED').toBe('REJECTED');
    expect((await preview(marketing)).userErrors).toEqual(refused.userErrors);
    expect(herald.edna.received().length).toBe(ednaBefore); // nothing reached the channel

    const utility = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', template: greeting(), disposition: CLOSE });
    expect(utility.userErrors).toEqual([]);
    const done = await sendReaches(herald, utility.send.id, ['COMPLETED', 'FAILED', 'REJECTED']);
    expect(done.state).toBe('COMPLETED');
    expect(['DELIVERED', 'READ']).toContain(done.message.status);

    // The same MARKETING template to a client who never opted out is fine: the refusal is consent's.
    const other = await inbound(nextPhone(), 'hi');
    await closeThread(other.thread.id);
    expect((await preview({ ...marketing, clientId: other.message.client.id })).userErrors).toEqual([]);
  });

  it('R32: a fallback step with a MARKETING template on an opted-out channel is refused with the send, under fallback.<i>', async () => {
    const phone = nextPhone();
    const stop = await inbound(phone, 'STOP');
    const client = stop.message.client.id;
    await closeThread(stop.thread.id);
    const input = {
      clientId: client, channel: 'VIBER', template: orderReadyViber(), disposition: CLOSE,
      fallback: [{ channel: 'WHATSAPP', template: springSale(), afterSeconds: 600 }],
    };
    const refused = await send(herald, 'demo-agent-1', input);
    expect(refused.userErrors).toMatchObject([{ code: 'CLIENT_OPTED_OUT', field: ['fallback', '0', 'template', 'templateId'] }]);
    expect((await preview(input)).userErrors).toMatchObject([{ code: 'CLIENT_OPTED_OUT', field: ['fallback', '0', 'template', 'templateId'] }]);
    // A UTILITY template in the same step is judged fine.
    expect((await preview({ ...input, fallback: [{ channel: 'WHATSAPP', template: greeting(), afterSeconds: 600 }] })).userErrors).toEqual([]);
  });
});

describe('a send scheduled before the client opted out (R32, R25)', () => {
  it('R32: a MARKETING template scheduled before the client wrote STOP is refused when it falls due, CLIENT_OPTED_OUT in its errors', async () => {
    const phone = nextPhone();
    const hello = await inbound(phone, 'hello');
    const client = hello.message.client.id;
    await closeThread(hello.thread.id);
    const scheduled = await send(herald, 'demo-agent-1', {
      clientId: client, channel: 'WHATSAPP', template: springSale(), disposition: CLOSE, sendAt: new Date(Date.now() + 4_000).toISOString(),
    });
    expect(scheduled.userErrors).toEqual([]);
    expect(scheduled.send.state).toBe('SCHEDULED');
    const stop = await inbound(phone, 'STOP');
    await closeThread(stop.thread.id);
    const due = await sendReaches(herald, scheduled.send.id, ['COMPLETED', 'REJECTED', 'CONFLICT', 'FAILED'], 30_000);
    expect(due.state).toBe('REJECTED');
    expect(due.errors).toMatchObject([{ code: 'CLIENT_OPTED_OUT', field: ['template', 'templateId'] }]);
  });
});

describe('opting in again (R32)', () => {
  it('R32: START opts the client back in: MARKETING templates go again, and the audit trail has both changes, newest first', async () => {
    const phone = nextPhone();
    const stop = await inbound(phone, 'STOP');
    const client = stop.message.client.id;
    const start = await inbound(phone, ' start ');
    expect(start.thread.id).toBe(stop.thread.id); // the same open thread, as any message the client writes
    await closeThread(stop.thread.id);
    expect((await channels(client)).WHATSAPP).toMatchObject({ optedOut: false, optedOutAt: null, available: true });
    expect(await changesOf(client)).toMatchObject([
      { optedOut: false, source: 'KEYWORD', keyword: 'START', message: { text: ' start ' } },
      { optedOut: true, source: 'KEYWORD', keyword: 'STOP', message: { text: 'STOP' } },
    ]);
    expect((await preview({ clientId: client, channel: 'WHATSAPP', template: springSale(), disposition: CLOSE })).userErrors).toEqual([]);
  });
});

describe('consent set by an administrator (R32)', () => {
  const SET = `mutation($input: SetClientConsentInput!) { setClientConsent(input: $input) {
    clientChannel { channel optedOut optedOutAt available } consentChange { ${CHANGE} } userErrors { code field message } } }`;

  it('R32: an admin sets and clears consent with a note; each change is in the audit trail with who made it; setting what is already so records nothing', async () => {
    const other = await inbound(nextPhone(), 'hello');
    const client = other.message.client.id;
    await closeThread(other.thread.id);

    const set = await herald.gql('demo-admin', SET, { input: { clientId: client, channel: 'WHATSAPP', optedOut: true, note: '  asked by phone  ' } });
    expect(set.errors).toBeUndefined();
    expect(set.data.setClientConsent).toMatchObject({
      userErrors: [],
      clientChannel: { channel: 'WHATSAPP', optedOut: true, available: true },
      consentChange: { channel: 'WHATSAPP', optedOut: true, source: 'ADMIN', keyword: null, message: null, note: 'asked by phone', changedBy: { login: 'admin' }, client: { id: client } },
    });
    expect(set.data.setClientConsent.clientChannel.optedOutAt).toBe(set.data.setClientConsent.consentChange.at);
    expect((await send(herald, 'demo-agent-2', { clientId: client, channel: 'WHATSAPP', template: springSale(), disposition: CLOSE })).userErrors.map((e: any) => e.code)).toEqual(['CLIENT_OPTED_OUT']);

    const again = await herald.gql('demo-admin', SET, { input: { clientId: client, channel: 'WHATSAPP', optedOut: true } });
    expect(again.data.setClientConsent).toMatchObject({ userErrors: [], consentChange: null, clientChannel: { optedOut: true } });

    // Opting in a channel never opted out (Viber) changes nothing either.
    const viber = await herald.gql('demo-admin', SET, { input: { clientId: client, channel: 'VIBER', optedOut: false } });
    expect(viber.data.setClientConsent).toMatchObject({ userErrors: [], consentChange: null, clientChannel: { channel: 'VIBER', optedOut: false } });

    const clear = await herald.gql('demo-admin', SET, { input: { clientId: client, channel: 'WHATSAPP', optedOut: false, note: 'consent form signed' } });
    expect(clear.data.setClientConsent).toMatchObject({ userErrors: [], clientChannel: { optedOut: false, optedOutAt: null }, consentChange: { optedOut: false, source: 'ADMIN', note: 'consent form signed' } });
    expect((await channels(client)).WHATSAPP).toMatchObject({ optedOut: false });

    const trail = await changesOf(client);
    expect(trail.map((c) => `${c.optedOut ? 'out' : 'in'}:${c.source}:${c.changedBy?.login}:${c.note}`)).toEqual(['in:ADMIN:admin:consent form signed', 'out:ADMIN:admin:asked by phone']);
    // A page at a time, newest first.
    const page1 = await consentChanges(client, ', first: 1');
    expect(page1.data.consentChanges.edges.map((e: any) => e.node.note)).toEqual(['consent form signed']);
    expect(page1.data.consentChanges.pageInfo.hasNextPage).toBe(true);
    const page2 = await consentChanges(client, `, first: 1, after: "${page1.data.consentChanges.pageInfo.endCursor}"`);
    expect(page2.data.consentChanges.edges.map((e: any) => e.node.note)).toEqual(['asked by phone']);
    expect(page2.data.consentChanges.pageInfo.hasNextPage).toBe(false);
    // Every role of the stand sees the client, and so its audit trail.
    for (const token of ['demo-supervisor', 'demo-integrator', 'demo-agent-3']) {
      expect((await consentChanges(client, '', token)).data.consentChanges.edges, token).toHaveLength(2);
    }
  });

  it('R32: only an admin may set consent: an agent, a supervisor and an integrator are FORBIDDEN and nothing changes; an unknown client is NOT_FOUND', async () => {
    const other = await inbound(nextPhone(), 'hello');
    const client = other.message.client.id;
    for (const token of ['demo-agent-1', 'demo-supervisor', 'demo-integrator']) {
      const res = await herald.gql(token, SET, { input: { clientId: client, channel: 'WHATSAPP', optedOut: true } });
      expect(res.errors?.[0]?.extensions?.code, token).toBe('FORBIDDEN');
    }
    expect((await channels(client)).WHATSAPP!.optedOut).toBe(false);
    expect(await changesOf(client)).toEqual([]);

    const unknown = await herald.gql('demo-admin', SET, { input: { clientId: '00000000-0000-4000-8000-000000000000', channel: 'WHATSAPP', optedOut: true } });
    expect(unknown.data.setClientConsent).toEqual({ clientChannel: null, consentChange: null, userErrors: [{ code: 'NOT_FOUND', field: ['clientId'], message: 'No such client.' }] });
    const history = await consentChanges('00000000-0000-4000-8000-000000000000');
    expect(history.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const noName = await herald.gql('demo-admin', SET, { input: { clientId: client, channel: 'WHATSAPP', optedOut: true, note: 'x'.repeat(1001) } });
    expect(noName.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'note'] });
  });
});

describe('the stand\'s keywords (R32)', () => {
  const CONFIGURE = `mutation($input: ConsentKeywordsInput!) { configureConsentKeywords(input: $input) { consentKeywords { optOut optIn } userErrors { code field message } } }`;
  const read = async (token = 'demo-agent-1') => (await herald.gql(token, '{ consentKeywords { optOut optIn } }')).data.consentKeywords;

  it('R32: everyone reads the keywords, only an admin changes them; empty lists, overlaps and over-long keywords are refused; new keywords take effect at once', async () => {
    expect(await read()).toEqual({ optOut: ['STOP', 'UNSUBSCRIBE', 'СТОП'], optIn: ['START'] });
    const forbidden = await herald.gql('demo-supervisor', CONFIGURE, { input: { optOut: ['HALT'] } });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const refusals: Array<[Record<string, unknown>, string[]]> = [
      [{ optOut: [] }, ['optOut']],
      [{ optIn: ['stop'] }, ['optIn', '0']], // on both lists, whatever the case
      [{ optOut: ['STOP', 'x'.repeat(51)] }, ['optOut', '1']],
      [{ optOut: ['STOP', '?!'] }, ['optOut', '1']],
    ];
    for (const [input, field] of refusals) {
      const res = await herald.gql('demo-admin', CONFIGURE, { input });
      expect(res.data.configureConsentKeywords, JSON.stringify(input)).toMatchObject({ consentKeywords: null, userErrors: [{ code: 'INVALID_INPUT', field }] });
    }
    expect(await read()).toEqual({ optOut: ['STOP', 'UNSUBSCRIBE', 'СТОП'], optIn: ['START'] });

    try {
      const set = await herald.gql('demo-admin', CONFIGURE, { input: { optOut: [' STOP ', 'Halt   messages'] } });
      expect(set.data.configureConsentKeywords).toEqual({ consentKeywords: { optOut: ['STOP', 'Halt messages'], optIn: ['START'] }, userErrors: [] });
      expect(await read('demo-integrator')).toEqual({ optOut: ['STOP', 'Halt messages'], optIn: ['START'] });

      const phone = nextPhone();
      const first = await inbound(phone, 'UNSUBSCRIBE'); // no longer a keyword: an ordinary message
      const client = first.message.client.id;
      expect((await channels(client)).WHATSAPP!.optedOut).toBe(false);
      await inbound(phone, 'halt MESSAGES!');
      expect((await channels(client)).WHATSAPP!.optedOut).toBe(true);
      expect(await changesOf(client)).toMatchObject([{ keyword: 'Halt messages', source: 'KEYWORD' }]);
    } finally {
      const restored = await herald.gql('demo-admin', CONFIGURE, { input: { optOut: ['STOP', 'UNSUBSCRIBE', 'СТОП'], optIn: ['START'] } });
      expect(restored.data.configureConsentKeywords.userErrors).toEqual([]);
    }
  });
});
