import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { apiTokens } from '../../src/db/schema.js';
import { hashToken } from '../../src/auth/tokens.js';

let herald: TestHerald;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

describe('auth (R23: nobody reads without a valid token; agents act only as themselves)', () => {
  it('R23: no token is UNAUTHENTICATED with HTTP 401, and reveals no data', async () => {
    const res = await herald.gql(null, '{ me { id } searchClients(query: "Anna") { id } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });

  it('R23: an unknown or malformed token is UNAUTHENTICATED', async () => {
    for (const token of ['not-a-token', 'demo-agent-9']) {
      const res = await herald.gql(token, '{ me { id } }');
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const res = await fetch(`${herald.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic demo-agent-1' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it("R23: me answers with the token's own agent and role", async () => {
    const agent = await herald.gql('demo-agent-1', '{ me { login role status } }');
    expect(agent.data.me).toEqual({ login: 'agent1', role: 'AGENT', status: 'ACTIVE' });
    const sup = await herald.gql('demo-supervisor', '{ me { login role } }');
    expect(sup.data.me).toEqual({ login: 'supervisor', role: 'SUPERVISOR' });
  });

  it('R23: the wrong role is FORBIDDEN with HTTP 403 and changes nothing', async () => {
    const res = await herald.gql('demo-agent-1', 'mutation { createAgent(login: "mallory", name: "M", role: ADMIN) { token } }');
    expect(res.status).toBe(403);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const check = await herald.gql('demo-admin', '{ transferTargets(kind: AGENT) { name } }');
    expect(check.data.transferTargets.map((t: { name: string }) => t.name)).not.toContain('M');
    for (const [token, mutation] of [
      ['demo-agent-1', 'mutation { configureChannel(input: { channel: WHATSAPP, enabled: false }) { standChannel { enabled } } }'],
      ['demo-agent-1', 'mutation { createTransferTarget(kind: GROUP, name: "Rogue") { target { id } } }'],
      ['demo-agent-1', 'mutation { upsertClient(input: { name: "X" }) { client { id } } }'],
      ['demo-integrator', 'mutation { setClientBlocked(clientId: "00000000-0000-0000-0000-000000000000", blocked: true) { client { id } } }'],
      ['demo-supervisor', 'mutation { createAgent(login: "eve", name: "Eve", role: AGENT) { token } }'],
    ] as const) {
      const r = await herald.gql(token, mutation);
      expect(r.errors?.[0]?.extensions?.code, mutation).toBe('FORBIDDEN');
    }
    const wa = await herald.gql('demo-admin', '{ standChannels { channel enabled } }');
    expect(wa.data.standChannels.find((c: { channel: string }) => c.channel === 'WHATSAPP').enabled).toBe(true);
  });

  it("R23: setMyStatus changes only the caller's own status, and R1 statuses round-trip", async () => {
    const res = await herald.gql('demo-agent-3', 'mutation { setMyStatus(status: BREAK, reason: "lunch") { agent { login status statusReason } userErrors { code } } }');
    expect(res.data.setMyStatus).toEqual({ agent: { login: 'agent3', status: 'BREAK', statusReason: 'lunch' }, userErrors: [] });
    const other = await herald.gql('demo-agent-4', '{ me { status } }');
    expect(other.data.me.status).toBe('ACTIVE');
    const noReason = await herald.gql('demo-agent-3', 'mutation { setMyStatus(status: BREAK) { agent { status } userErrors { code field } } }');
    expect(noReason.data.setMyStatus.userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['reason'] }]);
    const back = await herald.gql('demo-agent-3', 'mutation { setMyStatus(status: OUT, reason: "ignored") { agent { status statusReason } } }');
    expect(back.data.setMyStatus.agent).toEqual({ status: 'OUT', statusReason: null });
  });

  it("R23: an agent reads its own queue but not another agent's; a supervisor reads any", async () => {
    const own = await herald.gql('demo-agent-2', '{ me { queue { status client { name } } } }');
    expect(own.data.me.queue).toEqual([{ status: 'WAITING', client: { name: 'Fedor Kuznetsov' } }]);
    const search = await herald.gql('demo-agent-1', '{ searchClients(query: "Fedor") { activeThread { assignee { login queue { id } } } } }');
    expect(search.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const sup = await herald.gql('demo-supervisor', '{ searchClients(query: "Fedor") { activeThread { assignee { login queue { status } } } } }');
    expect(sup.data.searchClients[0].activeThread.assignee).toEqual({ login: 'agent2', queue: [{ status: 'WAITING' }] });
  });

  it('R23: an admin creates an agent whose token works once shown, and only its hash is stored', async () => {
    const res = await herald.gql('demo-admin', 'mutation { createAgent(login: "agent6", name: "Agent Six", role: AGENT) { agent { login role status } token userErrors { code } } }');
    const { agent, token } = res.data.createAgent;
    expect(agent).toEqual({ login: 'agent6', role: 'AGENT', status: 'OFFLINE' });
    expect(token).toMatch(/^hrl_/);
    expect((await herald.gql(token, '{ me { login } }')).data.me.login).toBe('agent6');
    const stored = await herald.db.db.select().from(apiTokens);
    expect(stored.some((r) => r.tokenHash === token || r.tokenHash.includes(token))).toBe(false);
    expect(stored.some((r) => r.tokenHash === hashToken(token))).toBe(true);
    const targets = await herald.gql('demo-agent-1', '{ transferTargets(kind: AGENT) { name } }');
    expect(targets.data.transferTargets.map((t: { name: string }) => t.name)).toContain('Agent Six');
    const again = await herald.gql('demo-admin', 'mutation { createAgent(login: "agent6", name: "Dup", role: AGENT) { agent { id } userErrors { code field } } }');
    expect(again.data.createAgent).toEqual({ agent: null, userErrors: [{ code: 'INVALID_INPUT', field: ['login'] }] });
  });
});

describe('health', () => {
  it('/healthz answers while the process is up; /readyz checks the database and Temporal', async () => {
    expect((await fetch(`${herald.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${herald.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });
});
