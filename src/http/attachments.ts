import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import {
  AttachmentTooLargeError, EmptyAttachmentError, attachmentUrl, findAttachmentByToken, readAttachmentChunks, storeAttachment, type AttachmentRow,
} from '../db/attachments.js';
import { LARGEST_ATTACHMENT_BYTES } from '../domain/channels.js';
import { UserErrorException, type UserErrorCode } from '../domain/errors.js';
import { requireRole } from '../auth/roles.js';

// Uploads (POST /attachments, multipart, field `file`) and the public file URLs that edna fetches
// (GET /files/<token>/<name>). An upload streams straight into the database: it is refused as
// soon as it passes the largest limit of any channel, and never held whole in memory.

export interface AttachmentRoutesDeps {
  db: Db;
  config: Config;
}

/** The name as given, without any path, control or bidi-override characters, at most 200 characters. */
export function sanitizeFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').trim();
  const cut = Array.from(clean).slice(0, 200).join('').trim();
  return cut === '' || cut === '.' || cut === '..' ? 'file' : cut;
}

/** How long a refused upload's connection keeps draining before it is closed. */
const LINGER_MS = 2000;

/**
 * After an answer to an upload the client is still sending: what it sends is dropped unread
 * (memory stays flat) and, unless the body ends within LINGER_MS, the connection is closed then;
 * closing it at once would reset it, and a reset makes the client discard the answer unread.
 */
function lingerThenClose(request: FastifyRequest): void {
  const raw = request.raw;
  if (raw.complete) return;
  raw.unpipe();
  raw.resume();
  const timer = setTimeout(() => raw.socket.destroy(), LINGER_MS);
  timer.unref();
  raw.once('end', () => clearTimeout(timer));
  raw.socket.once('close', () => clearTimeout(timer));
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, code: UserErrorCode, error: string) {
  lingerThenClose(request);
  return reply.status(status).send({ code, error });
}

const UPLOAD_LIMITS = {
  files: 1,
  // One byte more than any channel takes, so that "over the limit" can be told from "at it".
  fileSize: LARGEST_ATTACHMENT_BYTES + 1,
  fields: 50,
  fieldSize: 64 * 1024,
  parts: 100,
};

async function upload(deps: AttachmentRoutesDeps, request: FastifyRequest, reply: FastifyReply) {
  let viewerId: string;
  try {
    viewerId = requireRole(request.viewer, []).id;
  } catch (err) {
    if (!(err instanceof UserErrorException)) throw err;
    const { code, message } = err.userError;
    return refuse(request, reply, code === 'UNAUTHENTICATED' ? 401 : 403, code, message);
  }
  if (!request.isMultipart()) return refuse(request, reply, 400, 'INVALID_INPUT', 'Send the file as multipart/form-data, in the field "file".');

  let row: AttachmentRow | null = null;
  try {
    for await (const part of request.files({ limits: UPLOAD_LIMITS, throwFileSizeLimit: false })) {
      if (part.fieldname !== 'file' || row) {
        part.file.resume();
        continue;
      }
      row = await storeAttachment(deps.db, { stream: part.file, fileName: sanitizeFileName(part.filename), uploadedBy: viewerId, maxBytes: LARGEST_ATTACHMENT_BYTES });
    }
  } catch (err) {
    if (err instanceof AttachmentTooLargeError) return refuse(request, reply, 413, 'ATTACHMENT_TOO_LARGE', err.message);
    if (err instanceof EmptyAttachmentError) return refuse(request, reply, 400, 'INVALID_INPUT', err.message);
    if (request.raw.destroyed && !request.raw.complete) return reply; // the client went away mid-upload: nothing to answer
    // A body that breaks off or does not parse as multipart (a truncated upload): the store rolled back.
    if (isMultipartFault(err)) return refuse(request, reply, 400, 'INVALID_INPUT', `The multipart body cannot be read: ${(err as Error).message}`);
    throw err;
  }
  if (!row) return refuse(request, reply, 400, 'INVALID_INPUT', 'The form has no file in the field "file".');
  return reply.status(201).send({
    id: row.id,
    fileName: row.fileName,
    mimeType: row.mimeType,
    size: row.size,
    url: attachmentUrl(deps.config.publicBaseUrl, row),
  });
}

/** Errors of the multipart reader (busboy, @fastify/multipart), not of the store. */
function isMultipartFault(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (typeof e.code === 'string' && e.code.startsWith('FST_')) || /multipart|unexpected end|boundary|part terminated|broke off/i.test(e.message ?? '');
}

/** RFC 5987 / 6266: `filename*=UTF-8''…`, with an ASCII `filename=` for old clients. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

async function serveFile(deps: AttachmentRoutesDeps, request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) {
  const token = /^[A-Za-z0-9_-]{16,128}$/.test(request.params.token) ? request.params.token : null;
  const row = token ? await findAttachmentByToken(deps.db, token) : null;
  if (!row) return reply.status(404).send({ code: 'NOT_FOUND', error: 'No such file.' });
  const etag = `"${row.sha256}"`;
  reply.headers({
    'content-type': row.mimeType === 'text/plain' ? 'text/plain; charset=utf-8' : row.mimeType,
    'content-disposition': contentDisposition(row.fileName),
    'x-content-type-options': 'nosniff',
    // Users' files on the API's origin: never let one run as a page.
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=3600',
    etag,
  });
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  reply.header('content-length', row.size);
  if (request.method === 'HEAD') return reply.status(200).send();
  return reply.status(200).send(Readable.from(readAttachmentChunks(deps.db, row.id), { objectMode: false }));
}

/** Uploads (POST /attachments) for callers with a token; files (GET /files/<token>/<name>) for the providers. */
export async function mountAttachments(app: FastifyInstance, deps: AttachmentRoutesDeps, limitsFor: (group: 'authenticated' | 'providers') => object): Promise<void> {
  await app.register(multipart);
  app.post('/attachments', { config: limitsFor('authenticated') }, (request, reply) => upload(deps, request, reply));
  // HEAD answers the headers of GET without reading the file (Fastify's own HEAD would stream it).
  app.route<{ Params: { token: string; name: string } }>({
    method: ['GET', 'HEAD'], url: '/files/:token/:name', exposeHeadRoute: false, config: limitsFor('providers'), handler: (request, reply) => serveFile(deps, request, reply),
  });
}
