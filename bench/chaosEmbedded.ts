import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../src/embedded.js';
import { startEdnaSandbox } from '../sandbox/edna/server.js';
import { freshDatabase } from './database.js';

// npm run chaos -- embedded: the same promise for embedded Herald (`npm start`: API, worker and
// its own dev server in one process, where sends start eagerly on the worker in the process and
// are answered by it, src/sends/localAnswers.ts). CHAOS_SENDS (200) sends from CHAOS_CONCURRENCY
// (16) clients; once CHAOS_KILL_AT (0.5) of them are answered the process is SIGKILLed, then
// started again on the same data directory, and every send whose answer was lost is asked again
// with its requestId (R21). It waits for every send to end and prints sends lost, messages the
// channel took twice and sends stuck (all must be 0). Herald keeps its data in a fresh database
// of the local PostgreSQL (CHAOS_DATABASE_URL); edna's sandbox runs in this process, so what the
// channel took survives the kill.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SENDS = Number(process.env.CHAOS_SENDS ?? 200);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 16);
const KILL_AT = Number(process.env.CHAOS_KILL_AT ?? 0.5);
const SERVER_URL = process.env.CHAOS_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const FINAL = new Set(['COMPLETED', 'FAILED', 'REJECTED', 'CONFLICT', 'CANCELLED']);
const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { send { id } userErrors { code } } }';

const log = (...a: unknown[]) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ask { i: number; clientId: string; requestId: string; sendId: string | null; error: string | null }

export async function runEmbeddedChaos(): Promise<number> {
  const logDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'herald-chaos-embedded-'));
  const database = await freshDatabase(SERVER_URL, 'herald_chaos_embedded');
  const dbUrl = database.url;
  const db = new pg.Pool({ connectionString: dbUrl, max: 2 });

  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const edna = await startEdnaSandbox({
    apiKey: 'sandbox-api-key', webhookSecret: 'sandbox-webhook-secret', webhookHeader: 'X-API-KEY',
    statusCallbackUrl: `${apiUrl}/webhooks/edna/status`, inMessageCallbackUrl: `${apiUrl}/webhooks/edna/inbound`,
    delaysMs: { sent: 0, delivered: 20, read: 40 }, callbackRetryDelaysMs: [500, 2_000, 8_000, 15_000],
  });
  // Embedded: no TEMPORAL_ADDRESS, so Herald starts (and after the kill, finds and replaces) its own dev server.
  const env = {
    DATABASE_URL: dbUrl, EDNA_BASE_URL: edna.url, PORT: String(port), PUBLIC_BASE_URL: apiUrl, DATA_DIR: path.join(logDir, 'data'),
    SANDBOX_PORT: '0', TEMPORAL_DEV_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()),
    HERALD_DEMO: 'true', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', SEND_ANSWER_TIMEOUT_SECONDS: '10',
    RATE_LIMIT_PER_TOKEN: '1000000', RATE_LIMIT_ANONYMOUS: '1000000', RATE_LIMIT_PROVIDERS: '1000000',
  };
  let herald = await startHerald(env, path.join(logDir, 'herald-1.log'));
  log(`logs in ${logDir}; ${SENDS} sends from ${CONCURRENCY} clients, SIGKILL once ${Math.round(KILL_AT * 100)}% are answered`);

  // Clients who wrote in on WhatsApp just now, straight into the database (not what is measured).
  const { rows: [stand] } = await db.query<{ stand_id: string }>('select stand_id from clients limit 1');
  const asks: Ask[] = [];
  for (let i = 0; i < SENDS; i++) {
    const { rows: [c] } = await db.query<{ id: string }>('insert into clients (stand_id, name, phone) values ($1, $2, $3) returning id', [stand!.stand_id, `Chaos ${i}`, `7978${String(i).padStart(6, '0')}1234`]);
    await db.query("insert into client_channels (client_id, channel, last_inbound_at) values ($1, 'WHATSAPP', now())", [c!.id]);
    asks.push({ i, clientId: c!.id, requestId: randomUUID(), sendId: null, error: null });
  }
  const ask = async (a: Ask) => {
    try {
      const res = await fetch(`${apiUrl}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer demo-agent-1' },
        body: JSON.stringify({ query: SEND, variables: { input: { clientId: a.clientId, channel: 'WHATSAPP', text: `chaos ${a.i}`, requestId: a.requestId, disposition: { kind: 'CLOSE' } } } }),
      });
      const body = (await res.json()) as { data?: { sendMessage: { send: { id: string } | null; userErrors: Array<{ code: string }> } } };
      const p = body.data?.sendMessage;
      a.sendId = p?.send?.id ?? null;
      a.error = !p ? `HTTP ${res.status}` : p.userErrors.map((e) => e.code).join(',') || null;
    } catch (err) {
      a.error = err instanceof Error ? err.message : String(err);
    }
  };

  let next = 0;
  const client = async () => { while (next < SENDS) await ask(asks[next++]!); };
  const killer = (async () => {
    while (asks.filter((a) => a.sendId && !a.error).length < SENDS * KILL_AT) await sleep(20);
    herald.child.kill('SIGKILL');
  })();
  await Promise.all([...Array.from({ length: CONCURRENCY }, client), killer]);
  await herald.exited;
  const unanswered = asks.filter((a) => !a.sendId || a.error);
  log(`SIGKILLed with ${SENDS - unanswered.length} answered; starting again`);

  herald = await startHerald(env, path.join(logDir, 'herald-2.log'));
  for (const a of unanswered) await ask(a);
  const refused = unanswered.filter((a) => a.error);
  log(`asked ${unanswered.length} again: ${refused.length} not answered (${[...new Set(refused.map((a) => a.error))].join(', ')})`);

  const ids = asks.flatMap((a) => (a.sendId ? [a.sendId] : []));
  const states = async () => (await db.query<{ id: string; state: string }>('select id, state from sends where id = any($1)', [ids])).rows;
  const until = Date.now() + 300_000;
  while ((await states()).some((s) => !FINAL.has(s.state)) && Date.now() < until) await sleep(500);
  const ended = await states();

  // What the channel took, per send (a message's parts carry our ids, the provider's idempotency keys).
  const { rows: parts } = await db.query<{ send_id: string; provider_request_id: string }>(
    'select m.send_id, p.provider_request_id from message_parts p join messages m on m.id = p.message_id where m.send_id = any($1)', [ids]);
  const sendOf = new Map(parts.map((p) => [p.provider_request_id, p.send_id]));
  const taken = new Map<string, number>();
  for (const m of edna.accepted()) {
    const send = sendOf.get(m.id);
    if (send) taken.set(send, (taken.get(send) ?? 0) + 1);
  }
  const lost = asks.filter((a) => !a.sendId || (ended.find((s) => s.id === a.sendId)?.state === 'COMPLETED' && !taken.has(a.sendId))).length;
  const twice = [...taken.values()].filter((n) => n > 1).length;
  const stuck = ended.filter((s) => !FINAL.has(s.state)).length;
  const byState = Object.fromEntries([...new Set(ended.map((s) => s.state))].map((st) => [st, ended.filter((s) => s.state === st).length]));

  console.log('');
  console.log(`chaos (embedded): ${SENDS} sends, SIGKILLed after ${SENDS - unanswered.length} answers, ${unanswered.length} asked again`);
  console.log(`  lost        ${lost}`);
  console.log(`  duplicated  ${twice}   (sends whose message the channel took more than once)`);
  console.log(`  stuck       ${stuck}   (not ended 300 s after the restart)`);
  console.log(`  states      ${JSON.stringify(byState)}`);
  console.log(`CHAOS_EMBEDDED ${JSON.stringify({ sends: SENDS, answeredBeforeKill: SENDS - unanswered.length, askedAgain: unanswered.length, lost, duplicated: twice, stuck, states: byState })}`);

  herald.child.kill('SIGINT');
  await herald.exited;
  await edna.close();
  await db.end();
  const ok = lost + twice + stuck === 0;
  // A failed run keeps its database to look into.
  if (ok) await database.drop();
  else log(`kept database ${database.name} for a look`);
  return ok ? 0 : 1;
}

interface Running { child: ChildProcess; exited: Promise<number | null> }

/** `npm start` (server.ts, embedded), its output into `logFile`; resolves once it is up. */
async function startHerald(env: Record<string, string>, logFile: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = fs.createWriteStream(logFile);
  let output = '';
  const keep = (d: Buffer) => { output += d; out.write(d); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { out.end(); resolve(code); }));
  process.once('exit', () => child.kill('SIGKILL'));
  const until = Date.now() + 240_000;
  while (!output.includes('Herald is up')) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`Herald did not start (see ${logFile})`);
    await sleep(100);
  }
  return { child, exited };
}
