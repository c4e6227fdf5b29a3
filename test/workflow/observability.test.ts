import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/embedded.js';
import { configureLogging } from '../../src/log.js';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { initTracing } from '../../src/tracing.js';
import { eventually, startTestHerald, type TestHerald } from '../support/herald.js';
import { newClient, send, sendReaches, wroteInRecently } from '../support/sends.js';
import { connect, subscribe } from '../support/subscriptions.js';

// What an operator sees of one send: Prometheus metrics at /metrics (and the Temporal SDK's own on
// TEMPORAL_METRICS_PORT), JSON log lines carrying the request id and the send's id, and one
// connected OpenTelemetry trace from the sendMessage request to the edna request.

const spans = new InMemorySpanExporter();
const lines: Array<Record<string, unknown>> = [];
let herald: TestHerald;
let temporalMetricsPort: number;

beforeAll(async () => {
  // This file's process: the SDK's runtime with its metrics exporter, tracing into memory, and
  // the logger writing JSON lines into `lines`. Set before anything starts.
  temporalMetricsPort = await freePort();
  installTemporalRuntime({ metricsBindAddress: `127.0.0.1:${temporalMetricsPort}` });
  initTracing({ exporter: spans, serviceName: 'herald-test' });
  configureLogging({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  });
  herald = await startTestHerald({ bundleAtStart: true });
}, 180_000);
afterAll(async () => {
  await herald?.close();
});

let sent: { sendId: string; messageId: string };

describe('observability of one send', () => {
  beforeAll(async () => {
    const client = await newClient(herald, '+7 916 000 7171', 'Observed');
    await wroteInRecently(herald, client);
    const ws = connect(herald.baseUrl, 'demo-agent-1');
    const sub = subscribe(ws, 'subscription { myQueueChanged { id } }');
    const res = await fetch(`${herald.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-agent-1', 'x-request-id': 'req-observed-1' },
      body: JSON.stringify({ query: 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { send { id message { id } } userErrors { code } } }', variables: { i: { clientId: client, channel: 'WHATSAPP', text: 'observed', disposition: { kind: 'CLOSE' } } } }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-observed-1');
    const body = (await res.json()) as any;
    sent = { sendId: body.data.sendMessage.send.id, messageId: body.data.sendMessage.send.message.id };
    await sendReaches(herald, sent.sendId, ['COMPLETED']);
    await sub.close();
    await ws.dispose();
  }, 60_000);

  it('R24: /metrics shows GraphQL operations, the path that answered the send, the send by channel and final state, its latencies, callbacks, connections and the pool', async () => {
    const text = await eventually(async () => {
      const t = await (await fetch(`${herald.baseUrl}/metrics`)).text();
      return t.includes('herald_send_latency_seconds_count{channel="WHATSAPP",status="DELIVERED"}') ? t : undefined;
    }, 10_000, 'the DELIVERED latency');
    expect(text).toMatch(/herald_graphql_operations_total\{type="mutation",field="sendMessage",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/herald_graphql_operation_duration_seconds_bucket\{le="[^"]+",type="mutation",field="sendMessage",outcome="ok"\}/);
    expect(text).toMatch(/herald_sends_total\{channel="WHATSAPP",state="COMPLETED"\} [1-9]/);
    // Embedded mode: the worker in the API's process answered it (eager start).
    expect(text).toMatch(/herald_send_answers_total\{path="here"\} [1-9]/);
    // A time, not NaN: the DELIVERED settle reads when the send was made from the row it writes.
    expect(text).toMatch(/herald_send_latency_seconds_sum\{channel="WHATSAPP",status="DELIVERED"\} \d/);
    expect(text).toMatch(/herald_send_latency_seconds_count\{channel="WHATSAPP",status="SENT"\} [1-9]/);
    expect(text).toMatch(/herald_webhook_callbacks_total\{webhook="\/webhooks\/edna\/status",outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/herald_websocket_connections \d/);
    expect(text).toMatch(/herald_subscriptions_active \d/);
    expect(text).toMatch(/herald_db_pool_connections\{role="api",state="total"\} [1-9]/);
    expect(text).toMatch(/herald_process_cpu_seconds_total/);
  });

  it("R24: the Temporal SDK's own worker metrics are served on TEMPORAL_METRICS_PORT", async () => {
    const text = await (await fetch(`http://127.0.0.1:${temporalMetricsPort}/metrics`)).text();
    expect(text).toMatch(/temporal_workflow_completed|temporal_activity_execution_latency|temporal_workflow_task_schedule_to_start_latency/);
  });

  it('log lines are JSON and carry the request id and the send id', () => {
    const request = lines.filter((l) => l.reqId === 'req-observed-1');
    expect(request.length).toBeGreaterThan(0);
    expect(request.find((l) => l.msg === 'sendMessage answered')).toMatchObject({ sendId: sent.sendId, workflowId: sent.sendId, level: 30 });
    const sendLines = lines.filter((l) => l.sendId === sent.sendId);
    expect(sendLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['the channel took the message', 'send COMPLETED']));
    for (const line of sendLines) expect(line.workflowId).toBe(sent.sendId);
  });

  it('one send is one connected trace: from the sendMessage request through the workflow and its activity to the edna request', async () => {
    const edna = await eventually(async () => spans.getFinishedSpans().find((s) => s.name === 'edna POST' && s.attributes['url.full']?.toString().includes('/api/cascade/schedule')), 10_000, 'the edna span');
    const all = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === edna.spanContext().traceId);
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    const chain: ReadableSpan[] = [];
    for (let s: ReadableSpan | undefined = edna; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.push(s);
    const root = chain.at(-1)!;
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(root.name).toBe('graphql mutation sendMessage');
    expect(root.parentSpanId).toBeUndefined();
    const names = chain.map((s) => s.name);
    expect(names.some((n) => /UpdateWithStart|StartWorkflow/.test(n)), names.join(' ← ')).toBe(true);
    expect(names.some((n) => n.startsWith('RunWorkflow:outboundSend')), names.join(' ← ')).toBe(true);
    expect(names.some((n) => n === 'RunActivity:deliverMessage'), names.join(' ← ')).toBe(true);
    expect(edna.kind).toBe(SpanKind.CLIENT);
  });
});
