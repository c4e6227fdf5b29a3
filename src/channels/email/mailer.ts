import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { PermanentDeliveryError, TransientDeliveryError } from '../transport.js';

// Email through nodemailer: SMTP in production, a file outbox in embedded mode. BCC recipients
// travel in the SMTP envelope only; nodemailer leaves the Bcc header out of the message the
// client receives (R10).

export interface OutgoingEmail {
  messageId: string;
  to: string;
  bcc: string[];
  subject: string;
  text: string;
  /** MIME parts; content streams from the attachment store, never held whole. */
  attachments: Array<{ filename: string; contentType: string; content: Readable }>;
}

export interface MailReceipt {
  /** Recipients the server refused while taking the mail for the others (a BCC address, say). */
  rejected: string[];
}

export interface Mailer {
  send(mail: OutgoingEmail): Promise<MailReceipt>;
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

export function createMailer(options: { smtpUrl?: string; from: string; outboxDir: string }): Mailer {
  if (!options.smtpUrl) return fileOutbox(options.from, options.outboxDir);
  const transport: Transporter = nodemailer.createTransport(options.smtpUrl);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(envelopeOf(options.from, mail));
        return { rejected: ((info.rejected ?? []) as Array<string | { address: string }>).map((r) => (typeof r === 'string' ? r : r.address)) };
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
    async send(mail) {
      const info = await transport.sendMail(envelopeOf(from, mail));
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, `${mail.messageId}.eml`), info.message as Buffer);
      await fs.writeFile(path.join(dir, `${mail.messageId}.envelope.json`), JSON.stringify(info.envelope, null, 2));
      return { rejected: [] };
    },
    close: () => transport.close(),
  };
}
