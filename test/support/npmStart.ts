import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../src/embedded.js';

// Embedded Herald as `npm start` runs it: server.ts in a process of its own, so a test can
// SIGKILL it and start it again on the same data directory.

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface HeraldProcess { child: ChildProcess; output: () => string; exited: Promise<number | null> }

/** Free ports for the API and the dev server; the sandboxes take any free port. */
export async function ports() {
  return { PORT: String(await freePort()), SANDBOX_PORT: '0', TEMPORAL_DEV_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()) };
}

/** Started processes, for the file's afterAll to kill: `for (const c of started) c.kill('SIGKILL')`. */
export const started: ChildProcess[] = [];

export function startHerald(env: Record<string, string>): HeraldProcess {
  let output = '';
  // `npm start` on a laptop: PGlite in DATA_DIR, whatever database the suite runs on (the shared
  // PostgreSQL database is other files' to seed and clean).
  const { DATABASE_URL: _suiteDatabase, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: { ...inherited, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A GraphQL request to the process's API; throws with the answer when it carries errors. */
export async function gql(port: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`${query.slice(0, 60)} answered ${JSON.stringify(body)}`);
  return body.data;
}
