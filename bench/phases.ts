import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { inArray } from 'drizzle-orm';
import { startApiServer } from '../src/app.js';
import { sends } from '../src/db/schema.js';
import { openDatabase } from '../src/db/connection.js';
import type { BareShape } from './bare/run.js';
import {
  childrenRss, closedLoop, cpuMeter, mb, openLoop, rssPeak, round, settledRss, sleep, spread, type CpuReading, type Spread,
} from './measure.js';
import { answerPaths, countInStates, gql, makeClients, sendOne, shareAnsweredHere, waitForStep, waitUntilQuiet, type BenchStack } from './stack.js';

const UPLOAD_CLIENT = fileURLToPath(new URL('./uploadClient.ts', import.meta.url));

// The phases of `npm run bench`, one per target of issue "Fast sends" (P1–P5), each measuring
// Herald and, where the target is a ratio, the bare shape in the same run.

/** A closed-loop run: how fast sends reach DELIVERED, how long answers take, what it cost. */
export interface LoadRun {
  sends: number;
  /** Sends that reached DELIVERED per second (first start to last DELIVERED written). */
  deliveredPerS: number | null;
  answer: Spread;
  /** CPU per send in ms, until every send had ended. */
  cpuPerSend: { node: number | null; temporal: number | null };
  problems: string[];
  /** Herald: the share of answers the worker in the API's process gave (eager start); the rest came through the update. */
  answeredHere?: number | null;
}

const perSend = (cpu: CpuReading, n: number) => ({ node: round((cpu.nodeS * 1000) / n, 1), temporal: round((cpu.temporalS * 1000) / n, 1) });

/** P1 and P2 (closed loop), Herald: `count` sends by `concurrency` clients, each to a client of its own. */
export async function heraldLoad(stack: BenchStack, count: number, concurrency: number, series: string): Promise<LoadRun> {
  const clientIds = await makeClients(stack, count, series, '1234');
  const paths = await answerPaths();
  const cpu = cpuMeter();
  const started = Date.now();
  const answers = await closedLoop(count, concurrency, (i) => sendOne(stack, i, clientIds[i]!));
  const answeredHere = await shareAnsweredHere(paths);
  const ids = answers.flatMap((a) => (a.sendId && !a.error ? [a.sendId] : []));
  const delivered = await waitForStep(stack, ids, 'status', 'DELIVERED', 120_000);
  await waitForStep(stack, ids, 'complete', 'READ', 60_000);
  const cost = cpu();
  const problems = answers.flatMap((a, i) => (a.error || !a.sendId ? [`#${i}: ${a.error ?? 'no send'}`] : []));
  if (delivered.size < ids.length) problems.push(`${ids.length - delivered.size} sends never reached DELIVERED: ${await whereTheyAre(stack, ids.filter((id) => !delivered.has(id)))}`);
  const last = Math.max(...delivered.values());
  return {
    sends: count,
    deliveredPerS: delivered.size ? round(delivered.size / ((last - started) / 1000), 1) : null,
    // Every answer's time, refusals and SYSTEM_ERRORs (the answer deadline) included.
    answer: spread(answers.map((a) => a.ms)),
    cpuPerSend: perSend(cost, count),
    problems,
    answeredHere,
  };
}

/** Each send's state and last step, for a problem line (a send still waiting reads differently from one that went on without a DELIVERED step). */
async function whereTheyAre(stack: BenchStack, ids: readonly string[]): Promise<string> {
  const rows = await stack.embedded.database.db.select({ id: sends.id, state: sends.state, steps: sends.steps }).from(sends).where(inArray(sends.id, ids.slice(0, 5)));
  return rows.map((r) => `${r.id} ${r.state} after ${JSON.stringify(r.steps.at(-1) ?? null)}`).join('; ');
}

/** The same for the bare shape (with every answer's time, so that two runs can be merged). */
export async function bareLoad(bare: BareShape, count: number, concurrency: number, prefix: string): Promise<LoadRun & { answersMs: number[] }> {
  const cpu = cpuMeter();
  const started = Date.now();
  const problems: string[] = [];
  const answers = await closedLoop(count, concurrency, (i) => bare.send(`${prefix}-${i}`).catch((e: unknown) => {
    problems.push(`#${i}: ${e instanceof Error ? e.message : e}`);
    return null;
  }));
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const until = Date.now() + 120_000;
  while (ids.some((id) => bare.recorded.get(id)?.READ === undefined) && Date.now() < until) await sleep(100);
  const cost = cpu();
  const delivered = ids.flatMap((id) => bare.recorded.get(id)?.DELIVERED ?? []);
  if (delivered.length < count) problems.push(`${count - delivered.length} bare sends never reached DELIVERED`);
  const answersMs = answers.filter((a): a is number => a !== null);
  return {
    sends: count,
    deliveredPerS: delivered.length ? round(delivered.length / ((Math.max(...delivered) - started) / 1000), 1) : null,
    answer: spread(answersMs),
    cpuPerSend: perSend(cost, count),
    problems,
    answersMs,
  };
}

/**
 * Two bare runs, one before Herald's and one after, as one: the dev server gets slower as its
 * database grows (on one dev server, 400 bare sends cost it 29 ms of CPU per send at first and
 * 34–49 ms once 2,000–4,000 more had run), so a bare run only before Herald's would measure Herald
 * against a faster server than the one it ran on.
 */
export function beforeAndAfter(before: LoadRun & { answersMs: number[] }, after: LoadRun & { answersMs: number[] }): LoadRun {
  const mean = (a: number | null, b: number | null) => (a === null || b === null ? null : round((a + b) / 2, 1));
  return {
    sends: before.sends + after.sends,
    deliveredPerS: mean(before.deliveredPerS, after.deliveredPerS),
    answer: spread([...before.answersMs, ...after.answersMs]),
    cpuPerSend: { node: mean(before.cpuPerSend.node, after.cpuPerSend.node), temporal: mean(before.cpuPerSend.temporal, after.cpuPerSend.temporal) },
    problems: [...before.problems, ...after.problems],
  };
}

/**
 * P2: answers with sends arriving at a steady rate, and with one client alone. Alone means what
 * it says: each send starts once the one before it has ended (READ written) and nothing else is
 * under way, so its answer is the answer an idle Herald gives. One client sending back to back is
 * measured beside it: there each answer shares the machine with the previous send's delivery,
 * callbacks and end, which cost more than the answer itself (the bare shape's back-to-back p50 is
 * about three times its alone p50), so that figure is about throughput at one client, not latency.
 */
export async function heraldAnswers(stack: BenchStack, openRatePerS: number, openSeconds: number, single: number, series: string) {
  const openCount = Math.max(1, Math.round(openRatePerS * openSeconds));
  const openClients = await makeClients(stack, openCount, series, '1234');
  const paths = await answerPaths();
  const open = await openLoop(openRatePerS, openSeconds, (i) => sendOne(stack, i, openClients[i]!));
  const openAnsweredHere = await shareAnsweredHere(paths);
  await waitUntilQuiet(stack, 60_000);
  const singleClients = await makeClients(stack, 2 * single, `${series.slice(0, 1)}9`, '1234');
  const alonePaths = await answerPaths();
  const alone = await closedLoop(single, 1, async (i) => {
    const answer = await sendOne(stack, i, singleClients[i]!);
    // A refused send has no READ to wait for.
    if (answer.sendId && !answer.error) await waitForStep(stack, [answer.sendId], 'complete', 'READ', 10_000, END_POLL_MS);
    await sleep(AFTER_THE_END_MS);
    return answer;
  });
  const aloneAnsweredHere = await shareAnsweredHere(alonePaths);
  const backToBack = await closedLoop(single, 1, (i) => sendOne(stack, single + i, singleClients[single + i]!));
  await waitUntilQuiet(stack, 60_000);
  const errors = [...open, ...alone, ...backToBack].filter((a) => a.error).map((a) => a.error!);
  return {
    openRatePerS: round(openRatePerS, 1),
    open: spread(open.map((a) => a.ms)),
    alone: spread(alone.map((a) => a.ms)),
    backToBack: spread(backToBack.map((a) => a.ms)),
    answeredHere: { open: openAnsweredHere, alone: aloneAnsweredHere },
    errors: errors.length,
    problems: errors.slice(0, 5),
  };
}

/** The bare shape's sends from one client, alone and back to back, as heraldAnswers measures Herald's. */
export async function bareOneClient(bare: BareShape, single: number, prefix: string): Promise<{ alone: Spread; backToBack: Spread }> {
  const alone = await closedLoop(single, 1, async (i) => {
    const id = `${prefix}-${i}`;
    const ms = await bare.send(id);
    const until = Date.now() + 10_000;
    while (bare.recorded.get(id)?.READ === undefined && Date.now() < until) await sleep(END_POLL_MS);
    await sleep(AFTER_THE_END_MS);
    return ms;
  });
  const backToBack = await closedLoop(single, 1, (i) => bare.send(`${prefix}-b2b-${i}`));
  return { alone: spread(alone), backToBack: spread(backToBack) };
}

/**
 * How soon a lone send's end is seen, and the pause after it, the same for Herald and the bare
 * shape: the dev server is busy for a while after a workflow ends (the bare shape's next answer
 * took 48 ms when it started 50 ms after the end, 17 ms when 400 ms after).
 */
const END_POLL_MS = 20;
const AFTER_THE_END_MS = 250;

/**
 * P3: sends waiting for a delivery status (the sandbox's no-callback scenario), `total` of them;
 * RSS of this process (API and worker) and of the dev server, after a full GC, at each checkpoint.
 */
export async function waitingSends(stack: BenchStack, total: number, checkpoints: readonly number[], concurrency: number, series: string, log: (...a: unknown[]) => void) {
  const clientIds = await makeClients(stack, total, series, '0000');
  const readings: Array<{ waiting: number; processMb: number | null; temporalMb: number | null }> = [];
  const base = { processMb: round(mb(await settledRss())), temporalMb: round(mb(childrenRss())) };
  let sent = 0;
  const problems: string[] = [];
  for (const checkpoint of checkpoints) {
    const from = sent;
    const answers = await closedLoop(checkpoint - from, concurrency, (k) => sendOne(stack, from + k, clientIds[from + k]!));
    problems.push(...answers.filter((a) => a.error).slice(0, 3).map((a) => a.error!));
    sent = checkpoint;
    const until = Date.now() + 120_000;
    while ((await countInStates(stack, ['AWAITING_STATUS'])) < checkpoint && Date.now() < until) await sleep(500);
    const waiting = await countInStates(stack, ['AWAITING_STATUS']);
    readings.push({ waiting, processMb: round(mb(await settledRss())), temporalMb: round(mb(childrenRss())) });
    log(`P3: ${waiting} sends waiting; process ${readings.at(-1)!.processMb} MB, dev server ${readings.at(-1)!.temporalMb} MB`);
  }
  const first = readings[0]!;
  const last = readings.at(-1)!;
  const span = last.waiting - first.waiting;
  return {
    base,
    readings,
    /** KB of process RSS per waiting send, between the first and the last checkpoint. */
    processKbPerSend: span > 0 ? round(((last.processMb! - first.processMb!) * 1024) / span, 1) : null,
    temporalKbPerSend: span > 0 ? round(((last.temporalMb! - first.temporalMb!) * 1024) / span, 1) : null,
    problems: problems.slice(0, 5),
  };
}

/**
 * P4: an upload of `bytes` from a client in a process of its own (bench/uploadClient.ts), while a
 * probe query asks every 20 ms; the server's RSS growth and the probe's times while the bytes stream.
 */
export async function uploadWhileProbing(stack: BenchStack, bytes: number, bytesPerS: number) {
  const before = await settledRss();
  const peak = rssPeak();
  const client = spawn(process.execPath, ['--import', 'tsx', UPLOAD_CLIENT, `${stack.baseUrl}/attachments`, 'demo-agent-1', String(bytes), String(bytesPerS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: client.stdout! });
  let uploading = false;
  let result: { status: number; answer: string; seconds: number } | null = null;
  const streaming = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (line === 'streaming') { uploading = true; resolve(); return; }
      try {
        result = JSON.parse(line);
        uploading = false; // answered: what the probes see from here on is not the upload's
      } catch { /* not the answer */ }
    });
    client.once('exit', () => resolve());
  });
  const exited = new Promise<void>((resolve) => client.once('exit', () => { uploading = false; resolve(); }));
  await streaming;
  const probes: number[] = [];
  while (uploading) {
    const t = performance.now();
    await gql(stack, 'demo-agent-1', '{ me { id login } }').catch(() => undefined);
    if (uploading) probes.push(performance.now() - t);
    await sleep(20);
  }
  await exited;
  const done = result as { status: number; answer: string; seconds: number } | null;
  return {
    mb: round(bytes / 1e6), seconds: round(done?.seconds ?? 0, 1), status: done?.status ?? 0,
    answer: done?.status === 201 ? 'stored' : done?.answer ?? 'the uploading client gave no answer',
    rssGrowthMb: round(mb(peak() - before)), probe: spread(probes),
  };
}

/**
 * P5: inbound messages recorded through this instance; a subscriber on a second API instance
 * (its own pool and LISTEN connection on PostgreSQL; the same PGlite otherwise) hears each as
 * clientActivity. Latency: from the event's `at` (written in the transaction) to its arrival.
 */
export async function eventsOnSecondInstance(stack: BenchStack, count: number) {
  const { embedded } = stack;
  const ownDb = embedded.database.raw.kind === 'pg' ? await openDatabase({ url: embedded.database.raw.url }, { poolSize: 5 }) : null;
  const second = await startApiServer(embedded.config, ownDb ?? embedded.database, embedded.temporal, 0);
  const phone = `7955${Date.now() % 1_000_000}1234`;
  const first = await gql(stack, 'demo-integrator', 'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { message { client { id } } userErrors { code } } }', { i: { channel: 'WHATSAPP', address: phone, text: 'hello', name: 'Bench Events' } });
  const clientId = first.recordInboundMessage.message.client.id as string;
  const ws = createClient({ url: `ws://127.0.0.1:${second.port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: 'Bearer demo-supervisor' }, retryAttempts: 0 });
  const latencies: number[] = [];
  const arrived = new Set<string>();
  const unsubscribe = ws.subscribe<{ clientActivity: { kind: string; at: string; message: { id: string } | null } }>(
    { query: 'subscription($c: ID!) { clientActivity(clientId: $c) { kind at message { id } } }', variables: { c: clientId } },
    {
      next: (value) => {
        const e = value.data?.clientActivity;
        if (e?.kind !== 'MESSAGE_ADDED' || !e.message) return;
        latencies.push(Date.now() - Date.parse(e.at));
        arrived.add(e.message.id);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await sleep(500); // the subscription is open
  const sent: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await gql(stack, 'demo-integrator', 'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { message { id } } }', { i: { channel: 'WHATSAPP', address: phone, text: `event ${i}` } });
    sent.push(res.recordInboundMessage.message.id);
    await sleep(30);
  }
  const until = Date.now() + 5_000;
  while (sent.some((id) => !arrived.has(id)) && Date.now() < until) await sleep(50);
  unsubscribe();
  await ws.dispose();
  await second.close();
  await ownDb?.close();
  return { events: count, heard: sent.filter((id) => arrived.has(id)).length, latency: spread(latencies) };
}
