import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

// The typed documents in examples/generated/ are committed. This runs GraphQL Code Generator's
// programmatic API with codegen.ts, in memory (nothing is written), and asks for exactly what is
// committed: a change to schema.graphql or to an operation in examples/ without `npm run codegen`
// fails here.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATED = path.join(ROOT, 'examples', 'generated');

describe('examples/generated', () => {
  it('is exactly what `npm run codegen` makes of schema.graphql and the operations in examples/ now', async () => {
    const outputs = (await generate({ ...config, cwd: ROOT, silent: true }, false)) as Array<{ filename: string; content: string }>;
    expect(outputs.length).toBeGreaterThan(0);

    const expected = new Map(outputs.map((o) => [path.resolve(ROOT, o.filename), o.content]));
    const committed = (await readdir(GENERATED)).map((name) => path.join(GENERATED, name));
    expect(committed.sort(), 'examples/generated/ holds other files than codegen writes: run npm run codegen').toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) {
      expect(await readFile(file, 'utf8'), `${path.relative(ROOT, file)} is out of date: run npm run codegen`).toBe(content);
    }
  });
});
