import fs from 'node:fs';
import { Session } from 'node:inspector/promises';

// BENCH_PROFILE=<folder>: a CPU profile of this process (API, worker, PGlite and the load driver)
// while Herald takes P1's load, written as <folder>/<db>-p1.cpuprofile (open it in Chrome DevTools),
// with the self time summed by where the code lives, so "where the time goes" is read, not guessed.

interface ProfileNode { id: number; callFrame: { url: string; functionName: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const PLACES: Array<[string, RegExp]> = [
  ['PGlite (WASM)', /@electric-sql\/pglite|^wasm:\/\//],
  ['pg driver', /node_modules\/pg/],
  ['drizzle', /drizzle-orm/],
  ['Temporal SDK (worker, client, bridge)', /@temporalio|@grpc|protobufjs/],
  ['HTTP (Fastify)', /fastify|find-my-way|light-my-request|avvio/],
  ['GraphQL (Apollo, type-graphql, graphql-js, armor)', /@apollo|type-graphql|node_modules\/graphql|graphql-armor|@escape\.tech/],
  ['logging (pino)', /pino|sonic-boom/],
  ['metrics and tracing', /prom-client|@opentelemetry/],
  ['bench driver and sandboxes', /\/bench\/|\/sandbox\//],
  ['Herald (src/)', /\/src\//],
  ['Node internals', /^node:|^internal\//],
  ['RxJS (the SDK\'s worker loop)', /node_modules\/rxjs/],
];

export async function profiled<T>(folder: string | undefined, name: string, run: () => Promise<T>): Promise<T> {
  if (!folder) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    session.disconnect();
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(`${folder}/${name}.cpuprofile`, JSON.stringify(profile));
    fs.writeFileSync(`${folder}/${name}.txt`, summarize(profile));
  }
}

/** Self time by place, in percent of the samples (idle excluded). */
export function summarize(profile: Profile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const fn = node.callFrame.functionName;
    if (fn === '(idle)' || fn === '(program)') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const place = fn === '(garbage collector)' ? 'garbage collection' : PLACES.find(([, re]) => re.test(node.callFrame.url))?.[0] ?? (node.callFrame.url ? 'other libraries' : 'native / unattributed');
    self.set(place, (self.get(place) ?? 0) + ms);
    total += ms;
  });
  return [...self].sort((a, b) => b[1] - a[1]).map(([place, ms]) => `${(100 * ms / total).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${place}`).join('\n') + `\n${total.toFixed(0)} ms busy in all\n`;
}

// `tsx bench/profile.ts <file.cpuprofile>` prints the summary of a saved profile.
if (process.argv[1]?.endsWith('profile.ts') && process.argv[2]) {
  console.log(summarize(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Profile));
}
