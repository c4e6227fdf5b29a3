import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.js';
import { publish } from '../../src/db/events.js';
import { agents, clients, sends, stands, threads } from '../../src/db/schema.js';
import { insertToken } from '../../src/db/tokens.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// The one visibility rule (src/domain/access.ts), end to end, as a matrix: every role of the home
// stand and two callers of another stand, against sends (their own, another agent's, an
// integrator's, another stand's), clients and threads, through queries, node(id:) and
// subscriptions. What a caller may not see answers as if it did not exist.

let herald: TestHerald;
const ids: Record<string, string> = {};

beforeAll(async () => {
  herald = await startTestHerald();
  // Home stand: agent1's own send; an integrator's send on behalf of agent2.
  ids.clientA = await newClient(herald, '+7 916 000 4141', 'Visible Home');
  await wroteInRecently(herald, ids.clientA!);
  const own = await send(herald, 'demo-agent-1', { requestId: 'vis-own', clientId: ids.clientA, channel: 'WHATSAPP', text: 'mine', disposition: { kind: 'ASSIGN_TO_ME' } });
  ids.sendOwn = own.send.id;
  ids.threadA = own.send.thread.id;
  await sendReaches(herald, ids.sendOwn!, ['COMPLETED']);
  const agent2 = (await herald.gql('demo-agent-2', '{ me { id } }')).data.me.id;
  ids.clientI = await newClient(herald, '+7 916 000 4142', 'Integrated Home');
  await wroteInRecently(herald, ids.clientI!);
  const integrated = await send(herald, 'demo-integrator', { requestId: 'vis-int', clientId: ids.clientI, channel: 'WHATSAPP', text: 'crm', disposition: { kind: 'CLOSE' }, onBehalfOfAgentId: agent2 });
  ids.sendIntegrator = integrated.send.id;
  await sendReaches(herald, ids.sendIntegrator!, ['COMPLETED']);

  // Another stand, with its own agent and supervisor, client, thread and send.
  const db = herald.db.db;
  const [standB] = await db.insert(stands).values({ name: 'Away stand' }).returning();
  const [bAgent, bSupervisor] = await db.insert(agents).values([
    { standId: standB!.id, login: 'away-agent', name: 'Away Agent', role: 'AGENT', status: 'ACTIVE' },
    { standId: standB!.id, login: 'away-supervisor', name: 'Away Supervisor', role: 'SUPERVISOR', status: 'ACTIVE' },
  ]).returning();
  await insertToken(db, bAgent!.id, hashToken('away-agent-token'), 'test');
  await insertToken(db, bSupervisor!.id, hashToken('away-supervisor-token'), 'test');
  const [clientB] = await db.insert(clients).values({ standId: standB!.id, name: 'Away Client', phone: '79160004143' }).returning();
  const [threadB] = await db.insert(threads).values({ clientId: clientB!.id, channel: 'WHATSAPP', status: 'WAITING', assigneeId: bAgent!.id }).returning();
  await db.insert(sends).values({ id: 'send:vis-away', requestId: 'vis-away', agentId: bAgent!.id, requestedById: bAgent!.id, clientId: clientB!.id, channel: 'WHATSAPP', state: 'COMPLETED', threadId: threadB!.id });
  Object.assign(ids, { clientB: clientB!.id, threadB: threadB!.id, sendAway: 'send:vis-away', awayAgent: bAgent!.id });
}, 120_000);
afterAll(async () => { await herald?.close(); });

type Resource = 'sendOwn' | 'sendIntegrator' | 'sendAway';
const CALLERS = ['demo-agent-1', 'demo-agent-3', 'demo-integrator', 'demo-supervisor', 'demo-admin', 'away-agent-token', 'away-supervisor-token'] as const;
type CallerToken = (typeof CALLERS)[number];

/** Who sees which send: agent1 its own (and nothing of agent2's), the integrator what it requested, supervisors and admins all of their stand. */
const SEES_SEND: Record<CallerToken, Record<Resource, boolean>> = {
  'demo-agent-1': { sendOwn: true, sendIntegrator: false, sendAway: false },
  'demo-agent-3': { sendOwn: false, sendIntegrator: false, sendAway: false },
  'demo-integrator': { sendOwn: false, sendIntegrator: true, sendAway: false },
  'demo-supervisor': { sendOwn: true, sendIntegrator: true, sendAway: false },
  'demo-admin': { sendOwn: true, sendIntegrator: true, sendAway: false },
  'away-agent-token': { sendOwn: false, sendIntegrator: false, sendAway: true },
  'away-supervisor-token': { sendOwn: false, sendIntegrator: false, sendAway: true },
};
const HOME: Record<CallerToken, boolean> = {
  'demo-agent-1': true, 'demo-agent-3': true, 'demo-integrator': true, 'demo-supervisor': true, 'demo-admin': true, 'away-agent-token': false, 'away-supervisor-token': false,
};

describe('one visibility rule: role × own/other stand × query/subscription', () => {
  for (const token of CALLERS) {
    it(`R23/R24: ${token} sees exactly what the rule gives, by send(id), sends, node(id) and sendUpdated`, async () => {
      const listed = await herald.gql(token, '{ sends(first: 100) { edges { node { id } } } }');
      const listedIds = new Set(listed.data.sends.edges.map((e: any) => e.node.id));
      for (const resource of ['sendOwn', 'sendIntegrator', 'sendAway'] as Resource[]) {
        const id = ids[resource]!;
        const expected = SEES_SEND[token][resource];
        const one = await herald.gql(token, 'query($id: ID!) { send(id: $id) { id } node(id: $id) { id } }', { id });
        expect(one.errors, `${token} ${resource}`).toBeUndefined();
        expect(one.data.send?.id ?? null, `${token} send(id) ${resource}`).toBe(expected ? id : null);
        expect(one.data.node?.id ?? null, `${token} node(id) ${resource}`).toBe(expected ? id : null);
        expect(listedIds.has(id), `${token} sends ${resource}`).toBe(expected);

        const ws = connect(herald.baseUrl, token);
        try {
          const sub = subscribe(ws, 'subscription($id: ID!) { sendUpdated(id: $id) { id state } }', { id });
          await new Promise((r) => setTimeout(r, 200));
          await publish(herald.db.db, { type: 'send', sendId: id });
          if (expected) {
            const event = await sub.next((e: any) => e.sendUpdated.id === id, 5_000);
            expect(event.sendUpdated.state, `${token} sendUpdated ${resource}`).toBe('COMPLETED');
          } else {
            await eventually(async () => (sub.errors.length > 0 ? true : undefined), 5_000, `${token} refused ${resource}`);
            expect(JSON.stringify(sub.errors), `${token} sendUpdated ${resource}`).toMatch(/No such send/);
            expect(sub.events).toEqual([]);
          }
        } finally {
          await ws.dispose();
        }
      }
    });

    it(`R18/R22: ${token} sees clients and threads of its own stand only, by client(id), thread(id), node(id) and clientActivity`, async () => {
      for (const [clientKey, threadKey, home] of [['clientA', 'threadA', true], ['clientB', 'threadB', false]] as const) {
        const expected = HOME[token] === home;
        const res = await herald.gql(token, 'query($c: ID!, $t: ID!) { client(id: $c) { id } thread(id: $t) { id } cn: node(id: $c) { id } tn: node(id: $t) { id } }', { c: ids[clientKey], t: ids[threadKey] });
        expect(res.data, `${token} ${clientKey}`).toEqual(expected
          ? { client: { id: ids[clientKey] }, thread: { id: ids[threadKey] }, cn: { id: ids[clientKey] }, tn: { id: ids[threadKey] } }
          : { client: null, thread: null, cn: null, tn: null });

        const ws = connect(herald.baseUrl, token);
        try {
          const sub = subscribe(ws, 'subscription($c: ID!) { clientActivity(clientId: $c) { kind client { id } } }', { c: ids[clientKey] });
          await new Promise((r) => setTimeout(r, 200));
          await publish(herald.db.db, { type: 'client', clientId: ids[clientKey]!, kind: 'THREAD_UPDATED', threadId: ids[threadKey]!, messageId: null });
          if (expected) expect((await sub.next((e: any) => e.clientActivity.client.id === ids[clientKey], 5_000)).clientActivity.kind).toBe('THREAD_UPDATED');
          else await eventually(async () => (sub.errors.length > 0 ? true : undefined), 5_000, `${token} refused ${clientKey}`);
        } finally {
          await ws.dispose();
        }
      }
    });
  }

  it("R12: an agent's queue: the agent itself and the non-agents of its stand; another agent is FORBIDDEN, another stand's agent does not exist", async () => {
    const agent1 = (await herald.gql('demo-agent-1', '{ me { id } }')).data.me.id;
    const query = 'query($id: ID!) { node(id: $id) { ... on Agent { queueConnection { edges { node { id } } } } } }';
    const own = await herald.gql('demo-agent-1', query, { id: agent1 });
    expect(own.data.node.queueConnection.edges.map((e: any) => e.node.id)).toContain(ids.threadA);
    for (const token of ['demo-supervisor', 'demo-admin', 'demo-integrator']) {
      expect((await herald.gql(token, query, { id: agent1 })).data.node.queueConnection.edges.map((e: any) => e.node.id), token).toContain(ids.threadA);
    }
    const other = await herald.gql('demo-agent-3', query, { id: agent1 });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await herald.gql('demo-supervisor', query, { id: ids.awayAgent })).data.node).toBeNull();
  });

  it('R23: an integrator sends on behalf of an AGENT account only; a supervisor, an admin or another integrator is FORBIDDEN', async () => {
    const client = await clientId(herald, 'Anna');
    const who = async (token: string) => (await herald.gql(token, '{ me { id } }')).data.me.id as string;
    for (const token of ['demo-supervisor', 'demo-admin', 'demo-integrator']) {
      const res = await send(herald, 'demo-integrator', { clientId: client, channel: 'EMAIL', text: 'on behalf', onBehalfOfAgentId: await who(token) });
      expect(res.send, token).toBeNull();
      expect(res.userErrors, token).toMatchObject([{ code: 'FORBIDDEN', field: ['onBehalfOfAgentId'] }]);
    }
    const another = await send(herald, 'demo-integrator', { clientId: client, channel: 'EMAIL', text: 'on behalf', onBehalfOfAgentId: ids.awayAgent });
    expect(another.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['onBehalfOfAgentId'] }]);
  });
});
