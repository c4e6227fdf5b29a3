import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

// What the benchmark reads off the machine: percentiles, CPU time of this process and of its
// children (the Temporal dev server), and resident memory, from /proc where Node has no API.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (n: number | null | undefined, d = 0): number | null => (n === null || n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(d)));
export const mb = (bytes: number) => bytes / 1024 / 1024;

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Spread { n: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }
export const spread = (v: readonly number[]): Spread => ({
  n: v.length, p50: round(percentile(v, 50), 1), p95: round(percentile(v, 95), 1), p99: round(percentile(v, 99), 1), max: round(v.length ? Math.max(...v) : null, 1),
});

/** The pids of this process's descendants, from /proc (none where there is no /proc). */
function descendants(pid = process.pid): number[] {
  const out: number[] = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const kids = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const kid of kids ? kids.split(/\s+/).map(Number) : []) out.push(kid, ...descendants(kid));
    }
  } catch {
    // a process ended while we looked, or no /proc
  }
  return out;
}

/** Resident memory of this process's descendants (the Temporal dev server), in bytes. */
export function childrenRss(): number {
  let total = 0;
  for (const pid of descendants()) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      // gone
    }
  }
  return total;
}

/** CPU seconds (user + system) of this process's descendants. */
export function childrenCpuS(): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of descendants()) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // gone
    }
  }
  return total;
}

// A full collection before an RSS reading that is compared with another, so that garbage does
// not pass for what is held. --expose-gc set at run time.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
export async function settledRss(): Promise<number> {
  gc();
  await sleep(100);
  gc();
  return process.memoryUsage.rss();
}

/** CPU spent by Node (this process) and by Temporal (the dev server) between start and stop. */
export function cpuMeter() {
  const node = process.cpuUsage();
  const temporal = childrenCpuS();
  const t = performance.now();
  return () => {
    const used = process.cpuUsage(node);
    return { wallS: (performance.now() - t) / 1000, nodeS: (used.user + used.system) / 1e6, temporalS: childrenCpuS() - temporal };
  };
}
export type CpuReading = ReturnType<ReturnType<typeof cpuMeter>>;

/** The highest RSS of this process seen while it runs (sampled every 50 ms). */
export function rssPeak() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

/**
 * `count` jobs run by `concurrency` workers that each start the next job when theirs is done
 * (a closed loop: clients that wait for their answer before they ask again).
 */
export async function closedLoop<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    for (let i = next++; i < count; i = next++) results[i] = await job(i);
  }));
  return results;
}

/** Jobs started at a steady rate whatever the answers (an open loop), for `seconds`. */
export async function openLoop<T>(ratePerS: number, seconds: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const count = Math.max(1, Math.round(ratePerS * seconds));
  const start = performance.now();
  const running: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(job(i));
  }
  return Promise.all(running);
}
