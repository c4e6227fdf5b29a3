import { count } from 'drizzle-orm';
import type { Db } from './db/connection.js';
import { createAgent, createTransferTarget } from './db/agents.js';
import { hashToken } from './auth/tokens.js';
import { agents, clientChannels, clients, messages, messengerUsernames, standChannels, threads, threadEvents } from './db/schema.js';
import { and, eq } from 'drizzle-orm';
import type { Channel } from './domain/enums.js';

// The demo stand of embedded mode: enough agents, targets and clients to try every rule by hand.
// Runs once, on a database that has no agents yet.

export interface DemoToken { token: string; login: string; role: string }

export const DEMO_TOKENS: DemoToken[] = [
  ...[1, 2, 3, 4, 5].map((n) => ({ token: `demo-agent-${n}`, login: `agent${n}`, role: 'AGENT' })),
  { token: 'demo-supervisor', login: 'supervisor', role: 'SUPERVISOR' },
  { token: 'demo-integrator', login: 'integrator', role: 'INTEGRATOR' },
  { token: 'demo-admin', login: 'admin', role: 'ADMIN' },
];

const HOUR = 60 * 60 * 1000;

interface DemoClient {
  name: string;
  phone?: string;
  email?: string;
  externalId?: string;
  blocked?: boolean;
  usernames?: Array<{ channel: Channel; username: string }>;
  channels?: Array<{ channel: Channel; blocked?: boolean; inboundHoursAgo?: number; address?: string }>;
  activeThread?: { channel: Channel; assignTo?: string; inbound?: string };
}

// Phones ending in 0404, 0403, 0500 and 0000 are edna sandbox scenarios (not a user, blocked the
// business, provider errors, no callbacks): see sandbox/edna/scenarios.ts.
export const DEMO_CLIENTS: DemoClient[] = [
  { name: 'Anna Ivanova', phone: '79161234501', email: 'anna.ivanova@example.com', externalId: 'CRM-1001',
    channels: [{ channel: 'WHATSAPP', inboundHoursAgo: 2 }] },
  { name: 'Boris Petrov', phone: '79161234502', externalId: 'CRM-1002' },
  { name: 'Carla Gomez', phone: '34611234503', email: 'carla.gomez@example.com', blocked: true },
  { name: 'Dmitry Sokolov', phone: '79161234504', channels: [{ channel: 'VIBER', blocked: true }, { channel: 'WHATSAPP', inboundHoursAgo: 30 }] },
  { name: 'Elena Smirnova', email: 'elena.smirnova@example.org' },
  { name: 'Fedor Kuznetsov', phone: '79161234506', email: 'fedor.k@example.com', activeThread: { channel: 'WHATSAPP', assignTo: 'agent2' } },
  { name: 'Grace Lee', email: 'grace.lee@example.com',
    usernames: [{ channel: 'TELEGRAM', username: 'gracelee' }, { channel: 'WEB_CHAT', username: 'web-7f3a9c' }, { channel: 'MOBILE_APP', username: 'app-user-1207' }] },
  { name: 'Hiro Tanaka', phone: '819012345608', externalId: 'CRM-1008', channels: [{ channel: 'VIBER', inboundHoursAgo: 1 }] },
  { name: 'Irina Volkova', phone: '79161234509', channels: [{ channel: 'WHATSAPP', inboundHoursAgo: 23 }] },
  { name: 'Jamal Khan', phone: '447700900510', activeThread: { channel: 'WHATSAPP', inbound: 'Hello, is my order on its way?' },
    channels: [{ channel: 'WHATSAPP', inboundHoursAgo: 0.5 }] },
  { name: 'Kate Novak', phone: '420601234511', email: 'kate.novak@example.cz', externalId: 'CRM-1011',
    usernames: [{ channel: 'TELEGRAM', username: 'katenovak' }] },
  { name: 'Liam O\'Brien', email: 'liam.obrien@example.ie', usernames: [{ channel: 'APPLE_BUSINESS_MESSAGES', username: 'urn:biz:liam-4471' }] },
  { name: 'Nadia Not-on-WhatsApp', phone: '79160000404' },
  { name: 'Oleg Blocked-the-business', phone: '79160000403', channels: [{ channel: 'WHATSAPP', inboundHoursAgo: 3 }] },
];

export async function seedDemo(db: Db, standId: string, now = new Date()): Promise<boolean> {
  const [{ value: agentCount }] = (await db.select({ value: count() }).from(agents)) as [{ value: number }];
  if (agentCount > 0) return false;

  await db.update(standChannels)
    .set({ enabled: true })
    .where(eq(standChannels.standId, standId));
  await db.update(standChannels)
    .set({ enabled: false })
    .where(and(eq(standChannels.standId, standId), eq(standChannels.channel, 'APPLE_BUSINESS_MESSAGES')));

  const agentIds = new Map<string, string>();
  for (const t of DEMO_TOKENS) {
    const name = t.login.replace(/^agent(\d)$/, 'Agent $1').replace(/^[a-z]/, (c) => c.toUpperCase());
    const created = await createAgent(db, { standId, login: t.login, name, role: t.role as never, status: 'ACTIVE' }, hashToken(t.token));
    if (!created.ok) throw new Error(`demo seed: agent ${t.login} exists`);
    agentIds.set(t.login, created.agent.id);
  }
  for (const [kind, name] of [['GROUP', 'Tier 2 support'], ['GROUP', 'Retention'], ['SKILL', 'Spanish speakers'], ['BOT', 'FAQ bot'], ['DEPARTMENT', 'Billing']] as const) {
    await createTransferTarget(db, standId, kind, name);
  }

  for (const c of DEMO_CLIENTS) {
    await db.transaction(async (tx) => {
      const [client] = await tx.insert(clients).values({
        standId, name: c.name, phone: c.phone ?? null, email: c.email ?? null, externalId: c.externalId ?? null, blocked: c.blocked ?? false,
      }).returning();
      const clientId = client!.id;
      if (c.usernames?.length) await tx.insert(messengerUsernames).values(c.usernames.map((u) => ({ clientId, ...u })));
      for (const ch of c.channels ?? []) {
        const lastInboundAt = ch.inboundHoursAgo === undefined ? null : new Date(now.getTime() - ch.inboundHoursAgo * HOUR);
        await tx.insert(clientChannels).values({ clientId, channel: ch.channel, blocked: ch.blocked ?? false, lastInboundAt, address: ch.address ?? null });
        if (lastInboundAt) {
          await tx.insert(messages).values({
            clientId, channel: ch.channel, direction: 'INBOUND', status: 'DELIVERED', text: 'Hi, I have a question.', createdAt: lastInboundAt, updatedAt: lastInboundAt,
          });
        }
      }
      if (c.activeThread) {
        const assigneeId = c.activeThread.assignTo ? agentIds.get(c.activeThread.assignTo)! : null;
        const [thread] = await tx.insert(threads).values({
          clientId, channel: c.activeThread.channel, status: assigneeId ? 'WAITING' : 'NEW', assigneeId, openedAt: new Date(now.getTime() - HOUR),
        }).returning();
        await tx.insert(threadEvents).values({ threadId: thread!.id, kind: 'OPENED', agentId: assigneeId });
        if (c.activeThread.inbound) {
          await tx.insert(messages).values({
            clientId, threadId: thread!.id, channel: c.activeThread.channel, direction: 'INBOUND', status: 'DELIVERED', text: c.activeThread.inbound,
          });
        }
      }
    });
  }
  return true;
}
