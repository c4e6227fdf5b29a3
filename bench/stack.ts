import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { inArray, sql } from 'drizzle-orm';
import type { SendState } from '../src/domain/enums.js';
import { loadConfig } from '../src/config.js';
import { postBody } from '../sandbox/shared/http.js';
import { clientChannels, clients, sends } from '../src/db/schema.js';
import { startEmbedded, type Embedded } from '../src/embedded.js';
import { sleep } from './measure.js';
import { freshDatabase } from './database.js';
import { sendAnswers } from '../src/metrics.js';

// The stack a benchmark run drives: embedded mode (API, worker, Temporal dev server, sandboxes) in
// this process on a fresh DATA_DIR, on PGlite or on a fresh PostgreSQL database, with the edna
// sandbox answering at once; and the ways to drive it: GraphQL over HTTP, as a client would.

export type DatabaseKind = 'pglite' | 'postgres';

export interface BenchStack {
  kind: DatabaseKind;
  embedded: Embedded;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startBenchStack(kind: DatabaseKind, log: (...a: unknown[]) => void): Promise<BenchStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  const database = kind === 'postgres' ? await freshDatabase(process.env.BENCH_DATABASE_URL!, 'herald_bench') : null;
  const databaseUrl = database?.url ?? '';
  const config = loadConfig({
    ...process.env,
    PORT: '0', DATA_DIR: dataDir, SANDBOX_PORT: '0', TEMPORAL_DEV_PORT: '0', TEMPORAL_UI_PORT: '0',
    HERALD_DEMO: 'true', DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: '', EDNA_BASE_URL: '', PUBLIC_BASE_URL: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // The bench is one client machine asking as fast as it can: the per-token limit would be what it measured.
    RATE_LIMIT_PER_TOKEN: '10000000', RATE_LIMIT_ANONYMOUS: '10000000', RATE_LIMIT_PROVIDERS: '10000000',
  });
  const embedded = await startEmbedded(config, { log, sandboxes: { edna: { delaysMs: { sent: 0, delivered: 0, read: 0 } } } });
  return {
    kind, embedded, baseUrl: embedded.baseUrl,
    async close() {
      await embedded.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// node:http with kept-alive connections (the sandboxes' postBody) rather than fetch: the driver
// runs in the process it measures, and a post cost 410–600 µs of CPU through fetch against 120–250 µs.
export async function gql(stack: BenchStack, token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const answer = await postBody(`${stack.baseUrl}/graphql`, { 'content-type': 'application/json', authorization: `Bearer ${token}` }, JSON.stringify({ query, variables }));
  const body = JSON.parse(answer.body.toString('utf8')) as { data?: any; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const AGENTS = [1, 2, 3, 4, 5].map((n) => `demo-agent-${n}`);
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { requestId send { id } userErrors { code message } } }`;

export interface Answer { sendId: string | null; ms: number; error: string | null }

/** How often a send answered SYSTEM_ERROR (not confirmed within the answer deadline) is asked for again. */
const ASKS = 3;

/**
 * One sendMessage (WhatsApp text, close the thread), as the i-th agent; the answer's time. A send
 * not confirmed within Herald's answer deadline (SYSTEM_ERROR) is asked for again with the
 * requestId its answer names, as the answer says to do and as a client would (R21: it is never
 * sent twice); its time is from the first ask to the answer.
 */
export async function sendOne(stack: BenchStack, i: number, clientId: string): Promise<Answer> {
  const started = performance.now();
  const input: Record<string, unknown> = { clientId, channel: 'WHATSAPP', text: `bench ${i}`, disposition: { kind: 'CLOSE' } };
  try {
    for (let ask = 1; ; ask++) {
      const data = await gql(stack, AGENTS[i % AGENTS.length]!, SEND, { input });
      const p = data.sendMessage;
      const codes: string[] = p.userErrors.map((e: { code: string }) => e.code);
      if (codes.length === 1 && codes[0] === 'SYSTEM_ERROR' && p.requestId && ask < ASKS) {
        input.requestId = p.requestId;
        continue;
      }
      return { sendId: p.send?.id ?? null, ms: performance.now() - started, error: codes.length ? codes.join(',') : null };
    }
  } catch (e) {
    return { sendId: null, ms: performance.now() - started, error: e instanceof Error ? e.message.slice(0, 200) : String(e) };
  }
}

/**
 * `n` new clients who wrote in on WhatsApp just now (so a free-form text is allowed), straight
 * into the database: making them is not what is measured. Their phones end in `suffix`, which
 * picks the sandbox's behaviour (1234: delivered and read; 0000: no callback at all).
 */
export async function makeClients(stack: BenchStack, n: number, series: string, suffix: string): Promise<string[]> {
  const { db } = stack.embedded.database;
  const ids: string[] = [];
  for (let from = 0; from < n; from += 500) {
    const rows = Array.from({ length: Math.min(500, n - from) }, (_, k) => {
      const phone = `79${series}${String(from + k).padStart(6, '0')}${suffix}`;
      return { standId: stack.embedded.standId, name: `Bench ${phone}`, phone };
    });
    const made = await db.insert(clients).values(rows).returning({ id: clients.id });
    const now = new Date();
    await db.insert(clientChannels).values(made.map((c) => ({ clientId: c.id, channel: 'WHATSAPP' as const, lastInboundAt: now })));
    ids.push(...made.map((c) => c.id));
  }
  return ids;
}

/** When Herald recorded each send's step `name`/`state` (its own clock, from the sends table). */
export async function stepTimes(stack: BenchStack, ids: readonly string[], name: string, state: string): Promise<Map<string, number>> {
  const { db } = stack.embedded.database;
  const out = new Map<string, number>();
  // The step's time only, picked out in SQL: reading every send's whole step list at each poll
  // was the benchmark's own load on the database it measures.
  const at = sql<string | null>`(select s->>'at' from jsonb_array_elements(${sends.steps}) s where s->>'name' = ${name} and s->>'state' = ${state} limit 1)`;
  for (let from = 0; from < ids.length; from += 1000) {
    const rows = await db.select({ id: sends.id, at }).from(sends).where(inArray(sends.id, ids.slice(from, from + 1000)));
    for (const r of rows) if (r.at) out.set(r.id, Date.parse(r.at));
  }
  return out;
}

/** Waits until every send has a step `name`/`state` (or the time is up); returns when each was recorded. */
export async function waitForStep(stack: BenchStack, ids: readonly string[], name: string, state: string, timeoutMs: number, pollMs = 250): Promise<Map<string, number>> {
  const until = Date.now() + timeoutMs;
  const times = new Map<string, number>();
  for (;;) {
    // Only the sends not seen there yet are asked about again.
    for (const [id, t] of await stepTimes(stack, ids.filter((id) => !times.has(id)), name, state)) times.set(id, t);
    if (times.size >= ids.length || Date.now() > until) return times;
    await sleep(pollMs);
  }
}

/** How many of these sends are in one of `states`. */
export async function countInStates(stack: BenchStack, states: readonly SendState[]): Promise<number> {
  const { db } = stack.embedded.database;
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(sends).where(inArray(sends.state, [...states]));
  return row?.n ?? 0;
}

/** Waits until no send is still under way (so one phase's tail does not weigh on the next). */
export async function waitUntilQuiet(stack: BenchStack, timeoutMs: number, waitingIsQuiet = false): Promise<void> {
  const busy: SendState[] = ['VALIDATING', 'RESERVING', 'DELIVERING', ...(waitingIsQuiet ? [] : ['AWAITING_STATUS' as const])];
  const until = Date.now() + timeoutMs;
  while ((await countInStates(stack, busy)) > 0 && Date.now() < until) await sleep(250);
}

/** How many sendMessage answers each path has given in this process (herald_send_answers_total). */
export async function answerPaths(): Promise<{ here: number; update: number }> {
  const { values } = await sendAnswers.get();
  const of = (path: string) => values.find((v) => v.labels.path === path)?.value ?? 0;
  return { here: of('here'), update: of('update') };
}

/** The share of answers since `before` that the worker in the API's process gave (eager start). */
export async function shareAnsweredHere(before: { here: number; update: number }): Promise<number | null> {
  const now = await answerPaths();
  const here = now.here - before.here;
  const all = here + now.update - before.update;
  return all === 0 ? null : Math.round((here / all) * 1000) / 1000;
}
