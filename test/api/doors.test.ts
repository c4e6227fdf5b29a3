import net from 'node:net';
import { eq } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens } from '../../src/db/schema.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { connect, subscribe } from '../support/subscriptions.js';

// Every door has a limit (README, "Limits and security"): tokens expire and can be revoked; idle
// and slow connections are closed; requests per token and per address are limited with
// RATE_LIMITED and Retry-After; a WebSocket takes no message larger than an HTTP body, a bounded
// number of subscriptions and connections, and closes 4401 without a valid token.

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald({
    worker: false,
    env: {
      HTTP_IDLE_TIMEOUT_SECONDS: '1', HTTP_HEADERS_TIMEOUT_SECONDS: '1', HTTP_REQUEST_TIMEOUT_SECONDS: '2',
      RATE_LIMIT_ANONYMOUS: '5', RATE_LIMIT_PER_TOKEN: '40',
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', WS_MAX_CONNECTIONS_PER_TOKEN: '2',
    },
  });
});
afterAll(async () => { await herald?.close(); });

const port = () => Number(new URL(herald.baseUrl).port);

describe('tokens', () => {
  it('createToken (ADMIN) makes a token shown once that expires; lastUsedAt follows use; revokeToken stops it at once', async () => {
    const agent1 = (await herald.gql('demo-agent-1', '{ me { id } }')).data.me.id;
    const forbidden = await herald.gql('demo-agent-1', `mutation { createToken(agentId: "${agent1}") { token } }`);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const made = await herald.gql('demo-admin', `mutation { createToken(agentId: "${agent1}", label: "crm", expiresInDays: 7) { token apiToken { id label expiresAt lastUsedAt revokedAt } userErrors { code } } }`);
    const { token, apiToken } = made.data.createToken;
    expect(token).toMatch(/^hrl_/);
    expect(apiToken).toMatchObject({ label: 'crm', lastUsedAt: null, revokedAt: null });
    expect(Date.parse(apiToken.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect((await herald.gql(token, '{ me { login } }')).data.me.login).toBe('agent1');

    const listed = await herald.gql('demo-admin', `query($id: ID!) { node(id: $id) { ... on Agent { tokens { id label lastUsedAt } } } }`, { id: agent1 });
    expect(listed.data.node.tokens.find((t: any) => t.id === apiToken.id).lastUsedAt).not.toBeNull();
    const others = await herald.gql('demo-agent-2', `query($id: ID!) { node(id: $id) { ... on Agent { tokens { id } } } }`, { id: agent1 });
    expect(others.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const revoked = await herald.gql('demo-agent-1', `mutation { revokeToken(id: "${apiToken.id}") { apiToken { revokedAt } userErrors { code } } }`);
    expect(revoked.data.revokeToken.apiToken.revokedAt).not.toBeNull();
    expect((await herald.gql(token, '{ me { login } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const notYours = await herald.gql('demo-agent-2', `mutation { revokeToken(id: "${apiToken.id}") { userErrors { code } } }`);
    expect(notYours.data.revokeToken.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  });

  it('an expired token grants nothing', async () => {
    const agent2 = (await herald.gql('demo-agent-2', '{ me { id } }')).data.me.id;
    const made = await herald.gql('demo-admin', `mutation { createToken(agentId: "${agent2}", expiresInDays: 1) { token apiToken { id } } }`);
    await herald.db.db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, made.data.createToken.apiToken.id));
    expect((await herald.gql(made.data.createToken.token, '{ me { login } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('createAgent gives the new agent a token that expires after TOKEN_TTL_DAYS', async () => {
    const res = await herald.gql('demo-admin', 'mutation { createAgent(login: "ttl-agent", name: "TTL", role: AGENT) { agent { id } token } }');
    const [row] = await herald.db.db.select().from(apiTokens).where(eq(apiTokens.agentId, res.data.createAgent.agent.id));
    expect(row!.expiresAt!.getTime() - Date.now()).toBeGreaterThan(89 * 24 * 3600 * 1000);
  });
});

describe('HTTP timeouts', () => {
  it('an idle connection is closed after HTTP_IDLE_TIMEOUT_SECONDS; a slow body after HTTP_REQUEST_TIMEOUT_SECONDS', async () => {
    const idle = net.connect({ host: '127.0.0.1', port: port() });
    const idleClosed = new Promise<number>((resolve) => { const t = Date.now(); idle.on('close', () => resolve(Date.now() - t)); });
    idle.on('error', () => undefined);
    expect(await idleClosed).toBeLessThan(5_000);

    const slow = net.connect({ host: '127.0.0.1', port: port() });
    slow.on('error', () => undefined);
    let answer = '';
    slow.on('data', (d) => { answer += d; });
    const slowClosed = new Promise<number>((resolve) => { const t = Date.now(); slow.on('close', () => resolve(Date.now() - t)); });
    slow.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
    const drip = setInterval(() => slow.write(' '), 300);
    const after = await slowClosed;
    clearInterval(drip);
    expect(after).toBeLessThan(6_000);
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
  });
});

describe('rate limits', () => {
  it('requests without a valid token (guessed tokens included) share their address\'s small budget: RATE_LIMITED with Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await fetch(`${herald.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer guess-${i}` }, body: '{"query":"{ me { id } }"}' }));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited[0]!.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    // A valid token has a budget of its own.
    expect((await herald.gql('demo-agent-3', '{ me { login } }')).data.me.login).toBe('agent3');
  });

  it('a token is limited to RATE_LIMIT_PER_TOKEN requests a minute', async () => {
    let limited = 0;
    for (let i = 0; i < 45; i++) if ((await herald.gql('demo-agent-4', '{ me { id } }')).status === 429) limited++;
    expect(limited).toBeGreaterThanOrEqual(5);
    expect((await herald.gql('demo-agent-5', '{ me { login } }')).data.me.login).toBe('agent5');
  });

  it('health and readiness are never limited', async () => {
    for (let i = 0; i < 20; i++) expect((await fetch(`${herald.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('WebSocket limits', () => {
  const wsUrl = () => `${herald.baseUrl.replace(/^http/, 'ws')}/graphql`;

  it('a bad token closes the socket with 4401', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer nope' } }));
    const code = await new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
    expect(code).toBe(4401);
  });

  it('a message larger than the HTTP body limit closes the socket (1009) instead of being read', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-agent-1', pad: 'x'.repeat(2 * 1024 * 1024) } }));
    const code = await new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
    expect(code).toBe(1009);
  });

  it('subscriptions per connection and connections per token are capped', async () => {
    const client = connect(herald.baseUrl, 'demo-agent-2');
    const subs = [0, 1, 2, 3].map(() => subscribe(client, 'subscription { myQueueChanged { id } }'));
    await new Promise((r) => setTimeout(r, 500));
    expect(subs.slice(0, 3).every((s) => s.errors.length === 0)).toBe(true);
    expect(JSON.stringify(subs[3]!.errors)).toMatch(/At most 3 subscriptions/);
    const second = connect(herald.baseUrl, 'demo-agent-2');
    subscribe(second, 'subscription { myQueueChanged { id } }');
    await new Promise((r) => setTimeout(r, 300));
    const third = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((r) => third.once('open', r));
    third.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-agent-2' } }));
    const code = await new Promise<number>((resolve) => third.once('close', (c) => resolve(c)));
    expect(code).toBe(4403);
    await client.dispose();
    await second.dispose();
  });
});
