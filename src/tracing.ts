import { createRequire } from 'node:module';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

// OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: one trace from the HTTP
// request (sendMessage) through the Temporal client, the workflow and its activities, to the
// provider's HTTP request (edna, Telegram, the gateway) or the SMTP send. Spans go to
// <endpoint>/v1/traces over OTLP/HTTP; the tests hand in an in-memory exporter instead.

const require = createRequire(import.meta.url);
/** The module the worker bundles into the workflow sandbox to trace workflows. */
export const WORKFLOW_TRACING_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  tracer: Tracer;
  /** The Temporal client's interceptors (empty when tracing is off). */
  clientInterceptors: { workflow: OpenTelemetryWorkflowClientInterceptor[] };
  /** Adds the worker's interceptors and the workflow span sink (unchanged when off). */
  worker<T extends WorkerOptions>(options: T): T;
  shutdown(): Promise<void>;
}

let current: Tracing | null = null;

/** The process's tracing, as `initTracing` left it; off (no spans, no cost) by default. */
export function tracing(): Tracing | null {
  return current;
}

export function tracer(): Tracer {
  return trace.getTracer('herald');
}

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL (http://host:4318). */
  endpoint?: string;
  serviceName?: string;
  /** Tests: spans go here, each as it ends. */
  exporter?: SpanExporter;
}

export function initTracing(options: TracingOptions): Tracing | null {
  if (current) return current;
  if (!options.endpoint && !options.exporter) return null;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'herald' });
  const spanProcessor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const client = new OpenTelemetryWorkflowClientInterceptor();
  current = {
    tracer: trace.getTracer('herald'),
    clientInterceptors: { workflow: [client] },
    worker(workerOptions) {
      return {
        ...workerOptions,
        interceptors: {
          ...workerOptions.interceptors,
          workflowModules: [...(workerOptions.interceptors?.workflowModules ?? []), WORKFLOW_TRACING_MODULE],
          activity: [
            ...(workerOptions.interceptors?.activity ?? []),
            (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
          ],
        },
        sinks: { ...workerOptions.sinks, exporter: makeWorkflowExporter(spanProcessor, resource) },
      };
    },
    async shutdown() {
      await provider.shutdown();
      current = null;
    },
  };
  return current;
}

/**
 * Runs `work` inside a span that is the active context meanwhile, so spans begun inside (the
 * Temporal client's, a provider call's) are its children; ends it with the outcome. Without
 * tracing it only runs `work`.
 */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; parent?: Record<string, string | string[] | undefined> }, work: (span: Span | null) => Promise<T>): Promise<T> {
  if (!current) return work(null);
  const parent = options.parent ? propagation.extract(context.active(), options.parent) : context.active();
  return current.tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The headers that carry the active trace to a provider (W3C traceparent). */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  if (current) propagation.inject(context.active(), headers);
  return headers;
}

export { SpanKind };
