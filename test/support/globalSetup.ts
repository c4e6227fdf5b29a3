import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connection.js';
import { startDevServer, type DevServer } from '../../src/temporal/devServer.js';
import { workflowBundlePath } from '../../src/temporal/bundle.js';
import { SEARCH_ATTRIBUTES } from '../../src/sends/contract.js';

// Once per test run: one Temporal dev server for every file, and (on PGlite) one migrated
// database dumped to a file that each test file loads instead of running initdb again.

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    pgliteTemplate: string | null;
    workflowBundle: string;
  }
}

/** A Temporal CLI the tests provision for themselves stays here between runs. */
export const TOOLS_DIR = fileURLToPath(new URL('../../node_modules/.cache/herald', import.meta.url));

let devServer: DevServer | undefined;
let template: string | null = null;

export async function setup(project: TestProject) {
  const [server, dump, bundle] = await Promise.all([
    startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH, toolsDir: TOOLS_DIR, namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES, log: (line) => console.log(`[tests] ${line}`) }),
    process.env.DATABASE_URL ? Promise.resolve(null) : migratedPgliteDump(),
    // The same bundle the worker uses (built once per change of the sources, kept in node_modules/.cache).
    workflowBundlePath(),
  ]);
  project.provide('workflowBundle', bundle);
  devServer = server;
  template = dump;
  project.provide('temporalAddress', server.address);
  project.provide('pgliteTemplate', dump);
  console.log(`[tests] Temporal dev server at ${server.address}; database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`);
}

export async function teardown() {
  await devServer?.stop();
  if (template) fs.rmSync(template, { force: true });
}

async function migratedPgliteDump(): Promise<string> {
  const database = await openDatabase({ memory: true });
  if (database.raw.kind !== 'pglite') throw new Error('expected PGlite');
  const dump = await database.raw.client.dumpDataDir('none');
  await database.close();
  const file = path.join(os.tmpdir(), `herald-test-pglite-${process.pid}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  return file;
}
