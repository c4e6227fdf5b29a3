import { errorText, listen } from '../shared/http.js';
import { forgetRecords } from '../shared/inspection.js';
import { createCallbacks } from './callbacks.js';
import { createCatalog } from './catalog.js';
import type { AcceptedMessage, CallbackRegistration, EdnaRecords, InboundMessage, ReceivedRequest, SentCallback } from './records.js';
import { ApiError } from './requests.js';
import { ednaRoutes } from './routes.js';
import { SCENARIOS } from './scenarios.js';
import { createSends } from './sends.js';
import { DEFAULT_TEMPLATES, type SandboxChannel, type SandboxTemplate } from './templates.js';

// The edna Pulse sandbox: a plain HTTP server that answers like edna (edna-reference.md) so that
// Herald's real HTTP client is exercised in tests, in embedded mode and standalone. Sends are
// validated and answered like edna (requests.ts, sends.ts), then status callbacks are posted to the
// registered URL (callbacks.ts) in the flow the phone's scenario asks for (scenarios.ts, flows.ts).
// Everything it receives and posts is kept for inspection (`received()`, `accepted()`,
// `callbacks()`, and GET /sandbox/..., inspection.ts).

export { DEFAULT_TEMPLATES, type SandboxChannel, type SandboxTemplate } from './templates.js';
export { SCENARIOS, SCENARIO_SUFFIX, scenarioForPhone, phoneForScenario, type Scenario, type ScenarioName } from './scenarios.js';
export type { AcceptedMessage, InboundMessage, ReceivedRequest, SentCallback } from './records.js';

export interface EdnaSandboxOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Every /api call must carry it in X-API-KEY, else 401. */
  apiKey: string;
  /** Sent on every callback in the header `webhookHeader`. */
  webhookSecret: string;
  webhookHeader: string;
  statusCallbackUrl?: string;
  inMessageCallbackUrl?: string;
  /** From acceptance; defaults 150, 400, 800. */
  delaysMs?: { sent?: number; delivered?: number; read?: number };
  /** Scenario 0500: how many tries of one requestId/messageId get HTTP 500; default 2. */
  failFirstTries?: number;
  /**
   * A flaky edna for any phone (`npm run chaos`): this share of sends (0 to 1) answer HTTP 500
   * error-system, half of them before taking the message and half after (edna took it but the
   * answer was lost: a retry must then meet requestId-is-not-unique, never a second delivery).
   */
  failRate?: number;
  /** Waits before re-posting a callback not answered 200 (edna: 4 s, 128 s, 2048 s); default [200, 800, 3200]. */
  callbackRetryDelaysMs?: number[];
  /** The starting catalog; default DEFAULT_TEMPLATES. */
  templates?: readonly SandboxTemplate[];
  /** Called with one line per request answered and callback posted (the standalone sandbox prints them). */
  log?: (line: string) => void;
}

export interface EdnaSandbox {
  /** Base URL without /api, e.g. http://127.0.0.1:PORT. */
  url: string;
  port: number;
  received(): ReceivedRequest[];
  accepted(): AcceptedMessage[];
  callbacks(): SentCallback[];
  templates(channel?: SandboxChannel): SandboxTemplate[];
  setTemplates(channel: SandboxChannel, templates: SandboxTemplate[]): void;
  setCallbackUrls(urls: { statusCallbackUrl?: string; inMessageCallbackUrl?: string }): void;
  sendInbound(msg: InboundMessage): Promise<number>;
  reset(): void;
  close(): Promise<void>;
}

/** edna's default subjectId in status callbacks, until POST /api/callback/set names one. */
const DEFAULT_SUBJECT_ID = 1001;

export async function startEdnaSandbox(options: EdnaSandboxOptions): Promise<EdnaSandbox> {
  const delays = {
    sent: options.delaysMs?.sent ?? 150,
    delivered: options.delaysMs?.delivered ?? 400,
    read: options.delaysMs?.read ?? 800,
  };
  const failFirstTries = options.failFirstTries ?? 2;
  const retryDelaysMs = [...(options.callbackRetryDelaysMs ?? [200, 800, 3200])];
  const log = options.log ?? (() => {});

  const records: EdnaRecords = { received: [], accepted: [], callbacks: [] };
  const registration: CallbackRegistration = {
    statusCallbackUrl: options.statusCallbackUrl,
    inMessageCallbackUrl: options.inMessageCallbackUrl,
    subjectId: DEFAULT_SUBJECT_ID,
  };
  const catalog = createCatalog(options.templates ?? DEFAULT_TEMPLATES);
  const callbacks = createCallbacks({ webhookHeader: options.webhookHeader, webhookSecret: options.webhookSecret, retryDelaysMs, registration, records, log });
  const sends = createSends({ catalog, callbacks, records, delays, failFirstTries, failRate: options.failRate ?? 0 });

  function reset() {
    callbacks.forgetPending();
    forgetRecords(records);
    sends.reset();
  }

  const server = await listen(
    ednaRoutes({
      apiKey: options.apiKey,
      log,
      records,
      registration,
      catalog,
      sends,
      callbacks,
      overview: () => ({
        statusCallbackUrl: registration.statusCallbackUrl ?? null,
        inMessageCallbackUrl: registration.inMessageCallbackUrl ?? null,
        delaysMs: delays,
        failFirstTries,
        callbackRetryDelaysMs: retryDelaysMs,
        scenarios: SCENARIOS,
      }),
      reset,
    }),
    { port: options.port, host: options.host, faultBody: (e) => new ApiError(500, 'error-system', errorText(e)).body() },
  );

  let closed = false;
  return {
    url: server.url,
    port: server.port,
    received: () => structuredClone(records.received),
    accepted: () => structuredClone(records.accepted),
    callbacks: () => structuredClone(records.callbacks),
    templates: (channel?: SandboxChannel) => catalog.list(channel ?? null),
    setTemplates: catalog.set,
    setCallbackUrls(urls) {
      if (urls.statusCallbackUrl !== undefined) registration.statusCallbackUrl = urls.statusCallbackUrl || undefined;
      if (urls.inMessageCallbackUrl !== undefined) registration.inMessageCallbackUrl = urls.inMessageCallbackUrl || undefined;
    },
    sendInbound: callbacks.sendInbound,
    reset,
    async close() {
      if (closed) return;
      closed = true;
      callbacks.close();
      await server.close();
    },
  };
}
