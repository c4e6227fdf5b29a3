import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';

// The additive schema: connections for the lists that were not paginated (search, a thread's
// messages, an agent's queue), a full PageInfo, the Node interface with node(id:), and the step
// states as an enum. The old fields keep answering as before.

let herald: TestHerald;
beforeAll(async () => { herald = await startTestHerald(); });
afterAll(async () => { await herald?.close(); });

async function walk(query: string, variables: Record<string, unknown>, pick: (data: any) => any, first: number) {
  const seen: string[] = [];
  const infos: any[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res = await herald.gql('demo-supervisor', query, { ...variables, first, after });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const connection = pick(res.data);
    seen.push(...connection.edges.map((e: any) => e.node.id));
    infos.push(connection.pageInfo);
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { seen, infos };
}

describe('connections', () => {
  it('R18: clients(query:) pages through every match in the same order as searchClients, with a full PageInfo', async () => {
    const all = await herald.gql('demo-supervisor', '{ searchClients(query: "a", first: 100) { id } }');
    const expected = all.data.searchClients.map((c: any) => c.id);
    expect(expected.length).toBeGreaterThan(5);
    const { seen, infos } = await walk(
      'query($first: Int, $after: String) { clients(query: "a", first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
      {}, (d) => d.clients, 3,
    );
    expect(seen).toEqual(expected);
    expect(infos[0]).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(infos[1]).toMatchObject({ hasPreviousPage: true });
    expect(infos.at(-1)).toMatchObject({ hasNextPage: false });
    const bad = await herald.gql('demo-supervisor', '{ clients(query: "a", after: "nonsense") { edges { cursor } } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('R18: a cursor shaped like one Herald hands out but naming an id the list cannot hold is INVALID_INPUT, not a database error', async () => {
    const forged = Buffer.from('2024-01-01T00:00:00.000000Z|not-a-uuid', 'utf8').toString('base64url');
    const client = (await herald.gql('demo-supervisor', '{ searchClients(query: "Anna") { id } }')).data.searchClients[0].id;
    for (const query of [
      `{ client(id: "${client}") { history(after: "${forged}") { edges { cursor } } } }`,
      `{ consentChanges(clientId: "${client}", after: "${forged}") { edges { cursor } } }`,
      `{ campaigns(after: "${forged}") { edges { cursor } } }`,
    ]) {
      const res = await herald.gql('demo-admin', query);
      expect(res.status, query).toBe(200);
      expect(res.errors?.[0]?.extensions?.code, query).toBe('INVALID_INPUT');
    }
  });

  it("R12: a thread's messagesConnection and an agent's queueConnection page what messages and queue list", async () => {
    const client = await newClient(herald, '+7 916 000 5151', 'Paged Thread');
    await wroteInRecently(herald, client);
    const res = await send(herald, 'demo-agent-4', { clientId: client, channel: 'WHATSAPP', text: 'first', disposition: { kind: 'ASSIGN_TO_ME' } });
    await sendReaches(herald, res.send.id, ['COMPLETED']);
    for (const text of ['second', 'third']) {
      await herald.gql('demo-integrator', 'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { userErrors { code } } }', { i: { channel: 'WHATSAPP', address: '+79160005151', text } });
    }
    const threadId = res.send.thread.id;
    const listed = await herald.gql('demo-supervisor', 'query($id: ID!) { thread(id: $id) { messages { id } } }', { id: threadId });
    const { seen } = await walk(
      'query($id: ID!, $first: Int, $after: String) { thread(id: $id) { messagesConnection(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }',
      { id: threadId }, (d) => d.thread.messagesConnection, 1,
    );
    expect(seen).toEqual(listed.data.thread.messages.map((m: any) => m.id));
    expect(seen).toHaveLength(3);

    const queue = await herald.gql('demo-agent-4', '{ me { queue { id } queueConnection(first: 1) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage } } } }');
    expect(queue.data.me.queue.map((t: any) => t.id)).toContain(threadId);
    expect(queue.data.me.queueConnection.edges[0].node.id).toBe(queue.data.me.queue[0].id);
  });

  it('R16: syncTemplateCatalog answers with a payload; node(id:) finds every kind of thing by its id, typed; SendStep.status carries the step states as an enum', async () => {
    const client = await newClient(herald, '+7 916 000 5152', 'Node Lookup');
    await wroteInRecently(herald, client);
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'node', disposition: { kind: 'CLOSE' } });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    const target = (await herald.gql('demo-supervisor', '{ transferTargets { id } }')).data.transferTargets[0].id;
    const synced = await herald.gql('demo-admin', 'mutation { syncTemplateCatalog(channel: WHATSAPP) { templates { id } userErrors { code } } }');
    expect(synced.data.syncTemplateCatalog.userErrors).toEqual([]);
    const template = synced.data.syncTemplateCatalog.templates[0].id;
    const refused = await herald.gql('demo-admin', 'mutation { syncTemplateCatalog(channel: EMAIL) { templates { id } userErrors { code field } } }');
    expect(refused.data.syncTemplateCatalog).toEqual({ templates: null, userErrors: [{ code: 'TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', field: ['channel'] }] });
    const agent = (await herald.gql('demo-agent-1', '{ me { id } }')).data.me.id;
    const cases: Array<[string, string]> = [
      [client, 'Client'], [done.thread.id, 'Thread'], [done.message.id, 'Message'], [res.send.id, 'OutboundSend'],
      [agent, 'Agent'], [target, 'TransferTarget'], [template, 'Template'],
    ];
    for (const [id, type] of cases) {
      const found = await herald.gql('demo-supervisor', 'query($id: ID!) { node(id: $id) { __typename id } }', { id });
      expect(found.data.node, type).toEqual({ __typename: type, id });
    }
    expect((await herald.gql('demo-supervisor', '{ node(id: "00000000-0000-4000-8000-000000000000") { id } }')).data.node).toBeNull();

    const steps = await herald.gql('demo-supervisor', 'query($id: ID!) { send(id: $id) { steps { name state status } } }', { id: res.send.id });
    for (const step of steps.data.send.steps) expect(step.status, step.name).toBe(step.state);
    expect(steps.data.send.steps.map((s: any) => s.status)).toEqual(expect.arrayContaining(['STARTED', 'PASSED', 'RESERVED', 'ACCEPTED', 'CLOSE', 'READ']));
  });
});
