import { describe, expect, it } from 'vitest';
import { capabilitiesOf, CHANNEL_CAPABILITIES, GATEWAY_CHANNELS, LARGEST_ATTACHMENT_BYTES } from '../../src/domain/channels.js';
import { CHANNELS, type Channel } from '../../src/domain/enums.js';

const MB = 1024 * 1024;
const MESSENGERS: Channel[] = ['TELEGRAM', 'APPLE_BUSINESS_MESSAGES', 'WEB_CHAT', 'MOBILE_APP'];
const attachment = (channel: Channel, kind: string) => capabilitiesOf(channel).attachments.find((a) => a.kind === kind);

describe('channel capability table (R8, R9)', () => {
  it('R9: every channel has a row naming itself', () => {
    expect(Object.keys(CHANNEL_CAPABILITIES).sort()).toEqual([...CHANNELS].sort());
    for (const c of CHANNELS) {
      expect(capabilitiesOf(c).channel).toBe(c);
      expect(capabilitiesOf(c)).toBe(CHANNEL_CAPABILITIES[c]);
    }
  });

  it('R9: WhatsApp text is at most 4096 characters', () => {
    expect(capabilitiesOf('WHATSAPP').textMax).toBe(4096);
  });

  it('R9: Viber text is at most 1000 characters', () => {
    expect(capabilitiesOf('VIBER').textMax).toBe(1000);
  });

  it('R9: Email text is at most 100000 characters', () => {
    expect(capabilitiesOf('EMAIL').textMax).toBe(100_000);
  });

  it('R9: other messengers allow 4096 characters', () => {
    for (const c of MESSENGERS) expect(capabilitiesOf(c).textMax, c).toBe(4096);
  });

  it('R9: WhatsApp images are at most 5 MB, jpeg or png', () => {
    const img = attachment('WHATSAPP', 'IMAGE')!;
    expect(img.maxBytes).toBe(5 * MB);
    expect([...img.mimeTypes].sort()).toEqual(['image/jpeg', 'image/png']);
  });

  it('R9: WhatsApp documents 100 MB, video and audio 16 MB', () => {
    expect(attachment('WHATSAPP', 'DOCUMENT')!.maxBytes).toBe(100 * MB);
    expect(attachment('WHATSAPP', 'VIDEO')!.maxBytes).toBe(16 * MB);
    expect(attachment('WHATSAPP', 'AUDIO')!.maxBytes).toBe(16 * MB);
  });

  it('R9: WhatsApp documents are pdf, txt, doc(x), xls(x), ppt(x)', () => {
    const doc = attachment('WHATSAPP', 'DOCUMENT')!.mimeTypes;
    expect(doc).toContain('application/pdf');
    expect(doc).toContain('text/plain');
    expect(doc).toContain('application/msword');
    expect(doc).toContain('application/vnd.ms-excel');
    expect(doc).toContain('application/vnd.ms-powerpoint');
    expect(doc).toHaveLength(8);
  });

  it('R9: Viber images and documents are at most 25 MB', () => {
    expect(attachment('VIBER', 'IMAGE')!.maxBytes).toBe(25 * MB);
    expect(attachment('VIBER', 'DOCUMENT')!.maxBytes).toBe(25 * MB);
    expect(attachment('VIBER', 'VIDEO')).toBeUndefined();
  });

  it('R9: Viber documents include rtf and odt', () => {
    const doc = attachment('VIBER', 'DOCUMENT')!.mimeTypes;
    expect(doc).toContain('application/rtf');
    expect(doc).toContain('application/vnd.oasis.opendocument.text');
  });

  it('R9: Email takes any attachment but executables, up to 25 MB', () => {
    const caps = capabilitiesOf('EMAIL');
    expect(caps.attachments).toHaveLength(1);
    expect(caps.attachments[0]!.mimeTypes).toBe('ANY_BUT_EXECUTABLE');
    expect(caps.attachments[0]!.maxBytes).toBe(25 * MB);
  });

  it('R9: LARGEST_ATTACHMENT_BYTES is 100 MB and no channel takes more', () => {
    expect(LARGEST_ATTACHMENT_BYTES).toBe(100 * MB);
    for (const c of CHANNELS) for (const a of capabilitiesOf(c).attachments) expect(a.maxBytes).toBeLessThanOrEqual(LARGEST_ATTACHMENT_BYTES);
  });

  it('R8: only WhatsApp and Viber support templates', () => {
    expect(CHANNELS.filter((c) => capabilitiesOf(c).templatesSupported)).toEqual(['WHATSAPP', 'VIBER']);
  });

  it('R8: every channel takes some attachment', () => {
    for (const c of CHANNELS) expect(capabilitiesOf(c).attachments.length, c).toBeGreaterThan(0);
  });

  it('R10: only EMAIL allows BCC', () => {
    expect(CHANNELS.filter((c) => capabilitiesOf(c).bccAllowed)).toEqual(['EMAIL']);
  });

  it('R11: only EMAIL opens no thread', () => {
    expect(CHANNELS.filter((c) => !capabilitiesOf(c).opensThread)).toEqual(['EMAIL']);
  });

  it('R6: only EMAIL ignores an active thread', () => {
    expect(CHANNELS.filter((c) => capabilitiesOf(c).ignoresActiveThread)).toEqual(['EMAIL']);
  });

  it('R19: Telegram and email give no delivery receipts; every other channel does', () => {
    expect(CHANNELS.filter((c) => !capabilitiesOf(c).deliveryReceipts)).toEqual(['EMAIL', 'TELEGRAM']);
  });

  it('R9: a Telegram caption is at most 1024 characters; Telegram documents 20 MB, photos 5 MB', () => {
    expect(capabilitiesOf('TELEGRAM').captionMax).toBe(1024);
    expect(attachment('TELEGRAM', 'DOCUMENT')!.maxBytes).toBe(20 * MB);
    expect(attachment('TELEGRAM', 'IMAGE')!.maxBytes).toBe(5 * MB);
  });

  it('R5: each channel names its transport: edna, SMTP, the Telegram Bot API, or the signed gateway', () => {
    expect(Object.fromEntries(CHANNELS.map((c) => [c, capabilitiesOf(c).transport]))).toEqual({
      WHATSAPP: 'EDNA', VIBER: 'EDNA', EMAIL: 'SMTP', TELEGRAM: 'TELEGRAM_BOT_API',
      APPLE_BUSINESS_MESSAGES: 'GATEWAY', WEB_CHAT: 'GATEWAY', MOBILE_APP: 'GATEWAY',
    });
    expect([...GATEWAY_CHANNELS].sort()).toEqual(CHANNELS.filter((c) => capabilitiesOf(c).transport === 'GATEWAY').sort());
  });

  it('R5: address kinds: phone for WhatsApp/Viber, email for EMAIL, messenger id for the rest', () => {
    expect(capabilitiesOf('WHATSAPP').addressKind).toBe('PHONE');
    expect(capabilitiesOf('VIBER').addressKind).toBe('PHONE');
    expect(capabilitiesOf('EMAIL').addressKind).toBe('EMAIL');
    for (const c of MESSENGERS) expect(capabilitiesOf(c).addressKind, c).toBe('MESSENGER_ID');
  });
});
