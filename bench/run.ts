import './env.js';
import 'reflect-metadata';
import { startBareShape } from './bare/run.js';
import { round, type Spread } from './measure.js';
import { profiled } from './profile.js';
import { bareOneClient, bareLoad, beforeAndAfter, eventsOnSecondInstance, heraldAnswers, heraldLoad, uploadWhileProbing, waitingSends } from './phases.js';
import { startBenchStack, waitUntilQuiet, type DatabaseKind } from './stack.js';

// `npm run bench -- campaign`: the campaign scenario (bench/campaign.ts) instead of the run below.
if (process.argv[2] === 'campaign') {
  const { runCampaignBench } = await import('./campaign.js');
  process.exit(await runCampaignBench());
}

// npm run bench: Herald's send against the cheapest durable send on the same platform (the bare
// shape, bench/bare/), in the same run, on PGlite and, with BENCH_DATABASE_URL, on PostgreSQL.
// Prints a table per database, each target of issue "Fast sends" as PASS or FAIL, and one
// `BENCH {...}` JSON line. The targets are here and nowhere else (never in timed tests).
//
// Sizes (defaults are what the targets assume): BENCH_SENDS (400) sends at BENCH_CONCURRENCY
// (32) for P1; BENCH_OPEN_SECONDS (20) of open-loop arrivals and BENCH_SINGLE (50) lone sends for
// P2; BENCH_WAITING (10000) waiting sends for P3; BENCH_UPLOAD_MB (100) for P4; BENCH_EVENTS (100)
// for P5. BENCH_ONLY=pglite|postgres runs one database.

const SENDS = Number(process.env.BENCH_SENDS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const OPEN_SECONDS = Number(process.env.BENCH_OPEN_SECONDS ?? 20);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 50);
const WAITING = Number(process.env.BENCH_WAITING ?? 10_000);
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 100);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);

const TARGETS = {
  p1ThroughputRatio: 0.7,
  p2OpenP99Ms: 150,
  p2ClosedP99Ratio: 2,
  p2AloneP50Ms: 30,
  p3ProcessMb: 1024,
  p3TemporalMb: 1024,
  p4RssGrowthMb: 64,
  p4ProbeP99Ms: 100,
  p5EventP99Ms: 250,
};

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

async function benchOn(kind: DatabaseKind) {
  log(`${kind}: starting the stack`);
  const stack = await startBenchStack(kind, log);
  const { temporal, config } = stack.embedded;
  const bare = await startBareShape(temporal.address, config.temporal.namespace, temporal.client);
  let bareOpen = true;
  try {
    // Warm both paths (bundles, connections, JIT) before anything is measured.
    await bareLoad(bare, 20, 4, `warm-${kind}`);
    await heraldLoad(stack, 20, 4, '10');
    await waitUntilQuiet(stack, 30_000);

    // The bare shape before and after Herald (beforeAndAfter says why).
    log(`${kind}: P1 bare shape, ${SENDS} sends at ${CONCURRENCY}`);
    const bareBefore = await bareLoad(bare, SENDS, CONCURRENCY, `bare-${kind}`);
    log(`${kind}: P1 Herald, ${SENDS} sends at ${CONCURRENCY}`);
    const heraldRun = await profiled(process.env.BENCH_PROFILE, `${kind}-p1`, () => heraldLoad(stack, SENDS, CONCURRENCY, '11'));
    await waitUntilQuiet(stack, 60_000);
    log(`${kind}: P1 bare shape again, ${SENDS} sends at ${CONCURRENCY}`);
    const bareRun = beforeAndAfter(bareBefore, await bareLoad(bare, SENDS, CONCURRENCY, `bare-after-${kind}`));

    const openRate = (heraldRun.deliveredPerS ?? 1) / 2;
    log(`${kind}: P2 open loop at ${openRate.toFixed(1)}/s for ${OPEN_SECONDS} s, then ${SINGLE} sends alone and ${SINGLE} back to back`);
    const answers = await heraldAnswers(stack, openRate, OPEN_SECONDS, SINGLE, '12');
    const bareSingle = await bareOneClient(bare, SINGLE, `alone-${kind}`);
    // Done with the bare shape: its worker's memory is not Herald's.
    await bare.close();
    bareOpen = false;

    log(`${kind}: P3 ${WAITING} waiting sends`);
    const checkpoints = [1_000, 5_000, 10_000].filter((n) => n < WAITING).concat(WAITING);
    const waiting = await waitingSends(stack, WAITING, [...new Set(checkpoints)], CONCURRENCY, '13', log);

    // After P3: the waiting sends stay, as they would on a busy server.
    log(`${kind}: P4 uploads`);
    const fastUpload = await uploadWhileProbing(stack, UPLOAD_MB * 1e6, 0);
    const slowUpload = await uploadWhileProbing(stack, 8e6, 2e6);

    log(`${kind}: P5 events on a second API instance`);
    const events = await eventsOnSecondInstance(stack, EVENTS);


    return { kind, bare: { load: bareRun, oneClient: bareSingle }, herald: { load: heraldRun, answers }, uploads: { fast: fastUpload, slow: slowUpload }, events, waiting };
  } finally {
    if (bareOpen) await bare.close().catch((e: unknown) => log('bare shape close:', e));
    await stack.close().catch((e: unknown) => log('stack close:', e));
  }
}

type Result = Awaited<ReturnType<typeof benchOn>>;

function verdicts(r: Result) {
  const ratio = r.herald.load.deliveredPerS && r.bare.load.deliveredPerS ? r.herald.load.deliveredPerS / r.bare.load.deliveredPerS : null;
  const closedRatio = r.herald.load.answer.p99 && r.bare.load.answer.p99 ? r.herald.load.answer.p99 / r.bare.load.answer.p99 : null;
  const last = r.waiting.readings.at(-1)!;
  const check = (id: string, ok: boolean | null, line: string) => ({ id, ok, line });
  return [
    check('p1Throughput', ratio === null ? null : ratio >= TARGETS.p1ThroughputRatio,
      `P1 throughput to DELIVERED: Herald ${r.herald.load.deliveredPerS}/s, bare ${r.bare.load.deliveredPerS}/s = ${round(ratio, 2)} (at least ${TARGETS.p1ThroughputRatio})`),
    check('p2OpenP99', r.herald.answers.open.p99 === null ? null : r.herald.answers.open.p99 <= TARGETS.p2OpenP99Ms,
      `P2 answer p99 at ${r.herald.answers.openRatePerS}/s arriving: ${r.herald.answers.open.p99} ms (at most ${TARGETS.p2OpenP99Ms})`),
    check('p2ClosedP99', closedRatio === null ? null : closedRatio <= TARGETS.p2ClosedP99Ratio,
      `P2 answer p99 at ${CONCURRENCY} clients: Herald ${r.herald.load.answer.p99} ms, bare ${r.bare.load.answer.p99} ms = ${round(closedRatio, 2)}× (at most ${TARGETS.p2ClosedP99Ratio}×)`),
    check('p2AloneP50', r.herald.answers.alone.p50 === null ? null : r.herald.answers.alone.p50 <= TARGETS.p2AloneP50Ms,
      `P2 answer p50 alone (each send after the one before has ended): ${r.herald.answers.alone.p50} ms, bare ${r.bare.oneClient.alone.p50} ms (at most ${TARGETS.p2AloneP50Ms}); back to back ${r.herald.answers.backToBack.p50} ms, bare ${r.bare.oneClient.backToBack.p50} ms`),
    check('p3Rss', last.processMb !== null && last.temporalMb !== null && last.processMb <= TARGETS.p3ProcessMb && last.temporalMb < TARGETS.p3TemporalMb,
      `P3 ${last.waiting} waiting sends: process ${last.processMb} MB, dev server ${last.temporalMb} MB (at most ${TARGETS.p3ProcessMb} each); ${r.waiting.processKbPerSend} KB and ${r.waiting.temporalKbPerSend} KB per waiting send`),
    check('p4Upload', r.uploads.fast.rssGrowthMb !== null && r.uploads.fast.rssGrowthMb <= TARGETS.p4RssGrowthMb && (r.uploads.fast.probe.p99 ?? Infinity) < TARGETS.p4ProbeP99Ms && (r.uploads.slow.probe.p99 ?? Infinity) < TARGETS.p4ProbeP99Ms,
      `P4 ${r.uploads.fast.mb} MB upload (${r.uploads.fast.answer}, ${r.uploads.fast.seconds} s): RSS +${r.uploads.fast.rssGrowthMb} MB (at most ${TARGETS.p4RssGrowthMb}), probe p99 ${r.uploads.fast.probe.p99} ms; slow 8 MB at 2 MB/s: probe p99 ${r.uploads.slow.probe.p99} ms (under ${TARGETS.p4ProbeP99Ms})`),
    check('p5Events', r.events.heard === r.events.events && r.events.latency.p99 !== null && r.events.latency.p99 <= TARGETS.p5EventP99Ms,
      `P5 events on a second instance: ${r.events.heard}/${r.events.events} heard, p99 ${r.events.latency.p99} ms (at most ${TARGETS.p5EventP99Ms})`),
  ];
}

function table(r: Result) {
  const s = (x: Spread) => `${x.p50}/${x.p99}/${x.max} ms`;
  const rows: string[][] = [
    ['', 'bare shape (before and after)', 'Herald'],
    [`P1 sends → DELIVERED per s (${SENDS} at ${CONCURRENCY})`, `${r.bare.load.deliveredPerS}`, `${r.herald.load.deliveredPerS}`],
    ['P2 answer p50/p99/max, closed loop', s(r.bare.load.answer), s(r.herald.load.answer)],
    [`P2 answer p50/p99/max, open loop ${r.herald.answers.openRatePerS}/s`, '', s(r.herald.answers.open)],
    ['P2 answer p50/p99/max, one client alone', s(r.bare.oneClient.alone), s(r.herald.answers.alone)],
    ['P2 answer p50/p99/max, one client back to back', s(r.bare.oneClient.backToBack), s(r.herald.answers.backToBack)],
    ['answered by the worker in the API\'s process (eager start): P1, open loop, alone', '', `${r.herald.load.answeredHere} / ${r.herald.answers.answeredHere.open} / ${r.herald.answers.answeredHere.alone}`],
    ['CPU ms per send: Node + Temporal', `${r.bare.load.cpuPerSend.node} + ${r.bare.load.cpuPerSend.temporal}`, `${r.herald.load.cpuPerSend.node} + ${r.herald.load.cpuPerSend.temporal}`],
    ...r.waiting.readings.map((w) => [`P3 RSS with ${w.waiting} waiting: process / dev server`, '', `${w.processMb} / ${w.temporalMb} MB`]),
    [`P4 ${r.uploads.fast.mb} MB upload: RSS growth, probe p50/p99`, '', `+${r.uploads.fast.rssGrowthMb} MB, ${r.uploads.fast.probe.p50}/${r.uploads.fast.probe.p99} ms`],
    ['P5 event latency p50/p99/max', '', s(r.events.latency)],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

const kinds: DatabaseKind[] = process.env.BENCH_ONLY ? [process.env.BENCH_ONLY as DatabaseKind] : ['pglite', ...(process.env.BENCH_DATABASE_URL ? ['postgres' as const] : [])];
if (kinds.includes('postgres') && !process.env.BENCH_DATABASE_URL) {
  console.error('BENCH_ONLY=postgres needs BENCH_DATABASE_URL=postgres://…');
  process.exit(2);
}
const results: Result[] = [];
const report: Record<string, unknown> = { settings: { SENDS, CONCURRENCY, OPEN_SECONDS, SINGLE, WAITING, UPLOAD_MB, EVENTS }, targets: TARGETS };
let failed = false;
for (const kind of kinds) {
  try {
    const r = await benchOn(kind);
    results.push(r);
    const checks = verdicts(r);
    console.log(`\n${kind}\n${table(r)}\n`);
    for (const c of checks) console.log(`${c.ok === null ? 'n/a ' : c.ok ? 'PASS' : 'FAIL'}  ${c.line}`);
    const problems = [...r.bare.load.problems, ...r.herald.load.problems, ...r.herald.answers.problems, ...r.waiting.problems];
    if (problems.length) console.log(`${problems.length} problems: ${problems.slice(0, 8).join('; ')}`);
    report[kind] = { ...r, pass: Object.fromEntries(checks.map((c) => [c.id, c.ok])) };
  } catch (err) {
    failed = true;
    console.log(`${kind}: the benchmark failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
    report[kind] = { failed: String(err) };
  }
}
console.log(`BENCH ${JSON.stringify(report)}`);
process.exit(failed ? 1 : 0);
