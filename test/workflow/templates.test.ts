import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientChannels } from '../../src/db/schema.js';
import { DEFAULT_TEMPLATES } from '../../sandbox/edna/server.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, newClient, readSend, send, sendReaches } from '../support/sends.js';

let herald: TestHerald;
let seq = 0;
beforeAll(async () => {
  herald = await startTestHerald();
  for (const channel of ['WHATSAPP', 'VIBER']) {
    const res = await herald.gql('demo-admin', `mutation { syncTemplates(channel: ${channel}) { id } }`);
    expect(res.errors).toBeUndefined();
  }
});
afterAll(async () => { await herald?.close(); });

const codes = (res: any) => res.userErrors.map((e: any) => e.code);
const CLOSE = { kind: 'CLOSE' };
const TEMPLATE_FIELDS = 'id externalId channel name header body footer textOnly variables { key type label options }';

async function templatesFor(channel: string, client?: string) {
  const res = await herald.gql('demo-agent-1', `query($c: ID) { templates(channel: ${channel}, clientId: $c) { ${TEMPLATE_FIELDS} } }`, { c: client ?? null });
  expect(res.errors).toBeUndefined();
  return res.data.templates as any[];
}

const byExternal = async (channel: string, externalId: string) => (await templatesFor(channel)).find((t) => t.externalId === externalId);

/** A new client whose last inbound WhatsApp message was `hoursAgo` ago (null: never). */
async function clientWithInbound(hoursAgo: number | null, suffix = String(5000 + ++seq)): Promise<string> {
  const id = await newClient(herald, `+7 925 ${String(100 + seq).padStart(3, '0')} ${suffix}`, `Template client ${seq}`);
  if (hoursAgo !== null) {
    await herald.db.db.insert(clientChannels).values({ clientId: id, channel: 'WHATSAPP', lastInboundAt: new Date(Date.now() - hoursAgo * 3_600_000) });
  }
  return id;
}

describe('catalog (R16: templates come from edna, APPROVED only)', () => {
  it('R16: syncTemplates keeps the approved templates with their variables; textOnly is false with buttons, links or attachments', async () => {
    const wa = await templatesFor('WHATSAPP');
    expect(wa.map((t) => t.externalId).sort()).toEqual(['101', '102', '103', '104', '106']);
    const byId = Object.fromEntries(wa.map((t) => [t.externalId, t]));
    expect(byId['101'].textOnly).toBe(true);
    expect(byId['103'].textOnly).toBe(false);
    expect(byId['104'].textOnly).toBe(false);
    expect(byId['102']).toMatchObject({ header: 'Appointment', footer: 'Reply to reschedule', textOnly: true });
    expect(byId['102'].variables.map((v: any) => v.type)).toEqual(['DATE', 'SELECT']);
    expect(byId['102'].variables[1].options).toEqual(['Central', 'North', 'South']);
    expect((await templatesFor('VIBER')).map((t) => t.externalId).sort()).toEqual(['201', '202']);
    expect(await templatesFor('EMAIL')).toEqual([]);
  });

  it('R16: a template that disappears or loses its approval stops being usable, while messages sent with it keep it', async () => {
    const anna = await clientId(herald, 'Anna');
    const t101 = await byExternal('WHATSAPP', '101');
    const sent = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'WHATSAPP', template: { templateId: t101.id, variables: [{ key: t101.variables[0].key, value: 'Anna' }] }, disposition: CLOSE });
    expect(sent.userErrors).toEqual([]);
    await sendReaches(herald, sent.send.id, ['COMPLETED']);
    herald.edna.setTemplates('WHATSAPP', DEFAULT_TEMPLATES.filter((t) => t.channelType === 'WHATSAPP' && t.id !== 101).map((t) => (t.id === 106 ? { ...t, status: 'REJECTED' } : t)) as never);
    try {
      await herald.gql('demo-admin', 'mutation { syncTemplates(channel: WHATSAPP) { id } }');
      const ids = (await templatesFor('WHATSAPP')).map((t) => t.externalId);
      expect(ids).not.toContain('101');
      expect(ids).not.toContain('106');
      const kept = await herald.gql('demo-supervisor', `{ send(id: "${sent.send.id}") { message { template { externalId name } } } }`);
      expect(kept.data.send.message.template).toEqual({ externalId: '101', name: t101.name });
      const refused = await send(herald, 'demo-agent-1', { clientId: await clientWithInbound(1), channel: 'WHATSAPP', template: { templateId: t101.id, variables: [{ key: t101.variables[0].key, value: 'x' }] }, disposition: CLOSE });
      expect(codes(refused)).toEqual(['TEMPLATE_NOT_FOUND']);
    } finally {
      herald.edna.setTemplates('WHATSAPP', DEFAULT_TEMPLATES.filter((t) => t.channelType === 'WHATSAPP') as never);
      await herald.gql('demo-admin', 'mutation { syncTemplates(channel: WHATSAPP) { id } }');
    }
  });

  it('R16: a Temporal Schedule keeps the catalog in sync without anyone asking', async () => {
    const { TemplateSync } = await import('../../src/templates/sync.js');
    herald.edna.setTemplates('VIBER', [...DEFAULT_TEMPLATES.filter((t) => t.channelType === 'VIBER'), { ...DEFAULT_TEMPLATES.find((t) => t.id === 201)!, id: 203, name: 'scheduled_one' }] as never);
    const sync = new TemplateSync(herald.temporal.client, herald.config);
    await sync.ensureSchedule();
    try {
      await eventually(async () => ((await templatesFor('VIBER')).some((t) => t.externalId === '203') ? true : undefined), 20_000, 'the schedule to sync');
      const description = await herald.temporal.client.schedule.getHandle(sync.scheduleId).describe();
      expect(description.spec.intervals?.[0]?.every).toBe(15 * 60 * 1000);
    } finally {
      await herald.temporal.client.schedule.getHandle(sync.scheduleId).delete();
    }
  });

  it('syncTemplates needs ADMIN or INTEGRATOR', async () => {
    const res = await herald.gql('demo-agent-1', 'mutation { syncTemplates(channel: WHATSAPP) { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('requirement (R13) and choice (R14, R15)', () => {
  it('R13: the 24-hour boundary on both sides, as client.channels and templates(clientId) show it', async () => {
    const inside = await clientWithInbound(23.99);
    const outside = await clientWithInbound(24.01);
    const req = async (id: string) => (await herald.gql('demo-agent-1', `{ client(id: "${id}") { channels { channel templateRequirement } } }`)).data.client.channels[0].templateRequirement;
    expect(await req(inside)).toBe('OPTIONAL');
    expect(await req(outside)).toBe('MANDATORY');
    expect((await templatesFor('WHATSAPP', inside)).map((t) => t.externalId).sort()).toEqual(['101', '102', '103', '104', '106']);
    expect((await templatesFor('WHATSAPP', outside)).map((t) => t.externalId).sort()).toEqual(['101', '102', '106']);
    const free = await send(herald, 'demo-agent-1', { clientId: inside, channel: 'WHATSAPP', text: 'inside the window', disposition: CLOSE });
    expect(free.userErrors).toEqual([]);
    const refused = await send(herald, 'demo-agent-1', { clientId: outside, channel: 'WHATSAPP', text: 'outside the window', disposition: CLOSE });
    expect(codes(refused)).toEqual(['TEMPLATE_REQUIRED']);
  });

  it('R14: when a template is MANDATORY only text templates may be sent: TEMPLATE_NOT_TEXT_ONLY', async () => {
    const withButtons = await byExternal('WHATSAPP', '103');
    const res = await send(herald, 'demo-agent-1', { clientId: await clientWithInbound(null), channel: 'WHATSAPP', template: { templateId: withButtons.id, variables: withButtons.variables.map((v: any) => ({ key: v.key, value: 'x' })) }, disposition: CLOSE });
    expect(codes(res)).toContain('TEMPLATE_NOT_TEXT_ONLY');
  });

  it('R15: with no approved text template a MANDATORY channel shows NO_APPROVED_TEMPLATES and refuses sends', async () => {
    herald.edna.setTemplates('VIBER', DEFAULT_TEMPLATES.filter((t) => t.id === 202) as never);
    try {
      await herald.gql('demo-admin', 'mutation { syncTemplates(channel: VIBER) { id } }');
      const client = await clientWithInbound(null);
      const channels = (await herald.gql('demo-agent-1', `{ client(id: "${client}") { channels { channel available unavailableReason } } }`)).data.client.channels;
      expect(channels.find((c: any) => c.channel === 'VIBER')).toEqual({ channel: 'VIBER', available: false, unavailableReason: 'NO_APPROVED_TEMPLATES' });
      const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'VIBER', text: 'hi', disposition: CLOSE });
      expect(codes(res)).toEqual(['NO_APPROVED_TEMPLATES']);
    } finally {
      herald.edna.setTemplates('VIBER', DEFAULT_TEMPLATES.filter((t) => t.channelType === 'VIBER') as never);
      await herald.gql('demo-admin', 'mutation { syncTemplates(channel: VIBER) { id } }');
    }
  });
});

describe('variables (R16)', () => {
  let appointment: any;
  let client: string;
  beforeAll(async () => {
    appointment = await byExternal('WHATSAPP', '102');
    client = await clientWithInbound(null);
  });
  const withVars = (variables: Array<{ key: string; value: string }>) =>
    send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', template: { templateId: appointment.id, variables }, disposition: CLOSE });
  const [date, office] = [() => appointment.variables[0].key, () => appointment.variables[1].key];

  it('R16: every variable must be filled: TEMPLATE_VARIABLE_MISSING', async () => {
    const res = await withVars([{ key: date(), value: '2026-03-10' }]);
    expect(res.userErrors).toMatchObject([{ code: 'TEMPLATE_VARIABLE_MISSING', field: ['template', 'variables', office()] }]);
  });

  it('R16: SELECT must be one of its options and DATE a real calendar date: TEMPLATE_VARIABLE_INVALID', async () => {
    expect(codes(await withVars([{ key: date(), value: '2026-03-10' }, { key: office(), value: 'East' }]))).toEqual(['TEMPLATE_VARIABLE_INVALID']);
    expect(codes(await withVars([{ key: date(), value: '2026-02-30' }, { key: office(), value: 'North' }]))).toEqual(['TEMPLATE_VARIABLE_INVALID']);
    expect(codes(await withVars([{ key: date(), value: '10.03.2026' }, { key: office(), value: 'North' }]))).toEqual(['TEMPLATE_VARIABLE_INVALID']);
    expect(codes(await withVars([{ key: date(), value: '2027-02-29' }, { key: office(), value: 'North' }]))).toEqual(['TEMPLATE_VARIABLE_INVALID']);
    expect(codes(await withVars([{ key: date(), value: '2026-03-10' }, { key: office(), value: 'North' }, { key: 'extra', value: 'x' }]))).toEqual(['TEMPLATE_VARIABLE_INVALID']);
  });

  it('R16: 29 February of a leap year is a date; the send goes through the template endpoint and the history shows it rendered', async () => {
    const res = await withVars([{ key: office(), value: 'North' }, { key: date(), value: '2028-02-29' }]);
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    const msg = (await herald.gql('demo-agent-1', `{ send(id: "${res.send.id}") { message { text header footer template { externalId } } } }`)).data.send.message;
    expect(msg).toEqual({ text: 'Your visit is on 2028-02-29 at the North office.', header: 'Appointment', footer: 'Reply to reschedule', template: { externalId: '102' } });
    const accepted = herald.edna.accepted().find((a) => a.id === done.message.id)!;
    expect(accepted).toMatchObject({ kind: 'template', templateId: 102 });
    expect((accepted.body as any).textVariables).toEqual(['2028-02-29', 'North']);
  });

  it('R8/R16: unknown template is TEMPLATE_NOT_FOUND; a Viber template on WhatsApp is TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', async () => {
    const unknown = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', template: { templateId: '00000000-0000-0000-0000-000000000000' }, disposition: CLOSE });
    expect(codes(unknown)).toEqual(['TEMPLATE_NOT_FOUND']);
    const viber = await byExternal('VIBER', '201');
    const wrong = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', template: { templateId: viber.id, variables: [] }, disposition: CLOSE });
    expect(codes(wrong)).toEqual(['TEMPLATE_NOT_SUPPORTED_ON_CHANNEL']);
  });
});

describe('lenient mode (R14, R19)', () => {
  beforeAll(async () => {
    await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: WHATSAPP, enabled: true, strictTemplates: false }) { standChannel { strictTemplates } } }');
  });
  afterAll(async () => {
    await herald.gql('demo-admin', 'mutation { configureChannel(input: { channel: WHATSAPP, enabled: true, strictTemplates: true }) { standChannel { strictTemplates } } }');
  });

  it('R14: manual text outside the window is sent and fails as TEMPLATE_MISMATCH in the chat history', async () => {
    const client = await clientWithInbound(48, '0777');
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Are you still interested?', disposition: CLOSE });
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['FAILED']);
    expect(done.message).toMatchObject({ status: 'UNDELIVERED', failure: { code: 'TEMPLATE_MISMATCH', providerCode: 'not-template-match' } });
    const history = await herald.gql('demo-agent-1', `{ client(id: "${client}") { history(first: 1) { edges { node { status failure { code message } } } } } }`);
    expect(history.data.client.history.edges[0].node.failure.code).toBe('TEMPLATE_MISMATCH');
  });

  it('R14: manual text that matches a registered template is delivered', async () => {
    const client = await clientWithInbound(null, '0777');
    const res = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', text: 'Hello! How can we help you today?', disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.message.status).toBe('READ');
    expect((await readSend(herald, res.send.id)).state).toBe('COMPLETED');
  });
});
