import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { and, eq, inArray } from 'drizzle-orm';
import type { ApiServer, HeraldWorker, TemporalHandle } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { startEmbedded, type Embedded } from '../src/embedded.js';
import type { Database } from '../src/db/connection.js';
import { clientChannels, messageStatusChanges, sends } from '../src/db/schema.js';
import { startEdnaSandbox, type EdnaSandbox } from '../sandbox/edna/server.js';
import { startDevServer, type DevServer } from '../src/temporal/devServer.js';
import { SEARCH_ATTRIBUTES } from '../src/sends/contract.js';

// Herald's benchmark: the embedded stack (PGlite, Temporal dev server from the CLI, edna sandbox,
// worker, API) in this process on a fresh temp DATA_DIR, driven over GraphQL like a client.
// Phase "edna" uses the sandbox's default delays (150/400/800 ms); phase "zero" restarts the
// sandbox and the worker with zero delays, so what remains is Herald's own overhead.
// Prints a table and one `BENCH {...}` JSON line. Targets print PASS/FAIL; the exit code stays 0.

const ABORT_AFTER_MS = 5 * 60_000;
// Overridable for quick runs (BENCH_SEQUENTIAL=5 BENCH_CONCURRENT=20 npm run bench); the targets assume the defaults.
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 50);
const CONCURRENT = Math.min(Number(process.env.BENCH_CONCURRENT ?? 100), 9000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const AGENTS = [1, 2, 3, 4, 5].map((n) => `demo-agent-${n}`);
const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'REJECTED', 'CONFLICT', 'CANCELLED']);
const TARGETS = { seqAnswerP95Ms: 300, concurrentThroughput: 20, rssGrowthMb: 200 };

const log = (...a: unknown[]) => console.error('[bench]', ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number | null, d = 0) => (n === null || !Number.isFinite(n) ? null : Number(n.toFixed(d)));
const mb = (bytes: number) => bytes / 1024 / 1024;

function pct(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const stats = (v: number[]) => ({ n: v.length, p50: round(pct(v, 50)), p95: round(pct(v, 95)), max: round(v.length ? Math.max(...v) : null) });

// ---------------------------------------------------------------- memory

/** RSS of this process's descendants (the Temporal dev server), from /proc; 0 where there is no /proc. */
function childrenRss(pid = process.pid): number {
  let total = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const kids = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const kid of kids ? kids.split(/\s+/).map(Number) : []) {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${kid}/status`, 'utf8'));
        total += (m ? Number(m[1]) * 1024 : 0) + childrenRss(kid);
      }
    }
  } catch {
    // a process ended while we looked, or no /proc
  }
  return total;
}

// A full GC before the RSS readings that are compared, so that garbage left by startup (the worker's
// webpack bundling) does not pass for a baseline. --expose-gc set at run time, the usual trick.
v8.setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
const settledRss = async () => { fullGc(); await sleep(200); fullGc(); return process.memoryUsage.rss(); };

const memory = {
  peakRss: process.memoryUsage.rss(),
  peakChildren: 0,
  timer: null as NodeJS.Timeout | null,
  start() {
    this.timer = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
      this.peakChildren = Math.max(this.peakChildren, childrenRss());
    }, 100);
    this.timer.unref();
  },
  stop() { if (this.timer) clearInterval(this.timer); },
};

/** CPU seconds (user+sys) of this process's descendants, from /proc. */
function childrenCpuS(pid = process.pid): number {
  let total = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const kids = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const kid of kids ? kids.split(/\s+/).map(Number) : []) {
        const fields = fs.readFileSync(`/proc/${kid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        total += (Number(fields[11]) + Number(fields[12])) / 100 + childrenCpuS(kid);
      }
    }
  } catch {
    // gone, or no /proc
  }
  return total;
}

/** During a measured stretch: this process's event-loop delay and CPU, and the dev server's CPU, per wall second. */
function loadProbe() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t = performance.now();
  const cpu = process.cpuUsage();
  const kids = childrenCpuS();
  return () => {
    h.disable();
    const wallS = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      loopDelayMs: { p50: round(h.percentile(50) / 1e6), p99: round(h.percentile(99) / 1e6), max: round(h.max / 1e6) },
      wallS,
      nodeCpuS: (used.user + used.system) / 1e6,
      temporalCpuS: childrenCpuS() - kids,
      nodeCpuPerS: round((used.user + used.system) / 1e6 / wallS, 2),
      temporalCpuPerS: round((childrenCpuS() - kids) / wallS, 2),
    };
  };
}

// ---------------------------------------------------------------- stack

interface Stack {
  embedded: Embedded;
  config: Config;
  db: Database;
  temporal: TemporalHandle;
  api: ApiServer;
  sandbox: EdnaSandbox | null;
  worker: HeraldWorker | null;
  baseUrl: string;
}

/** What has been measured so far; printed even when the run is aborted. */
const report: Record<string, unknown> = {};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
let stack: Partial<Stack> = {};
let extraStop: (() => Promise<void>) | null = null;

async function startStack(): Promise<{ stack: Stack; steps: Record<string, number> }> {
  const steps: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try { return await fn(); } finally { steps[name] = Math.round(performance.now() - t); }
  };
  // Diagnostic: BENCH_TEMPORAL_DB=memory runs the dev server without its SQLite file (as the tests do),
  // started here and handed to Herald as TEMPORAL_ADDRESS; by default embedded mode's own file-backed one.
  let memoryServer: DevServer | null = null;
  if (process.env.BENCH_TEMPORAL_DB === 'memory') {
    memoryServer = await timed('temporal-memory', () => startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH, toolsDir: path.resolve('node_modules/.cache/herald'), namespace: process.env.TEMPORAL_NAMESPACE || 'default', searchAttributes: SEARCH_ATTRIBUTES, log: console.log }));
    extraStop = () => memoryServer!.stop();
  }
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    SANDBOX_PORT: '0',
    TEMPORAL_DEV_PORT: '0',
    TEMPORAL_UI_PORT: '0',
    HERALD_DEMO: 'true',
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: memoryServer?.address ?? '',
    EDNA_BASE_URL: '',
    PUBLIC_BASE_URL: '',
  });
  const embedded = await timed('embedded', () => startEmbedded(config, { log }));
  const { database: db, temporal, api } = embedded;
  Object.assign(stack, { embedded, db, temporal, api, sandbox: embedded.sandboxes.edna, worker: embedded.worker });
  const baseUrl = embedded.baseUrl;
  await timed('schedule', () => api.services.templateSync.ensureSchedule().catch((e: unknown) => log('template schedule:', e instanceof Error ? e.message : e)));
  await timed('readyz', async () => {
    const res = await fetch(`${baseUrl}/readyz`);
    if (res.status !== 200) throw new Error(`/readyz answered ${res.status}: ${await res.text()}`);
  });
  stack.config = embedded.config;
  stack.baseUrl = baseUrl;
  return { stack: stack as Stack, steps };
}

/** Phase 2: the same API, database and Temporal; a new sandbox without delays and a new worker on it. */
async function swapToZeroDelays(s: Stack): Promise<number> {
  const t = performance.now();
  await s.worker?.shutdown();
  s.worker = null;
  await s.sandbox?.close();
  s.sandbox = null;
  // The same port, so the frozen configuration still points at it.
  s.sandbox = await startEdnaSandbox({
    port: Number(new URL(s.config.edna.baseUrl!).port),
    apiKey: s.config.edna.apiKey,
    webhookSecret: s.config.edna.webhookSecret,
    webhookHeader: s.config.edna.webhookHeader,
    statusCallbackUrl: `${s.baseUrl}/webhooks/edna/status`,
    inMessageCallbackUrl: `${s.baseUrl}/webhooks/edna/inbound`,
    delaysMs: { sent: 0, delivered: 0, read: 0 },
  });
  s.worker = await s.embedded.startWorker();
  return Math.round(performance.now() - t);
}

async function stopStack(): Promise<string[]> {
  const problems: string[] = [];
  const step = async (name: string, fn: (() => Promise<unknown>) | undefined) => {
    if (!fn) return;
    const t = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([fn(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('did not stop within 20 s')), 20_000); })]);
    } catch (e) {
      problems.push(`${name}: ${e instanceof Error ? e.message : e}`);
    } finally {
      clearTimeout(timer);
    }
    log(`stopped ${name} in ${Math.round(performance.now() - t)} ms`);
  };
  const s = stack;
  stack = {};
  await step('sandbox (zero delays)', s.sandbox && s.sandbox !== s.embedded?.sandboxes.edna ? () => s.sandbox!.close() : undefined);
  await step('embedded', s.embedded && (() => s.embedded!.close()));
  if (extraStop) { const stop = extraStop; extraStop = null; await step('temporal (memory)', stop); }
  try {
    fs.rmSync(dataDir, { recursive: true, force: true });
  } catch (e) {
    problems.push(`rm ${dataDir}: ${e instanceof Error ? e.message : e}`);
  }
  return problems;
}

// ---------------------------------------------------------------- driving Herald

async function gql(s: Stack, token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${s.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  send { id state message { id status } }
  userErrors { code field message } } }`;

interface SendResult {
  sendId: string | null;
  startEpochMs: number;
  answerMs: number;
  state: string | null;
  error: string | null;
}

async function sendOne(s: Stack, token: string, clientId: string, text: string): Promise<SendResult> {
  const startEpochMs = Date.now();
  const t = performance.now();
  try {
    const data = await gql(s, token, SEND, { input: { clientId, channel: 'WHATSAPP', text, disposition: { kind: 'CLOSE' } } });
    const answerMs = performance.now() - t;
    const p = data.sendMessage;
    const error = p.userErrors?.length ? p.userErrors.map((e: any) => e.code).join(',') : null;
    return { sendId: p.send?.id ?? null, startEpochMs, answerMs, state: p.send?.state ?? null, error };
  } catch (e) {
    return { sendId: null, startEpochMs, answerMs: performance.now() - t, state: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Polls the sends table (the workflow's mirror) until every send is in a final state; returns when each was first seen so. */
async function waitFinal(s: Stack, ids: string[], timeoutMs: number, pollMs = 25): Promise<Map<string, { state: string; seenEpochMs: number }>> {
  const done = new Map<string, { state: string; seenEpochMs: number }>();
  const until = Date.now() + timeoutMs;
  while (done.size < ids.length && Date.now() < until) {
    const open = ids.filter((id) => !done.has(id));
    const rows = await s.db.db.select({ id: sends.id, state: sends.state }).from(sends).where(inArray(sends.id, open));
    const now = Date.now();
    for (const r of rows) if (FINAL_STATES.has(r.state)) done.set(r.id, { state: r.state, seenEpochMs: now });
    if (done.size < ids.length) await sleep(pollMs);
  }
  return done;
}

/** The recorded `at` of each DELIVERED and READ, per send. */
async function statusTimes(s: Stack, ids: string[]): Promise<Map<string, { DELIVERED?: number; READ?: number; COMPLETED?: number }>> {
  const out = new Map<string, { DELIVERED?: number; READ?: number; COMPLETED?: number }>();
  if (ids.length === 0) return out;
  const rows = await s.db.db
    .select({ sendId: sends.id, status: messageStatusChanges.status, at: messageStatusChanges.at })
    .from(sends)
    .innerJoin(messageStatusChanges, eq(messageStatusChanges.messageId, sends.messageId))
    .where(and(inArray(sends.id, ids), inArray(messageStatusChanges.status, ['DELIVERED', 'READ'])));
  for (const r of rows) {
    const entry = out.get(r.sendId) ?? {};
    const key = r.status as 'DELIVERED' | 'READ';
    entry[key] = Math.min(entry[key] ?? Infinity, r.at.getTime());
    out.set(r.sendId, entry);
  }
  // When the workflow recorded its last step ('complete'), from the steps the activities keep.
  const steps = await s.db.db.select({ id: sends.id, steps: sends.steps }).from(sends).where(inArray(sends.id, ids));
  for (const r of steps) {
    const done = r.steps.find((st) => st.name === 'complete');
    if (done) out.set(r.id, { ...out.get(r.id), COMPLETED: Date.parse(done.at) });
  }
  return out;
}

/** Until the send has closed its thread (its dispose step is recorded) or has ended. */
async function waitDisposed(s: Stack, id: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [row] = await s.db.db.select({ state: sends.state, steps: sends.steps }).from(sends).where(eq(sends.id, id));
    if (row && (FINAL_STATES.has(row.state) || row.steps.some((st) => st.name === 'dispose'))) return true;
    await sleep(40);
  }
  return false;
}

/**
 * Where the answer's time goes, from the steps the activities record in the sends table:
 * start → validate STARTED (API, Temporal start, first workflow task, activity dispatch),
 * → validate PASSED (validate activity), → reserve RESERVED (next workflow task, reserve transaction),
 * → answer (update result back to the API, its read, the HTTP answer).
 */
async function breakdown(s: Stack, results: SendResult[]): Promise<Record<string, ReturnType<typeof stats>>> {
  const ok = results.filter((r) => r.sendId && !r.error);
  const rows = ok.length ? await s.db.db.select({ id: sends.id, steps: sends.steps }).from(sends).where(inArray(sends.id, ok.map((r) => r.sendId!))) : [];
  const byId = new Map(rows.map((r) => [r.id, r.steps]));
  const seg: Record<string, number[]> = { toValidateStart: [], validate: [], toReserved: [], reservedToAnswer: [] };
  for (const r of ok) {
    const steps = byId.get(r.sendId!) ?? [];
    const at = (name: string, state: string) => { const x = steps.find((st) => st.name === name && st.state === state); return x ? Date.parse(x.at) : null; };
    const vs = at('validate', 'STARTED'), vp = at('validate', 'PASSED'), rr = at('reserve', 'RESERVED');
    const answered = r.startEpochMs + r.answerMs;
    if (vs !== null) seg.toValidateStart!.push(vs - r.startEpochMs);
    if (vs !== null && vp !== null) seg.validate!.push(vp - vs);
    if (vp !== null && rr !== null) seg.toReserved!.push(rr - vp);
    if (rr !== null) seg.reservedToAnswer!.push(answered - rr);
  }
  return Object.fromEntries(Object.entries(seg).map(([k, v]) => [k, stats(v)]));
}

async function annaId(s: Stack): Promise<string> {
  const data = await gql(s, 'demo-supervisor', 'query($q: String!) { searchClients(query: $q) { id name } }', { q: 'Anna' });
  const id = data.searchClients[0]?.id;
  if (!id) throw new Error('demo client Anna not found');
  return id;
}

/** New clients that wrote in just now (free WhatsApp text allowed). Last four digits 1000..1099: the sandbox's default "delivered" scenario. */
async function makeClients(s: Stack, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    for (let i = next++; i < n; i = next++) {
      const phone = `${prefix}${1000 + i}`;
      const data = await gql(s, 'demo-admin', 'mutation($p: String!, $n: String) { createClient(phone: $p, name: $n) { client { id } userErrors { code message } } }', { p: phone, n: `Bench ${phone}` });
      const id = data.createClient.client?.id;
      if (!id) throw new Error(`createClient ${phone}: ${JSON.stringify(data.createClient.userErrors)}`);
      ids[i] = id;
    }
  }));
  const now = new Date();
  await s.db.db.insert(clientChannels).values(ids.map((clientId) => ({ clientId, channel: 'WHATSAPP' as never, lastInboundAt: now })))
    .onConflictDoUpdate({ target: [clientChannels.clientId, clientChannels.channel], set: { lastInboundAt: now } });
  return ids;
}

interface SequentialResult {
  load: ReturnType<ReturnType<typeof loadProbe>>;
  answer: ReturnType<typeof stats>;
  answerBreakdown: Record<string, ReturnType<typeof stats>>;
  toDelivered: ReturnType<typeof stats>;
  toRead: ReturnType<typeof stats>;
  toCompleted: ReturnType<typeof stats>;
  ok: number;
  failures: string[];
  wallS: number | null;
}

async function sequential(s: Stack, phase: string): Promise<SequentialResult> {
  const anna = await annaId(s);
  const results: SendResult[] = [];
  const failures: string[] = [];
  const probe = loadProbe();
  const t0 = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const r = await sendOne(s, AGENTS[i % AGENTS.length]!, anna, `bench ${phase} sequential ${i}`);
    results.push(r);
    if (i % 10 === 9) log(`${phase} sequential ${i + 1}/${SEQUENTIAL} after ${((performance.now() - t0) / 1000).toFixed(1)} s (last answer ${Math.round(r.answerMs)} ms)`);
    if (!r.sendId || r.error) { failures.push(`#${i}: ${r.error ?? 'no send'} (${r.state})`); continue; }
    // One active thread per client: wait until this send has closed its thread (dispose) before the next.
    if (!(await waitDisposed(s, r.sendId, 30_000))) failures.push(`#${i}: thread not closed within 30 s`);
  }
  const ids = results.flatMap((r) => (r.sendId && !r.error ? [r.sendId] : []));
  const fin = await waitFinal(s, ids, 60_000, 50);
  for (const id of ids) { const f = fin.get(id); if (!f) failures.push(`${id}: not final within 60 s`); else if (f.state !== 'COMPLETED') failures.push(`${id}: ${f.state}`); }
  const wallS = (performance.now() - t0) / 1000;
  const load = probe();
  const times = await statusTimes(s, ids);
  const toDelivered: number[] = [];
  const toRead: number[] = [];
  const toCompleted: number[] = [];
  for (const r of results) {
    if (!r.sendId) continue;
    const t = times.get(r.sendId);
    if (t?.DELIVERED !== undefined) toDelivered.push(t.DELIVERED - r.startEpochMs);
    if (t?.READ !== undefined) toRead.push(t.READ - r.startEpochMs);
    if (t?.COMPLETED !== undefined) toCompleted.push(t.COMPLETED - r.startEpochMs);
  }
  return {
    load,
    answer: stats(results.filter((r) => !r.error).map((r) => r.answerMs)),
    answerBreakdown: await breakdown(s, results),
    toDelivered: stats(toDelivered),
    toRead: stats(toRead),
    toCompleted: stats(toCompleted),
    ok: ids.filter((id) => fin.get(id)?.state === 'COMPLETED').length,
    failures,
    wallS: round(wallS, 1),
  };
}

interface ConcurrentResult {
  load: ReturnType<ReturnType<typeof loadProbe>>;
  answerBreakdown: Record<string, ReturnType<typeof stats>>;
  throughput: number | null;
  answeredInS: number | null;
  answer: ReturnType<typeof stats>;
  allCompletedS: number | null;
  completed: number;
  states: Record<string, number>;
  failures: string[];
  /** States of the sends recorded for clients whose mutation answered with an error. */
  afterFailedAnswer: Record<string, number>;
}

async function concurrent(s: Stack, phase: string, clientIds: string[]): Promise<ConcurrentResult> {
  const results: SendResult[] = new Array(clientIds.length);
  let next = 0;
  const probe = loadProbe();
  const t0 = performance.now();
  const startEpoch = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (;;) {
      const i = next++;
      if (i >= clientIds.length) return;
      results[i] = await sendOne(s, AGENTS[i % AGENTS.length]!, clientIds[i]!, `bench ${phase} concurrent ${i}`);
    }
  }));
  const answeredS = (performance.now() - t0) / 1000;
  log(`${phase} concurrent: ${clientIds.length} answered in ${answeredS.toFixed(1)} s; waiting for final states`);
  const ids = results.flatMap((r) => (r.sendId && !r.error ? [r.sendId] : []));
  const fin = await waitFinal(s, ids, 90_000, 50);
  const load = probe();
  const recorded = await statusTimes(s, ids);
  const lastDone = Math.max(...[...recorded.values()].flatMap((t) => (t.COMPLETED !== undefined ? [t.COMPLETED] : [])));
  const states: Record<string, number> = {};
  for (const f of fin.values()) states[f.state] = (states[f.state] ?? 0) + 1;
  const missing = ids.length - fin.size;
  if (missing) states.NOT_FINAL = missing;
  const completed = states.COMPLETED ?? 0;
  const failures = results.flatMap((r, i) => (r.error || !r.sendId ? [`#${i}: ${(r.error ?? 'no send').slice(0, 160)}`] : []));
  // A mutation that failed may still have started its workflow: what became of those clients' sends?
  const failedClients = results.flatMap((r, i) => (r.error || !r.sendId ? [clientIds[i]!] : []));
  const afterFailedAnswer: Record<string, number> = {};
  if (failedClients.length) {
    await sleep(5_000);
    const rows = await s.db.db.select({ state: sends.state }).from(sends).where(inArray(sends.clientId, failedClients));
    for (const r of rows) afterFailedAnswer[r.state] = (afterFailedAnswer[r.state] ?? 0) + 1;
    log(`${phase} concurrent: ${failedClients.length} mutations failed; their clients' sends in the db: ${JSON.stringify(afterFailedAnswer)}`);
  }
  return {
    load,
    throughput: round(clientIds.length / answeredS, 1),
    answeredInS: round(answeredS, 2),
    answer: stats(results.filter((r) => !r.error).map((r) => r.answerMs)),
    answerBreakdown: await breakdown(s, results),
    allCompletedS: completed === clientIds.length ? round((lastDone - startEpoch) / 1000, 2) : null,
    completed,
    states,
    failures,
    afterFailedAnswer,
  };
}

// ---------------------------------------------------------------- main

const fmt = (v: number | null | undefined, unit = '') => (v === null || v === undefined ? '—' : `${v}${unit}`);
const verdict = (ok: boolean | null) => (ok === null ? 'n/a ' : ok ? 'PASS' : 'FAIL');

async function main() {
  const rssStart = process.memoryUsage.rss();
  memory.start();
  const tStart = performance.now();
  const { stack: s, steps } = await startStack();
  const startupMs = Math.round(performance.now() - tStart);
  const rssReadyRaw = process.memoryUsage.rss();
  const rssReady = await settledRss();
  const childrenReady = childrenRss();
  log(`stack ready in ${startupMs} ms`, steps);
  Object.assign(report, { startupMs, startupSteps: steps, rssReadyMb: round(mb(rssReady)) });

  const phases: Record<string, { sequential: SequentialResult; concurrent: ConcurrentResult; swapMs?: number }> = {};
  // Clients for both concurrent runs, made before the clock (phone 7926<phase><NNNN>).
  const tClients = performance.now();
  const clientsEdna = await makeClients(s, CONCURRENT, '79261');
  const clientsZero = await makeClients(s, CONCURRENT, '79262');
  log(`${2 * CONCURRENT} clients made in ${Math.round(performance.now() - tClients)} ms`);

  log('phase edna: sequential');
  const seqEdna = await sequential(s, 'edna');
  report.ednaSequential = seqEdna;
  log('edna sequential', JSON.stringify(seqEdna));
  log('phase edna: concurrent');
  const conEdna = await concurrent(s, 'edna', clientsEdna);
  report.ednaConcurrent = conEdna;
  report.rssAfterEdnaMb = round(mb(process.memoryUsage.rss()));
  log('edna concurrent', JSON.stringify(conEdna));
  phases.edna = { sequential: seqEdna, concurrent: conEdna };
  const rssAfterEdna = process.memoryUsage.rss();

  log('phase zero: restarting sandbox (no delays) and worker');
  const swapMs = await swapToZeroDelays(s);
  log('phase zero: sequential');
  const seqZero = await sequential(s, 'zero');
  report.zeroSequential = seqZero;
  log('zero sequential', JSON.stringify(seqZero));
  log('phase zero: concurrent');
  const conZero = await concurrent(s, 'zero', clientsZero);
  phases.zero = { sequential: seqZero, concurrent: conZero, swapMs };

  const rssAfterRaw = process.memoryUsage.rss();
  const rssAfter = await settledRss();
  const childrenAfter = childrenRss();
  memory.stop();
  const growthMb = mb(rssAfter - rssReady);

  // ---- table
  const rows: string[][] = [['metric', 'edna delays 150/400/800', 'zero delays', 'target']];
  const seqRow = (label: string, f: (r: SequentialResult) => string, target = '') => rows.push([label, f(seqEdna), f(seqZero), target]);
  const conRow = (label: string, f: (r: ConcurrentResult) => string, target = '') => rows.push([label, f(conEdna), f(conZero), target]);
  const st = (x: ReturnType<typeof stats>) => `${fmt(x.p50)}/${fmt(x.p95)}/${fmt(x.max)} ms`;
  rows.push(['startup (cold, to /readyz)', `${startupMs} ms`, `swap ${swapMs} ms`, '']);
  seqRow('seq answer p50/p95/max', (r) => st(r.answer), `p95 < ${TARGETS.seqAnswerP95Ms} ms`);
  const bd = (x: Record<string, ReturnType<typeof stats>>) => ['toValidateStart', 'validate', 'toReserved', 'reservedToAnswer'].map((k) => fmt(x[k]?.p50)).join('+') + ' ms';
  seqRow('seq answer p50 split: start+valid+resv+ans', (r) => bd(r.answerBreakdown));
  seqRow('seq  → DELIVERED (recorded at)', (r) => st(r.toDelivered));
  seqRow('seq  → READ (recorded at)', (r) => st(r.toRead));
  seqRow('seq  → COMPLETED (complete step at)', (r) => st(r.toCompleted));
  seqRow('seq ok / wall', (r) => `${r.ok}/${SEQUENTIAL} in ${fmt(r.wallS)} s`);
  conRow(`conc ${CONCURRENT}×${CONCURRENCY} throughput`, (r) => `${fmt(r.throughput)} sends/s (${fmt(r.answeredInS)} s)`, `> ${TARGETS.concurrentThroughput}/s`);
  conRow('conc answer p50/p95/max', (r) => st(r.answer));
  conRow('conc answer p50 split (as above)', (r) => bd(r.answerBreakdown));
  const ld = (x: SequentialResult['load']) => `loop ${fmt(x.loopDelayMs.p50)}/${fmt(x.loopDelayMs.p99)}/${fmt(x.loopDelayMs.max)} ms, cores node ${fmt(x.nodeCpuPerS)} tmprl ${fmt(x.temporalCpuPerS)}`;
  const perSend = (x: SequentialResult['load'], n: number) => `node ${fmt(round((x.nodeCpuS * 1000) / n))} + temporal ${fmt(round((x.temporalCpuS * 1000) / n))} ms`;
  seqRow('seq CPU per send (whole run)', (r) => perSend(r.load, SEQUENTIAL));
  conRow('conc CPU per send (to all final)', (r) => perSend(r.load, CONCURRENT));
  seqRow('seq event-loop delay p50/p99/max, cpu/s', (r) => ld(r.load));
  conRow('conc event-loop delay, cpu/s', (r) => ld(r.load));
  conRow('conc all COMPLETED after (complete step at)', (r) => `${fmt(r.allCompletedS, ' s')} (${r.completed}/${CONCURRENT})`);
  rows.push(['RSS start/ready/after/peak (ready, after: after full GC)', `${mb(rssStart).toFixed(0)}/${mb(rssReady).toFixed(0)}/${mb(rssAfter).toFixed(0)}/${mb(memory.peakRss).toFixed(0)} MB`, `growth ${growthMb.toFixed(0)} MB`, `growth < ${TARGETS.rssGrowthMb} MB`]);
  rows.push(['temporal dev server RSS ready/after/peak', `${mb(childrenReady).toFixed(0)}/${mb(childrenAfter).toFixed(0)}/${mb(memory.peakChildren).toFixed(0)} MB`, '', '']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  console.log('');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));

  const checks = {
    seqAnswerP95: seqEdna.answer.p95 === null ? null : seqEdna.answer.p95 < TARGETS.seqAnswerP95Ms,
    concurrentThroughput: conEdna.throughput === null ? null : conEdna.throughput > TARGETS.concurrentThroughput,
    rssGrowth: growthMb < TARGETS.rssGrowthMb,
  };
  console.log('');
  console.log(`${verdict(checks.seqAnswerP95)}  sequential answer p95 ${fmt(seqEdna.answer.p95)} ms < ${TARGETS.seqAnswerP95Ms} ms (zero delays: ${fmt(seqZero.answer.p95)} ms)`);
  console.log(`${verdict(checks.concurrentThroughput)}  concurrent throughput ${fmt(conEdna.throughput)} sends/s > ${TARGETS.concurrentThroughput} (zero delays: ${fmt(conZero.throughput)})`);
  console.log(`${verdict(checks.rssGrowth)}  RSS growth ready→after ${growthMb.toFixed(0)} MB < ${TARGETS.rssGrowthMb} MB (start→peak ${mb(memory.peakRss - rssStart).toFixed(0)} MB)`);
  const allFailures = [...seqEdna.failures, ...conEdna.failures, ...seqZero.failures, ...conZero.failures];
  for (const [name, p] of Object.entries(phases)) {
    const bad = [...p.sequential.failures.map((f) => `seq ${f}`), ...p.concurrent.failures.map((f) => `conc ${f}`)];
    if (bad.length) console.log(`[${name}] ${bad.length} problems: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ' …' : ''}`);
    const nonCompleted = Object.entries(p.concurrent.states).filter(([k]) => k !== 'COMPLETED');
    if (nonCompleted.length) console.log(`[${name}] concurrent final states: ${JSON.stringify(p.concurrent.states)}`);
    if (Object.keys(p.concurrent.afterFailedAnswer).length) console.log(`[${name}] sends recorded for clients whose mutation failed: ${JSON.stringify(p.concurrent.afterFailedAnswer)}`);
  }

  for (const [what, n] of Object.entries(unexpected)) console.log(`API answered SYSTEM_ERROR ${n}× for: ${what}`);
  const shutdownStart = performance.now();
  const problems = await stopStack();
  const shutdownMs = Math.round(performance.now() - shutdownStart);
  console.log(`shutdown ${problems.length ? `with problems: ${problems.join('; ')}` : 'clean'} in ${shutdownMs} ms; temp dir ${fs.existsSync(dataDir) ? 'NOT removed' : 'removed'}`);

  console.log(`BENCH ${JSON.stringify({
    startupMs, startupSteps: steps,
    phases,
    memoryMb: {
      start: round(mb(rssStart)), readyRaw: round(mb(rssReadyRaw)), afterRaw: round(mb(rssAfterRaw)), ready: round(mb(rssReady)), after: round(mb(rssAfter)), peak: round(mb(memory.peakRss)), growth: round(growthMb),
      afterEdnaPhase: round(mb(rssAfterEdna)), temporalReady: round(mb(childrenReady)), temporalAfter: round(mb(childrenAfter)), temporalPeak: round(mb(memory.peakChildren)),
    },
    targets: TARGETS, pass: checks,
    failures: allFailures.length,
    unexpectedApiErrors: unexpected,
    shutdown: { ms: shutdownMs, problems },
  })}`);
}

// The API logs each unexpected resolver error with its whole stack; keep one line of each here so
// that the table and the BENCH line stay at the end of the output, and count them.
const unexpected: Record<string, number> = {};
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('[graphql] unexpected error')) {
    const first = String(args[1] instanceof Error ? `${args[1].name}: ${args[1].message}` : args[1]).split('\n')[0]!;
    unexpected[first] = (unexpected[first] ?? 0) + 1;
    consoleError(`${args[0]} ${first}`);
    return;
  }
  consoleError(...args);
};

const abort = setTimeout(() => {
  console.log('ABORT: the benchmark did not finish within 5 minutes; stopping, then the results so far');
  setTimeout(() => process.exit(2), 60_000).unref();
  void stopStack().then((problems) => {
    console.log(`shutdown ${problems.length ? `with problems: ${problems.join('; ')}` : 'clean'}; temp dir ${fs.existsSync(dataDir) ? 'NOT removed' : 'removed'}`);
    console.log(`BENCH ${JSON.stringify({ ...report, aborted: true, peakRssMb: round(mb(memory.peakRss)), unexpectedApiErrors: unexpected })}`);
  }).finally(() => process.exit(2));
}, ABORT_AFTER_MS);
abort.unref();

try {
  await main();
  clearTimeout(abort);
  // Whatever still holds the event loop after a clean shutdown is a leak worth seeing.
  await sleep(200);
  const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
  if (left.length) log('still active after shutdown:', left.join(', '));
  process.exit(0);
} catch (err) {
  console.log(`BENCH FAILED: ${err instanceof Error ? err.stack ?? err.message : err}`);
  const problems = await stopStack();
  if (problems.length) console.log(`shutdown problems: ${problems.join('; ')}`);
  process.exit(1);
}
