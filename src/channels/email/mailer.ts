import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { inSpan, SpanKind } from '../../tracing.js';
import { PermanentDeliveryError, TransientDeliveryError, type ChannelTransport, type OutgoingPart, type PartReceipt } from '../transport.js';

// Email through nodemailer: SMTP in production, a file outbox in embedded mode. BCC recipients
// travel in the SMTP envelope only; nodemailer leaves the Bcc header out of the message the
// client receives (R10).

interface OutgoingEmail {
  messageId: string;
  to: string;
  bcc: string[];
  subject: string;
  text: string;
  /** MIME parts; content streams from the attachment store, never held whole. */
  attachments: Array<{ filename: string; contentType: string; content: Readable }>;
}

/** Email as a channel transport; `close` ends the SMTP connection pool. */
export interface Mailer extends ChannelTransport {
  close(): void;
}

export const DEFAULT_SUBJECT = 'A message from our support team';

function envelopeOf(from: string, mail: OutgoingEmail) {
  return {
    from,
    to: mail.to,
    bcc: mail.bcc,
    subject: mail.subject,
    text: mail.text,
    messageId: `<${mail.messageId}@herald>`,
    attachments: mail.attachments,
  };
}

/** A part as an email: the client in To, BCC in the envelope only, the file as a MIME part. */
function emailOf(part: OutgoingPart): OutgoingEmail {
  return {
    messageId: part.id,
    to: part.address,
    bcc: part.email?.bcc ?? [],
    subject: part.email?.subject.trim() || DEFAULT_SUBJECT,
    text: part.text ?? '',
    attachments: part.attachment ? [{ filename: part.attachment.name, contentType: part.attachment.mimeType, content: part.attachment.open() }] : [],
  };
}

/** The client has the mail, so it is not sent again; the copies the server refused are noted instead. */
const receiptOf = (rejected: string[]): PartReceipt => ({ notes: rejected.length > 0 ? [`the mail server refused ${rejected.join(', ')}`] : [] });

export function createMailer(options: { smtpUrl?: string; from: string; outboxDir: string }): Mailer {
  if (!options.smtpUrl) return fileOutbox(options.from, options.outboxDir);
  const transport: Transporter = nodemailer.createTransport(options.smtpUrl);
  return {
    async deliver(part) {
      try {
        const info = await inSpan('smtp send', { kind: SpanKind.CLIENT, attributes: { 'messaging.message.id': part.id } }, () => transport.sendMail(envelopeOf(options.from, emailOf(part))));
        return receiptOf(((info.rejected ?? []) as Array<string | { address: string }>).map((r) => (typeof r === 'string' ? r : r.address)));
      } catch (err) {
        const { responseCode, code } = err as { responseCode?: number; code?: string };
        const message = err instanceof Error ? err.message : String(err);
        // 5xx is the server's final word on this message; 4xx and connection faults may pass.
        if (responseCode && responseCode >= 500) throw new PermanentDeliveryError('PROVIDER_REJECTED', `smtp-${responseCode}`, `The mail server refused the message: ${message}`);
        throw new TransientDeliveryError(responseCode ? `smtp-${responseCode}` : (code ?? null), `The mail server did not take the message: ${message}`);
      }
    },
    close: () => transport.close(),
  };
}

/** Embedded mode: each mail is written as <message id>.eml, with its envelope beside it. */
function fileOutbox(from: string, dir: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async deliver(part) {
      const mail = emailOf(part);
      const info = await transport.sendMail(envelopeOf(from, mail));
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, `${mail.messageId}.eml`), info.message as Buffer);
      await fs.writeFile(path.join(dir, `${mail.messageId}.envelope.json`), JSON.stringify(info.envelope, null, 2));
      return receiptOf([]);
    },
    close: () => transport.close(),
  };
}
