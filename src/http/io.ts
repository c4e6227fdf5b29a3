import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkJsonStrings } from '../domain/input.js';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Reads a request body as bytes (what a signature covers), refusing more than `limit` while reading, not after. */
export async function readRawBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a request body, refusing more than `limit` bytes while reading, not after. */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return (await readRawBody(req, limit)).toString('utf8');
}

export async function readJson(req: IncomingMessage, limit?: number): Promise<unknown> {
  return parseJsonBody(await readRawBody(req, limit));
}

/**
 * A webhook body as JSON, through the same door as GraphQL arguments (src/domain/input.ts): a NUL
 * byte, a lone surrogate or an over-long string is a 400 naming the field, never a failing statement.
 */
export function parseJsonBody(raw: Buffer | string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
  const problems = checkJsonStrings(body);
  if (problems.length > 0) throw new HttpError(400, problems.map((p) => p.message).join(' '));
  return body;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
