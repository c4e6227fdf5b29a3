import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { ensureStand } from '../../src/db/stand.js';
import { loadMessageToDeliver, loadSendFacts } from '../../src/db/sendFacts.js';
import { agents, clientChannels, clients, messages, standChannels, templates } from '../../src/db/schema.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

// What a send is judged by, read in one statement (src/db/sendFacts.ts): each part as the rules
// need it, on both databases.

let database: TestDatabase;
let standId: string;
let clientId: string;
let agentId: string;
beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  standId = await ensureStand(db, 'Facts stand');
  [{ id: clientId }] = (await db.insert(clients).values({ standId, name: 'Facts', phone: '79990001122' }).returning({ id: clients.id })) as [{ id: string }];
  [{ id: agentId }] = (await db.insert(agents).values({ standId, login: 'facts-agent', name: 'Facts Agent', role: 'AGENT', status: 'BREAK' }).returning({ id: agents.id })) as [{ id: string }];
  await db.update(standChannels).set({ enabled: true, strictTemplates: true, sessionWindowHours: 12 }).where(and(eq(standChannels.standId, standId), eq(standChannels.channel, 'WHATSAPP')));
  await db.update(standChannels).set({ enabled: true, strictTemplates: false }).where(and(eq(standChannels.standId, standId), eq(standChannels.channel, 'VIBER')));
  await db.delete(standChannels).where(and(eq(standChannels.standId, standId), eq(standChannels.channel, 'TELEGRAM')));
  const template = (channel: 'WHATSAPP' | 'VIBER', externalId: string, usable: boolean, textOnly: boolean) =>
    ({ channel, externalId, name: externalId, providerStatus: 'APPROVED', usable, textOnly, body: 'Hello' });
  await db.insert(templates).values([
    template('WHATSAPP', 'wa-1', true, true), template('WHATSAPP', 'wa-2', true, true),
    template('WHATSAPP', 'wa-media', true, false), template('WHATSAPP', 'wa-gone', false, true),
    template('VIBER', 'vb-1', true, true),
  ]);
});
afterAll(async () => {
  await database?.drop();
});

describe('the facts a send is judged by', () => {
  it('R15: the stand\'s settings for the channel, with its approved text templates counted where the stand is strict', async () => {
    const facts = (await loadSendFacts(database.db, { clientId, channel: 'WHATSAPP', agentId }))!;
    expect(facts.client.id).toBe(clientId);
    expect(facts.standChannel).toEqual({ channel: 'WHATSAPP', enabled: true, templatePolicy: 'OUTSIDE_SESSION_WINDOW', sessionWindowHours: 12, strictTemplates: true });
    // Usable and text-only: not the media template, not the one no longer usable.
    expect(facts.approvedTextTemplates).toBe(2);
    expect(facts.agent).toEqual({ status: 'BREAK', login: 'facts-agent' });
    expect(facts.activeThread).toBeNull();
    expect(facts.facts.hasActiveThread).toBe(false);
  });

  it('R15: a stand that is not strict about templates does not count them', async () => {
    const facts = (await loadSendFacts(database.db, { clientId, channel: 'VIBER', agentId: null }))!;
    expect(facts.standChannel?.strictTemplates).toBe(false);
    expect(facts.approvedTextTemplates).toBe(0);
  });

  it('R1: the agent the send goes out as, with their status; none for a send without one', async () => {
    expect((await loadSendFacts(database.db, { clientId, channel: 'VIBER', agentId: null }))!.agent).toBeNull();
    await database.db.update(agents).set({ status: 'ACTIVE' }).where(eq(agents.id, agentId));
    expect((await loadSendFacts(database.db, { clientId, channel: 'VIBER', agentId }))!.agent).toEqual({ status: 'ACTIVE', login: 'facts-agent' });
  });

  it('R3: a channel the stand has not set up has no settings, and an unknown client has no facts', async () => {
    expect((await loadSendFacts(database.db, { clientId, channel: 'TELEGRAM', agentId }))!.standChannel).toBeNull();
    expect(await loadSendFacts(database.db, { clientId: '00000000-0000-4000-8000-000000000000', channel: 'WHATSAPP', agentId })).toBeNull();
  });

  it('a message to deliver comes with its client\'s facts, the address it goes to among them', async () => {
    await database.db.insert(clientChannels).values({ clientId, channel: 'VIBER', address: '79990001122', lastInboundAt: new Date() });
    const [{ id: messageId }] = (await database.db.insert(messages).values({ clientId, channel: 'VIBER', direction: 'OUTBOUND', status: 'PENDING', text: 'Hi' }).returning({ id: messages.id })) as [{ id: string }];
    const loaded = (await loadMessageToDeliver(database.db, messageId))!;
    expect(loaded.message).toMatchObject({ id: messageId, clientId, channel: 'VIBER', text: 'Hi' });
    expect(loaded.client.id).toBe(clientId);
    expect(loaded.facts.phone).toBe('79990001122');
    expect(loaded.facts.channelFacts).toEqual([expect.objectContaining({ channel: 'VIBER', address: '79990001122', blocked: false })]);
    expect(loaded.facts.channelFacts[0]!.lastInboundAt).toBeInstanceOf(Date);
    expect(await loadMessageToDeliver(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
