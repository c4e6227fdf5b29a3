import http from 'node:http';
import type { AddressInfo } from 'node:net';

// What the Telegram and gateway sandboxes share: reading a body as bytes, answering JSON, and
// listening on a port (0: a free one) with a URL to reach it by.

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function readRawBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`The body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function replyJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export const errorText = (e: unknown) => (e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e));

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  port = 0,
  host = '127.0.0.1',
): Promise<Listening> {
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) replyJson(res, 500, { error: 'SANDBOX_ERROR', message: errorText(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The last four digits of an address (a phone, a chat id, a username ending in digits). */
export const suffixOf = (address: string) => /(\d{4})$/.exec(address.trim())?.[1] ?? null;
