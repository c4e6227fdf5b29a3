import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { and, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { fileTypeFromBuffer } from 'file-type';
import type { Db, DbOrTx } from './connection.js';
import { attachmentChunks, attachments } from './schema.js';

export type AttachmentRow = typeof attachments.$inferSelect;

// Uploaded files live in PostgreSQL, in chunks of about CHUNK_BYTES: the one store that every
// server and worker shares, and one that a file can stream into and out of without ever being
// held whole in memory. An upload is served only once stored whole (`stored_at`); a refused or
// broken one is removed, and one a stopped server left behind is swept.

export const CHUNK_BYTES = 1024 * 1024;
/** How much of the file's start the type detection looks at (file-type wants 4100 at least). */
const HEAD_BYTES = 64 * 1024;
export const STORAGE_KEY = 'db:attachment_chunks';

export class AttachmentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes, the most any channel takes.`);
    this.name = 'AttachmentTooLargeError';
  }
}

export class EmptyAttachmentError extends Error {
  constructor() {
    super('The file is empty.');
    this.name = 'EmptyAttachmentError';
  }
}

export interface StoreAttachmentInput {
  stream: Readable;
  fileName: string;
  uploadedBy: string | null;
  maxBytes: number;
}

const OLE_OFFICE: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

/** file-type names a few formats otherwise than the channel tables (and edna) do. */
const MIME_ALIASES: Record<string, string> = {
  'audio/x-m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/amr-wb': 'audio/amr',
  'application/x-rtf': 'application/rtf',
};

/**
 * The type from the bytes: file-type on the head, else text/plain for UTF-8 without NUL bytes
 * (decided on the whole file, see `TextCheck`), else application/octet-stream. Word, Excel and
 * PowerPoint files come out as their OOXML types (file-type reads [Content_Types].xml in the zip).
 * The legacy OLE formats (.doc/.xls/.ppt) share one container signature that file-type reports
 * as application/x-cfb; only there the name's extension picks which of the three it is.
 */
async function detectFromHead(head: Uint8Array, fileName: string): Promise<string | null> {
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  if (!found) return null;
  if (found.mime === 'application/x-cfb') {
    const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
    return OLE_OFFICE[ext] ?? 'application/x-cfb';
  }
  return MIME_ALIASES[found.mime] ?? found.mime;
}

/** Whether the whole file is UTF-8 without NUL bytes, checked as it streams by. */
class TextCheck {
  private decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  ok = true;
  push(bytes: Uint8Array, final = false): void {
    if (!this.ok) return;
    if (bytes.includes(0)) {
      this.ok = false;
      return;
    }
    try {
      this.decoder.decode(bytes, { stream: !final });
    } catch {
      this.ok = false;
    }
  }
}

export async function storeAttachment(db: Db, input: StoreAttachmentInput): Promise<AttachmentRow> {
  const { stream, fileName, uploadedBy, maxBytes } = input;
  const writeChunk = chunkWriter(db);
  // The row first, not yet stored (never served); then each chunk in a statement of its own, so
  // no connection is held while the client sends (PGlite has only one); then the row is stored.
  const [created] = await db
    .insert(attachments)
    .values({
      fileName,
      mimeType: 'application/octet-stream',
      size: 0,
      sha256: '',
      storageKey: STORAGE_KEY,
      accessToken: randomBytes(32).toString('base64url'),
      uploadedBy,
      storedAt: null,
    })
    .returning();
  if (!created) throw new Error('inserting the attachment returned no row');
  try {
    const hash = createHash('sha256');
    const text = new TextCheck();
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let headParts: Buffer[] | null = [];
    let headBytes = 0;
    let detected: string | null | undefined;

    const flush = async () => {
      if (pendingBytes === 0) return;
      const parts = pending;
      const bytes = pendingBytes;
      pending = [];
      pendingBytes = 0;
      await writeChunk(created.id, seq++, parts, bytes);
      // Other requests get their turn between two chunks. Without this, while the upload's bytes
      // are already buffered, chunk follows chunk with no I/O between them (on PGlite each holds
      // the process's one thread), and a short query waited 200–300 ms behind a fast upload.
      await setImmediate();
    };

    for await (const raw of stream) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
      size += chunk.length;
      if (size > maxBytes) throw new AttachmentTooLargeError(maxBytes);
      hash.update(chunk);
      text.push(chunk);
      if (headParts) {
        headParts.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= HEAD_BYTES) {
          detected = await detectFromHead(Buffer.concat(headParts, headBytes).subarray(0, HEAD_BYTES), fileName);
          headParts = null;
        }
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    text.push(new Uint8Array(0), true);
    if (size === 0) throw new EmptyAttachmentError();
    if (headParts) detected = await detectFromHead(Buffer.concat(headParts, headBytes), fileName);
    await flush();

    const mimeType = detected ?? (text.ok ? 'text/plain' : 'application/octet-stream');
    const [row] = await db
      .update(attachments)
      .set({ mimeType, size, sha256: hash.digest('hex'), storedAt: new Date() })
      .where(eq(attachments.id, created.id))
      .returning();
    if (!row) throw new Error('updating the attachment returned no row');
    return row;
  } catch (err) {
    // A refused or broken upload leaves nothing: what was stored of it goes again.
    await deleteUpload(db, created.id).catch(() => undefined);
    throw err;
  } finally {
    // Whatever happened, stop reading: a refused upload must not keep pulling bytes in.
    if (!stream.readableEnded) stream.destroy();
  }
}

async function deleteUpload(db: Db, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(attachmentChunks).where(eq(attachmentChunks.attachmentId, id));
    await tx.delete(attachments).where(eq(attachments.id, id));
  });
}

/**
 * Uploads that never finished (the server stopped while one streamed in), older than `olderThanMs`:
 * removed, chunks and all. Run at start and then hourly.
 */
export async function sweepUnfinishedUploads(db: Db, olderThanMs = 60 * 60 * 1000): Promise<number> {
  const stale = await db.select({ id: attachments.id }).from(attachments)
    .where(and(isNull(attachments.storedAt), lt(attachments.createdAt, new Date(Date.now() - olderThanMs))));
  for (const { id } of stale) await deleteUpload(db, id);
  return stale.length;
}

/**
 * How a chunk is written. node-postgres sends a Buffer as a binary parameter. PGlite's own bytea
 * codec goes byte by byte through JS strings (about 0.5 s and tens of MB of garbage per MiB), and
 * even as hex text a 1 MiB chunk held PGlite, and with it this process's one thread, for about
 * 45 ms and left 2 MB strings for the GC. So on PGlite the chunk goes in as a binary COPY from an
 * attached file (PGlite's /dev/blob): the bytes are copied into Postgres as they are, about 9 ms
 * a MiB.
 */
function chunkWriter(db: Db): (attachmentId: string, seq: number, parts: Buffer[], bytes: number) => Promise<unknown> {
  const client = (db as { $client?: unknown }).$client;
  if (client instanceof PGlite) {
    return (attachmentId, seq, parts) => client.query(
      'COPY attachment_chunks (attachment_id, seq, data) FROM \'/dev/blob\' WITH (FORMAT binary)', [],
      { blob: new CopyFile(binaryCopyRow([[uuidBytes(attachmentId)], [int32(seq)], parts])) },
    );
  }
  return (attachmentId, seq, parts, bytes) => db.insert(attachmentChunks).values({ attachmentId, seq, data: parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes) });
}

/**
 * The file PGlite's /dev/blob reads a COPY from, held in one buffer of this process's own. A Blob
 * made of the chunk's parts would copy them into memory V8 does not count (Node keeps a Blob's
 * bytes outside its heap), and PGlite reads a Blob with arrayBuffer(), which copies them again:
 * the GC then ran too seldom, and a 100 MB upload grew the server's RSS by about 75 MB where with
 * this it grows by 7–16 MB. PGlite reads the file with arrayBuffer() only (its _handleBlob); the
 * attachment tests' byte-for-byte round trips fail if a later PGlite reads it otherwise.
 */
class CopyFile extends Blob {
  private readonly content: Buffer;
  constructor(parts: readonly Buffer[]) {
    super([]);
    this.content = Buffer.allocUnsafeSlow(parts.reduce((n, part) => n + part.length, 0));
    let at = 0;
    for (const part of parts) at += part.copy(this.content, at);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    // allocUnsafeSlow: the buffer is its own ArrayBuffer, exactly this long (not a slice of Node's pool).
    return Promise.resolve(this.content.buffer as ArrayBuffer);
  }
  // Any other way of reading it fails loudly instead of reading an empty Blob.
  override stream(): never {
    throw new Error(READ_WITH_ARRAY_BUFFER);
  }
  override text(): never {
    throw new Error(READ_WITH_ARRAY_BUFFER);
  }
  override slice(): never {
    throw new Error(READ_WITH_ARRAY_BUFFER);
  }
}

const READ_WITH_ARRAY_BUFFER = 'a COPY file is read with arrayBuffer() only';

/**
 * COPY's binary format with one row (PostgreSQL docs, "COPY", "Binary Format"): the signature,
 * flags and header extension length; the row's field count, then each field's length and bytes
 * (here each field given as its parts); the trailer.
 */
function binaryCopyRow(fields: readonly Buffer[][]): Buffer[] {
  const header = Buffer.alloc(19 + 2);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  header.writeInt16BE(fields.length, 19);
  const row: Buffer[] = [header];
  for (const parts of fields) {
    row.push(int32(parts.reduce((n, part) => n + part.length, 0)));
    // One at a time: a client sending a few bytes a packet makes a chunk of very many parts, too
    // many to spread into one call's arguments.
    for (const part of parts) row.push(part);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  row.push(trailer);
  return row;
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/**
 * The file's bytes, one chunk (one query) at a time, so serving it keeps memory flat. They come
 * back as hex text for both drivers (PGlite's bytea parser is as slow as its serializer).
 */
export async function* readAttachmentChunks(db: DbOrTx, id: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const [row] = await db
      .select({ hex: sql<string>`encode(${attachmentChunks.data}, 'hex')` })
      .from(attachmentChunks)
      .where(and(eq(attachmentChunks.attachmentId, id), eq(attachmentChunks.seq, seq)));
    if (!row) return;
    yield Buffer.from(row.hex, 'hex');
  }
}

export async function findAttachmentByToken(db: DbOrTx, token: string): Promise<AttachmentRow | null> {
  const [row] = await db.select().from(attachments).where(and(eq(attachments.accessToken, token), isNotNull(attachments.storedAt))).limit(1);
  return row ?? null;
}

export async function getAttachment(db: DbOrTx, id: string): Promise<AttachmentRow | null> {
  const [row] = await db.select().from(attachments).where(and(eq(attachments.id, id), isNotNull(attachments.storedAt))).limit(1);
  return row ?? null;
}

export async function getAttachments(db: DbOrTx, ids: readonly string[]): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(attachments).where(and(inArray(attachments.id, [...ids]), isNotNull(attachments.storedAt)));
}

/** The unguessable URL a provider fetches the file from, without Herald's bearer token. */
export function attachmentUrl(publicBaseUrl: string, row: Pick<AttachmentRow, 'accessToken' | 'fileName'>): string {
  return `${publicBaseUrl}/files/${row.accessToken}/${encodeURIComponent(row.fileName)}`;
}
