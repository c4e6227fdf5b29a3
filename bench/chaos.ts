import 'reflect-metadata';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../src/embedded.js';
import { SEARCH_ATTRIBUTES } from '../src/sends/contract.js';
import { startDevServer } from '../src/temporal/devServer.js';
import { startEdnaSandbox } from '../sandbox/edna/server.js';
import { freshDatabase } from './database.js';

// npm run chaos: Herald's promise that no message is lost or sent twice, under faults. The
// production shape (an API process and worker processes on PostgreSQL and a Temporal dev server)
// takes CHAOS_SENDS sends (default 1,000) while a worker is SIGKILLed at random moments and another
// started, PostgreSQL is restarted, and edna answers 500 to half of the sends (half of those after
// it took the message). Then it waits for every send to end and prints: sends lost, messages
// delivered twice at the channel, sends stuck (all must be 0), and the time to recover after the
// last fault. Needs a local PostgreSQL it may restart (CHAOS_DATABASE_URL, CHAOS_PG_RESTART).

// `npm run chaos -- embedded`: embedded Herald SIGKILLed mid-run instead (bench/chaosEmbedded.ts).
if (process.argv[2] === 'embedded') {
  const { runEmbeddedChaos } = await import('./chaosEmbedded.js');
  process.exit(await runEmbeddedChaos());
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SENDS = Number(process.env.CHAOS_SENDS ?? 1000);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 16);
const WORKERS = Number(process.env.CHAOS_WORKERS ?? 2);
const FAIL_RATE = Number(process.env.CHAOS_EDNA_FAIL_RATE ?? 0.5);
const RECOVERY_LIMIT_MS = Number(process.env.CHAOS_RECOVERY_LIMIT_SECONDS ?? 600) * 1000;
const SERVER_URL = process.env.CHAOS_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const FINAL = new Set(['COMPLETED', 'FAILED', 'REJECTED', 'CONFLICT', 'CANCELLED']);

const log = (...a: unknown[]) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

function pgRestartCommand(): string[] {
  if (process.env.CHAOS_PG_RESTART) return process.env.CHAOS_PG_RESTART.split(' ');
  const versions = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort() : [];
  if (versions.length === 0) throw new Error('no local PostgreSQL to restart: set CHAOS_PG_RESTART to the command that restarts yours');
  return ['pg_ctlcluster', versions.at(-1)!, 'main', 'restart'];
}

const children = new Set<ChildProcess>();
function spawnHerald(script: 'server.ts' | 'worker.ts', env: Record<string, string>, name: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const out = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  // Both streams into one file, ended once the process is gone (not by whichever stream ends first).
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  child.once('exit', () => children.delete(child));
  child.once('close', () => out.end());
  return child;
}

const logDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'herald-chaos-'));

async function main() {
  const restart = pgRestartCommand();
  const database = await freshDatabase(SERVER_URL, 'herald_chaos');
  const dbUrl = database.url;

  log(`logs in ${logDir}; ${SENDS} sends, ${WORKERS} workers, edna failing ${FAIL_RATE * 100}% of sends`);
  const temporal = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH, toolsDir: path.join(ROOT, 'node_modules/.cache/herald'), namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES, log });
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const edna = await startEdnaSandbox({
    apiKey: 'sandbox-api-key', webhookSecret: 'sandbox-webhook-secret', webhookHeader: 'X-API-KEY',
    statusCallbackUrl: `${apiUrl}/webhooks/edna/status`, inMessageCallbackUrl: `${apiUrl}/webhooks/edna/inbound`,
    delaysMs: { sent: 0, delivered: 20, read: 40 }, failRate: FAIL_RATE, callbackRetryDelaysMs: [500, 2_000, 8_000, 15_000],
  });
  const env = {
    DATABASE_URL: dbUrl, TEMPORAL_ADDRESS: temporal.address, EDNA_BASE_URL: edna.url, PORT: String(apiPort), PUBLIC_BASE_URL: apiUrl,
    HERALD_DEMO: 'true', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', METRICS_PORT: '0', TEMPORAL_TASK_QUEUE: 'herald-chaos',
    SEND_DELIVERY_ATTEMPTS: '30', SEND_RETRY_INITIAL_MS: '200', SEND_ANSWER_TIMEOUT_SECONDS: '10',
    RATE_LIMIT_PER_TOKEN: '1000000', RATE_LIMIT_ANONYMOUS: '1000000', RATE_LIMIT_PROVIDERS: '1000000',
  };
  const api = spawnHerald('server.ts', env, 'api');
  await waitFor(async () => (await fetch(`${apiUrl}/readyz`).catch(() => null))?.status === 200, 120_000, 'the API');
  const workers = Array.from({ length: WORKERS }, (_, i) => spawnHerald('worker.ts', env, `worker-${i}`));

  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer demo-integrator' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };
  const agent = (await (await fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer demo-agent-1' }, body: '{"query":"{ me { id } }"}' })).json() as any).data.me.id as string;

  // One client per send, each having written in just now, so every WhatsApp text is allowed.
  log('creating clients');
  const clients: string[] = [];
  for (let i = 0; i < SENDS; i++) {
    // Ending in 1234: the sandbox's plain delivered flow (other endings are its scenarios).
    const phone = `7999${String(i).padStart(5, '0')}1234`;
    const res = await gql('mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { message { client { id } } userErrors { code } } }', { i: { channel: 'WHATSAPP', address: phone, text: 'hi', name: `Chaos ${i}` } });
    clients.push(res.data.recordInboundMessage.message.client.id);
  }
  // The threads the inbound messages opened are closed, so each send may open one.
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(`update threads set status = 'CLOSED', closed_at = now()`);
  await db.end();

  // The faults, while the sends go in.
  let done = 0;
  let sending = true;
  let lastFault = Date.now();
  const faults: string[] = [];
  const chaos = (async () => {
    const restarts = new Set([Math.floor(SENDS * 0.3), Math.floor(SENDS * 0.7)]);
    while (sending) {
      await sleep(between(2_000, 6_000));
      if (!sending) break;
      const victim = Math.floor(Math.random() * workers.length);
      workers[victim]!.kill('SIGKILL');
      faults.push(`SIGKILL worker ${victim} at ${done} sends`);
      lastFault = Date.now();
      await sleep(between(300, 2_000));
      workers[victim] = spawnHerald('worker.ts', env, `worker-${victim}`);
      const due = [...restarts].find((at) => done >= at);
      if (due !== undefined) {
        restarts.delete(due);
        log(`restarting PostgreSQL (${restart.join(' ')})`);
        const started = Date.now();
        execFileSync(restart[0]!, restart.slice(1), { stdio: 'ignore' });
        faults.push(`PostgreSQL restarted at ${done} sends (${Date.now() - started} ms)`);
        lastFault = Date.now();
      }
    }
  })();

  // The sends: a SYSTEM_ERROR or a failed request is asked again with the same requestId (R21).
  const run = Date.now().toString(36);
  const requestIds = Array.from({ length: SENDS }, (_, i) => `chaos-${run}-${i}`);
  let next = 0;
  let retries = 0;
  const sendOne = async (i: number) => {
    for (let attempt = 1; attempt <= 60; attempt++) {
      try {
        const res = await gql('mutation($i: SendMessageInput!) { sendMessage(input: $i) { send { id } userErrors { code } } }', {
          i: { requestId: requestIds[i], clientId: clients[i], channel: 'WHATSAPP', text: `chaos ${i}`, disposition: { kind: 'CLOSE' }, onBehalfOfAgentId: agent },
        });
        if (res.data?.sendMessage?.send) return;
        if (res.data?.sendMessage?.userErrors?.some((e: { code: string }) => e.code !== 'SYSTEM_ERROR')) throw new Error(`refused: ${JSON.stringify(res.data.sendMessage.userErrors)}`);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('refused')) throw err;
      }
      retries++;
      await sleep(Math.min(5_000, 200 * attempt));
    }
    throw new Error(`send ${i} was never accepted`);
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < SENDS) {
      const i = next++;
      await sendOne(i);
      done++;
      if (done % 100 === 0) log(`${done} sends accepted`);
    }
  }));
  sending = false;
  await chaos;
  log(`all ${SENDS} accepted in ${((Date.now() - started) / 1000).toFixed(1)} s (${retries} asked again); faults: ${faults.length}`);

  // Every send must end; how long after the last fault?
  const check = new pg.Client({ connectionString: dbUrl });
  await waitFor(async () => { try { await check.connect(); return true; } catch { return false; } }, 60_000, 'the database');
  let unfinished = SENDS;
  await waitFor(async () => {
    const { rows } = await check.query<{ state: string; n: string }>('select state, count(*) n from sends where request_id like $1 group by state', [`chaos-${run}-%`]);
    unfinished = SENDS - rows.filter((r) => FINAL.has(r.state)).reduce((a, r) => a + Number(r.n), 0);
    return unfinished === 0;
  }, RECOVERY_LIMIT_MS, 'every send to end').catch(() => undefined);
  const recoveredMs = Date.now() - lastFault;

  const { rows: sends } = await check.query<{ request_id: string; state: string; message_id: string | null; status: string | null }>(
    'select s.request_id, s.state, s.message_id, m.status from sends s left join messages m on m.id = s.message_id where s.request_id like $1', [`chaos-${run}-%`]);
  const { rows: parts } = await check.query<{ message_id: string; provider_request_id: string }>('select message_id, provider_request_id from message_parts');
  await check.end();
  const messageOf = new Map(parts.map((p) => [p.provider_request_id, p.message_id]));
  const acceptedPerMessage = new Map<string, number>();
  for (const a of edna.accepted()) {
    const message = messageOf.get(a.id) ?? a.id;
    acceptedPerMessage.set(message, (acceptedPerMessage.get(message) ?? 0) + 1);
  }
  const byRequest = new Map(sends.map((s) => [s.request_id, s]));
  const lost = requestIds.filter((id) => {
    const s = byRequest.get(id);
    return !s || (s.state === 'COMPLETED' && !acceptedPerMessage.has(s.message_id!));
  });
  const duplicated = [...acceptedPerMessage.values()].filter((n) => n > 1).length;
  const stuck = sends.filter((s) => !FINAL.has(s.state));
  const states = Object.fromEntries([...new Set(sends.map((s) => s.state))].map((st) => [st, sends.filter((s) => s.state === st).length]));

  console.log('');
  console.log(`chaos: ${SENDS} sends, ${faults.length} faults (${faults.filter((f) => f.startsWith('SIGKILL')).length} workers killed, ${faults.filter((f) => f.startsWith('PostgreSQL')).length} PostgreSQL restarts), edna failing ${FAIL_RATE * 100}%`);
  console.log(`  lost        ${lost.length}`);
  console.log(`  duplicated  ${duplicated}   (messages the channel took more than once)`);
  console.log(`  stuck       ${stuck.length}   (not ended ${RECOVERY_LIMIT_MS / 1000} s after the last fault)`);
  console.log(`  recovered   ${(recoveredMs / 1000).toFixed(1)} s after the last fault; states ${JSON.stringify(states)}`);
  console.log(`  edna        ${edna.received().length} requests, ${edna.accepted().length} accepted`);
  for (const s of stuck.slice(0, 10)) {
    // What the channel said about a stuck send's parts, to see where its story stopped.
    const partIds = parts.filter((p) => p.message_id === s.message_id).map((p) => p.provider_request_id);
    const told = edna.callbacks().filter((c) => partIds.includes((c.body as { requestId?: string }).requestId ?? ''));
    console.log(`  stuck ${s.request_id} ${s.state}: parts ${partIds.join(',')}; callbacks ${JSON.stringify(told.map((c) => ({ at: c.at, status: (c.body as { status?: string }).status, try: c.attempt, answer: c.responseStatus ?? c.error })))}`);
  }
  console.log(`CHAOS ${JSON.stringify({ sends: SENDS, faults, lost: lost.length, duplicated, stuck: stuck.length, recoveredSeconds: Math.round(recoveredMs / 100) / 10, states, askedAgain: retries, ednaRequests: edna.received().length })}`);

  for (const child of children) child.kill('SIGKILL');
  await edna.close();
  await temporal.stop();
  // A failed run keeps its database to look into.
  if (lost.length + duplicated + stuck.length === 0) await database.drop();
  else log(`kept database ${database.name} for a look`);
  void api;
  process.exit(lost.length + duplicated + stuck.length === 0 ? 0 : 1);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

// Whatever stops the run, it takes its processes with it.
process.once('uncaughtException', (err) => {
  log('chaos failed:', err);
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
});

main().catch((err: unknown) => {
  log('chaos failed:', err);
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
});
