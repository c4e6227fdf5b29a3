import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { readAttachmentChunks, storeAttachment } from '../../src/db/attachments.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

// How a file is stored in chunks, below the HTTP route (test/api/attachments.test.ts has the route).

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('stored attachments', () => {
  it('R9: a file that arrives a few bytes at a time (over 200,000 pieces) is stored whole and reads back byte for byte', async () => {
    const file = randomBytes(1_048_576 + 12_345);
    const pieces = Array.from({ length: Math.ceil(file.length / 5) }, (_, i) => file.subarray(i * 5, i * 5 + 5));
    const row = await storeAttachment(database.db, { stream: Readable.from(pieces), fileName: 'trickle.bin', uploadedBy: null, maxBytes: 10_000_000 });
    expect(row.size).toBe(file.length);
    expect(row.sha256).toBe(sha256(file));
    const back: Buffer[] = [];
    for await (const chunk of readAttachmentChunks(database.db, row.id)) back.push(Buffer.from(chunk));
    // Two chunks: the first of 1 MiB, the rest after it.
    expect(back.length).toBe(2);
    expect(sha256(Buffer.concat(back))).toBe(sha256(file));
  });
});
