import { expect } from 'vitest';
import { eventually, type TestHerald } from './herald.js';

// Helpers that drive sends through the public API, as a UI would.

export const SEND_BODY = `id requestId state channel disposition errors { code field message }
    steps { name state detail }
    message { id status text subject bcc author { login } failure { code providerCode message } statusHistory { status failure { code providerCode } note } thread { id } }
    thread { id status assignee { login } queueTarget { kind name } transferComment }`;

export const SEND_FIELDS = `
  requestId
  send { ${SEND_BODY} }
  userErrors { code field message }
  conflict { activeThread { id status } alternatives { channel available } }`;

export async function send(herald: TestHerald, token: string, input: Record<string, unknown>) {
  const res = await herald.gql(token, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${SEND_FIELDS} } }`, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.sendMessage as any;
}

export async function readSend(herald: TestHerald, id: string, token = 'demo-supervisor') {
  const res = await herald.gql(token, `query($id: ID!) { send(id: $id) { ${SEND_BODY} } }`, { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.send as any;
}

/** Waits until the send reaches one of `states` and returns it. */
export async function sendReaches(herald: TestHerald, id: string, states: string[], timeoutMs = 20_000) {
  return eventually(async () => {
    const s = await readSend(herald, id);
    return states.includes(s.state) ? s : undefined;
  }, timeoutMs, `send ${id} to reach ${states.join('/')}`);
}

export async function clientId(herald: TestHerald, query: string): Promise<string> {
  const res = await herald.gql('demo-supervisor', 'query($q: String!) { searchClients(query: $q) { id } }', { q: query });
  const id = res.data.searchClients[0]?.id;
  if (!id) throw new Error(`no client for ${query}`);
  return id;
}

export async function newClient(herald: TestHerald, phone: string, name?: string): Promise<string> {
  const res = await herald.gql('demo-admin', 'mutation($p: String!, $n: String) { createClient(phone: $p, name: $n) { client { id } userErrors { code } } }', { p: phone, n: name });
  return res.data.createClient.client.id;
}

let messengers = 0;

/** A client known on a messenger by an id ending in a sandbox scenario's suffix (the sandboxes choose by the last four digits). */
export async function messengerClient(herald: TestHerald, channel: string, suffix = '1234'): Promise<{ id: string; username: string }> {
  messengers += 1;
  const username = channel === 'TELEGRAM' ? `tg_${messengers}_${suffix}` : `${channel.toLowerCase().replace(/_/g, '-')}-${messengers}-${suffix}`;
  const res = await herald.gql('demo-admin', 'mutation($input: ClientInput!) { upsertClient(input: $input) { client { id } userErrors { code } } }', {
    input: { externalId: `MESSENGER-${messengers}`, name: `${channel} client ${messengers}`, usernames: [{ channel, username }] },
  });
  expect(res.data.upsertClient.userErrors).toEqual([]);
  return { id: res.data.upsertClient.client.id, username };
}

/** A real PNG start (signature and IHDR), so the upload is detected as image/png whatever it is called. */
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), Buffer.alloc(200, 7)]);

/** Uploads a small PNG as an agent would; its attachment id. */
export async function uploadImage(herald: TestHerald, fileName = 'receipt.png'): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), fileName);
  const upload = await fetch(`${herald.baseUrl}/attachments`, { method: 'POST', body: form, headers: { authorization: 'Bearer demo-agent-1' } });
  expect(upload.status, await upload.clone().text()).toBe(201);
  return ((await upload.json()) as { id: string }).id;
}

/** Inbound WhatsApp within the window, so free text is allowed (R13). */
export async function wroteInRecently(herald: TestHerald, id: string, channel = 'WHATSAPP') {
  const { clientChannels } = await import('../../src/db/schema.js');
  await herald.db.db.insert(clientChannels).values({ clientId: id, channel: channel as never, lastInboundAt: new Date() })
    .onConflictDoUpdate({ target: [clientChannels.clientId, clientChannels.channel], set: { lastInboundAt: new Date() } });
}
