import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerError } from 'smtp-server';

// A real SMTP server on 127.0.0.1 and a free port, plain text and no AUTH, that keeps every mail
// it accepts: the envelope as the client gave it and the raw message (headers + body).

export interface ReceivedMail {
  mailFrom: string | null;
  rcptTo: string[];
  raw: string;
  /** The header block, folded lines joined. */
  headers: string;
  /** Lower-cased header name → values, in order. */
  header(name: string): string[];
}

export interface TestSmtp {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Every RCPT TO the server refused. */
  rejected: string[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Return a reply code (e.g. 550 or 450) to refuse this recipient; undefined to accept it. */
  rejectRecipient?: (address: string) => number | undefined;
}

export function parseMail(mailFrom: string | null, rcptTo: string[], raw: string): ReceivedMail {
  const end = raw.search(/\r?\n\r?\n/);
  const headers = (end >= 0 ? raw.slice(0, end) : raw).replace(/\r?\n[ \t]+/g, ' ');
  const lines = headers.split(/\r?\n/);
  return {
    mailFrom, rcptTo, raw, headers,
    header(name) {
      const prefix = `${name.toLowerCase()}:`;
      return lines.filter((l) => l.toLowerCase().startsWith(prefix)).map((l) => l.slice(prefix.length).trim());
    },
  };
}

export async function startTestSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const rejected: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = options.rejectRecipient?.(address.address);
      if (code === undefined) return callback();
      rejected.push(address.address);
      const err: SMTPServerError = new Error(`Mailbox ${address.address} is not accepted here`);
      err.responseCode = code;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        mails.push(parseMail(mailFrom ? mailFrom.address : null, rcptTo.map((r) => r.address), Buffer.concat(chunks).toString('utf8')));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    rejected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
