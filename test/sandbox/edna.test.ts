import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATES,
  SCENARIO_SUFFIX,
  scenarioForPhone,
  startEdnaSandbox,
  type EdnaSandbox,
  type SandboxTemplate,
} from '../../sandbox/edna/server.js';

// The edna sandbox over real HTTP, with a tiny callback receiver standing in for Herald.

const API_KEY = 'test-api-key';
const SECRET = 'test-webhook-secret';
const HEADER = 'X-Edna-Secret';

interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

interface Receiver {
  url: string;
  hits: Hit[];
  /** POSTs to /status, in arrival order. */
  statuses(): any[];
  /** The next POSTs are answered with these statuses (then 200). */
  answerNext(...statuses: number[]): void;
  /** Every POST is answered with this status (null: back to 200). */
  answerAlways(status: number | null): void;
  headStatus: number;
  clear(): void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const hits: Hit[] = [];
  let next: number[] = [];
  let always: number | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null });
      const status = req.method === 'HEAD' ? receiver.headStatus : (always ?? next.shift() ?? 200);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    statuses: () => hits.filter((h) => h.method === 'POST' && h.path === '/status').map((h) => h.body),
    answerNext: (...statuses) => { next.push(...statuses); },
    answerAlways: (status) => { always = status; },
    headStatus: 200,
    clear() {
      hits.length = 0;
      next = [];
      always = null;
      receiver.headStatus = 200;
    },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
  return receiver;
}

async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sandbox: EdnaSandbox;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startEdnaSandbox({
    apiKey: API_KEY,
    webhookSecret: SECRET,
    webhookHeader: HEADER,
    statusCallbackUrl: `${receiver.url}/status`,
    inMessageCallbackUrl: `${receiver.url}/inbound`,
    delaysMs: { sent: 20, delivered: 40, read: 60 },
    callbackRetryDelaysMs: [30, 60, 90],
    failFirstTries: 2,
  });
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});
beforeEach(async () => {
  sandbox.reset();
  // A callback already on the wire when reset() ran still lands; let it, before clearing.
  await sleep(150);
  sandbox.setTemplates('WHATSAPP', DEFAULT_TEMPLATES.filter((t) => t.channelType === 'WHATSAPP'));
  sandbox.setTemplates('VIBER', DEFAULT_TEMPLATES.filter((t) => t.channelType === 'VIBER'));
  sandbox.setCallbackUrls({ statusCallbackUrl: `${receiver.url}/status`, inMessageCallbackUrl: `${receiver.url}/inbound` });
  receiver.clear();
});

async function call(path: string, body: unknown, init: { method?: string; key?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = init.key === undefined ? API_KEY : init.key;
  if (key !== null) headers['X-API-KEY'] = key;
  const res = await fetch(`${sandbox.url}${path}`, {
    method: init.method ?? 'POST',
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function cascadeBody(phone: string, overrides: Record<string, unknown> = {}, channel: 'whatsappContent' | 'viberContent' = 'whatsappContent') {
  return {
    requestId: randomUUID(),
    cascadeId: channel === 'whatsappContent' ? 1 : 2,
    subscriberFilter: { address: phone, type: 'PHONE' },
    content: { [channel]: { contentType: 'TEXT', text: 'Hello from Herald' } },
    ...overrides,
  };
}
const cascade = (body: unknown, key?: string | null) => call('/api/cascade/schedule', body, { key });
const templateSend = (channel: 'whatsapp' | 'viber', body: Record<string, unknown>) =>
  call(`/api/v1/out-messages/${channel}/template`, { messageId: randomUUID(), sender: 'HERALD_WA', phone: '79161234567', templateId: 101, textVariables: ['Anna'], ...body });

const phone = (suffix: string) => `7916123${suffix}`;
const statusList = () => receiver.statuses().map((b) => (b.error ? `${b.status}:${b.error}` : b.status));

describe('edna sandbox', () => {
  it('sandbox: every /api call without the right X-API-KEY is 401 and recorded', async () => {
    for (const key of [null, 'wrong-key']) {
      const res = await cascade(cascadeBody(phone('1111')), key);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ title: 'unauthorized', status: 401 });
      expect(typeof res.body.detail).toBe('string');
    }
    expect((await call('/api/v1/templates?channelType=WHATSAPP', undefined, { method: 'GET', key: null })).status).toBe(401);
    expect((await call('/api/callback/set', { statusCallbackUrl: `${receiver.url}/status` }, { key: null })).status).toBe(401);
    expect(sandbox.received().map((r) => [r.status, r.code])).toEqual([[401, 'unauthorized'], [401, 'unauthorized']]);
    expect(sandbox.accepted()).toEqual([]);
  });

  it('sandbox: cascade/schedule answers each validation error with its edna code', async () => {
    const p = phone('1111');
    const waText = (text: unknown, extra: Record<string, unknown> = {}) => ({ content: { whatsappContent: { contentType: 'TEXT', text, ...extra } } });
    const cases: Array<[string, unknown, string]> = [
      ['no requestId', cascadeBody(p, { requestId: undefined }), 'cascade-scheduling-request-is-not-valid'],
      ['empty requestId', cascadeBody(p, { requestId: '' }), 'cascade-scheduling-request-is-not-valid'],
      ['no cascadeId', cascadeBody(p, { cascadeId: undefined }), 'cascade-scheduling-request-is-not-valid'],
      ['address not digits', cascadeBody('+7 916 123-45-67'), 'cascade-scheduling-request-is-not-valid'],
      ['type not PHONE', cascadeBody(p, { subscriberFilter: { address: p, type: 'EMAIL' } }), 'cascade-scheduling-request-is-not-valid'],
      ['no subscriberFilter', cascadeBody(p, { subscriberFilter: undefined }), 'cascade-scheduling-request-is-not-valid'],
      ['bad contentType', cascadeBody(p, { content: { whatsappContent: { contentType: 'STICKER', text: 'x' } } }), 'cascade-scheduling-request-is-not-valid'],
      ['not JSON', '{"requestId": ', 'cascade-scheduling-request-is-not-valid'],
      ['no content', cascadeBody(p, { content: undefined }), 'content-not-specified'],
      ['empty content', cascadeBody(p, { content: {} }), 'content-not-specified'],
      ['no text', cascadeBody(p, waText(undefined)), 'text-not-specified'],
      ['blank text', cascadeBody(p, waText('   ')), 'text-not-specified'],
      ['long attachment name', cascadeBody(p, { content: { viberContent: { contentType: 'DOCUMENT', attachment: { url: 'https://example.com/f.pdf', name: `${'a'.repeat(67)}.pdf`, size: 10 } } } }), 'attachmentName-is-too-long'],
    ];
    for (const [what, body, code] of cases) {
      const res = await cascade(body);
      expect({ what, status: res.status, title: res.body.title }).toEqual({ what, status: 400, title: code });
      expect(res.body.status).toBe(400);
      expect(typeof res.body.detail).toBe('string');
    }
    // 70 characters exactly is fine.
    const ok = await cascade(cascadeBody(p, { content: { viberContent: { contentType: 'DOCUMENT', attachment: { url: 'https://example.com/f.pdf', name: `${'a'.repeat(66)}.pdf`, size: 10 } } } }));
    expect(ok.status).toBe(200);

    const body = cascadeBody(p);
    expect((await cascade(body)).status).toBe(200);
    const again = await cascade(body);
    expect(again).toMatchObject({ status: 400, body: { title: 'requestId-is-not-unique', status: 400 } });
    expect(sandbox.accepted()).toHaveLength(2);
    expect(sandbox.received()).toHaveLength(cases.length + 3);
    expect(sandbox.received().filter((r) => r.status === 400).map((r) => r.code)).toContain('attachmentName-is-too-long');
  });

  it('sandbox: an accepted send gets SENT, DELIVERED, READ with the secret header', async () => {
    const body = cascadeBody(phone('1234'));
    const res = await cascade(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ requestId: body.requestId, messageId: expect.any(Number) });
    expect(sandbox.accepted()).toMatchObject([{ id: body.requestId, kind: 'cascade', channel: 'WHATSAPP', phone: phone('1234'), text: 'Hello from Herald', body }]);

    // Only this message's callbacks: one of the previous test's may still land after the reset.
    const mine = () => receiver.statuses().filter((b) => b.requestId === body.requestId);
    await waitFor(() => mine().length === 3, 'three callbacks');
    await sleep(50);
    expect(mine().map((b) => b.status)).toEqual(['SENT', 'DELIVERED', 'READ']);
    for (const hit of receiver.hits) expect(hit.headers[HEADER.toLowerCase()]).toBe(SECRET);
    const [first] = receiver.statuses();
    expect(first).toEqual({
      requestId: body.requestId,
      messageId: res.body.messageId,
      cascadeId: 1,
      subject: expect.any(String),
      subjectId: expect.anything(),
      status: 'SENT',
      statusAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      error: null,
      comment: null,
    });
    expect(sandbox.callbacks().map((c) => [c.kind, c.url, c.responseStatus, c.attempt])).toEqual([
      ['status', `${receiver.url}/status`, 200, 1],
      ['status', `${receiver.url}/status`, 200, 1],
      ['status', `${receiver.url}/status`, 200, 1],
    ]);
  });

  it('sandbox: viberContent is a Viber send; template sends are correlated by our messageId', async () => {
    const viber = await cascade(cascadeBody(phone('2222'), {}, 'viberContent'));
    expect(viber.status).toBe(200);
    const messageId = randomUUID();
    const tpl = await templateSend('whatsapp', { messageId, phone: phone('3333'), templateId: 102, textVariables: ['2025-06-01', 'North'], options: { comment: 'c-1' } });
    expect(tpl).toEqual({ status: 200, body: { messageId } });
    expect(sandbox.accepted().map((a) => [a.kind, a.channel])).toEqual([['cascade', 'VIBER'], ['template', 'WHATSAPP']]);
    expect(sandbox.accepted()[1]?.text).toBe('Your visit is on 2025-06-01 at the North office.');

    await waitFor(() => receiver.statuses().length === 6, 'six callbacks');
    const forTemplate = receiver.statuses().filter((b) => b.messageId === messageId);
    expect(forTemplate.map((b) => b.status)).toEqual(['SENT', 'DELIVERED', 'READ']);
    expect(forTemplate[0]).toMatchObject({ requestId: null, messageId, subject: 'HERALD_WA', comment: 'c-1', error: null });
  });

  it('sandbox: 0404 is not a channel user (WhatsApp and Viber)', async () => {
    const p = phone(SCENARIO_SUFFIX.notChannelUser);
    expect(scenarioForPhone(p).name).toBe('not-channel-user');
    const wa = cascadeBody(p);
    const vb = cascadeBody(p, {}, 'viberContent');
    expect((await cascade(wa)).status).toBe(200);
    expect((await cascade(vb)).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 4, 'four callbacks');
    await sleep(80);
    const of = (id: string) => receiver.statuses().filter((b) => b.requestId === id).map((b) => (b.error ? `${b.status}:${b.error}` : b.status));
    expect(of(wa.requestId)).toEqual(['SENT', 'UNDELIVERED:not-whatsapp-user']);
    expect(of(vb.requestId)).toEqual(['SENT', 'UNDELIVERED:not-viber-user']);
  });

  it('sandbox: 0403 user blocked the business', async () => {
    expect((await templateSend('whatsapp', { phone: phone(SCENARIO_SUFFIX.userBlocked) })).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 2, 'two callbacks');
    await sleep(80);
    expect(statusList()).toEqual(['SENT', 'UNDELIVERED:user-blocked']);
  });

  it('sandbox: 0500 fails the first two tries of one requestId with HTTP 500, then accepts', async () => {
    const body = cascadeBody(phone(SCENARIO_SUFFIX.failFirstTries));
    for (let i = 0; i < 2; i += 1) {
      const res = await cascade(body);
      expect(res).toMatchObject({ status: 500, body: { title: 'error-system', status: 500 } });
    }
    expect(sandbox.accepted()).toEqual([]);
    expect((await cascade(body)).status).toBe(200);
    expect((await cascade(body)).body.title).toBe('requestId-is-not-unique');
    // Another id has its own count; template sends count by messageId.
    expect((await cascade(cascadeBody(phone(SCENARIO_SUFFIX.failFirstTries)))).status).toBe(500);
    const messageId = randomUUID();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await templateSend('viber', { messageId, phone: phone('0500'), templateId: 201 })).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(sandbox.received().map((r) => r.status)).toEqual([500, 500, 200, 400, 500, 500, 500, 200]);

    await waitFor(() => receiver.statuses().length === 6, 'six callbacks');
    expect(receiver.statuses().filter((b) => b.requestId === body.requestId).map((b) => b.status)).toEqual(['SENT', 'DELIVERED', 'READ']);
  });

  it('sandbox: 0503 answers HTTP 500 on every try', async () => {
    const body = cascadeBody(phone(SCENARIO_SUFFIX.alwaysFail));
    for (let i = 0; i < 4; i += 1) expect((await cascade(body)).status).toBe(500);
    expect((await templateSend('whatsapp', { phone: phone('0503') })).status).toBe(500);
    expect(sandbox.accepted()).toEqual([]);
    await sleep(100);
    expect(receiver.hits).toEqual([]);
  });

  it('sandbox: 0000 is accepted and never called back', async () => {
    expect((await cascade(cascadeBody(phone(SCENARIO_SUFFIX.noCallbacks)))).status).toBe(200);
    expect((await templateSend('whatsapp', { phone: phone('0000') })).status).toBe(200);
    expect(sandbox.accepted()).toHaveLength(2);
    await sleep(200);
    expect(receiver.hits).toEqual([]);
    expect(sandbox.callbacks()).toEqual([]);
  });

  it('sandbox: 0002 posts every callback twice', async () => {
    expect((await cascade(cascadeBody(phone(SCENARIO_SUFFIX.duplicateCallbacks)))).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 6, 'six callbacks');
    await sleep(80);
    expect(statusList()).toEqual(['SENT', 'SENT', 'DELIVERED', 'DELIVERED', 'READ', 'READ']);
    const [a, b] = receiver.statuses();
    expect(a).toEqual(b);
  });

  it('sandbox: 0003 posts READ, then DELIVERED, then SENT (statusAt still in event order)', async () => {
    expect((await cascade(cascadeBody(phone(SCENARIO_SUFFIX.outOfOrder)))).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 3, 'three callbacks');
    expect(statusList()).toEqual(['READ', 'DELIVERED', 'SENT']);
    const at = receiver.statuses().map((b) => Date.parse(b.statusAt));
    expect(at[0]).toBeGreaterThan(at[1] as number);
    expect(at[1]).toBeGreaterThan(at[2] as number);
  });

  it('sandbox: 0666 is a transient channel failure (UNDELIVERED error-system)', async () => {
    expect((await cascade(cascadeBody(phone(SCENARIO_SUFFIX.transientFailure)))).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 1, 'one callback');
    await sleep(80);
    expect(statusList()).toEqual(['UNDELIVERED:error-system']);
  });

  it('R29: 0400 is an address edna cannot use (UNDELIVERED error-address-format, no SENT)', async () => {
    expect(scenarioForPhone(phone(SCENARIO_SUFFIX.invalidAddress)).name).toBe('invalid-address');
    expect((await cascade(cascadeBody(phone(SCENARIO_SUFFIX.invalidAddress)))).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 1, 'one callback');
    await sleep(80);
    expect(statusList()).toEqual(['UNDELIVERED:error-address-format']);
  });

  it('sandbox: 0777 fails free-form text unless it matches an approved template; template sends are delivered', async () => {
    const p = phone(SCENARIO_SUFFIX.templateMismatch);
    const free = cascadeBody(p);
    const matching = cascadeBody(p, { content: { whatsappContent: { contentType: 'TEXT', text: 'Hello Anna Maria, your order is ready.' } } });
    const noVars = cascadeBody(p, { content: { whatsappContent: { contentType: 'TEXT', text: 'Hello! How can we help you today?' } } });
    const pending = cascadeBody(p, { content: { whatsappContent: { contentType: 'TEXT', text: 'Join our loyalty programme, Anna!' } } });
    const viber = cascadeBody(p, { content: { viberContent: { contentType: 'TEXT', text: 'Your account is ready.' } } });
    for (const body of [free, matching, noVars, pending, viber]) expect((await cascade(body)).status).toBe(200);
    const messageId = randomUUID();
    expect((await templateSend('whatsapp', { messageId, phone: p })).status).toBe(200);

    await waitFor(() => receiver.statuses().length === 2 + 4 * 3, 'fourteen callbacks');
    await sleep(80);
    const of = (id: string) => receiver.statuses().filter((b) => (b.requestId ?? b.messageId) === id).map((b) => (b.error ? `${b.status}:${b.error}` : b.status));
    expect(of(free.requestId)).toEqual(['UNDELIVERED:not-template-match']);
    expect(of(pending.requestId)).toEqual(['UNDELIVERED:not-template-match']);
    for (const id of [matching.requestId, noVars.requestId, viber.requestId, messageId]) expect(of(id)).toEqual(['SENT', 'DELIVERED', 'READ']);
  });

  it('sandbox: a callback not answered 200 is retried, then dropped after the last retry', async () => {
    receiver.answerNext(500);
    expect((await cascade(cascadeBody(phone('4444')))).status).toBe(200);
    await waitFor(() => receiver.statuses().length === 4, 'four posts');
    await sleep(80);
    // The retry of SENT comes 30 ms after the first try, so it may land after DELIVERED.
    expect(statusList().sort()).toEqual(['DELIVERED', 'READ', 'SENT', 'SENT']);
    expect(sandbox.callbacks().filter((c) => (c.body as any).status === 'SENT').map((c) => [c.attempt, c.responseStatus])).toEqual([[1, 500], [2, 200]]);

    sandbox.reset();
    receiver.clear();
    receiver.answerAlways(503);
    expect((await cascade(cascadeBody(phone('0404')))).status).toBe(200);
    // SENT and UNDELIVERED, each 1 try + 3 retries (30, 60, 90 ms apart).
    await waitFor(() => sandbox.callbacks().length === 8, 'eight attempts', 3000);
    await sleep(250);
    expect(sandbox.callbacks()).toHaveLength(8);
    expect(sandbox.callbacks().map((c) => c.attempt).sort()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(sandbox.callbacks().every((c) => c.responseStatus === 503)).toBe(true);
  });

  it('sandbox: a callback URL that does not answer is recorded as an error and retried', async () => {
    sandbox.setCallbackUrls({ statusCallbackUrl: 'http://127.0.0.1:1/status' });
    expect((await cascade(cascadeBody(phone('0666')))).status).toBe(200);
    await waitFor(() => sandbox.callbacks().length === 4, 'four attempts');
    expect(sandbox.callbacks().every((c) => c.error !== undefined && c.responseStatus === undefined)).toBe(true);
  });

  it('sandbox: with no status callback URL, accepted sends are not called back', async () => {
    sandbox.setCallbackUrls({ statusCallbackUrl: '' });
    expect((await cascade(cascadeBody(phone('1234')))).status).toBe(200);
    await sleep(120);
    expect(sandbox.callbacks()).toEqual([]);
  });

  it('sandbox: callback/set checks the status URL with HEAD and stores both URLs', async () => {
    sandbox.setCallbackUrls({ statusCallbackUrl: '', inMessageCallbackUrl: '' });
    receiver.headStatus = 404;
    const refused = await call('/api/callback/set', { statusCallbackUrl: `${receiver.url}/hooks/status`, inMessageCallbackUrl: `${receiver.url}/hooks/in`, subjectId: 77 });
    expect(refused).toMatchObject({ status: 400, body: { title: 'callback-url-is-not-available', status: 400 } });
    expect(receiver.hits.map((h) => [h.method, h.path])).toEqual([['HEAD', '/hooks/status']]);
    expect((await call('/api/callback/set', { statusCallbackUrl: 'http://127.0.0.1:1/x' })).body.title).toBe('callback-url-is-not-available');
    expect((await call('/api/callback/set', { statusCallbackUrl: 'not a url' })).body.title).toBe('callback-url-is-not-available');

    receiver.headStatus = 200;
    const ok = await call('/api/callback/set', { statusCallbackUrl: `${receiver.url}/hooks/status`, inMessageCallbackUrl: `${receiver.url}/hooks/in`, subjectId: 77 });
    expect(ok).toEqual({ status: 200, body: {} });
    expect(receiver.hits.at(-1)?.headers[HEADER.toLowerCase()]).toBe(SECRET);

    receiver.hits.length = 0;
    expect((await cascade(cascadeBody(phone('1234')))).status).toBe(200);
    expect(await sandbox.sendInbound({ channel: 'WHATSAPP', phone: phone('1234'), text: 'hi' })).toBe(200);
    await waitFor(() => receiver.hits.filter((h) => h.path === '/hooks/status').length === 3, 'callbacks at the new URL');
    expect(receiver.hits.find((h) => h.path === '/hooks/status')?.body.subjectId).toBe(77);
    expect(receiver.hits.filter((h) => h.path === '/hooks/in')).toHaveLength(1);
  });

  it('sandbox: the template catalog is served per channel and can be replaced at run time', async () => {
    const wa = await call('/api/v1/templates?channelType=WHATSAPP', undefined, { method: 'GET' });
    expect(wa.status).toBe(200);
    expect(wa.body.map((t: SandboxTemplate) => [t.id, t.status])).toEqual([[101, 'APPROVED'], [102, 'APPROVED'], [103, 'APPROVED'], [104, 'APPROVED'], [105, 'PENDING'], [106, 'APPROVED']]);
    const appointment = wa.body.find((t: SandboxTemplate) => t.id === 102);
    expect(appointment).toMatchObject({
      name: 'appointment',
      channelType: 'WHATSAPP',
      content: { header: { text: 'Appointment' }, text: 'Your visit is on {{1}} at the {{2}} office.', footer: { text: 'Reply to reschedule' }, attachment: null, buttons: null },
      variables: [{ type: 'DATE' }, { type: 'SELECT', options: ['Central', 'North', 'South'] }],
    });
    expect(wa.body.find((t: SandboxTemplate) => t.id === 103).content.buttons).not.toBeNull();
    expect(wa.body.find((t: SandboxTemplate) => t.id === 104).content.attachment).not.toBeNull();
    const vb = await call('/api/v1/templates?channelType=VIBER', undefined, { method: 'GET' });
    expect(vb.body.map((t: SandboxTemplate) => t.id)).toEqual([201, 202]);
    expect((await call('/api/v1/templates?channelType=SMS', undefined, { method: 'GET' })).status).toBe(400);
    expect(sandbox.templates()).toHaveLength(8);
    expect(sandbox.templates('VIBER')).toEqual(vb.body);

    const extra: SandboxTemplate = {
      id: 301, name: 'new_one', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'VIBER',
      content: { header: null, text: 'New {{1}}', footer: null, attachment: null, buttons: null },
      variables: [{ key: 'x', type: 'TEXT', label: 'X' }],
    };
    sandbox.setTemplates('VIBER', [extra]);
    expect((await call('/api/v1/templates?channelType=VIBER', undefined, { method: 'GET' })).body).toEqual([extra]);
    expect((await templateSend('viber', { templateId: 301, textVariables: ['x'] })).status).toBe(200);
    expect((await templateSend('viber', { templateId: 201 })).body.title).toBe('matched-template-not-found');
    expect(sandbox.templates('WHATSAPP')).toHaveLength(6);

    // Over HTTP too, for people at the standalone sandbox.
    const put = await fetch(`${sandbox.url}/sandbox/templates/WHATSAPP`, { method: 'PUT', body: JSON.stringify([{ ...extra, id: 401, channelType: 'WHATSAPP' }]) });
    expect(put.status).toBe(200);
    expect(sandbox.templates('WHATSAPP').map((t) => t.id)).toEqual([401]);
    const badPut = await fetch(`${sandbox.url}/sandbox/templates/WHATSAPP`, { method: 'PUT', body: JSON.stringify({ not: 'an array' }) });
    expect(badPut.status).toBe(400);
    expect(sandbox.templates('WHATSAPP').map((t) => t.id)).toEqual([401]);
  });

  it('sandbox: template sends need an approved template of that channel and a well-formed body', async () => {
    const code = async (channel: 'whatsapp' | 'viber', body: Record<string, unknown>) => (await templateSend(channel, body)).body.title;
    expect(await code('whatsapp', { templateId: 999 })).toBe('matched-template-not-found');
    expect(await code('whatsapp', { templateId: 105 })).toBe('matched-template-not-found'); // PENDING
    expect(await code('viber', { templateId: 101 })).toBe('matched-template-not-found'); // a WhatsApp one
    expect(await code('whatsapp', { messageId: undefined })).toBe('cascade-scheduling-request-is-not-valid');
    expect(await code('whatsapp', { messageId: 'not-a-uuid' })).toBe('cascade-scheduling-request-is-not-valid');
    expect(await code('whatsapp', { phone: '+79161234567' })).toBe('cascade-scheduling-request-is-not-valid');
    expect(await code('whatsapp', { templateId: '101' })).toBe('cascade-scheduling-request-is-not-valid');
    expect(await code('whatsapp', { sender: '' })).toBe('cascade-scheduling-request-is-not-valid');
    expect(await code('whatsapp', { textVariables: [1] })).toBe('cascade-scheduling-request-is-not-valid');
    const messageId = randomUUID();
    expect((await templateSend('whatsapp', { messageId, templateId: 106, textVariables: [] })).status).toBe(200);
    const again = await templateSend('whatsapp', { messageId, templateId: 106 });
    expect(again).toMatchObject({ status: 400, body: { title: 'requestId-is-not-unique' } });
    expect(sandbox.accepted().map((a) => [a.id, a.kind, a.templateId, a.text])).toEqual([[messageId, 'template', 106, 'Hello! How can we help you today?']]);
  });

  it('sandbox: inbound messages are posted to the inbound URL with the secret', async () => {
    expect(await sandbox.sendInbound({ channel: 'VIBER', phone: '79161234567', text: 'Where is my order?', userName: 'Anna Ivanova' })).toBe(200);
    const res = await fetch(`${sandbox.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ channel: 'WHATSAPP', phone: '79161234568', text: 'Hi' }) });
    expect(await res.json()).toEqual({ status: 200 });
    const inbound = receiver.hits.filter((h) => h.path === '/inbound');
    expect(inbound).toHaveLength(2);
    expect(inbound[0]?.headers[HEADER.toLowerCase()]).toBe(SECRET);
    expect(inbound[0]?.body).toEqual({
      id: expect.anything(),
      channelType: 'VIBER',
      subscriber: { identifier: '79161234567' },
      userInfo: { userName: 'Anna Ivanova', firstName: 'Anna', lastName: 'Ivanova' },
      messageContent: { type: 'TEXT', text: 'Where is my order?', attachment: null },
      receivedAt: expect.any(String),
    });
    expect(inbound[1]?.body).toMatchObject({ channelType: 'WHATSAPP', messageContent: { text: 'Hi' } });
    receiver.answerNext(401);
    expect(await sandbox.sendInbound({ channel: 'WHATSAPP', phone: '79161234567', text: 'again' })).toBe(401);
    expect(sandbox.callbacks().filter((c) => c.kind === 'inbound').map((c) => c.responseStatus)).toEqual([200, 200, 401]);
  });

  it('sandbox: inspection endpoints show what was received, accepted and called back', async () => {
    const body = cascadeBody(phone('1234'));
    await cascade(body);
    await cascade({});
    await waitFor(() => receiver.statuses().length === 3, 'three callbacks');
    const get = async (path: string) => (await fetch(`${sandbox.url}${path}`)).json() as Promise<any>;
    expect((await get('/sandbox/received')).map((r: any) => [r.path, r.status, r.code])).toEqual([
      ['/api/cascade/schedule', 200, undefined],
      ['/api/cascade/schedule', 400, 'cascade-scheduling-request-is-not-valid'],
    ]);
    expect((await get('/sandbox/accepted')).map((a: any) => a.id)).toEqual([body.requestId]);
    expect(await get('/sandbox/callbacks')).toHaveLength(3);
    expect((await fetch(`${sandbox.url}/sandbox/reset`, { method: 'POST' })).status).toBe(200);
    expect(await get('/sandbox/received')).toEqual([]);
    expect(await get('/sandbox/callbacks')).toEqual([]);
  });

  it('sandbox: reset forgets requests, callbacks and pending timers but keeps the catalog', async () => {
    sandbox.setTemplates('VIBER', [{ ...(DEFAULT_TEMPLATES.find((t) => t.id === 201) as SandboxTemplate) }]);
    const body = cascadeBody(phone('1234'));
    expect((await cascade(body)).status).toBe(200);
    expect(sandbox.received()).toHaveLength(1);
    sandbox.reset();
    expect(sandbox.received()).toEqual([]);
    expect(sandbox.accepted()).toEqual([]);
    await sleep(150);
    expect(receiver.hits).toEqual([]);
    expect(sandbox.callbacks()).toEqual([]);
    // The requestId may be used again; the catalog is as it was.
    expect((await cascade(body)).status).toBe(200);
    expect(sandbox.templates('VIBER').map((t) => t.id)).toEqual([201]);
    await waitFor(() => receiver.statuses().length === 3, 'callbacks after reset');
  });

  it('sandbox: close stops pending callbacks; standalone defaults answer on a free port', async () => {
    const other = await startEdnaSandbox({ apiKey: 'k', webhookSecret: 's', webhookHeader: 'X-API-KEY', statusCallbackUrl: `${receiver.url}/other`, delaysMs: { sent: 50, delivered: 60, read: 70 } });
    expect(other.url).toBe(`http://127.0.0.1:${other.port}`);
    const res = await fetch(`${other.url}/api/cascade/schedule`, { method: 'POST', headers: { 'X-API-KEY': 'k' }, body: JSON.stringify(cascadeBody(phone('1234'))) });
    expect(res.status).toBe(200);
    await other.close();
    await sleep(150);
    expect(receiver.hits.filter((h) => h.path === '/other')).toEqual([]);
    await expect(fetch(`${other.url}/sandbox/received`)).rejects.toThrow();
  });
});
