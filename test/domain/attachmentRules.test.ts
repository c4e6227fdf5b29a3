import { describe, expect, it } from 'vitest';
import { CHANNEL_CAPABILITIES } from '../../src/domain/channels.js';
import { CHANNELS } from '../../src/domain/enums.js';
import { checkAttachment } from '../../src/domain/sendRules.js';

// R9 for every channel and every kind of file it takes: exactly at the limit passes, one byte
// over is ATTACHMENT_TOO_LARGE, a type the channel does not take is ATTACHMENT_FORMAT.

const sampleType = (mimeTypes: readonly string[] | 'ANY_BUT_EXECUTABLE') => (mimeTypes === 'ANY_BUT_EXECUTABLE' ? 'application/zip' : mimeTypes[0]!);

describe('R9: attachment limits per channel', () => {
  for (const channel of CHANNELS) {
    for (const kind of CHANNEL_CAPABILITIES[channel].attachments) {
      const mimeType = sampleType(kind.mimeTypes);
      it(`R9: ${channel} ${kind.kind} (${mimeType}) at exactly ${kind.maxBytes} bytes passes, one byte over is ATTACHMENT_TOO_LARGE`, () => {
        expect(checkAttachment(channel, { mimeType, size: kind.maxBytes })).toEqual([]);
        expect(checkAttachment(channel, { mimeType, size: kind.maxBytes + 1 }).map((e) => e.code)).toEqual(['ATTACHMENT_TOO_LARGE']);
      });
    }
    it(`R9: ${channel} refuses a type it does not take with ATTACHMENT_FORMAT`, () => {
      expect(checkAttachment(channel, { mimeType: 'application/x-msdownload', size: 10 }).map((e) => e.code)).toEqual(['ATTACHMENT_FORMAT']);
    });
  }

  it('R9: the error names the limit and the size in MB', () => {
    const [error] = checkAttachment('WHATSAPP', { mimeType: 'image/png', size: 5 * 1024 * 1024 + 1 });
    expect(error).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', field: ['attachmentId'] });
    expect(error!.message).toMatch(/5 MB/);
  });
});
