import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, messages } from '../../src/db/schema.js';
import { QUERY_LIMITS } from '../../src/graphql/limits.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

// A short query must not be able to take the process down: nested lists are read one statement
// per level (DataLoader), pages are at most 100, and depth, aliases and the rows a query could
// pull are limited before anything runs.

let herald: TestHerald;
let hub: string;
beforeAll(async () => {
  herald = await startTestHerald({ worker: false });
  // 40 clients with 40 messages each: a page of 40 inside a page of 40 is 1,600 rows.
  const made = await herald.db.db.insert(clients).values(Array.from({ length: 40 }, (_, i) => ({ standId: herald.standId, name: `Nested ${i}` }))).returning({ id: clients.id });
  hub = made[0]!.id;
  await herald.db.db.insert(messages).values(made.flatMap((c, i) => Array.from({ length: 40 }, (_, j) => ({
    clientId: j === 0 ? hub : c.id, channel: 'WHATSAPP' as const, direction: 'INBOUND' as const, text: `m${i}.${j}`, status: 'DELIVERED' as const,
  }))));
});
afterAll(async () => { await herald?.close(); });

const nested = (levels: number, first = 50) => {
  let q = 'id';
  for (let i = 0; i < levels; i++) q = `client { id history(first: ${first}) { edges { node { id text ${q === 'id' ? '' : q} } } } }`;
  return `query($id: ID!) { client(id: $id) { id history(first: ${first}) { edges { node { id ${q} } } } } }`;
};

describe('query limits', () => {
  it('the four-level nested history query that exhausted the heap is refused before it runs, in milliseconds', async () => {
    const query = nested(3);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    const res = await herald.gql('demo-agent-1', query, { id: hub });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(res.data ?? null).toBeNull();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('a page of 40 inside a page of 40 is read in one statement per level and answers every row', async () => {
    const res = await herald.gql('demo-supervisor', `query($id: ID!) { client(id: $id) { history(first: 40) { edges { node { id client { id history(first: 40) { edges { node { text } } } } } } } } }`, { id: hub });
    expect(res.errors).toBeUndefined();
    const outer = res.data.client.history.edges;
    expect(outer).toHaveLength(40);
    const inner = outer.map((e: any) => e.node.client.history.edges.length);
    expect(inner.reduce((a: number, b: number) => a + b, 0)).toBe(40 * 40);
  });

  it('pages are 1 to 100 items; more is INVALID_INPUT naming the argument', async () => {
    const res = await herald.gql('demo-supervisor', '{ searchClients(query: "Nested", first: 101) { id } }');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: ['first'] });
    const ok = await herald.gql('demo-supervisor', '{ searchClients(query: "Nested", first: 100) { id } }');
    expect(ok.data.searchClients.length).toBe(40);
  });

  it(`more than ${QUERY_LIMITS.maxAliases} aliases, or deeper than ${QUERY_LIMITS.maxDepth}, is refused`, async () => {
    const aliases = Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: me { id }`).join(' ');
    const many = await herald.gql('demo-agent-1', `{ ${aliases} }`);
    expect(many.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    let deep = 'id';
    for (let i = 0; i < 6; i++) deep = `thread { id client { id activeThread { ${deep} } } }`;
    const tooDeep = await herald.gql('demo-agent-1', `{ sends { edges { node { ${deep} } } } }`);
    expect(tooDeep.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const fine = await herald.gql('demo-agent-1', '{ sends(first: 100) { edges { node { id message { statusHistory { status failure { code } } } thread { assignee { login } } } } } }');
    expect(fine.errors).toBeUndefined();
  });

  it('introspection is on outside production and off in production unless switched on', async () => {
    const on = await herald.gql('demo-agent-1', '{ __schema { queryType { name } } }');
    expect(on.data.__schema.queryType.name).toBe('Query');
    const prod = await startTestHerald({ worker: false, channels: { telegram: false, gateway: false }, env: { NODE_ENV: 'production' } });
    try {
      const off = await prod.gql('demo-agent-1', '{ __schema { queryType { name } } }');
      expect(off.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await prod.close();
    }
  });
});
