import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ednaRoutes, type EdnaParts } from '../../sandbox/edna/routes.js';
import { phoneForScenario, scenarioForPhone, SCENARIOS } from '../../sandbox/edna/server.js';
import { gatewayScenarioFor } from '../../sandbox/gateway/server.js';
import { MAX_BODY_BYTES } from '../../sandbox/shared/http.js';
import { defaultScenarioIn, failsThisTry, scenarioIn, suffixOf, TryCounter } from '../../sandbox/shared/scenarios.js';
import { createScheduler } from '../../sandbox/shared/scheduler.js';
import { telegramScenarioFor } from '../../sandbox/telegram/server.js';

// What the three sandboxes share (sandbox/shared): choosing a scenario by an address's last four
// digits, and posting callbacks later, in order, retried, and forgotten on reset.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sandbox scenarios', () => {
  it('sandbox: an address chooses its scenario by its last four digits, else the default', () => {
    expect(suffixOf('79161230404')).toBe('0404');
    expect(suffixOf(' @grace_0429 ')).toBe('0429');
    expect(suffixOf('404')).toBeNull();
    expect(suffixOf('0404x')).toBeNull();
    const table = [
      { suffix: null, name: 'fine', description: '' },
      { suffix: '0404', name: 'gone', description: '' },
    ];
    expect(scenarioIn(table, 'x0404').name).toBe('gone');
    expect(scenarioIn(table, 'x1234').name).toBe('fine');
    expect(() => defaultScenarioIn([{ suffix: '0404', name: 'gone', description: '' }])).toThrow(/default/);
  });

  it('sandbox: edna, Telegram and gateway read their own tables', () => {
    // edna ignores anything but digits in a phone.
    expect(scenarioForPhone('+7 916 000-04-04').name).toBe('not-channel-user');
    expect(scenarioForPhone('12-34').name).toBe('delivered');
    expect(scenarioForPhone(phoneForScenario('out-of-order')).name).toBe('out-of-order');
    expect(phoneForScenario('delivered')).toBe('79160001234');
    expect(SCENARIOS[0]).toMatchObject({ suffix: null, name: 'delivered' });
    expect(telegramScenarioFor('-1000429')).toBe('rate-limited');
    expect(telegramScenarioFor('@someone')).toBe('delivered');
    expect(gatewayScenarioFor('visitor-0422')).toBe('rejected');
    expect(gatewayScenarioFor('visitor-1')).toBe('delivered');
  });

  it('R29: each sandbox has a scenario for the failures R29 names, on the same suffixes', () => {
    expect(scenarioForPhone('79161230400').name).toBe('invalid-address');
    expect(['tg_0400', 'tg_0415', 'tg_1429'].map(telegramScenarioFor)).toEqual(['invalid-destination', 'media-rejected', 'always-rate-limited']);
    expect(['v-0400', 'v-0410', 'v-0415', 'v-1429'].map(gatewayScenarioFor)).toEqual(['invalid-destination', 'opted-out', 'media-rejected', 'always-rate-limited']);
  });

  it('sandbox: always-fail refuses every try, fail-first-tries the first ones of one send', () => {
    const tries = new TryCounter();
    expect([tries.next('a'), tries.next('a'), tries.next('b'), tries.next('a')]).toEqual([1, 2, 1, 3]);
    tries.clear();
    expect(tries.next('a')).toBe(1);
    expect([1, 2, 3].map((n) => failsThisTry('fail-first-tries', n, 2))).toEqual([true, true, false]);
    expect([1, 9].map((n) => failsThisTry('always-fail', n, 2))).toEqual([true, true]);
    expect(failsThisTry('delivered', 1, 2)).toBe(false);
  });
});

describe('sandbox callback scheduler', () => {
  let server: http.Server;
  let url: string;
  const answers: number[] = [];
  const hits: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answers.shift() ?? 200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const clear = () => {
    hits.length = 0;
    answers.length = 0;
  };

  it('sandbox: a callback not answered 200 is tried again after each retry delay, then dropped', async () => {
    clear();
    answers.push(500, 503, 500);
    const scheduler = createScheduler([10, 20]);
    const tries: Array<number | string> = [];
    let droppedAfter = 0;
    await scheduler.deliver(async (n) => {
      const outcome = await scheduler.post(url, {}, `try ${n}`);
      tries.push(outcome && 'responseStatus' in outcome ? outcome.responseStatus : String(outcome));
      return outcome;
    }, (n) => { droppedAfter = n; });
    expect(tries).toEqual([500]); // deliver resolves once the first try is settled
    await sleep(150);
    expect(tries).toEqual([500, 503, 500]);
    expect(droppedAfter).toBe(3);
    expect(hits).toEqual(['try 1', 'try 2', 'try 3']);
    scheduler.close();
  });

  it('sandbox: one message\'s callbacks go out in the order queued, each after the one before', async () => {
    clear();
    const scheduler = createScheduler([]);
    const inOrder = scheduler.inOrder();
    const done: string[] = [];
    const postAfter = (ms: number, body: string) => async () => {
      await sleep(ms);
      await scheduler.post(url, {}, body);
      done.push(body);
    };
    inOrder(postAfter(40, 'first'));
    inOrder(postAfter(0, 'second'));
    await sleep(150);
    expect(done).toEqual(['first', 'second']);
    expect(hits).toEqual(['first', 'second']);
    scheduler.close();
  });

  it('sandbox: reset() forgets pending timers, queued callbacks and the outcome of posts on the wire', async () => {
    clear();
    const scheduler = createScheduler([]);
    const ran: string[] = [];
    scheduler.later(30, () => ran.push('timer'));
    const inOrder = scheduler.inOrder();
    inOrder(async () => { await sleep(30); });
    inOrder(async () => { ran.push('queued'); });
    const onTheWire = scheduler.post(url, {}, 'late');
    scheduler.reset();
    expect(await onTheWire).toBeNull();
    await sleep(80);
    expect(ran).toEqual([]);
    scheduler.later(0, () => ran.push('after reset'));
    await sleep(20);
    expect(ran).toEqual(['after reset']);
    scheduler.close();
    scheduler.later(0, () => ran.push('after close'));
    await sleep(20);
    expect(ran).toEqual(['after reset']);
  });
});

describe('edna sandbox body limit', () => {
  it('sandbox: a body over the limit is answered 413 request-too-large before anything else', async () => {
    const req = Object.assign(new PassThrough(), { method: 'POST', url: '/api/cascade/schedule', headers: {} }) as unknown as http.IncomingMessage;
    const answer: { status?: number; headers?: Record<string, string>; body?: string } = {};
    const res = {
      headersSent: false,
      writeHead(status: number, headers: Record<string, string>) {
        Object.assign(answer, { status, headers });
        return res;
      },
      end(body?: string) {
        answer.body = body;
        return res;
      },
    } as unknown as http.ServerResponse;
    // Nothing of the sandbox is looked at: the answer comes from reading the body alone.
    const handling = ednaRoutes({} as EdnaParts)(req, res);
    (req as unknown as PassThrough).write(Buffer.alloc(MAX_BODY_BYTES + 1, 'x'));
    await handling;
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body ?? '')).toEqual({ title: 'request-too-large', status: 413, detail: `The body is larger than ${MAX_BODY_BYTES} bytes` });
    expect(answer.headers?.['content-type']).toBe('application/json; charset=utf-8');
  });
});
