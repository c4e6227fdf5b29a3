import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUBJECT } from '../../src/channels/email/mailer.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, send, sendReaches } from '../support/sends.js';
import { startTestSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp.js';

// Email end to end: Herald's worker hands mail to a real SMTP server (smtp-server on a free
// port), and the tests read what that server received — envelope and raw message.

let smtp: TestSmtp;
let herald: TestHerald;
beforeAll(async () => {
  smtp = await startTestSmtp({ rejectRecipient: (address) => (address.includes('reject') ? 550 : undefined) });
  herald = await startTestHerald({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Support <support@herald.test>' } });
});
afterAll(async () => {
  await herald?.close();
  await smtp?.close();
});

const ELENA_EMAIL = 'elena.smirnova@example.org';
const FEDOR_EMAIL = 'fedor.k@example.com';
const BCC = ['boss@example.com', 'audit.team@mail.example.org'];

/** The mail whose Message-ID is this message's (the first attempt's provider id is the message id). */
function mailFor(messageId: string): Promise<ReceivedMail> {
  return eventually(async () => smtp.mails.find((m) => m.header('message-id').some((v) => v.includes(messageId))), 10_000, `a mail for ${messageId}`);
}

async function activeThreadOf(id: string) {
  const res = await herald.gql('demo-supervisor', 'query($id: ID!) { client(id: $id) { activeThread { id status channel } } }', { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.client.activeThread as { id: string; status: string; channel: string } | null;
}

describe('email over SMTP', () => {
  it('R10: BCC recipients get the mail through the envelope only; the client never sees them', async () => {
    const elena = await clientId(herald, 'Elena');
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', subject: 'Your refund is on its way', text: 'We have sent the refund today.', bcc: BCC });
    expect(res.userErrors).toEqual([]);
    expect(res.conflict).toBeNull();
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.state).toBe('COMPLETED');
    expect(done.message.status).toBe('SENT');
    expect(done.message.bcc).toEqual(BCC);
    expect(done.message.subject).toBe('Your refund is on its way');

    const mail = await mailFor(res.send.message.id);
    expect(mail.mailFrom).toBe('support@herald.test');
    expect([...mail.rcptTo].sort()).toEqual([ELENA_EMAIL, ...BCC].sort());
    expect(mail.header('bcc')).toEqual([]);
    expect(mail.headers).not.toMatch(/^bcc:/im);
    for (const address of BCC) expect(mail.headers).not.toContain(address);
    expect(mail.header('to')).toEqual([ELENA_EMAIL]);
    expect(mail.header('subject')).toEqual(['Your refund is on its way']);
    expect(mail.header('from')[0]).toContain('support@herald.test');
    expect(mail.raw).toContain('We have sent the refund today.');
  });

  it('R10: an invalid BCC address is INVALID_EMAIL naming it, and nothing reaches the SMTP server', async () => {
    const elena = await clientId(herald, 'Elena');
    const before = smtp.mails.length;
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', text: 'Hello', bcc: ['boss@example.com', 'not-an-address@localhost'] });
    expect(res.userErrors).toHaveLength(1);
    expect(res.userErrors[0]).toMatchObject({ code: 'INVALID_EMAIL', field: ['bcc', '1'] });
    expect(res.userErrors[0].message).toContain('not-an-address@localhost');
    expect(res.send?.message ?? null).toBeNull();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.mails.length).toBe(before);
  });

  it('R10: BCC on WHATSAPP is BCC_NOT_ALLOWED', async () => {
    const anna = await clientId(herald, 'Anna');
    const res = await send(herald, 'demo-agent-1', { clientId: anna, channel: 'WHATSAPP', text: 'Hello', bcc: ['boss@example.com'], disposition: { kind: 'CLOSE' } });
    expect(res.userErrors.map((e: any) => e.code)).toContain('BCC_NOT_ALLOWED');
    expect(res.userErrors.find((e: any) => e.code === 'BCC_NOT_ALLOWED').field).toEqual(['bcc']);
    expect(res.send?.message ?? null).toBeNull();
  });

  it('R10: an email without a subject goes out with the default subject', async () => {
    const elena = await clientId(herald, 'Elena');
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', text: 'A note without a subject.' });
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.state).toBe('COMPLETED');
    const mail = await mailFor(res.send.message.id);
    expect(mail.header('subject')).toEqual([DEFAULT_SUBJECT]);
    expect(mail.rcptTo).toEqual([ELENA_EMAIL]);
  });

  it('R11: a disposition on EMAIL is DISPOSITION_NOT_APPLICABLE', async () => {
    const elena = await clientId(herald, 'Elena');
    const before = smtp.mails.length;
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', text: 'Hello', disposition: { kind: 'CLOSE' } });
    expect(res.userErrors).toHaveLength(1);
    expect(res.userErrors[0]).toMatchObject({ code: 'DISPOSITION_NOT_APPLICABLE', field: ['disposition'] });
    expect(res.send?.message ?? null).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.length).toBe(before);
  });

  it('R11: an email is sent closed and opens no thread', async () => {
    const elena = await clientId(herald, 'Elena');
    expect(await activeThreadOf(elena)).toBeNull();
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', subject: 'Closed', text: 'No thread for this one.' });
    expect(res.userErrors).toEqual([]);
    expect(res.send.thread).toBeNull();
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.state).toBe('COMPLETED');
    expect(done.thread).toBeNull();
    expect(done.message.thread).toBeNull();
    expect(await activeThreadOf(elena)).toBeNull();
    await mailFor(res.send.message.id);
  });

  it('R6: with an active thread WHATSAPP is ACTIVE_THREAD_EXISTS offering only EMAIL, and an email still goes out', async () => {
    const fedor = await clientId(herald, 'Fedor');
    const active = await activeThreadOf(fedor);
    expect(active).not.toBeNull();

    const blocked = await send(herald, 'demo-agent-1', { clientId: fedor, channel: 'WHATSAPP', text: 'Hello again', disposition: { kind: 'CLOSE' } });
    expect(blocked.userErrors.map((e: any) => e.code)).toEqual(['ACTIVE_THREAD_EXISTS']);
    expect(blocked.send?.message ?? null).toBeNull();
    expect(blocked.conflict.activeThread.id).toBe(active!.id);
    expect(blocked.conflict.alternatives).toEqual([{ channel: 'EMAIL', available: true }]);

    const res = await send(herald, 'demo-agent-1', { clientId: fedor, channel: 'EMAIL', subject: 'About your order', text: 'Writing by email while the chat is open.' });
    expect(res.userErrors).toEqual([]);
    expect(res.conflict).toBeNull();
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.state).toBe('COMPLETED');
    expect(done.message.status).toBe('SENT');
    expect(done.thread).toBeNull();
    const mail = await mailFor(res.send.message.id);
    expect(mail.rcptTo).toEqual([FEDOR_EMAIL]);
    expect(mail.header('to')).toEqual([FEDOR_EMAIL]);
    expect(await activeThreadOf(fedor)).toMatchObject({ id: active!.id });
  });

  it('R20: a 5xx from the SMTP server for the recipient fails the email with PROVIDER_REJECTED', async () => {
    const created = await herald.gql('demo-admin', 'mutation($input: ClientInput!) { upsertClient(input: $input) { client { id } userErrors { code } } }', {
      input: { externalId: 'EMAIL-REJECT-1', name: 'Rejected Mailbox', email: 'reject.me@example.com' },
    });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    expect(created.data.upsertClient.userErrors).toEqual([]);
    const id = created.data.upsertClient.client.id as string;

    const before = smtp.mails.length;
    const res = await send(herald, 'demo-agent-1', { clientId: id, channel: 'EMAIL', subject: 'Bounce', text: 'This one bounces.' });
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.state).toBe('FAILED');
    expect(done.message.status).toBe('FAILED');
    expect(done.message.failure).toMatchObject({ code: 'PROVIDER_REJECTED', providerCode: 'smtp-550' });
    expect(smtp.rejected).toContain('reject.me@example.com');
    // permanent: not retried, so the server refused it exactly once and took no mail
    expect(smtp.rejected.filter((a) => a === 'reject.me@example.com')).toHaveLength(1);
    expect(smtp.mails.length).toBe(before);
    expect(done.thread).toBeNull();
  });

  it('R10: a BCC address the mail server refuses is shown on the message, and the client still gets it once', async () => {
    const elena = await clientId(herald, 'Elena');
    const res = await send(herald, 'demo-agent-1', { clientId: elena, channel: 'EMAIL', subject: 'Partial', text: 'Copy for audit.', bcc: ['audit@example.com', 'reject.audit@example.com'] });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED', 'FAILED']);
    expect(done.state).toBe('COMPLETED');
    expect(done.message.statusHistory.find((s: any) => s.status === 'SENT').note).toMatch(/refused reject\.audit@example\.com/);
    expect((await mailFor(res.send.message.id)).rcptTo).toEqual(expect.arrayContaining(['elena.smirnova@example.org', 'audit@example.com']));
  });
});
