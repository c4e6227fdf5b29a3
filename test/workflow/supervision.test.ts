import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { sends } from '../../src/db/schema.js';
import { sendsPageQuery, type SendFilterValues, type SendScope } from '../../src/db/sendsQuery.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// R24: supervisors list sends by agent, client, channel, state and time, page through them, and
// read each send's own workflow history.

let herald: TestHerald;
let phoneSeq = 0;
const CLOSE = { kind: 'CLOSE' };
const ids: Record<string, string> = {};
let completedId = '';
let onBehalfId = '';
let mid: Date;

async function freshClient(): Promise<string> {
  phoneSeq += 1;
  const id = await newClient(herald, `+49 152 ${String(8000000 + phoneSeq)}`, `Supervision client ${phoneSeq}`);
  await wroteInRecently(herald, id);
  return id;
}

const me = async (token: string) => (await herald.gql(token, '{ me { id } }')).data.me.id as string;

const LIST = `query($filter: SendFilter, $first: Int, $after: String) {
  sends(filter: $filter, first: $first, after: $after) { edges { cursor node { id state channel createdAt agent { id } client { id } } } pageInfo { hasNextPage endCursor } }
}`;

/** Every page of `sends` for this caller and filter, in order. */
async function listAll(token: string, filter: Record<string, unknown> = {}, first = 3) {
  const out: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res: { errors?: unknown; data: any } = await herald.gql(token, LIST, { filter, first, after });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { edges, pageInfo }: { edges: any[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = res.data.sends;
    expect(edges.length).toBeLessThanOrEqual(first);
    out.push(...edges.map((e: any) => e.node.id));
    if (!pageInfo.hasNextPage) return out;
    expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
    after = pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

type Row = typeof sends.$inferSelect;
/** The database's own answer, newest first: what the API must return. */
async function expected(keep: (r: Row) => boolean): Promise<string[]> {
  const rows = await herald.db.db.select().from(sends);
  return rows
    .filter(keep)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((r) => r.id);
}

beforeAll(async () => {
  herald = await startTestHerald();
  for (const n of [1, 2, 3]) ids[`agent${n}`] = await me(`demo-agent-${n}`);
  ids.integrator = await me('demo-integrator');
  const [a, b, c] = [await freshClient(), await freshClient(), await freshClient()];
  Object.assign(ids, { clientA: a, clientB: b, clientC: c });

  // Batch 1: one send that goes all the way, and refusals (EMPTY_MESSAGE) across agents and channels.
  const done = await send(herald, 'demo-agent-1', { clientId: a, channel: 'WHATSAPP', text: 'Your parcel is on its way.', disposition: CLOSE });
  expect(done.userErrors).toEqual([]);
  completedId = done.send.id;
  await send(herald, 'demo-agent-1', { clientId: b, channel: 'VIBER', text: ' ', disposition: CLOSE });
  await send(herald, 'demo-agent-2', { clientId: b, channel: 'WHATSAPP', text: '', disposition: CLOSE });
  await send(herald, 'demo-agent-2', { clientId: c, channel: 'EMAIL', text: '' });
  await sendReaches(herald, completedId, ['COMPLETED']);
  await herald.temporal.client.workflow.getHandle(completedId).result();

  await new Promise((r) => setTimeout(r, 30));
  mid = new Date();
  await new Promise((r) => setTimeout(r, 30));

  // Batch 2: more of the same after `mid`, and an integrator's send on behalf of agent 3.
  for (let i = 0; i < 4; i++) {
    await send(herald, `demo-agent-${(i % 3) + 1}`, { clientId: [a, b, c][i % 3], channel: i % 2 ? 'VIBER' : 'WHATSAPP', text: '', disposition: CLOSE });
  }
  const behalf = await send(herald, 'demo-integrator', { clientId: c, channel: 'VIBER', text: '', disposition: CLOSE, onBehalfOfAgentId: ids.agent3 });
  onBehalfId = behalf.send.id;
});
afterAll(async () => { await herald?.close(); });

describe('R24: listing sends', () => {
  it('R24: filters by agent, client, channel, state and time match the database, newest first', async () => {
    const all = await expected(() => true);
    expect(all).toHaveLength(9);
    expect(await listAll('demo-supervisor', {}, 50)).toEqual(all);
    expect(await listAll('demo-supervisor', { agentId: ids.agent1 })).toEqual(await expected((r) => r.agentId === ids.agent1));
    expect(await listAll('demo-supervisor', { clientId: ids.clientB })).toEqual(await expected((r) => r.clientId === ids.clientB));
    expect(await listAll('demo-supervisor', { channel: 'VIBER' })).toEqual(await expected((r) => r.channel === 'VIBER'));
    const completed = await listAll('demo-supervisor', { state: 'COMPLETED' });
    expect(completed).toEqual([completedId]);
    expect(await listAll('demo-supervisor', { state: 'REJECTED' })).toEqual(await expected((r) => r.state === 'REJECTED'));
    const after = await listAll('demo-supervisor', { from: mid.toISOString() });
    const before = await listAll('demo-supervisor', { to: mid.toISOString() });
    expect(after).toEqual(await expected((r) => r.createdAt >= mid));
    expect(before).toEqual(await expected((r) => r.createdAt < mid));
    expect(after).toHaveLength(5);
    expect(before).toContain(completedId);
    expect([...after, ...before]).toEqual(all);
    // Filters combine.
    expect(await listAll('demo-supervisor', { agentId: ids.agent2, channel: 'WHATSAPP', to: mid.toISOString() }))
      .toEqual(await expected((r) => r.agentId === ids.agent2 && r.channel === 'WHATSAPP' && r.createdAt < mid));
    // An id that is no UUID names nothing.
    expect(await listAll('demo-supervisor', { clientId: 'nope' })).toEqual([]);
  });

  it('R24: pages have no duplicates or gaps, also between sends created within one millisecond', async () => {
    const all = await expected(() => true);
    for (const size of [1, 2, 4, 7]) expect(await listAll('demo-supervisor', {}, size), `first: ${size}`).toEqual(all);
    // Five sends within one millisecond (a JS Date cannot tell them apart; the cursor must).
    const base = '2020-01-02T03:04:05.678';
    const twins = ['1', '9', '5', '3', '7'].map((d, i) => ({
      id: `send:twin-${i}`, requestId: `twin-${i}`, agentId: ids.agent1!, requestedById: ids.agent1!, clientId: ids.clientA!,
      channel: 'WHATSAPP' as const, state: 'REJECTED' as const, at: `${base}${d}00+00`,
    }));
    for (const t of twins) {
      await herald.db.db.execute(sql.raw(`insert into sends (id, request_id, agent_id, requested_by_id, client_id, channel, state, created_at)
        values ('${t.id}', '${t.requestId}', '${t.agentId}', '${t.requestedById}', '${t.clientId}', '${t.channel}', '${t.state}', '${t.at}')`));
    }
    const window = { from: '2020-01-01T00:00:00Z', to: '2020-01-03T00:00:00Z' };
    const order = [...twins].sort((x, y) => (x.at < y.at ? 1 : -1)).map((t) => t.id);
    for (const size of [1, 2, 3]) expect(await listAll('demo-supervisor', window, size)).toEqual(order);
    expect(await listAll('demo-agent-1', { ...window, agentId: ids.agent1 }, 2)).toEqual(order);
    await herald.db.db.execute(sql`delete from sends where id like 'send:twin-%'`);
  });

  it('R24: a page holds 1 to 100 sends (anything else is INVALID_INPUT naming first) and a cursor not given out is INVALID_INPUT', async () => {
    for (const first of [0, -5, 101, 100000]) {
      const refused = await herald.gql('demo-supervisor', LIST, { first });
      expect(refused.errors?.[0]?.extensions, String(first)).toMatchObject({ code: 'INVALID_INPUT', field: ['first'] });
    }
    const one = await herald.gql('demo-supervisor', LIST, { first: 1 });
    expect(one.data.sends.edges).toHaveLength(1);
    expect(one.data.sends.pageInfo.hasNextPage).toBe(true);
    const most = await herald.gql('demo-supervisor', LIST, { first: 100 });
    expect(most.data.sends.edges.length).toBe(Math.min(100, (await expected(() => true)).length));
    const byDefault = await herald.gql('demo-supervisor', '{ sends { edges { cursor } pageInfo { hasNextPage } } }');
    expect(byDefault.errors).toBeUndefined();
    const bad = await herald.gql('demo-supervisor', LIST, { after: 'not-a-cursor' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const anonymous = await herald.gql(null, LIST, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('R24: an agent sees only its own sends (made by it or as it), an integrator the ones it requested, a supervisor and an admin all', async () => {
    const all = await expected(() => true);
    expect(await listAll('demo-admin', {}, 50)).toEqual(all);
    expect(await listAll('demo-agent-1')).toEqual(await expected((r) => r.agentId === ids.agent1 || r.requestedById === ids.agent1));
    expect(await listAll('demo-agent-2')).toEqual(await expected((r) => r.agentId === ids.agent2 || r.requestedById === ids.agent2));
    const agent3 = await listAll('demo-agent-3');
    expect(agent3).toContain(onBehalfId);
    expect(agent3).toEqual(await expected((r) => r.agentId === ids.agent3 || r.requestedById === ids.agent3));
    expect(await listAll('demo-integrator')).toEqual([onBehalfId]);
    expect(await listAll('demo-agent-1')).not.toContain(onBehalfId);
    // Filtering by another agent does not widen what an agent sees.
    expect(await listAll('demo-agent-1', { agentId: ids.agent2 })).toEqual([]);
    expect(await listAll('demo-agent-4')).toEqual([]);
  });
});

describe('R24: a send\'s workflow history', () => {
  const HISTORY = `query($id: ID!) { send(id: $id) { id history { id type time details } } }`;

  it('R24: a supervisor reads the completed workflow\'s events: started, activities, delivery signals, completed', async () => {
    const res = await herald.gql('demo-supervisor', HISTORY, { id: completedId });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const events = res.data.send.history as Array<{ id: string; type: string; time: string; details: any }>;
    expect(events[0]).toMatchObject({ id: '1', type: 'WORKFLOW_EXECUTION_STARTED', details: { workflowType: 'outboundSendV3' } });
    expect(events.at(-1)!.type).toBe('WORKFLOW_EXECUTION_COMPLETED');
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    // Times are when each event happened: buffered signals may precede the task that recorded them.
    for (const e of events) expect(new Date(e.time).toISOString()).toBe(e.time);
    // Validate and reserve are one local activity, and so is each delivery status's settle: a
    // marker naming it, not scheduled/completed events. Delivery is an activity of its own.
    const markers = events.filter((e) => e.type === 'MARKER_RECORDED').map((e) => e.details?.activityType);
    expect(markers).toEqual(expect.arrayContaining(['acceptSend', 'settleMessage']));
    const scheduled = events.filter((e) => e.type === 'ACTIVITY_TASK_SCHEDULED').map((e) => e.details.activityType);
    expect(scheduled).toEqual(['deliverMessage']);
    const completedActivities = events.filter((e) => e.type === 'ACTIVITY_TASK_COMPLETED').map((e) => e.details?.activityType);
    expect(completedActivities).toContain('deliverMessage');
    // The worker in the API's process answered it (eager start, src/sends/localAnswers.ts): no
    // update went through the server, and the first workflow task was never queued.
    expect(events.filter((e) => e.type.startsWith('WORKFLOW_EXECUTION_UPDATE_'))).toEqual([]);
    const signals = events.filter((e) => e.type === 'WORKFLOW_EXECUTION_SIGNALED').map((e) => e.details.signalName);
    expect(signals.length).toBeGreaterThan(0);
    expect(signals).toContain('deliveryStatus');
    const states = events.filter((e) => e.type === 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES' && 'HeraldSendState' in e.details.searchAttributes).map((e) => e.details.searchAttributes.HeraldSendState);
    // The state is written once, when the send ends: each write is a visibility update in the
    // Temporal server. The start carries who, whom and which channel, and no state.
    expect(states).toEqual(['COMPLETED']);
    const started = events.find((e) => e.type === 'WORKFLOW_EXECUTION_STARTED');
    expect(Object.keys(started!.details.searchAttributes ?? {}).sort()).toEqual(['HeraldAgentId', 'HeraldChannel', 'HeraldClientId']);
    // The same through the list.
    const listed = await herald.gql('demo-admin', '{ sends(filter: { state: COMPLETED }) { edges { node { id history { type } } } } }');
    expect(listed.errors).toBeUndefined();
    expect(listed.data.sends.edges[0].node.history).toHaveLength(events.length);
  });

  it('R24: a send answered through the server (no worker in the API\'s process) shows the accepted update in its history', async () => {
    const sends = herald.api.services.sends;
    const here = sends.workerHere;
    expect(here).not.toBeNull();
    sends.answerHere(null);
    let id: string;
    try {
      const asked = await send(herald, 'demo-agent-1', { clientId: await freshClient(), channel: 'WHATSAPP', text: 'Through the server.', disposition: CLOSE });
      expect(asked.userErrors).toEqual([]);
      expect(asked.send.state).toMatch(/^(DELIVERING|AWAITING_STATUS|COMPLETED)$/);
      id = asked.send.id;
    } finally {
      sends.answerHere(here);
    }
    await sendReaches(herald, id, ['COMPLETED']);
    const res = await herald.gql('demo-supervisor', HISTORY, { id });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const events = res.data.send.history as Array<{ type: string; details: any }>;
    const update = events.filter((e) => e.type === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED' || e.type === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED');
    expect(update.map((u) => u.type)).toEqual(['WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'WORKFLOW_EXECUTION_UPDATE_COMPLETED']);
    for (const u of update) expect(u.details.updateName).toBe('accepted');
  });

  it('R24: history is FORBIDDEN to agents and integrators, even for their own sends', async () => {
    for (const token of ['demo-agent-1', 'demo-integrator']) {
      const id = token === 'demo-agent-1' ? completedId : onBehalfId;
      const res = await herald.gql(token, HISTORY, { id });
      expect(res.errors?.[0]?.extensions?.code, token).toBe('FORBIDDEN');
      expect(res.data?.send ?? null).toBeNull();
    }
  });
});

// The planner must be able to answer each filter from its own index, newest first. The test
// tables are tiny, so sequential scans are switched off in the transaction: the plan then shows
// whether an index fits at all.
describe.runIf(process.env.DATABASE_URL)('R24: the list uses the sends indexes on PostgreSQL', () => {
  it('R24: each filter is an index scan on its sends_* index', async () => {
    const raw = herald.db.raw;
    if (raw.kind !== 'pg') throw new Error('expected PostgreSQL');
    const stand: SendScope = { kind: 'stand', standId: herald.standId };
    const cases: Array<{ scope: SendScope; filter: SendFilterValues; cursor?: boolean; index: string }> = [
      { scope: stand, filter: {}, index: 'sends_created' },
      { scope: stand, filter: { from: mid, to: new Date() }, index: 'sends_created' },
      { scope: stand, filter: { agentId: ids.agent1! }, index: 'sends_agent_created' },
      { scope: stand, filter: { agentId: ids.agent1!, from: mid }, cursor: true, index: 'sends_agent_created' },
      { scope: stand, filter: { clientId: ids.clientB! }, index: 'sends_client_created' },
      { scope: stand, filter: { channel: 'VIBER' }, cursor: true, index: 'sends_channel_created' },
      { scope: stand, filter: { state: 'REJECTED' }, index: 'sends_state_created' },
      { scope: { kind: 'agent', agentId: ids.agent2! }, filter: { agentId: ids.agent2! }, index: 'sends_agent_created' },
    ];
    const conn = await raw.pool.connect();
    try {
      await conn.query('begin');
      await conn.query('analyze sends');
      await conn.query('set local enable_seqscan = off');
      for (const c of cases) {
        const after = c.cursor ? { at: new Date().toISOString(), id: 'send:~' } : null;
        const query = sendsPageQuery(herald.db.db, { scope: c.scope, filter: c.filter, first: 50, after }).toSQL();
        const plan = (await conn.query(`explain ${query.sql}`, query.params as unknown[])).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        expect(plan, `${JSON.stringify(c.filter)}\n${plan}`).toMatch(new RegExp(`(Index (Only )?Scan( Backward)? using ${c.index} on sends|Bitmap Index Scan on ${c.index}\\b)`));
        expect(plan).not.toMatch(/Seq Scan on sends/);
      }
    } finally {
      await conn.query('rollback').catch(() => undefined);
      conn.release();
    }
  });
});
