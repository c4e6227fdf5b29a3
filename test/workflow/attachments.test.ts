import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { clientId, newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';

// Files at send time (R8, R9): the real upload endpoint, the channel's table, edna fetching the
// file by URL, and email MIME parts over a real SMTP server.

let herald: TestHerald;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
  herald = await startTestHerald({ env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await herald?.close();
  await smtp?.close();
});

const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const png = (size: number) => Buffer.concat([PNG_HEAD, Buffer.alloc(Math.max(0, size - PNG_HEAD.length), 7)]);
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(Math.max(0, size - 9), 32)]);
const MB = 1024 * 1024;

async function upload(bytes: Buffer, fileName: string, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), fileName);
  const res = await fetch(`${herald.baseUrl}/attachments`, { method: 'POST', body: form, headers: { authorization: 'Bearer demo-agent-1' } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; fileName: string; mimeType: string; size: number; url: string };
}

let seq = 0;
async function chatClient(): Promise<string> {
  seq += 1;
  const id = await newClient(herald, `+34 600 ${String(100000 + seq)}`, `Files ${seq}`);
  await wroteInRecently(herald, id);
  await wroteInRecently(herald, id, 'VIBER');
  return id;
}

const codes = (res: any) => res.userErrors.map((e: any) => e.code);
const CLOSE = { kind: 'CLOSE' };

describe('limits per channel (R9)', () => {
  it('R9: an image exactly at the WhatsApp limit (5 MB) is accepted; one byte over is ATTACHMENT_TOO_LARGE; Viber takes it (25 MB)', async () => {
    const atLimit = await upload(png(5 * MB), 'at-limit.png');
    const over = await upload(png(5 * MB + 1), 'over.png');
    expect([atLimit.mimeType, over.mimeType]).toEqual(['image/png', 'image/png']);
    const client = await chatClient();
    const ok = await send(herald, 'demo-agent-1', { clientId: client, channel: 'WHATSAPP', attachmentId: atLimit.id, disposition: CLOSE });
    expect(ok.userErrors).toEqual([]);
    await sendReaches(herald, ok.send.id, ['COMPLETED']);
    const tooLarge = await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'WHATSAPP', attachmentId: over.id, disposition: CLOSE });
    expect(tooLarge.userErrors).toMatchObject([{ code: 'ATTACHMENT_TOO_LARGE', field: ['attachmentId'] }]);
    const viber = await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'VIBER', attachmentId: over.id, disposition: CLOSE });
    expect(viber.userErrors).toEqual([]);
  });

  it('R9: a Viber file one byte over 25 MB is ATTACHMENT_TOO_LARGE, while email takes 25 MB exactly', async () => {
    const over = await upload(pdf(25 * MB + 1), 'big.pdf');
    const at = await upload(pdf(25 * MB), 'exact.pdf');
    expect(codes(await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'VIBER', attachmentId: over.id, disposition: CLOSE }))).toEqual(['ATTACHMENT_TOO_LARGE']);
    const email = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Elena'), channel: 'EMAIL', attachmentId: at.id, subject: 'Statement' });
    expect(email.userErrors).toEqual([]);
    expect(codes(await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Elena'), channel: 'EMAIL', attachmentId: over.id }))).toEqual(['ATTACHMENT_TOO_LARGE']);
  });

  it('R9: a file whose name lies about its type is judged by its bytes: ATTACHMENT_FORMAT where the real type is not taken', async () => {
    const text = await upload(Buffer.from('just some notes\n'), 'scan.jpg', 'image/jpeg');
    expect(text.mimeType).toBe('text/plain');
    expect(codes(await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'TELEGRAM', attachmentId: text.id, disposition: CLOSE }))).toEqual(['NO_ADDRESS_FOR_CHANNEL']);
    expect(codes(await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'VIBER', attachmentId: text.id, disposition: CLOSE }))).toEqual([]);
    const zipLike = await upload(Buffer.from('504b0304140000000000', 'hex'), 'report.pdf', 'application/pdf');
    expect(codes(await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'WHATSAPP', attachmentId: zipLike.id, disposition: CLOSE }))).toEqual(['ATTACHMENT_FORMAT']);
  });

  it('R8: an attachment id that names no upload is NOT_FOUND', async () => {
    const res = await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'WHATSAPP', attachmentId: '00000000-0000-0000-0000-000000000000', disposition: CLOSE });
    expect(res.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['attachmentId'] }]);
  });
});

describe('text with an attachment reaches the client (R8)', () => {
  it('R8: on WhatsApp (no caption) it goes as two messages in order, and the message is READ only when both are', async () => {
    const file = await upload(png(2048), 'receipt.png');
    const res = await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'WHATSAPP', text: 'Here is your receipt.', attachmentId: file.id, disposition: CLOSE });
    expect(res.userErrors).toEqual([]);
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    expect(done.message.status).toBe('READ');
    const accepted = herald.edna.accepted().filter((a) => a.phone.endsWith(String(100000 + seq)));
    expect(accepted.map((a) => (a.body as any).content.whatsappContent.contentType)).toEqual(['IMAGE', 'TEXT']);
    expect((accepted[0]!.body as any).content.whatsappContent.attachment.url).toBe(file.url);
    expect((accepted[1]!.body as any).content.whatsappContent.text).toBe('Here is your receipt.');
    expect(done.message.statusHistory.find((s: any) => s.status === 'SENT').note).toMatch(/2 messages/);
    // edna fetches the file by its URL, without our bearer token
    const fetched = await fetch(file.url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(png(2048))).toBe(true);
  });

  it('R8: on Viber the text travels with the file as one message', async () => {
    const file = await upload(pdf(4096), 'terms.pdf');
    const res = await send(herald, 'demo-agent-1', { clientId: await chatClient(), channel: 'VIBER', text: 'Our terms', attachmentId: file.id, disposition: CLOSE });
    const done = await sendReaches(herald, res.send.id, ['COMPLETED']);
    const accepted = herald.edna.accepted().filter((a) => a.id === done.message.id);
    expect(accepted).toHaveLength(1);
    expect((accepted[0]!.body as any).content.viberContent).toMatchObject({ contentType: 'DOCUMENT', text: 'Our terms' });
  });

  it('R8: an email carries the file as a MIME part', async () => {
    const file = await upload(pdf(3000), 'invoice.pdf');
    const res = await send(herald, 'demo-agent-1', { clientId: await clientId(herald, 'Elena'), channel: 'EMAIL', text: 'Invoice attached.', attachmentId: file.id, subject: 'Invoice' });
    await sendReaches(herald, res.send.id, ['COMPLETED']);
    const mail = smtp.mails.find((m) => m.raw.includes('Invoice attached.'))!;
    expect(mail.raw).toMatch(/Content-Type: application\/pdf; name=invoice\.pdf/);
    expect(mail.raw).toMatch(/Content-Disposition: attachment; filename=invoice\.pdf/);
  });
});
