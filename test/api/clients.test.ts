import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { clients, templates } from '../../src/db/schema.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

const CHANNELS = `channels { channel address available unavailableReason blocked templateRequirement attachmentsAllowed bccAllowed opensThread lastInboundAt }`;

async function find(query: string, token = 'demo-agent-1') {
  const res = await herald.gql(token, `query($q: String!) { searchClients(query: $q) { id name phone email externalId blocked usernames { channel username } activeThread { id status } ${CHANNELS} } }`, { q: query });
  expect(res.errors).toBeUndefined();
  return res.data.searchClients as any[];
}

const channel = (client: any, name: string) => client.channels.find((c: any) => c.channel === name);

describe('R18: one search box', () => {
  it('R18: finds by partial name, case-insensitively', async () => {
    expect((await find('ivan')).map((c) => c.name)).toEqual(['Anna Ivanova']);
    expect((await find('ANNA')).map((c) => c.name)).toEqual(['Anna Ivanova']);
    expect((await find('ov')).map((c) => c.name)).toEqual(expect.arrayContaining(['Anna Ivanova', 'Boris Petrov', 'Dmitry Sokolov', 'Fedor Kuznetsov']));
  });

  it('R18: finds by phone in any formatting', async () => {
    for (const q of ['+7 (916) 123-45-02', '79161234502', '7 916 123 45 02', '123-45-02']) {
      expect((await find(q)).map((c) => c.name), q).toContain('Boris Petrov');
    }
    expect((await find('+7 (916) 123-45-02'))[0].phone).toBe('+79161234502');
  });

  it('R18: finds by email, external id and messenger username (with or without @)', async () => {
    expect((await find('elena.smirnova@example.org')).map((c) => c.name)).toEqual(['Elena Smirnova']);
    expect((await find('CRM-1008')).map((c) => c.name)).toEqual(['Hiro Tanaka']);
    expect((await find('@GraceLee')).map((c) => c.name)).toEqual(['Grace Lee']);
    expect((await find('katenovak')).map((c) => c.name)).toEqual(['Kate Novak']);
  });

  it('R18: an exact identifier ranks before partial name matches, and wildcards are literal', async () => {
    expect((await find('%')).length).toBe(0);
    expect((await find('_')).length).toBe(0);
    expect(await find('   ')).toEqual([]);
  });

  it('R18: each hit carries its active thread (go to thread), history and channel options', async () => {
    const [fedor] = await find('Fedor');
    expect(fedor.activeThread).toMatchObject({ status: 'WAITING' });
    const [boris] = await find('Boris');
    expect(boris.activeThread).toBeNull();
    const hist = await herald.gql('demo-agent-1', `{ searchClients(query: "Jamal") { history(first: 10) { edges { node { direction text channel thread { status } } } pageInfo { hasNextPage } } } }`);
    const edges = hist.data.searchClients[0].history.edges;
    expect(edges[0].node).toMatchObject({ direction: 'INBOUND', text: 'Hello, is my order on its way?', channel: 'WHATSAPP', thread: { status: 'NEW' } });
    expect(boris.channels.map((c: any) => c.channel)).toEqual(['WHATSAPP', 'VIBER', 'EMAIL', 'TELEGRAM', 'APPLE_BUSINESS_MESSAGES', 'WEB_CHAT', 'MOBILE_APP']);
  });

  it('R18: history pages with an opaque cursor, newest first', async () => {
    const q = `query($after: String) { searchClients(query: "Jamal") { history(first: 1, after: $after) { edges { cursor node { text } } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await herald.gql('demo-agent-1', q)).data.searchClients[0].history;
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await herald.gql('demo-agent-1', q, { after: first.pageInfo.endCursor })).data.searchClients[0].history;
    expect(second.edges).toHaveLength(1);
    expect(second.edges[0].cursor).not.toBe(first.edges[0].cursor);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });
});

describe('client.channels (R2–R6, R13)', () => {
  it('R2: a blocked client has no available channel', async () => {
    const [carla] = await find('Carla');
    expect(carla.blocked).toBe(true);
    for (const c of carla.channels.filter((c: any) => c.channel !== 'APPLE_BUSINESS_MESSAGES')) {
      expect(c, c.channel).toMatchObject({ available: false, unavailableReason: 'CLIENT_BLOCKED', blocked: true });
    }
  });

  it('R3: a channel disabled for the stand is CHANNEL_DISABLED, and enabling it through configureChannel opens it', async () => {
    const [liam] = await find('Liam');
    expect(channel(liam, 'APPLE_BUSINESS_MESSAGES')).toMatchObject({ available: false, unavailableReason: 'CHANNEL_DISABLED' });
    const on = await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: APPLE_BUSINESS_MESSAGES, enabled: true }) { standChannel { channel enabled } userErrors { code } } }');
    expect(on.data.configureChannel).toEqual({ standChannel: { channel: 'APPLE_BUSINESS_MESSAGES', enabled: true }, userErrors: [] });
    expect(channel((await find('Liam'))[0], 'APPLE_BUSINESS_MESSAGES')).toMatchObject({ available: true, unavailableReason: null, address: 'urn:biz:liam-4471' });
    await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: APPLE_BUSINESS_MESSAGES, enabled: false }) { standChannel { enabled } } }');
  });

  it('R4: blocked on one channel shows that channel blocked and unavailable, the others stay usable', async () => {
    const [dmitry] = await find('Dmitry');
    expect(channel(dmitry, 'VIBER')).toMatchObject({ blocked: true, available: false, unavailableReason: 'CLIENT_BLOCKED_ON_CHANNEL' });
    // WhatsApp is not blocked; it waits only for a template (R15), since none is approved yet.
    expect(channel(dmitry, 'WHATSAPP')).toMatchObject({ blocked: false, unavailableReason: 'NO_APPROVED_TEMPLATES' });
  });

  it('R4: a supervisor blocks a client on one channel and unblocks it; an agent may not', async () => {
    const [kate] = await find('Kate');
    const block = await herald.gql('demo-supervisor', `mutation { setClientBlocked(clientId: "${kate.id}", blocked: true, channel: TELEGRAM) { client { blocked ${CHANNELS} } userErrors { code } } }`);
    const blocked = block.data.setClientBlocked.client;
    expect(blocked.blocked).toBe(false);
    expect(channel(blocked, 'TELEGRAM')).toMatchObject({ blocked: true, available: false, unavailableReason: 'CLIENT_BLOCKED_ON_CHANNEL' });
    expect(channel(blocked, 'EMAIL')).toMatchObject({ blocked: false, available: true });
    const unblock = await herald.gql('demo-admin', `mutation { setClientBlocked(clientId: "${kate.id}", blocked: false, channel: TELEGRAM) { client { ${CHANNELS} } } }`);
    expect(channel(unblock.data.setClientBlocked.client, 'TELEGRAM')).toMatchObject({ blocked: false, available: true });
    const whole = await herald.gql('demo-supervisor', `mutation { setClientBlocked(clientId: "${kate.id}", blocked: true) { client { blocked } } }`);
    expect(whole.data.setClientBlocked.client.blocked).toBe(true);
    await herald.gql('demo-supervisor', `mutation { setClientBlocked(clientId: "${kate.id}", blocked: false) { client { blocked } } }`);
    const unknown = await herald.gql('demo-supervisor', 'mutation { setClientBlocked(clientId: "nope", blocked: true) { client { id } userErrors { code field } } }');
    expect(unknown.data.setClientBlocked).toEqual({ client: null, userErrors: [{ code: 'NOT_FOUND', field: ['clientId'] }] });
  });

  it('R5: a channel without an address for the client is NO_ADDRESS', async () => {
    const [elena] = await find('Elena');
    expect(channel(elena, 'EMAIL')).toMatchObject({ available: true, address: 'elena.smirnova@example.org' });
    for (const name of ['WHATSAPP', 'VIBER', 'TELEGRAM', 'WEB_CHAT', 'MOBILE_APP']) {
      expect(channel(elena, name), name).toMatchObject({ available: false, unavailableReason: 'NO_ADDRESS', address: null });
    }
    const [grace] = await find('Grace');
    expect(channel(grace, 'TELEGRAM')).toMatchObject({ available: true, address: 'gracelee' });
    expect(channel(grace, 'WEB_CHAT')).toMatchObject({ available: true, address: 'web-7f3a9c' });
  });

  it('R6: with an active thread only EMAIL stays available, and opensThread/bccAllowed tell them apart', async () => {
    const [fedor] = await find('Fedor');
    expect(channel(fedor, 'WHATSAPP')).toMatchObject({ available: false, unavailableReason: 'ACTIVE_THREAD_EXISTS', opensThread: true, bccAllowed: false });
    expect(channel(fedor, 'VIBER')).toMatchObject({ available: false, unavailableReason: 'ACTIVE_THREAD_EXISTS' });
    expect(channel(fedor, 'EMAIL')).toMatchObject({ available: true, opensThread: false, bccAllowed: true, attachmentsAllowed: true });
  });

  it('R13: WhatsApp is OPTIONAL within 24 h of the last inbound message and MANDATORY after or without one', async () => {
    expect(channel((await find('Anna'))[0], 'WHATSAPP').templateRequirement).toBe('OPTIONAL');
    expect(channel((await find('Irina'))[0], 'WHATSAPP').templateRequirement).toBe('OPTIONAL');
    expect(channel((await find('Dmitry'))[0], 'WHATSAPP').templateRequirement).toBe('MANDATORY');
    expect(channel((await find('Boris'))[0], 'WHATSAPP').templateRequirement).toBe('MANDATORY');
    const [hiro] = await find('Hiro');
    expect(channel(hiro, 'VIBER')).toMatchObject({ templateRequirement: 'OPTIONAL' });
    expect(new Date(channel(hiro, 'VIBER').lastInboundAt).getTime()).toBeLessThan(Date.now());
    expect(channel(hiro, 'EMAIL').templateRequirement).toBe('NONE');
    expect(channel((await find('Grace'))[0], 'TELEGRAM').templateRequirement).toBe('NONE');
  });

  it('R13: the stand policy drives Viber (ALWAYS makes it MANDATORY), while WhatsApp may not be made looser', async () => {
    const always = await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: VIBER, enabled: true, templatePolicy: ALWAYS, strictTemplates: false }) { standChannel { templatePolicy strictTemplates } userErrors { code } } }');
    expect(always.data.configureChannel.standChannel).toEqual({ templatePolicy: 'ALWAYS', strictTemplates: false });
    expect(channel((await find('Hiro'))[0], 'VIBER').templateRequirement).toBe('MANDATORY');
    await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: VIBER, enabled: true, templatePolicy: OUTSIDE_SESSION_WINDOW, strictTemplates: true }) { standChannel { templatePolicy } } }');
    const never = await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: WHATSAPP, enabled: true, templatePolicy: NEVER, sessionWindowHours: 48 }) { standChannel { templatePolicy } userErrors { code field } } }');
    expect(never.data.configureChannel).toEqual({
      standChannel: null,
      userErrors: [{ code: 'INVALID_INPUT', field: ['templatePolicy'] }, { code: 'INVALID_INPUT', field: ['sessionWindowHours'] }],
    });
    const stand = await herald.gql('demo-agent-1', '{ standChannels { channel enabled templatePolicy sessionWindowHours strictTemplates } }');
    expect(stand.data.standChannels[0]).toEqual({ channel: 'WHATSAPP', enabled: true, templatePolicy: 'OUTSIDE_SESSION_WINDOW', sessionWindowHours: 24, strictTemplates: true });
  });

  it('R15: a MANDATORY channel with no approved text template is NO_APPROVED_TEMPLATES before any send', async () => {
    expect(channel((await find('Boris'))[0], 'WHATSAPP')).toMatchObject({ templateRequirement: 'MANDATORY', available: false, unavailableReason: 'NO_APPROVED_TEMPLATES' });
  });

  it('client(id) answers null for an unknown or malformed id', async () => {
    expect((await herald.gql('demo-agent-1', '{ client(id: "00000000-0000-0000-0000-000000000000") { id } }')).data.client).toBeNull();
    expect((await herald.gql('demo-agent-1', '{ client(id: "nope") { id } }')).data.client).toBeNull();
  });
});

describe('R17: new clients from a phone number', () => {
  beforeAll(async () => {
    // An approved text template per channel, so template-mandatory channels are open (R15).
    await herald.db.db.insert(templates).values((['WHATSAPP', 'VIBER'] as const).map((channel) => ({
      channel, externalId: `t-${channel}`, name: 'greeting', providerStatus: 'APPROVED', body: 'Hello!', textOnly: true,
    })));
  });

  const create = (phone: string, name?: string, token = 'demo-agent-1') =>
    herald.gql(token, `mutation($phone: String!, $name: String) { createClient(phone: $phone, name: $name) { client { id name phone ${CHANNELS} } userErrors { code field message } } }`, { phone, name });

  it('R17: fewer than 7 digits once formatting is stripped is PHONE_TOO_SHORT and creates nothing', async () => {
    const res = await create('+1 (23) 4-56');
    expect(res.data.createClient.client).toBeNull();
    expect(res.data.createClient.userErrors).toMatchObject([{ code: 'PHONE_TOO_SHORT', field: ['phone'] }]);
    expect(res.data.createClient.userErrors[0].message).toMatch(/7 digits/);
    expect(await herald.db.db.$count(clients, eq(clients.phone, '123456'))).toBe(0);
  });

  it('R17: exactly 7 digits creates a client that can be messaged over WhatsApp or Viber only', async () => {
    const res = await create('555-12-34', 'Walk-in');
    expect(res.data.createClient.userErrors).toEqual([]);
    const client = res.data.createClient.client;
    expect(client).toMatchObject({ name: 'Walk-in', phone: '+5551234' });
    const available = client.channels.filter((c: any) => c.available).map((c: any) => c.channel);
    expect(available).toEqual(['WHATSAPP', 'VIBER']);
    expect(channel(client, 'WHATSAPP').templateRequirement).toBe('MANDATORY');
  });

  it('R17: an existing number in another formatting is CLIENT_EXISTS with the existing client', async () => {
    const res = await create('+7 916 123-45-01');
    expect(res.data.createClient.userErrors).toMatchObject([{ code: 'CLIENT_EXISTS', field: ['phone'] }]);
    expect(res.data.createClient.client).toMatchObject({ name: 'Anna Ivanova', phone: '+79161234501' });
  });

  it('R17: two agents creating the same new number at once get one client', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create('+44 7700 900999', `Race ${i}`, `demo-agent-${(i % 5) + 1}`)));
    const created = results.filter((r) => r.data.createClient.userErrors.length === 0);
    const existing = results.filter((r) => r.data.createClient.userErrors[0]?.code === 'CLIENT_EXISTS');
    expect(created).toHaveLength(1);
    expect(existing).toHaveLength(7);
    const ids = new Set(results.map((r) => r.data.createClient.client.id));
    expect(ids.size).toBe(1);
  });

  it('R17: letters are INVALID_INPUT', async () => {
    expect((await create('call me maybe 1234567')).data.createClient.userErrors).toMatchObject([{ code: 'INVALID_INPUT' }]);
  });
});

describe('upsertClient (administration)', () => {
  const upsert = (input: Record<string, unknown>, token = 'demo-integrator') =>
    herald.gql(token, `mutation($input: ClientInput!) { upsertClient(input: $input) { client { id name phone email externalId usernames { channel username } } userErrors { code field } } }`, { input });

  it('creates by external id, then updates the same client', async () => {
    const first = await upsert({ externalId: 'ERP-77', name: 'Olga', phone: '+7 999 000 11 22', usernames: [{ channel: 'TELEGRAM', username: 'olga77' }] });
    expect(first.data.upsertClient.userErrors).toEqual([]);
    const second = await upsert({ externalId: 'ERP-77', email: 'olga@example.com' }, 'demo-admin');
    expect(second.data.upsertClient.client).toMatchObject({
      id: first.data.upsertClient.client.id, name: 'Olga', phone: '+79990001122', email: 'olga@example.com', usernames: [{ channel: 'TELEGRAM', username: 'olga77' }],
    });
    expect((await find('olga77')).map((c) => c.externalId)).toEqual(['ERP-77']);
  });

  it('R10: a bad email is INVALID_EMAIL; R17: a short phone is PHONE_TOO_SHORT; an existing phone is CLIENT_EXISTS', async () => {
    expect((await upsert({ externalId: 'ERP-78', email: 'olga@example' })).data.upsertClient.userErrors).toEqual([{ code: 'INVALID_EMAIL', field: ['email'] }]);
    expect((await upsert({ externalId: 'ERP-78', phone: '12345' })).data.upsertClient.userErrors).toEqual([{ code: 'PHONE_TOO_SHORT', field: ['phone'] }]);
    expect((await upsert({ externalId: 'ERP-78', phone: '79161234501' })).data.upsertClient.userErrors).toEqual([{ code: 'CLIENT_EXISTS', field: ['phone'] }]);
    expect((await upsert({})).data.upsertClient.userErrors).toMatchObject([{ code: 'INVALID_INPUT' }]);
    expect(await find('ERP-78')).toEqual([]);
  });
});
