import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { logger } from '../log.js';

// The workflow bundle, built once and kept: webpack at every worker start costs seconds and leaves
// a few hundred megabytes of heap behind it. The bundle is kept under
// node_modules/.cache/herald/workflows/<key>.js, the key hashing everything that goes into it (the
// sources under src/, the Temporal SDK's version, the interceptor modules), so a change rebuilds
// it and nothing stale is ever run. `npm run bundle` builds it ahead (the Docker image does);
// where the folder is not writable the bundle is built in memory at start, as before.

const require = createRequire(import.meta.url);
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOWS_PATH = path.join(SRC, 'workflows.ts');

/** Bump when the bundler's settings change in a way the key would not see. */
const BUNDLE_FORMAT = 1;

export function defaultBundleDir(): string {
  return path.join(path.resolve(path.dirname(require.resolve('@temporalio/worker/package.json')), '..', '..'), '.cache', 'herald', 'workflows');
}

async function sourcesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourcesUnder(full)));
    else if (/\.ts$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Changes whenever the bundle would. */
export async function bundleKey(interceptorModules: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`format ${BUNDLE_FORMAT}\n`);
  for (const pkg of ['@temporalio/worker', '@temporalio/workflow']) hash.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}\n`);
  for (const module of interceptorModules) hash.update(`interceptor ${module}\n`);
  for (const file of await sourcesUnder(SRC)) hash.update(`${path.relative(SRC, file)}\n`).update(await fs.readFile(file));
  return hash.digest('hex').slice(0, 20);
}

/** The path of a bundle of src/workflows.ts with these interceptors, built if there is none. */
export async function workflowBundlePath(options: { interceptorModules?: readonly string[]; dir?: string } = {}): Promise<string> {
  const modules = options.interceptorModules ?? [];
  const dir = options.dir ?? defaultBundleDir();
  const file = path.join(dir, `${await bundleKey(modules)}.js`);
  try {
    await fs.access(file);
    return file;
  } catch {
    // not built yet
  }
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...modules],
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn: (m: string) => logger.warn(m), error: (m: string) => logger.error(m) } as never,
  });
  try {
    await fs.mkdir(dir, { recursive: true });
    // Written under another name and renamed: a worker starting meanwhile never reads half a file.
    const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(partial, code);
    await fs.rename(partial, file);
    logger.info({ file, ms: Date.now() - started }, 'workflow bundle built');
    return file;
  } catch (err) {
    // A read-only install: keep it next to the process instead.
    const fallback = path.join((await import('node:os')).tmpdir(), `herald-workflows-${process.pid}-${path.basename(file)}`);
    await fs.writeFile(fallback, code);
    logger.warn({ err, fallback }, 'the workflow bundle cache is not writable; built for this process only');
    return fallback;
  }
}
