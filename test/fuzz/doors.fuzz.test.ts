import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import {
  GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType,
  isObjectType, isScalarType, type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heraldSchema } from '../../src/graphql/schema.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

// A fault suite of Herald's own, bounded so it runs in CI: thousands of GraphQL operations whose
// arguments are generated from the schema itself (every query and mutation, every input type:
// strings with NUL bytes, lone surrogates and megabytes of text, ids that are empty or not ids,
// integers at the edges, dates in year 0, unknown enum values, lists too long), and webhook bodies
// of every shape, signed and not. Nothing may answer 5xx, hang, leave a promise rejected unhandled,
// or grow the heap without bound.

const GRAPHQL_RUNS = Number(process.env.FUZZ_GRAPHQL_RUNS ?? 3000);
const WEBHOOK_RUNS = Number(process.env.FUZZ_WEBHOOK_RUNS ?? 1000);
const ANSWER_WITHIN_MS = 15_000;

let herald: TestHerald;
let schema: GraphQLSchema;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  schema = await heraldSchema();
  herald = await startTestHerald({ env: { RATE_LIMIT_PER_TOKEN: '1000000', RATE_LIMIT_ANONYMOUS: '1000000', RATE_LIMIT_PROVIDERS: '1000000', SEND_ANSWER_TIMEOUT_SECONDS: '3' } });
  const rows = await herald.db.db.execute(sql`select id::text as id from clients union all select id::text from agents union all select id::text from threads union all select id::text from transfer_targets union all select id from sends`);
  realIds.push(...(rows as unknown as { rows?: Array<{ id: string }> }).rows?.map((r) => r.id) ?? (rows as unknown as Array<{ id: string }>).map((r) => r.id));
}, 120_000);
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await herald?.close();
});

// ---- values for any input type, hostile ones included

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Anna', 'hello', '+7 916 123-45-01', 'anna@example.com', 'agent1', 'lunch', 'WHATSAPP') },
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff x', '💬', '%_\\', "' or 1=1 --", '<script>', '../../etc/passwd', '0000-01-01T00:00:00Z'),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
/** Ids of real rows (clients, agents, threads, templates), filled in beforeAll, so some operations reach the resolvers' real work. */
const realIds: string[] = ['00000000-0000-4000-8000-000000000000'];
const hostileId = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...realIds).chain(() => fc.integer({ min: 0, max: 10_000 }).map((i) => realIds[i % realIds.length]!)) },
  fc.uuid(),
  fc.constantFrom('', ' ', '00000000-0000-0000-0000-000000000000', 'send:x', 'send:', 'not-an-id', '\u0000', 'x'.repeat(500)),
  hostileString,
);
const hostileInt = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 100, 101, 2 ** 31 - 1, -(2 ** 31)));
const hostileDate = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1969-12-31T23:59:59Z', 'yesterday', '', '2026-13-45T99:99:99Z'),
);

function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const nullable = !isNonNullType(type);
  const inner = isNonNullType(type) ? type.ofType : type;
  let arb: fc.Arbitrary<unknown>;
  if (isListType(inner)) {
    arb = fc.array(valueFor(inner.ofType, depth + 1), { maxLength: depth > 2 ? 2 : 60 });
  } else if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    arb = depth > 3 ? fc.constant({}) : fc.record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, depth + 1)])), { requiredKeys: [] });
  } else if (isEnumType(inner)) {
    arb = fc.oneof(fc.constantFrom(...inner.getValues().map((v) => v.name)), fc.constantFrom('NOT_A_VALUE', '', 'whatsapp'));
  } else if (inner === GraphQLID) {
    arb = hostileId;
  } else if (inner === GraphQLInt) {
    arb = hostileInt;
  } else if (inner === GraphQLFloat) {
    arb = fc.double();
  } else if (inner === GraphQLBoolean) {
    arb = fc.boolean();
  } else if (inner === GraphQLString) {
    arb = hostileString;
  } else if (isScalarType(inner) && inner.name === 'DateTime') {
    arb = hostileDate;
  } else {
    arb = fc.oneof(fc.jsonValue(), hostileString);
  }
  // Sometimes the wrong type altogether, or a null where none is allowed: the door must refuse it.
  return fc.oneof({ weight: 8, arbitrary: arb }, { weight: nullable ? 1 : 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant({ nested: 'object' })) });
}

/** The cheapest selection that is valid for a field's type. */
function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  return isObjectType(named) || named.constructor.name === 'GraphQLInterfaceType' ? ' { __typename }' : '';
}

interface Operation { query: string; variables: Record<string, unknown>; token: string | null; label: string }

function operationArb(): fc.Arbitrary<Operation> {
  const roots = [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const;
  const fields = roots.flatMap(([kind, type]) => Object.values(type.getFields()).map((field) => ({ kind, field })));
  return fc.constantFrom(...fields).chain(({ kind, field }) => {
    const args: readonly GraphQLArgument[] = field.args;
    const declared = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
    const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
    const query = `${kind}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selectionFor(field)} }`;
    return fc.record({
      query: fc.constant(query),
      variables: fc.record(Object.fromEntries(args.map((a) => [a.name, valueFor(a.type)])), { requiredKeys: [] }),
      token: fc.constantFrom('demo-admin', 'demo-agent-1', 'demo-integrator', 'demo-supervisor', null, 'guessed-token'),
      label: fc.constant(`${kind} ${field.name}`),
    });
  });
}

async function timed(what: string, call: () => Promise<Response>): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS); });
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const seen = { requests: 0, byStatus: new Map<number, number>() };
function count(status: number) {
  seen.requests++;
  seen.byStatus.set(status, (seen.byStatus.get(status) ?? 0) + 1);
}

describe('fuzz: nothing a client sends answers 5xx, hangs or leaks', () => {
  it(`${GRAPHQL_RUNS} GraphQL operations generated from the schema, with hostile arguments`, async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    await fc.assert(fc.asyncProperty(operationArb(), async (op) => {
      const res = await timed(op.label, () => fetch(`${herald.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(op.token ? { authorization: `Bearer ${op.token}` } : {}) },
        body: JSON.stringify({ query: op.query, variables: op.variables }),
      }));
      const text = await res.text();
      count(res.status);
      if (res.status >= 500) throw new Error(`${op.label} answered ${res.status}: ${text.slice(0, 300)}\nvariables: ${JSON.stringify(op.variables).slice(0, 300)}`);
      // Every error carries a code of the contract, never a stack trace.
      const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string; stacktrace?: unknown } }> };
      for (const e of body.errors ?? []) {
        expect(e.extensions?.code, `${op.label}: ${text.slice(0, 200)}`).toBeTruthy();
        expect(e.extensions?.stacktrace).toBeUndefined();
      }
    }), { numRuns: GRAPHQL_RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 100_000), endOnFailure: true });
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(`[fuzz] GraphQL: ${GRAPHQL_RUNS} operations; statuses ${JSON.stringify(Object.fromEntries(seen.byStatus))}; heap ${Math.round(heapBefore / 2 ** 20)} → ${Math.round(heapAfter / 2 ** 20)} MiB`);
    expect(heapAfter - heapBefore).toBeLessThan(512 * 2 ** 20);
  }, 600_000);

  it(`${WEBHOOK_RUNS} webhook bodies of every shape, with and without the secret or signature`, async () => {
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({
        requestId: hostileId, messageId: fc.oneof(hostileId, fc.integer()), status: fc.oneof(fc.constantFrom('SENT', 'DELIVERED', 'READ', 'UNDELIVERED', 'FAILED', 'DELAYED', 'TELEPORTED'), hostileString),
        statusAt: hostileDate, error: fc.oneof(fc.constant(null), hostileString), comment: hostileString,
        channelType: fc.constantFrom('WHATSAPP', 'VIBER', 'SMS', ''), subscriber: fc.record({ identifier: hostileString }, { requiredKeys: [] }),
        userInfo: fc.record({ firstName: hostileString, lastName: hostileString, userName: hostileString }, { requiredKeys: [] }),
        messageContent: fc.record({ type: hostileString, text: hostileString }, { requiredKeys: [] }), receivedAt: hostileDate,
        channel: fc.constantFrom('WEB_CHAT', 'MOBILE_APP', 'APPLE_BUSINESS_MESSAGES', 'EMAIL'), at: hostileDate, description: hostileString,
      }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 2_000 }),
    );
    const target = fc.constantFrom('/webhooks/edna/status', '/webhooks/edna/inbound', '/webhooks/channel/status');
    const auth = fc.constantFrom('right', 'wrong', 'none');
    await fc.assert(fc.asyncProperty(target, body, auth, async (path, raw, how) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (path.startsWith('/webhooks/edna')) {
        if (how !== 'none') headers[herald.config.edna.webhookHeader] = how === 'right' ? herald.config.edna.webhookSecret : 'wrong';
      } else if (how !== 'none') {
        const secret = how === 'right' ? herald.config.gateway.WEB_CHAT!.secret : 'not-the-secret-of-anyone';
        headers['X-Herald-Signature'] = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      }
      const res = await timed(path, () => fetch(`${herald.baseUrl}${path}`, { method: 'POST', headers, body: raw }));
      const text = await res.text();
      count(res.status);
      expect([200, 400, 401, 413], `${path} (${how}) answered ${res.status}: ${text.slice(0, 200)} for ${raw.slice(0, 200)}`).toContain(res.status);
    }), { numRuns: WEBHOOK_RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 100_000), endOnFailure: true });
    console.log(`[fuzz] webhooks: ${WEBHOOK_RUNS} bodies; all statuses so far ${JSON.stringify(Object.fromEntries(seen.byStatus))}`);
  }, 600_000);

  it('and nothing was left rejected unhandled', () => {
    expect(unhandled.map((u) => (u instanceof Error ? u.stack : String(u)))).toEqual([]);
  });
});
