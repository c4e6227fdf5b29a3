import { performance } from 'node:perf_hooks';
import { and, gt, like, sql } from 'drizzle-orm';
import { sends } from '../src/db/schema.js';
import { childrenRss, mb, round, settledRss, sleep } from './measure.js';
import { gql, makeClients, startBenchStack, waitUntilQuiet, type BenchStack, type DatabaseKind } from './stack.js';

// npm run bench -- campaign: one campaign (R30) to CAMPAIGN_RECIPIENTS (100,000) clients at
// CAMPAIGN_RATE (50) per second on one bench stack (PGlite; BENCH_ONLY=postgres with
// BENCH_DATABASE_URL for PostgreSQL). Prints recipients handled per second against the rate,
// the process's and the dev server's RSS at the start, middle and end of the run, the campaign
// workflow's history length (per run; it continues as new), how long pause and resume take, and
// one `BENCH_CAMPAIGN {...}` JSON line.
//
// CAMPAIGN_SECONDS caps the run: measured that long, then cancelled, the total time extrapolated.
// CAMPAIGN_PAGE (0: all in one startCampaign) adds recipients in pages with addCampaignRecipients;
// for one call the stack's HTTP_BODY_LIMIT_BYTES is raised (100,000 ids are ~5 MB of JSON).
// CAMPAIGN_SAMPLE_SECONDS (5) between samples; CAMPAIGN_PAUSE_SECONDS (5) held paused mid-run.

const RECIPIENTS = Number(process.env.CAMPAIGN_RECIPIENTS ?? 100_000);
const RATE = Number(process.env.CAMPAIGN_RATE ?? 50);
const SECONDS = process.env.CAMPAIGN_SECONDS ? Number(process.env.CAMPAIGN_SECONDS) : null;
const PAGE = Number(process.env.CAMPAIGN_PAGE ?? 0);
const SAMPLE_S = Number(process.env.CAMPAIGN_SAMPLE_SECONDS ?? 5);
const PAUSE_S = Number(process.env.CAMPAIGN_PAUSE_SECONDS ?? 5);
/** Seconds into the campaign when the "start" memory reading is taken (bundles, JIT and caches warm). */
const WARM_S = 15;

const TARGETS = { rssGrowthMb: 100, historyEvents: 10_000 };

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const COUNTS = 'total pending skipped sending sent delivered read failed cancelled';
interface Counts { total: number; pending: number; skipped: number; sending: number; sent: number; delivered: number; read: number; failed: number; cancelled: number }
interface Campaign { id: string; state: string; waitingReason: string | null; counts: Counts }

/** Recipients the campaign has handled: a send started for them, or skipped (not pending, not cancelled). */
const handledOf = (c: Counts) => c.total - c.pending - c.cancelled;

async function readCampaign(stack: BenchStack, id: string): Promise<Campaign> {
  const data = await gql(stack, 'demo-supervisor', `query($id: ID!) { campaign(id: $id) { id state waitingReason counts { ${COUNTS} } } }`, { id });
  return data.campaign;
}

async function control(stack: BenchStack, name: 'pauseCampaign' | 'resumeCampaign' | 'cancelCampaign', id: string) {
  const t = performance.now();
  const data = await gql(stack, 'demo-supervisor', `mutation($id: ID!) { ${name}(id: $id) { campaign { state } userErrors { code message } } }`, { id });
  const ms = performance.now() - t;
  const p = data[name];
  if (p.userErrors.length) log(`${name}: ${JSON.stringify(p.userErrors)}`);
  return { ms: round(ms, 1)!, state: (p.campaign?.state ?? null) as string | null, errors: p.userErrors as unknown[] };
}

/** The campaign's sends created after `since` (sends.created_at, Herald's clock): how many, first, last. */
async function sendsSince(stack: BenchStack, campaignId: string, since: Date) {
  const [row] = await stack.embedded.database.db
    .select({ n: sql<number>`count(*)::int`, first: sql<string | null>`min(${sends.createdAt})`, last: sql<string | null>`max(${sends.createdAt})` })
    .from(sends).where(and(gt(sends.createdAt, since), like(sends.requestId, `campaign:${campaignId}:%`)));
  return { n: Number(row?.n ?? 0), first: row?.first ? Date.parse(row.first) : null, last: row?.last ? Date.parse(row.last) : null };
}

interface MemoryReading { at: string; elapsedS: number; handled: number; processMb: number | null; temporalMb: number | null }

async function memory(at: string, elapsedS: number, handled: number): Promise<MemoryReading> {
  const r = { at, elapsedS: round(elapsedS)!, handled, processMb: round(mb(await settledRss())), temporalMb: round(mb(childrenRss())) };
  log(`RSS ${at}: process ${r.processMb} MB, dev server ${r.temporalMb} MB (${handled} handled)`);
  return r;
}

/** Pause, hold PAUSE_S seconds, resume; when sends stop and when they start again (sends.created_at). */
async function pauseAndResume(stack: BenchStack, id: string) {
  const pauseAsked = new Date();
  const pause = await control(stack, 'pauseCampaign', id);
  const pauseAnswered = new Date();
  await sleep(PAUSE_S * 1000);
  const afterAsk = await sendsSince(stack, id, pauseAsked);
  const afterAnswer = await sendsSince(stack, id, pauseAnswered);
  const resumeAsked = new Date();
  const resume = await control(stack, 'resumeCampaign', id);
  let firstAfterResume: number | null = null;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const s = await sendsSince(stack, id, resumeAsked);
    if (s.first !== null) { firstAfterResume = s.first; break; }
    await sleep(100);
  }
  const result = {
    pauseAnswerMs: pause.ms,
    pauseAnswerState: pause.state,
    /** From pauseCampaign asked to the last send the campaign started after it (0: none started). */
    lastSendAfterPauseMs: afterAsk.last === null ? 0 : Math.max(0, afterAsk.last - pauseAsked.getTime()),
    sendsStartedAfterPauseAsked: afterAsk.n,
    /** Must be 0: nothing starts once pauseCampaign has answered PAUSED. */
    sendsStartedAfterPauseAnswered: afterAnswer.n,
    heldS: PAUSE_S,
    resumeAnswerMs: resume.ms,
    resumeAnswerState: resume.state,
    /** From resumeCampaign asked to the first send started after it. */
    firstSendAfterResumeMs: firstAfterResume === null ? null : firstAfterResume - resumeAsked.getTime(),
    /** Wall time the campaign sent nothing because of the pause (pause asked to first send after resume). */
    windowS: round(((firstAfterResume ?? Date.now()) - pauseAsked.getTime()) / 1000, 1)!,
  };
  log(`pause answered ${result.pauseAnswerMs} ms (${result.pauseAnswerState}), last send ${result.lastSendAfterPauseMs} ms after asking (${result.sendsStartedAfterPauseAsked} after asking, ${result.sendsStartedAfterPauseAnswered} after the answer); resume answered ${result.resumeAnswerMs} ms, first send ${result.firstSendAfterResumeMs} ms after asking`);
  return result;
}

/** Every run of the campaign workflow (continue-as-new makes one per BATCHES_PER_RUN batches) and its history length. */
async function workflowRuns(stack: BenchStack, id: string) {
  const client = stack.embedded.temporal.client;
  const workflowId = `campaign:${id}`;
  const runs: Array<{ runId: string; status: string; historyLength: number }> = [];
  try {
    for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const d = await client.workflow.getHandle(workflowId, w.runId).describe();
      runs.push({ runId: w.runId, status: d.status.name, historyLength: d.historyLength });
    }
  } catch (e) {
    log(`listing the workflow's runs: ${e instanceof Error ? e.message : e}`);
  }
  return runs;
}

async function currentHistory(stack: BenchStack, id: string): Promise<{ runId: string; historyLength: number } | null> {
  try {
    const d = await stack.embedded.temporal.client.workflow.getHandle(`campaign:${id}`).describe();
    return { runId: d.runId, historyLength: d.historyLength };
  } catch {
    return null;
  }
}

interface Sample { elapsedS: number; handled: number; perS: number | null; delivered: number; sending: number; state: string; waitingReason: string | null; historyLength: number | null; paused: boolean }

export async function runCampaignBench(): Promise<number> {
  const kind: DatabaseKind = process.env.BENCH_ONLY === 'postgres' ? 'postgres' : 'pglite';
  if (kind === 'postgres' && !process.env.BENCH_DATABASE_URL) {
    console.error('BENCH_ONLY=postgres needs BENCH_DATABASE_URL=postgres://…');
    return 2;
  }
  // One startCampaign with every id: ~52 bytes a recipient; leave room.
  const oneCall = !(PAGE > 0 && PAGE < RECIPIENTS);
  const bodyLimitSet = process.env.HTTP_BODY_LIMIT_BYTES;
  if (oneCall && !bodyLimitSet) process.env.HTTP_BODY_LIMIT_BYTES = String(Math.max(1024 * 1024, Math.ceil((RECIPIENTS * 64) / 1024 / 1024) * 1024 * 1024 * 2));
  const settings = { RECIPIENTS, RATE, SECONDS, PAGE: oneCall ? 0 : PAGE, SAMPLE_S, PAUSE_S, kind, HTTP_BODY_LIMIT_BYTES: process.env.HTTP_BODY_LIMIT_BYTES ?? 'default (1 MiB)' };
  log(`campaign bench on ${kind}: ${JSON.stringify(settings)}`);
  const stack = await startBenchStack(kind, log);
  try {
    const made = performance.now();
    const clientIds = await makeClients(stack, RECIPIENTS, '5', '1234');
    const makeS = (performance.now() - made) / 1000;
    log(`${RECIPIENTS} clients made in ${makeS.toFixed(1)} s (direct inserts, WhatsApp written in just now)`);
    const before = await memory('before', 0, 0);

    // Start: all in one call, or a first page and the rest added (also when one call is refused).
    const recipients = clientIds.map((clientId) => ({ clientId }));
    const START = `mutation($input: StartCampaignInput!) { startCampaign(input: $input) { campaign { id state recipientCount } userErrors { code field message } } }`;
    const ADD = `mutation($id: ID!, $r: [CampaignRecipientInput!]!) { addCampaignRecipients(campaignId: $id, recipients: $r) { campaign { recipientCount } userErrors { code message } } }`;
    const input = (list: unknown[], startAt?: string) => ({ name: 'Bench campaign', channel: 'WHATSAPP', text: 'bench campaign', ratePerSecond: RATE, recipients: list, ...(startAt ? { startAt } : {}) });
    let page = oneCall ? 0 : PAGE;
    let refusedOneCall: { bodyMb: number; ms: number; error: string } | null = null;
    let startMs = 0;
    let bodyMb = 0;
    let campaignId = '';
    let startAt: string | null = null;
    if (page === 0) {
      bodyMb = JSON.stringify({ query: START, variables: { input: input(recipients) } }).length / 1e6;
      const t = performance.now();
      try {
        const started = (await gql(stack, 'demo-integrator', START, { input: input(recipients) })).startCampaign;
        startMs = performance.now() - t;
        if (started.userErrors.length) throw new Error(`startCampaign refused: ${JSON.stringify(started.userErrors)}`);
        campaignId = started.campaign.id;
        log(`one startCampaign with ${RECIPIENTS} recipients (${bodyMb.toFixed(2)} MB body) answered in ${startMs.toFixed(0)} ms: ${campaignId}`);
      } catch (e) {
        // The server may take fewer items per list than startCampaign documents: say so, go on in pages of what it takes.
        const error = e instanceof Error ? e.message : String(e);
        const most = /at most (\d+) are allowed/.exec(error);
        if (!most) throw e;
        refusedOneCall = { bodyMb: round(bodyMb, 2)!, ms: round(performance.now() - t)!, error: error.slice(0, 300) };
        page = Number(most[1]);
        log(`one startCampaign with ${RECIPIENTS} recipients REFUSED in ${refusedOneCall.ms} ms: ${error.slice(0, 200)}; going on with pages of ${page}`);
      }
    }
    const pages: number[] = [];
    let addS = 0;
    if (!campaignId) {
      // Paged: the campaign is scheduled a little ahead so that the list is whole before it runs
      // (a campaign that runs out of pending recipients between two pages would complete).
      const lead = Math.round(10 + Math.ceil(RECIPIENTS / page) * 0.1);
      startAt = new Date(Date.now() + lead * 1000).toISOString();
      let t = performance.now();
      const first = recipients.slice(0, page);
      bodyMb = JSON.stringify({ query: START, variables: { input: input(first, startAt) } }).length / 1e6;
      const started = (await gql(stack, 'demo-integrator', START, { input: input(first, startAt) })).startCampaign;
      startMs = performance.now() - t;
      if (started.userErrors.length) throw new Error(`startCampaign refused: ${JSON.stringify(started.userErrors)}`);
      campaignId = started.campaign.id;
      const adding = performance.now();
      for (let from = page; from < recipients.length; from += page) {
        t = performance.now();
        const added = (await gql(stack, 'demo-integrator', ADD, { id: campaignId, r: recipients.slice(from, from + page) })).addCampaignRecipients;
        if (added.userErrors.length) throw new Error(`addCampaignRecipients refused: ${JSON.stringify(added.userErrors)}`);
        pages.push(round(performance.now() - t)!);
      }
      addS = (performance.now() - adding) / 1000;
      const overlapS = (Date.now() - Date.parse(startAt)) / 1000;
      log(`startCampaign with ${page} (startAt in ${lead} s) ${startMs.toFixed(0)} ms; ${pages.length} addCampaignRecipients pages of ${page} in ${addS.toFixed(1)} s (first ${pages[0]} ms, last ${pages.at(-1)} ms)${overlapS > 0 ? `; the campaign had been running ${overlapS.toFixed(1)} s meanwhile` : ''}`);
      while (Date.now() < Date.parse(startAt)) await sleep(Math.min(1000, Date.parse(startAt) - Date.now()));
    }
    const t0 = startAt ? Date.parse(startAt) : Date.now();
    const elapsed = () => (Date.now() - t0) / 1000;
    const pageSummary = (() => {
      const sorted = [...pages].sort((a, b) => a - b);
      return pages.length ? { n: pages.length, firstMs: pages[0], p50Ms: sorted[Math.floor(sorted.length / 2)], maxMs: sorted.at(-1), lastMs: pages.at(-1) } : null;
    })();
    const recipientsCall = page === 0
      ? { how: 'one startCampaign', bodyMb: round(bodyMb, 2), startMs: round(startMs) }
      : { how: `startCampaign with ${page} (scheduled), then addCampaignRecipients pages of ${page}`, refusedOneCall, firstBodyMb: round(bodyMb, 2), startMs: round(startMs), addS: round(addS, 1), pages: pageSummary };

    // Sample until done (or CAMPAIGN_SECONDS), with the memory readings and the pause mid-run.
    const samples: Sample[] = [];
    const readings: MemoryReading[] = [];
    let pause: Awaited<ReturnType<typeof pauseAndResume>> | null = null;
    let maxHistory = 0;
    const runIds = new Set<string>();
    const waitingReasons = new Set<string>();
    let last = { at: t0, handled: 0 };
    let current = await readCampaign(stack, campaignId);
    let endedS = 0;
    let allHandledS: number | null = null;
    for (;;) {
      await sleep(Math.max(0, last.at + SAMPLE_S * 1000 - Date.now()));
      current = await readCampaign(stack, campaignId);
      const now = Date.now();
      const handled = handledOf(current.counts);
      const history = await currentHistory(stack, campaignId);
      if (history) { maxHistory = Math.max(maxHistory, history.historyLength); runIds.add(history.runId); }
      if (current.waitingReason) waitingReasons.add(current.waitingReason);
      const perS = (handled - last.handled) / ((now - last.at) / 1000);
      const sample: Sample = {
        elapsedS: round((now - t0) / 1000, 1)!, handled, perS: round(perS, 1), delivered: current.counts.delivered + current.counts.read,
        sending: current.counts.sending + current.counts.sent, state: current.state, waitingReason: current.waitingReason,
        historyLength: history?.historyLength ?? null, paused: false,
      };
      samples.push(sample);
      log(`${sample.elapsedS} s: ${handled}/${current.counts.total} handled, ${sample.perS}/s (rate ${RATE}), delivered ${sample.delivered}, in flight ${sample.sending}, ${current.state}${current.waitingReason ? ` waiting ${current.waitingReason}` : ''}, history ${sample.historyLength ?? '?'} events (run ${runIds.size})`);
      last = { at: now, handled };
      // Done once the workflow says so; the rate runs to when the last recipient was handled.
      if (current.counts.pending === 0 && allHandledS === null) allHandledS = elapsed();
      const done = current.state === 'COMPLETED' || current.state === 'CANCELLED';
      const capped = SECONDS !== null && elapsed() >= SECONDS;
      if (readings.length === 0 && (elapsed() >= WARM_S || done)) readings.push(await memory('start', elapsed(), handled));
      const middle = SECONDS !== null ? elapsed() >= SECONDS / 2 : handled >= current.counts.total / 2;
      if (readings.length === 1 && middle && !done && !capped) {
        readings.push(await memory('middle', elapsed(), handled));
        const pauseStart = Date.now();
        pause = await pauseAndResume(stack, campaignId);
        samples.push({ ...sample, elapsedS: round((Date.now() - t0) / 1000, 1)!, perS: null, paused: true });
        last = { at: Date.now(), handled: handledOf((await readCampaign(stack, campaignId)).counts) };
        log(`pause window ${pause.windowS} s (sampling resumed after ${((Date.now() - pauseStart) / 1000).toFixed(1)} s)`);
      }
      if (done || capped) { endedS = allHandledS ?? elapsed(); break; }
    }
    const end = await memory('end', elapsed(), handledOf(current.counts));
    readings.push(end);
    const handledAtEnd = handledOf(current.counts);
    const completed = current.state === 'COMPLETED';
    let cancel: Awaited<ReturnType<typeof control>> | null = null;
    if (!completed && current.state !== 'CANCELLED') {
      cancel = await control(stack, 'cancelCampaign', campaignId);
      log(`cancelCampaign answered in ${cancel.ms} ms: ${cancel.state}`);
    }
    const lastSample = samples.filter((s) => !s.paused).at(-1);

    // Rates: over the whole run less the pause window, and the median of the sampled intervals.
    const activeS = endedS - (pause?.windowS ?? 0);
    const achieved = handledAtEnd / activeS;
    const intervals = samples.filter((s, i) => !s.paused && i > 0 && !samples[i - 1]!.paused && s.perS !== null).map((s) => s.perS!);
    const steady = intervals.length ? [...intervals].sort((a, b) => a - b)[Math.floor(intervals.length / 2)]! : null;
    const deliveredPerS = (lastSample?.delivered ?? 0) / activeS;
    const binds = waitingReasons.size ? `the stand's channel limit or quiet hours (${[...waitingReasons].join(', ')})`
      : achieved >= RATE * 0.9 ? `the campaign's rate (${RATE}/s): Herald kept up`
        : `Herald's throughput, not the rate: ${round(achieved, 1)}/s handled against ${RATE}/s asked (a batch of ${RATE} takes ~${round(RATE / achieved, 1)} s, not 1 s: its sends' starts plus the batch's own activities)`;
    const extrapolatedS = completed ? endedS : RECIPIENTS / achieved;

    // Let the sends already started finish before the workflow's runs are read and the stack closes.
    await waitUntilQuiet(stack, 120_000);
    const final = await readCampaign(stack, campaignId);
    const runs = await workflowRuns(stack, campaignId);
    const maxRunHistory = Math.max(maxHistory, ...runs.map((r) => r.historyLength));

    const startR = readings[0]!;
    const processGrowth = startR.processMb !== null && end.processMb !== null ? end.processMb - startR.processMb : null;
    const temporalGrowth = startR.temporalMb !== null && end.temporalMb !== null ? end.temporalMb - startR.temporalMb : null;
    const checks = [
      { id: 'rssFlat', ok: processGrowth !== null && temporalGrowth !== null && processGrowth < TARGETS.rssGrowthMb && temporalGrowth < TARGETS.rssGrowthMb,
        line: `RSS from ${startR.elapsedS} s to ${end.elapsedS} s (${startR.handled} → ${end.handled} handled): process ${startR.processMb} → ${readings[1]?.processMb ?? '-'} → ${end.processMb} MB (${processGrowth! >= 0 ? '+' : ''}${processGrowth}), dev server ${startR.temporalMb} → ${readings[1]?.temporalMb ?? '-'} → ${end.temporalMb} MB (${temporalGrowth! >= 0 ? '+' : ''}${temporalGrowth}) (growth under ${TARGETS.rssGrowthMb} MB each)${end.handled > startR.handled && temporalGrowth !== null ? `; dev server ${round((temporalGrowth * 1024) / (end.handled - startR.handled))} KB per recipient handled` : ''}` },
      { id: 'historyBounded', ok: maxRunHistory > 0 && maxRunHistory < TARGETS.historyEvents,
        line: `campaign workflow history: at most ${maxRunHistory} events in a run, ${Math.max(runs.length, runIds.size)} run(s) (continue-as-new) (under ${TARGETS.historyEvents})` },
      { id: 'pauseHolds', ok: pause === null ? null : pause.sendsStartedAfterPauseAnswered === 0 && pause.firstSendAfterResumeMs !== null,
        line: pause === null ? 'pause/resume: not tried (the campaign ended before mid-run)'
          : `pause: answered in ${pause.pauseAnswerMs} ms, last send ${pause.lastSendAfterPauseMs} ms after asking, ${pause.sendsStartedAfterPauseAnswered} sends after the answer; resume: answered in ${pause.resumeAnswerMs} ms, first send ${pause.firstSendAfterResumeMs} ms after asking` },
    ];

    const rows: string[][] = [
      ['recipients', `${RECIPIENTS} (clients made in ${makeS.toFixed(1)} s)`],
      ['recipients given by', page === 0 ? `one startCampaign, ${round(bodyMb, 2)} MB body, answered in ${round(startMs)} ms`
        : `${refusedOneCall ? `one call REFUSED (${refusedOneCall.error.slice(0, 90)}); ` : ''}startCampaign ${round(startMs)} ms, then ${pageSummary?.n ?? 0} pages of ${page} in ${round(addS, 1)} s (page p50 ${pageSummary?.p50Ms} ms, first ${pageSummary?.firstMs}, last ${pageSummary?.lastMs}, max ${pageSummary?.maxMs} ms)`],
      ['handled (sent or skipped) per s', `${round(achieved, 1)} overall (less the ${pause?.windowS ?? 0} s pause), median of ${SAMPLE_S} s samples ${steady}, rate set ${RATE}`],
      ['reached DELIVERED/READ per s', `${round(deliveredPerS, 1)} (${lastSample?.delivered ?? 0} by the end of the measurement)`],
      ['limit that binds', binds],
      [completed ? 'total time' : `measured ${round(endedS)} s, then cancelled`, completed ? `${round(endedS)} s` : `${handledAtEnd} handled; all ${RECIPIENTS} would take ~${round(extrapolatedS / 60, 1)} min at this rate`],
      ['final counts', JSON.stringify(final.counts)],
    ];
    console.log(`\ncampaign on ${kind}\n${rows.map(([k, v]) => `${k!.padEnd(34)}  ${v}`).join('\n')}\n`);
    for (const c of checks) console.log(`${c.ok === null ? 'n/a ' : c.ok ? 'PASS' : 'FAIL'}  ${c.line}`);
    const report = {
      settings, targets: TARGETS, campaignId, clientsMadeS: round(makeS, 1), recipientsCall,
      completed, measuredS: round(endedS, 1), handled: handledAtEnd,
      handledPerS: round(achieved, 1), medianSamplePerS: steady, ratePerS: RATE, deliveredPerS: round(deliveredPerS, 1), binds,
      extrapolatedTotalS: round(extrapolatedS), cancel, pause, memory: [before, ...readings],
      growthMb: { process: processGrowth, temporal: temporalGrowth },
      history: { maxEvents: maxRunHistory, runs: runs.length || runIds.size, perRun: runs.map((r) => r.historyLength) },
      finalCounts: final.counts, samples,
      pass: Object.fromEntries(checks.map((c) => [c.id, c.ok])),
    };
    console.log(`BENCH_CAMPAIGN ${JSON.stringify(report)}`);
    return checks.every((c) => c.ok !== false) ? 0 : 1;
  } catch (err) {
    console.log(`campaign: the benchmark failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
    console.log(`BENCH_CAMPAIGN ${JSON.stringify({ failed: String(err) })}`);
    return 1;
  } finally {
    await stack.close().catch((e: unknown) => log('stack close:', e));
  }
}
