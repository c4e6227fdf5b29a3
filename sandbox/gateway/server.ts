import type http from 'node:http';
import { IDEMPOTENCY_HEADER } from '../../src/channels/gateway/signature.js';
import { GATEWAY_CHANNELS, type GatewayChannel } from '../../src/domain/channels.js';
import { errorText, listen, parseJson, readRawBody, replyJson, requestTarget } from '../shared/http.js';
import { answerInspection, forgetRecords } from '../shared/inspection.js';
import { failsThisTry, TryCounter } from '../shared/scenarios.js';
import { createStatusCallbacks } from './callbacks.js';
import type { GatewayAccepted, GatewayCallback, GatewayRecords, GatewayRequest } from './records.js';
import { checkSend, GatewayError } from './requests.js';
import { GATEWAY_SCENARIOS, gatewayScenarioFor } from './scenarios.js';

// A channel gateway look-alike for web chat, mobile app and Apple Business Messages: takes
// Herald's signed POSTs on /gateway/<channel> (web-chat, mobile-app, apple-business-messages),
// checks the signature and the Idempotency-Key (requests.ts), and posts signed status callbacks
// back (callbacks.ts), in the flow the recipient's last four digits ask for (scenarios.ts).
// A repeated Idempotency-Key it took already is answered 200 {"status":"duplicate"} and not
// delivered again. GET /sandbox/received, /sandbox/accepted, /sandbox/callbacks; POST /sandbox/reset.

export { GATEWAY_SCENARIOS, gatewayScenarioFor, type GatewayScenarioName } from './scenarios.js';
export type { GatewayAccepted, GatewayCallback, GatewayRequest } from './records.js';

/** The path a channel is served on: /gateway/web-chat, /gateway/mobile-app, /gateway/apple-business-messages. */
export const gatewayPath = (channel: GatewayChannel) => `/gateway/${channel.toLowerCase().replace(/_/g, '-')}`;

export interface GatewaySandboxOptions {
  port?: number;
  host?: string;
  /** Per channel: the HMAC secret both ways. A channel without one answers 404. */
  secrets: Partial<Record<GatewayChannel, string>>;
  /** Herald's POST /webhooks/channel/status. */
  statusCallbackUrl?: string;
  /** From acceptance; defaults 300 and 700. */
  delaysMs?: { delivered?: number; read?: number };
  failFirstTries?: number;
  /** rate-limited, always-rate-limited: the Retry-After named, in seconds; default 1. */
  retryAfterSeconds?: number;
  log?: (line: string) => void;
}

export interface GatewaySandbox {
  url: string;
  port: number;
  /** Where Herald posts sends for the channel (CHANNEL_<NAME>_URL). */
  urlFor(channel: GatewayChannel): string;
  received(): GatewayRequest[];
  accepted(): GatewayAccepted[];
  callbacks(): GatewayCallback[];
  setStatusCallbackUrl(url: string | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startGatewaySandbox(options: GatewaySandboxOptions): Promise<GatewaySandbox> {
  const delays = { delivered: options.delaysMs?.delivered ?? 300, read: options.delaysMs?.read ?? 700 };
  const failFirstTries = options.failFirstTries ?? 2;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const log = options.log ?? (() => {});
  let statusCallbackUrl = options.statusCallbackUrl;
  const records: GatewayRecords = { received: [], accepted: [], callbacks: [] };
  const tries = new TryCounter();
  const callbacks = createStatusCallbacks({ secrets: options.secrets, statusCallbackUrl: () => statusCallbackUrl, delays, records, log });

  function accept(channel: GatewayChannel, raw: Buffer, headers: http.IncomingHttpHeaders): { status: number; body: unknown } {
    const { key, recipient, text, attachment } = checkSend(channel, options.secrets[channel], raw, headers);
    if (records.accepted.some((a) => a.channel === channel && a.messageId === key)) return { status: 200, body: { status: 'duplicate', messageId: key } };
    const scenario = gatewayScenarioFor(recipient);
    const n = tries.next(key);
    if (scenario === 'rejected') throw new GatewayError(422, 'PROVIDER_REJECTED', 'the channel refused this recipient');
    if ((scenario === 'rate-limited' && n === 1) || scenario === 'always-rate-limited') {
      throw new GatewayError(429, 'RATE_LIMITED', 'slow down', { 'retry-after': String(retryAfter) });
    }
    if (failsThisTry(scenario, n, failFirstTries)) throw new GatewayError(500, 'GATEWAY_ERROR', `sandbox scenario, try ${n}`);
    const message: GatewayAccepted = { at: new Date().toISOString(), channel, messageId: key, recipient, text, attachment, scenario };
    records.accepted.push(message);
    callbacks.schedule(message);
    return { status: 202, body: { status: 'accepted', messageId: key } };
  }

  const inspection = {
    overview: () => ({ statusCallbackUrl: statusCallbackUrl ?? null, scenarios: GATEWAY_SCENARIOS, delaysMs: delays, failFirstTries }),
    records,
    reset,
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const { method, path } = requestTarget(req);
    const raw = await readRawBody(req);
    if (answerInspection(method, path, res, inspection)) return;
    const channel = GATEWAY_CHANNELS.find((c) => gatewayPath(c) === path);
    if (method !== 'POST' || !channel) return replyJson(res, 404, { error: 'NOT_FOUND', message: `No such endpoint: ${method} ${path}` });
    const key = req.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    const record = (status: number, body: unknown, error?: string) => {
      const parsed = parseJson(raw);
      const idempotencyKey = typeof key === 'string' ? key : null;
      records.received.push({ at: new Date().toISOString(), channel, idempotencyKey, body: parsed.ok ? parsed.value : raw.toString('utf8'), status, ...(error ? { error } : {}) });
      log(`POST ${path} -> ${status}${error ? ` ${error}` : ''}`);
      return body;
    };
    try {
      const answer = accept(channel, raw, req.headers);
      return replyJson(res, answer.status, record(answer.status, answer.body));
    } catch (e) {
      const error = e instanceof GatewayError ? e : new GatewayError(500, 'GATEWAY_ERROR', errorText(e));
      return replyJson(res, error.status, record(error.status, { error: error.error, message: error.message }, error.error), error.headers);
    }
  }

  function reset() {
    callbacks.forgetPending();
    forgetRecords(records);
    tries.clear();
  }

  const server = await listen(handle, { port: options.port, host: options.host });
  let closed = false;
  return {
    url: server.url,
    port: server.port,
    urlFor: (channel) => `${server.url}${gatewayPath(channel)}`,
    received: () => structuredClone(records.received),
    accepted: () => structuredClone(records.accepted),
    callbacks: () => structuredClone(records.callbacks),
    setStatusCallbackUrl(url) {
      statusCallbackUrl = url;
    },
    reset,
    async close() {
      if (closed) return;
      reset();
      closed = true;
      callbacks.close();
      await server.close();
    },
  };
}
