import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import {
  AttachmentTooLargeError, EmptyAttachmentError, findAttachmentByToken, readAttachmentChunks, storeAttachment,
} from '../db/attachments.js';
import type { AttachmentRow } from '../db/attachments.js';
import { LARGEST_ATTACHMENT_BYTES } from '../domain/channels.js';
import { UserErrorException, type UserErrorCode } from '../domain/errors.js';
import { requireRole } from '../auth/roles.js';
import { bearerToken, viewerForToken } from '../auth/tokens.js';
import { sendJson } from './io.js';
import type { Route } from './server.js';

// Uploads (POST /attachments, multipart, field `file`) and the public file URLs that edna fetches
// (GET /files/<token>/<name>). An upload streams straight into the database: it is refused as
// soon as it passes the largest limit of any channel, and never held whole in memory.

export interface AttachmentRoutesDeps {
  db: Db;
  config: Config;
}

export function attachmentUrl(config: Config, row: Pick<AttachmentRow, 'accessToken' | 'fileName'>): string {
  return `${config.publicBaseUrl}/files/${row.accessToken}/${encodeURIComponent(row.fileName)}`;
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
 * Answers. If the client is still sending, what it sends is dropped unread (memory stays flat)
 * and, unless the body ends within LINGER_MS, the connection is closed then: closing it at once
 * would reset it, and a reset makes the client's side discard the answer it has not read yet.
 */
function answer(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  sendJson(res, status, body);
  if (req.complete) return;
  req.unpipe();
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: UserErrorCode, error: string): void {
  answer(req, res, status, { code, error });
}

class NoFileError extends Error {}

async function upload(deps: AttachmentRoutesDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let viewerId: string;
  try {
    viewerId = requireRole(await viewerForToken(deps.db, bearerToken(req.headers.authorization)), []).id;
  } catch (err) {
    if (!(err instanceof UserErrorException)) throw err;
    const { code, message } = err.userError;
    return refuse(req, res, code === 'UNAUTHENTICATED' ? 401 : 403, code, message);
  }

  if (!/^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '')) {
    return refuse(req, res, 400, 'INVALID_INPUT', 'Send the file as multipart/form-data, in the field "file".');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // One byte more than any channel takes, so that "over the limit" can be told from "at it".
      limits: { files: 1, fileSize: LARGEST_ATTACHMENT_BYTES + 1, fields: 50, fieldSize: 64 * 1024, parts: 100 },
    });
  } catch (err) {
    return refuse(req, res, 400, 'INVALID_INPUT', `The multipart body cannot be read: ${(err as Error).message}`);
  }

  // The whole body parsed (or failed). A client that goes away mid-body destroys the parser, which
  // breaks the file stream, which rolls the upload back.
  const parsed = new Promise<void>((resolve, reject) => {
    parser.once('close', resolve);
    parser.once('error', reject);
  });
  parsed.catch(() => undefined);
  req.once('close', () => {
    if (!req.complete) parser.destroy(new Error('The upload broke off.'));
  });
  req.pipe(parser);
  let started = false;
  const stored = new Promise<AttachmentRow>((resolve, reject) => {
    parser.on('file', (field, file, info) => {
      if (field !== 'file' || started) {
        file.resume();
        return;
      }
      started = true;
      storeAttachment(deps.db, {
        stream: file,
        fileName: sanitizeFileName(info.filename),
        uploadedBy: viewerId,
        maxBytes: LARGEST_ATTACHMENT_BYTES,
      }).then(resolve, reject);
    });
    parsed.then(
      () => { if (!started) reject(new NoFileError()); },
      (err: unknown) => { if (!started) reject(err); },
    );
  });

  let row: AttachmentRow;
  try {
    row = await stored;
  } catch (err) {
    // The parser stops here; answer() drops the rest of the body and ends the connection.
    req.unpipe(parser);
    if (err instanceof AttachmentTooLargeError) {
      return refuse(req, res, 413, 'ATTACHMENT_TOO_LARGE', err.message);
    }
    if (err instanceof EmptyAttachmentError) return refuse(req, res, 400, 'INVALID_INPUT', err.message);
    if (err instanceof NoFileError) return refuse(req, res, 400, 'INVALID_INPUT', 'The form has no file in the field "file".');
    if (req.destroyed && !req.complete) return; // the client went away mid-upload: nothing to answer
    if (!started) return refuse(req, res, 400, 'INVALID_INPUT', `The multipart body cannot be read: ${(err as Error).message}`);
    throw err;
  }
  await parsed.catch(() => undefined);
  answer(req, res, 201, {
    id: row.id,
    fileName: row.fileName,
    mimeType: row.mimeType,
    size: row.size,
    url: attachmentUrl(deps.config, row),
  });
}

/** RFC 5987 / 6266: `filename*=UTF-8''…`, with an ASCII `filename=` for old clients. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const FILE_PATH = /^\/files\/([A-Za-z0-9_-]{16,128})\/[^/]*$/;

async function serveFile(deps: AttachmentRoutesDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const token = FILE_PATH.exec(url.pathname)?.[1];
  const row = token ? await findAttachmentByToken(deps.db, token) : null;
  if (!row) return sendJson(res, 404, { code: 'NOT_FOUND', error: 'No such file.' });
  const etag = `"${row.sha256}"`;
  const headers = {
    'content-type': row.mimeType === 'text/plain' ? 'text/plain; charset=utf-8' : row.mimeType,
    'content-disposition': contentDisposition(row.fileName),
    'x-content-type-options': 'nosniff',
    // Users' files on the API's origin: never let one run as a page.
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=3600',
    etag,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': row.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(Readable.from(readAttachmentChunks(deps.db, row.id), { objectMode: false }), res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return; // the client went away
    throw err;
  }
}

export function attachmentRoutes(deps: AttachmentRoutesDeps): Route[] {
  return [
    { method: 'POST', path: '/attachments', handler: (req, res) => upload(deps, req, res) },
    { method: 'GET', path: FILE_PATH, handler: (req, res, url) => serveFile(deps, req, res, url) },
  ];
}
