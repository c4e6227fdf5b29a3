import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

// What the three channel sandboxes share over HTTP: reading a body as bytes with a limit, answering
// JSON, posting a callback, and listening on a port (0: a free one) with a URL to reach it by.

/** No send comes near it; the limit only keeps a runaway client from filling the sandbox's memory. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Why readRawBody gave up, so that each sandbox can answer it the way its provider does (edna: 413). */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The body is larger than ${limit} bytes`);
  }
}

export function readRawBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false };

/** An empty body is "no JSON" too: the sandboxes answer it like a malformed one. */
export function parseJson(raw: string | Buffer): ParsedJson {
  const text = raw.toString('utf8');
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The method, the path without trailing slashes (routes compare it exactly) and the URL for its query. */
export function requestTarget(req: http.IncomingMessage): { method: string; path: string; url: URL } {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  return { method: req.method ?? 'GET', path: url.pathname.replace(/\/+$/, '') || '/', url };
}

export function replyJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export const errorText = (e: unknown) => (e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e));

export const isHttpUrl = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Default 0 (a free port). */
  port?: number | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** The body of the 500 answered when a handler throws: each sandbox words it like its provider. */
  faultBody?: (e: unknown) => unknown;
}

export async function listen(handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>, options: ListenOptions = {}): Promise<Listening> {
  const { port = 0, host = '127.0.0.1', faultBody = (e) => ({ error: 'SANDBOX_ERROR', message: errorText(e) }) } = options;
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) replyJson(res, 500, faultBody(e));
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
  // A server on every interface is reached on loopback; an IPv6 literal needs brackets in a URL.
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

// Callbacks go over kept-alive connections, as a provider's do. node:http rather than fetch: a
// sandbox posts up to three callbacks for every message, and a post cost 410–600 µs of CPU through
// fetch against 120–250 µs through node:http (both ends of the loopback counted).
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** POSTs `body` to `url` and reads the whole answer: its status and body. */
export function postBody(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<{ status: number; body: Buffer }> {
  const target = new URL(url);
  const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
  const transport = protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, { method: 'POST', agent: agents[protocol], ...(signal ? { signal } : {}), headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
